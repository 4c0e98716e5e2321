"""Rust/pyo3 extensions of sdists whose backend is maturin, for wasm32-wasip1.

maturin itself would link a cdylib; python.wasm links statically, so this
reads maturin's settings from pyproject.toml (manifest, module name, Python
source directory, features) and has cargo.py build the crate as maturin
would, as a static library, then lays out the tree a maturin wheel has.
"""

import shutil
import tomllib
from pathlib import Path

from .cargo import build_staticlib, lib_name
from .common import BuildError


def settings(src: Path, package: str) -> dict:
    data = tomllib.loads((src / "pyproject.toml").read_text())
    maturin = data.get("tool", {}).get("maturin", {})
    manifest = src / maturin.get("manifest-path", "Cargo.toml")
    if not manifest.is_file():
        raise BuildError(f"{package}: maturin's manifest {manifest} is not in the sdist")
    crate = lib_name(manifest, package)
    # maturin's default module name is the crate's lib name.
    module = maturin.get("module-name") or crate
    bindings = maturin.get("bindings", "pyo3")
    if bindings != "pyo3":
        raise BuildError(f"{package}: maturin bindings '{bindings}' (onepy builds pyo3 extensions only)")
    return {"manifest": manifest, "crate": crate, "module": module,
            "python_source": src / maturin.get("python-source", ""), "features": maturin.get("features", [])}


def build_maturin(package: str, version: str, src: Path, work: Path, tools: dict, logs: Path,
                  libpython: Path) -> Path:
    """A tree like an unpacked wheel: the package's Python files, its
    extension module as `<module path>.cpython-XY-wasm32-wasi.so` (the static
    library) and a dist-info from the sdist's PKG-INFO."""
    from pyversion import EXT_SUFFIX
    conf = settings(src, package)
    lib = build_staticlib(package, version, src, conf["manifest"], conf["crate"], conf["features"], work, tools,
                          logs, libpython)
    tree = work / "tree"
    module = conf["module"]
    top = module.split(".")[0]
    source = conf["python_source"] / top
    if source.is_dir():  # mixed Rust/Python: the package's Python files, the extension inside
        shutil.copytree(source, tree / top, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__"))
        # maturin: `a.b` is a/b.so; a module named like its package (orjson's
        # `orjson` with pysrc/orjson/) goes inside it, as orjson/orjson.so.
        dest = tree / ((module.replace(".", "/") if "." in module else f"{top}/{module}") + EXT_SUFFIX)
    else:  # pure Rust: maturin makes a package re-exporting the extension
        (tree / module).mkdir(parents=True)
        (tree / module / "__init__.py").write_text(
            f"from .{module} import *\n\n__doc__ = {module}.__doc__\nif hasattr({module}, \"__all__\"):\n"
            f"    __all__ = {module}.__all__\n")
        for stub in (src / f"{module}.pyi", src / module / "__init__.pyi"):
            if stub.is_file():
                shutil.copy2(stub, tree / module / "__init__.pyi")
                (tree / module / "py.typed").write_text("")
        dest = tree / module / (module + EXT_SUFFIX)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(lib, dest)
    info = tree / f"{package.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    shutil.copy2(src / "PKG-INFO", info / "METADATA")
    (info / "INSTALLER").write_text("onepy\n")
    return tree
