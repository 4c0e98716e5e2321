"""A Rust/pyo3 crate of an sdist built for wasm32-wasip1 as a static library,
for every Rust backend (maturin.py, setuptools_rust.py):

    cargo rustc --release --locked --target wasm32-wasip1 --lib --crate-type staticlib

with pyo3's cross configuration from libpython (PYO3_CONFIG_FILE: CPython
version, no shared library, not abi3; an abi3 crate builds against it too) and
the Rust toolchain of rust-toolchain.toml (pinned, like the rest). Crates come
from crates.io pinned by a Cargo.lock (checksums): the sdist's, or one a
recipe adds as a patch; without one the build fails (`--locked`). The static
library carries its own copy of Rust's std: merge-and-localize keeps only the
init symbol global, so several Rust extensions live in one module.

A Rust panic: wasm32-wasip1 has no unwinding in stable Rust, so pyo3 cannot
turn a panic into PanicException: Rust's panic hook prints
`thread '<unnamed>' (1) panicked at <package>-<version>/src/lib.rs:12:5:`
and the message to stderr, then the module aborts (wasm `unreachable` trap;
the wasmtime CLI exits with status 134).
"""

import os
import sys
import tomllib
from pathlib import Path

from .common import BuildError, step
from .toolchain import ROOT


def cargo_home() -> str:
    return os.environ.get("CARGO_HOME") or os.path.expanduser("~/.cargo")


def lib_name(manifest: Path, package: str) -> str:
    """The crate's library name (the static library is lib<name>.a)."""
    try:
        cargo = tomllib.loads(manifest.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise BuildError(f"{package}: reading {manifest}: {e}")
    return (cargo.get("lib", {}).get("name") or cargo.get("package", {}).get("name", "")).replace("-", "_")


def lock_file(manifest: Path, src: Path) -> Path:
    """The Cargo.lock cargo uses for `manifest`: beside it, or at a workspace
    root above it inside the sdist."""
    for d in [manifest.parent, *manifest.parent.parents]:
        if (d / "Cargo.lock").is_file():
            return d / "Cargo.lock"
        if d == src:
            break
    return None


def build_staticlib(package: str, version: str, src: Path, manifest: Path, crate: str, features: list, work: Path,
                    tools: dict, logs: Path, libpython: Path, cargo_args: tuple = (), rustc_flags: tuple = ()) -> Path:
    """lib<crate>.a of `manifest` built for wasm32-wasip1."""
    from pyversion import MM
    if lock_file(manifest, src) is None:
        raise BuildError(f"{package} {version}: the sdist has no Cargo.lock for {manifest.relative_to(src)}, so "
                         f"its crates would not be pinned. Generate one (`cargo generate-lockfile` in the unpacked "
                         f"sdist) and add it as a patch in recipes/{package.replace('-', '_').lower()}.toml "
                         f"(docs/packages.md, 'Rust extensions').")
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
           "staticlib", "--manifest-path", manifest, *cargo_args]
    if features:
        cmd += ["--features", ",".join(features)]
    if rustc_flags:
        cmd += ["--", *rustc_flags]
    # rust-toolchain.toml of this repository pins the toolchain; the sdist's own would not apply.
    step(package, f"cargo-staticlib-{crate}", cmd, logs, cwd=ROOT, env=env)
    lib = target / "wasm32-wasip1" / "release" / f"lib{crate}.a"
    if not lib.is_file():
        raise BuildError(f"{package}: cargo made no {lib}")
    return lib
