"""Rust/pyo3 extensions of sdists whose setuptools build uses setuptools-rust
(tiktoken), for wasm32-wasip1.

setuptools makes the package as for any sdist (pep517.py: Python files,
metadata), with setuptools-rust's `build_rust` command replaced, in the
PEP 517 hook, by one that records the sdist's RustExtensions (from setup.py
or pyproject.toml) instead of building cdylibs for the host. Each is then
built by cargo.py as a static library and put where setuptools-rust would
install it: `a/b.py`'s sibling `a/b.cpython-XY-wasm32-wasi.so` for `a.b`.
"""

import json
from pathlib import Path

from packaging.requirements import Requirement

from .build_deps import canonical
from .cargo import build_staticlib, lib_name
from .common import BuildError

# The hook's environment variable naming the file it records the extensions in.
RECORD_ENV = "ONEPY_RUST_EXTENSIONS"


def record_file(work):
    """Where the hook records a build's RustExtensions (pep517.py) and
    add_extensions reads them (build.py)."""
    return work / "rust-extensions.json"

# Run by pep517.py's hook before the backend (setuptools) is imported.
HOOK_PRELUDE = r"""
def onepy_record_rust_extensions(out):
    import setuptools_rust.build
    def record(self):
        with open(out, "w") as f:
            json.dump([{"kind": type(e).__name__, "name": e.name, "target": e.target, "path": e.path,
                        "features": list(e.features), "args": list(e.args),
                        "cargo_manifest_args": list(e.cargo_manifest_args), "rustc_flags": list(e.rustc_flags),
                        "binding": getattr(e.binding, "name", str(e.binding)), "script": bool(e.script)}
                       for e in self.extensions], f)
    setuptools_rust.build.build_rust.run = record
if hook == "wheel" and os.environ.get("ONEPY_RUST_EXTENSIONS"):
    onepy_record_rust_extensions(os.environ["ONEPY_RUST_EXTENSIONS"])
"""


def uses_setuptools_rust(requires: list) -> bool:
    return any(canonical(Requirement(r).name) == "setuptools-rust" for r in requires)


def add_extensions(package: str, version: str, src: Path, tree: Path, recorded: Path, work: Path, tools: dict,
                   logs: Path, libpython: Path) -> list:
    """Build the recorded RustExtensions into `tree`; their module names."""
    from pyversion import EXT_SUFFIX
    if not recorded.is_file():
        raise BuildError(f"{package}: its build requires setuptools-rust but ran no build_rust command "
                         f"({recorded} was not written)")
    modules = []
    for ext in json.loads(recorded.read_text()):
        if ext["kind"] != "RustExtension" or ext["script"]:
            raise BuildError(f"{package}: {ext['kind']} {ext['name']} is a Rust program (a command), not an "
                             f"extension module: python.wasm runs no other programs")
        if ext["binding"] != "PyO3":
            raise BuildError(f"{package}: Rust extension {ext['name']} uses binding {ext['binding']} "
                             f"(onepy builds pyo3 extensions only)")
        if list(ext["target"]) != [""]:
            raise BuildError(f"{package}: Rust extension {ext['name']} names several targets {ext['target']} "
                             f"(onepy builds one module per crate)")
        manifest = (src / ext["path"]).resolve()
        if not manifest.is_file() or not manifest.is_relative_to(src.resolve()):
            raise BuildError(f"{package}: Rust extension {ext['name']}: no manifest {ext['path']} in the sdist")
        crate = lib_name(manifest, package)
        lib = build_staticlib(package, version, src, manifest, crate, ext["features"], work, tools, logs, libpython,
                              # cargo.py passes --locked already
                              cargo_args=tuple(a for a in (*ext["cargo_manifest_args"], *ext["args"]) if a != "--locked"),
                              rustc_flags=tuple(ext["rustc_flags"]))
        module = ext["target"][""]
        dest = tree / (module.replace(".", "/") + EXT_SUFFIX)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(lib.read_bytes())
        modules.append(module)
    if not modules:
        raise BuildError(f"{package}: its build requires setuptools-rust but declares no Rust extension")
    return modules
