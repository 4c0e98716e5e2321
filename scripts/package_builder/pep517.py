"""Build a wheel for wasm32-wasip1 from an unpacked sdist with its own PEP 517
backend: setuptools (C, C++, Cython) or meson-python, run by the native
build-python answering for the WASI host, compiling with our wrappers. Builds
run without isolation against the pinned build tools (recipes/build-tools.txt):
a requirement they do not meet fails the build, naming it."""

import importlib.metadata
import tomllib
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from .common import BuildError, step

LEGACY = {"build-backend": "setuptools.build_meta:__legacy__", "requires": ["setuptools"]}
SUPPORTED = {"setuptools.build_meta": "setuptools", "setuptools.build_meta:__legacy__": "setuptools",
             "mesonpy": "meson-python"}
HOOK = r"""
import importlib, json, os, sys
backend_name, out, settings = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
for p in reversed(json.loads(sys.argv[4])):
    sys.path.insert(0, os.path.abspath(p))
module, _, attr = backend_name.partition(":")
backend = importlib.import_module(module)
for part in filter(None, attr.split(".")):
    backend = getattr(backend, part)
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


def check_requires(package: str, requires: list) -> None:
    """Every build requirement must be met by the pinned build tools."""
    unmet = []
    for text in requires:
        try:
            req = Requirement(text)
        except InvalidRequirement as e:
            raise BuildError(f"{package}: build requirement {text!r}: {e}")
        if req.marker and not req.marker.evaluate():
            continue
        try:
            have = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            unmet.append(f"'{text}' (not among the build tools)")
            continue
        if req.specifier and not req.specifier.contains(have, prereleases=True):
            unmet.append(f"'{text}' (the build tools have {req.name} {have})")
    if unmet:
        raise BuildError(f"{package}: its build-system.requires is not met by the pinned build tools "
                         f"(recipes/build-tools.txt): {', '.join(unmet)}. Add or re-pin the tool there "
                         f"(with its sha256) if it builds for wasm32-wasip1.")


def build_wheel(package: str, src: Path, work: Path, tools: dict, logs: Path, recipe: dict) -> tuple:
    """(wheel path, backend kind)."""
    system = build_system(src, package)
    backend = system["build-backend"]
    kind = SUPPORTED.get(backend)
    if kind is None:
        if backend.startswith("maturin"):
            raise BuildError(f"{package}: its build backend is maturin (Rust/pyo3 extensions); onepy cannot "
                             f"build Rust extensions for wasm32-wasip1 yet (issue 21, item 2). Leave '{package}' "
                             f"out, or pick a package without Rust extensions.")
        raise BuildError(f"{package}: unsupported build backend '{backend}' (onepy builds sdists whose backend is "
                         f"setuptools or meson-python)")
    check_requires(package, system["requires"])
    import json
    settings = {}
    if kind == "meson-python":
        settings = {"setup-args": [f"--cross-file={tools['cross']}", *recipe.get("meson-options", [])],
                    "build-dir": str(work / "meson-build")}
    dist = work / "dist"
    dist.mkdir(exist_ok=True)
    env = dict(tools["env"], **tools["cross_env"], **recipe.get("env", {}))
    step(package, f"build-wheel-{kind}", [tools["python"], "-c", HOOK, backend, dist, json.dumps(settings),
                                            json.dumps(system.get("backend-path", []))], logs, cwd=src, env=env)
    wheels = sorted(dist.glob("*.whl"))
    if len(wheels) != 1:
        raise BuildError(f"{package}: the backend made {len(wheels)} wheels in {dist}, expected one")
    return wheels[0], kind
