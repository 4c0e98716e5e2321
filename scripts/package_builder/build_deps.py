"""Locked packages that another sdist's build needs built for wasm32-wasip1
(pandas compiles against numpy's C API: numpy's headers must be those of the
numpy linked into the module, not x86_64's).

A build requirement (`build-system.requires`) that the lock also pins as an
sdist is built first. Its build keeps the directories its recipe lists as
`build-time` (numpy: `numpy/_core/include`) beside its output, never embedded.
The dependent's build then sees, on PYTHONPATH, the native wheel of the same
pin (the lock's `native:` line, sha256-checked) with those directories
replaced by the wasm32 ones: `import numpy; numpy.get_include()` in the build
answers with headers for wasm32, and Cython finds the same `.pxd` files.
"""

import json
import re
import shutil
import tarfile
import tomllib
import zipfile
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from .common import BuildError, download

BUILD_TIME = "build-time"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sdist_build_requires(sdist: Path, package: str) -> list:
    """`build-system.requires` of the sdist's top pyproject.toml ([] without one)."""
    text = None
    if sdist.name.endswith(".zip"):
        with zipfile.ZipFile(sdist) as z:
            names = [n for n in z.namelist() if n.count("/") == 1 and n.endswith("/pyproject.toml")]
            text = z.read(names[0]).decode() if names else None
    else:
        with tarfile.open(sdist) as tar:
            for member in tar:
                if member.isfile() and member.name.count("/") == 1 and member.name.endswith("/pyproject.toml"):
                    text = tar.extractfile(member).read().decode()
                    break
    if text is None:
        return []
    try:
        return tomllib.loads(text).get("build-system", {}).get("requires", [])
    except tomllib.TOMLDecodeError as e:
        raise BuildError(f"{package}: {sdist.name}: pyproject.toml: {e}")


def locked_build_requirements(entry, sdist: Path, locked: list) -> list:
    """The locked sdist entries (other than `entry`) among its build requirements."""
    wanted = set()
    for text in sdist_build_requires(sdist, entry.name):
        try:
            req = Requirement(text)
        except InvalidRequirement as e:
            raise BuildError(f"{entry.name}: build requirement {text!r}: {e}")
        if not req.marker or req.marker.evaluate():
            wanted.add(canonical(req.name))
    deps = []
    for e in locked:
        if e.is_sdist and canonical(e.name) in wanted and canonical(e.name) != canonical(entry.name):
            if not e.native_url:
                raise BuildError(f"{entry.name}'s build needs {e.name}, which the lock pins as an sdist with no "
                                 f"native wheel: the build has no {e.name} to import")
            deps.append(e)
    return deps


def keep_build_time(recipe: dict, tree: Path, out: Path, package: str) -> None:
    """Copies the recipe's `build-time` directories of the built tree into out/build-time."""
    for rel in recipe.get("build-time", []):
        source = tree / rel
        if not source.is_dir():
            raise BuildError(f"{package}: the recipe's build-time directory {rel} is not in the build ({tree})")
        shutil.copytree(source, out / BUILD_TIME / rel)


def host_tree(deps: list, work: Path, cache: Path) -> Path:
    """work/build-deps: each dependency's native wheel with its build-time
    directories replaced by the wasm32 build's. `deps`: [(entry, output dir)]."""
    tree = work / "build-deps"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    for entry, out in deps:
        wheel = download(entry.native_url, entry.native_sha256, cache / "wheels")
        with zipfile.ZipFile(wheel) as z:
            z.extractall(tree)
        dirs = json.loads((out / "build-info.json").read_text()).get("build-time", [])
        if not dirs:
            raise BuildError(f"{entry.name} {entry.version} ({out}) kept no build-time directories, and "
                             f"another package's build needs its headers: list them in its recipe "
                             f"(build-time = [...])")
        for rel in dirs:
            shutil.rmtree(tree / rel, ignore_errors=True)
            shutil.copytree(out / BUILD_TIME / rel, tree / rel)
    return tree
