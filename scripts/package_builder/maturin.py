"""Rust/pyo3 extensions (sdists whose backend is maturin) for wasm32-wasip1.

maturin itself would link a cdylib; python.wasm links statically, so this
reads maturin's settings from pyproject.toml and runs cargo as maturin would,
asking for a static library instead:

    cargo rustc --release --locked --target wasm32-wasip1 --lib --crate-type staticlib

with pyo3's cross configuration from libpython (PYO3_CONFIG_FILE: CPython
version, no shared library, not abi3; an abi3 crate builds against it too) and
the Rust toolchain of rust-toolchain.toml (pinned, like the rest). Crates come
from crates.io pinned by the sdist's Cargo.lock (checksums). The static library
carries its own copy of Rust's std: merge-and-localize keeps only the init
symbol global, so several Rust extensions live in one module.

A Rust panic: wasm32-wasip1 has no unwinding in stable Rust, so pyo3 cannot
turn a panic into PanicException: Rust's panic hook prints
`thread '<unnamed>' (1) panicked at <package>-<version>/src/lib.rs:12:5:`
and the message to stderr, then the module aborts (wasm `unreachable` trap;
the wasmtime CLI exits with status 134).
"""

import os
import shutil
import sys
import tomllib
from pathlib import Path

from .common import BuildError, step
from .toolchain import ROOT


def cargo_home() -> str:
    return os.environ.get("CARGO_HOME") or os.path.expanduser("~/.cargo")


def settings(src: Path, package: str) -> dict:
    data = tomllib.loads((src / "pyproject.toml").read_text())
    maturin = data.get("tool", {}).get("maturin", {})
    manifest = src / maturin.get("manifest-path", "Cargo.toml")
    if not manifest.is_file():
        raise BuildError(f"{package}: maturin's manifest {manifest} is not in the sdist")
    cargo = tomllib.loads(manifest.read_text())
    crate = cargo.get("lib", {}).get("name") or cargo.get("package", {}).get("name", "")
    # maturin's default module name is the crate's lib name.
    module = maturin.get("module-name") or crate.replace("-", "_")
    bindings = maturin.get("bindings", "pyo3")
    if bindings != "pyo3":
        raise BuildError(f"{package}: maturin bindings '{bindings}' (onepy builds pyo3 extensions only)")
    return {"manifest": manifest, "crate": crate.replace("-", "_"), "module": module,
            "python_source": src / maturin.get("python-source", ""), "features": maturin.get("features", [])}


def build_maturin(package: str, version: str, src: Path, work: Path, tools: dict, logs: Path,
                  libpython: Path) -> Path:
    """A tree like an unpacked wheel: the package's Python files, its
    extension module as `<module path>.cpython-XY-wasm32-wasi.so` (the static
    library) and a dist-info from the sdist's PKG-INFO."""
    from pyversion import EXT_SUFFIX, MM
    conf = settings(src, package)
    # pyo3's cross-compilation layout, <prefix>/lib/pythonX.Y and
    # <prefix>/include/pythonX.Y: build scripts find the target's headers
    # there (cryptography's compiles its cffi module). pyo3 itself reads
    # PYO3_CONFIG_FILE, which takes precedence. One per libpython, outside
    # the build's work directory: its path is in the crates' fingerprints
    # (pyo3-build-config reruns when it changes).
    cross = work.parent.parent / "pyo3-cross" / libpython.name
    (cross / "lib" / f"python{MM}").mkdir(parents=True, exist_ok=True)
    (cross / "include").mkdir(exist_ok=True)
    if not (cross / "include" / f"python{MM}").exists():
        (cross / "include" / f"python{MM}").symlink_to(libpython / "include")
    # Shared by every build of this package version (cargo's fingerprints
    # decide what to rebuild), so a change to the builder does not recompile
    # the crates.
    target = work.parent.parent / "cargo-target" / f"{package}-{version}"
    env = dict(tools["env"], PYO3_CONFIG_FILE=str(libpython / "pyo3-config.txt"), CARGO_TARGET_DIR=str(target),
               # No path of this machine in panic locations: the package's
               # sources under its name, the rest as the guest names them.
               # cargo names the package's own files relative to it (src/lib.rs): a panic's
               # location then reads <package>-<version>/src/lib.rs:12:5, naming the extension.
               CARGO_TARGET_WASM32_WASIP1_RUSTFLAGS=f"--remap-path-prefix={src}={package}-{version} "
                                                    f"--remap-path-prefix=src={package}-{version}/src "
                                                    f"--remap-path-prefix={work}=/onepy-cext "
                                                    f"--remap-path-prefix={target}=/onepy-cargo-target "
                                                    f"--remap-path-prefix={cargo_home()}=/cargo",
               CARGO_BUILD_JOBS="2",
               PYO3_CROSS_LIB_DIR=str(cross / "lib" / f"python{MM}"),
               # A build script that runs Python (cryptography's cffi step)
               # gets the build tools' interpreter (a stable path, as above).
               PYO3_PYTHON=sys.executable,
               # openssl-sys (rust-openssl) links libpython's OpenSSL, the
               # copy the final link has (_ssl, _hashlib): not built again,
               # not bundled into the static library (link kind dylib: only
               # named for the final link).
               OPENSSL_LIB_DIR=str(libpython / "lib"), OPENSSL_INCLUDE_DIR=str(libpython / "include"),
               OPENSSL_LIBS="ssl:crypto", OPENSSL_STATIC="0", OPENSSL_NO_VENDOR="1")
    for var in ("RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "OPENSSL_DIR"):
        env.pop(var, None)
    cmd = ["cargo", "rustc", "--release", "--locked", "--target", "wasm32-wasip1", "--lib", "--crate-type",
           "staticlib", "--manifest-path", conf["manifest"]]
    if conf["features"]:
        cmd += ["--features", ",".join(conf["features"])]
    # rust-toolchain.toml of this repository pins the toolchain; the sdist's own would not apply.
    step(package, "cargo-staticlib", cmd, logs, cwd=ROOT, env=env)
    lib = target / "wasm32-wasip1" / "release" / f"lib{conf['crate']}.a"
    if not lib.is_file():
        raise BuildError(f"{package}: cargo made no {lib}")
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
