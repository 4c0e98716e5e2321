"""The cross toolchain a package build sees: compiler wrappers, the meson cross
file, and a Python that answers for the WASI host (CPython's WASI
sysconfigdata, with the headers of our libpython)."""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from pyversion import MM  # noqa: E402  (the one version pin)

LLVM = os.environ.get("ONEPY_LLVM_BIN", "/usr/lib/llvm-19/bin")
CLANG = os.environ.get("ONEPY_CLANG", "clang-19")
WASI_DEFS = ["-D_WASI_EMULATED_SIGNAL", "-D_WASI_EMULATED_PROCESS_CLOCKS", "-D_WASI_EMULATED_MMAN",
             "-D_WASI_EMULATED_GETPID"]
LIBCXX_INCLUDE = "/usr/lib/llvm-19/include/wasm32-wasi/c++/v1"
SYSCONFIG_NAME = "_sysconfigdata__wasi_wasm32-wasi"
# A recipe's `wasm-exceptions`: C++ throws and catches with the WebAssembly
# exception-handling instructions, and C's setjmp/longjmp is lowered to them
# (wasi-libc's libsetjmp). clang-19 emits the proposal's legacy encoding;
# scripts/binaryen.sh translates the linked module to the standard one.
WASM_EXCEPTIONS_C = ["-mllvm", "-wasm-enable-sjlj"]
# Its libc++ has the threads API, over wasi-libc's single-threaded pthread
# stubs (creating a thread fails, with std::system_error).
WASM_EXCEPTIONS_CXX = ["-fwasm-exceptions", "-mllvm", "-wasm-enable-sjlj", "-D_WASI_EMULATED_PTHREAD"]


def write_toolchain(work: Path, libpython: Path, wasm_exceptions: bool = False,
                    libcxx_include: Path | str | None = LIBCXX_INCLUDE) -> dict:
    """Writes work/bin/{wasm-cc,wasm-c++,python-wasi}, work/cross.ini; returns
    their paths and the environment a build runs in. `libcxx_include`: the
    libc++ headers C++ compiles against (Debian's; the exception-enabled
    libc++'s for wasm-exceptions; None while building libc++ itself)."""
    bin_dir = work / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    sysroot, resource = libpython / "sysroot", libpython / "clang-resource"
    base = [f"--target=wasm32-wasip1", f"--sysroot={sysroot}", f"-resource-dir={resource}",
            # Paths in __FILE__ (asserts, the package's own sources) under the
            # names libpython.sh gives its own objects: no host path in the module.
            f"-ffile-prefix-map={work}=/onepy-cext", f"-ffile-prefix-map={libpython}=/onepy-libpython",
            *WASI_DEFS]
    wrapper = Path(__file__).resolve().parent / "wasm_cc.py"
    exc_c, exc_cxx = (WASM_EXCEPTIONS_C, WASM_EXCEPTIONS_CXX) if wasm_exceptions else ([], [])
    for name, compiler, extra in [("wasm-cc", CLANG, exc_c),
                                  ("wasm-c++", CLANG.replace("clang", "clang++"),
                                   ["-nostdinc++", *(["-isystem", str(libcxx_include)] if libcxx_include else []),
                                    *exc_cxx])]:
        script = bin_dir / name
        script.write_text("#!/bin/sh\n" + f"exec {sys.executable} {wrapper} {compiler} "
                          + " ".join(f"'{a}'" for a in base + extra) + ' "$@"\n')
        script.chmod(0o755)
    sysconfig_dir = work / "sysconfig"
    sysconfig_dir.mkdir(exist_ok=True)
    data = (libpython / "stdlib" / f"{SYSCONFIG_NAME}.py").read_text()
    data = data.replace(f"/usr/local/include/python{MM}", str(libpython / "include"))
    # libpython.sh records its own directory as /onepy-libpython (no host path
    # in the module); this private copy for the build needs the real one.
    data = data.replace("/onepy-libpython", str(libpython))
    (sysconfig_dir / f"{SYSCONFIG_NAME}.py").write_text(data)
    # sysconfig.get_paths() derives 'include' from the running (native)
    # Python's prefix, whatever the sysconfigdata says; meson asks it: answer
    # with the WASI headers, or an extension compiles against x86_64's pyconfig.h.
    (sysconfig_dir / "sitecustomize.py").write_text(f"""import sysconfig
_get_paths = sysconfig.get_paths
def get_paths(*args, **kwargs):
    paths = _get_paths(*args, **kwargs)
    paths['include'] = paths['platinclude'] = {str(libpython / 'include')!r}
    return paths
sysconfig.get_paths = get_paths
sysconfig.get_path = lambda name, *args, **kwargs: get_paths(*args, **kwargs)[name]
""")
    cross_env = {"_PYTHON_SYSCONFIGDATA_NAME": SYSCONFIG_NAME, "_PYTHON_HOST_PLATFORM": "wasi-wasm32",
                 "PYTHONPATH": str(sysconfig_dir)}
    python = bin_dir / "python-wasi"
    # (PYTHONPATH extended, not replaced: numpy's generators run with their own.)
    python.write_text("#!/bin/sh\n" + " ".join(f"{k}={v}" for k, v in cross_env.items() if k != "PYTHONPATH")
                      + f' PYTHONPATH={sysconfig_dir}${{PYTHONPATH:+:$PYTHONPATH}} exec {sys.executable} "$@"\n')
    python.chmod(0o755)
    cc, cxx = bin_dir / "wasm-cc", bin_dir / "wasm-c++"
    cross = work / "cross.ini"
    cross.write_text(f"""[binaries]
c = '{cc}'
cpp = '{cxx}'
ar = '{LLVM}/llvm-ar'
strip = '{LLVM}/llvm-strip'
python = '{python}'
# pkg-config for the host (wasm32) machine: it sees only the declared C
# libraries' prefixes (PKG_CONFIG_LIBDIR below, clibs.package_env).
pkg-config = 'pkg-config'

[host_machine]
system = 'wasi'
cpu_family = 'wasm32'
cpu = 'wasm32'
endian = 'little'

[properties]
needs_exe_wrapper = true
longdouble_format = 'IEEE_QUAD_LE'
""")
    env = dict(os.environ, CC=str(cc), CXX=str(cxx), LDSHARED=f"{cc} -shared", LDCXXSHARED=f"{cxx} -shared",
               AR=f"{LLVM}/llvm-ar", CFLAGS="-O2", CXXFLAGS="-O2", LDFLAGS="", CPPFLAGS="",
               # pkg-config finds no host library (x86_64 objects, host headers).
               PKG_CONFIG_LIBDIR=str(work / "pkgconfig"), PKG_CONFIG_PATH="",
               ONEPY_LINK_LOG=str(work / "links.jsonl"),
               ONEPY_PATH_MAP=json.dumps({str(work): "/onepy-cext", str(libpython): "/onepy-libpython"}),
               PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    return {"cross": cross, "python": python, "bin": bin_dir, "env": env, "cross_env": cross_env,
            "cc": cc, "cxx": cxx, "links": work / "links.jsonl"}
