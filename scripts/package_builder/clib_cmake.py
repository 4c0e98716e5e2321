"""`build = "cmake"`: a C library whose orig tarball builds with CMake
(libjpeg-turbo), configured for wasm32-wasip1 with a toolchain file that names
our compiler wrapper and confines every find_* to the declared dependencies'
prefixes and the WASI sysroot (never the host's /usr), built and installed
into the staging directory.

Definition keys used here: `cmake` (-D options), `cflags`, `cmake-source`
(the subdirectory to configure; default: the tree), `targets` (what
`cmake --build` builds; default: everything), `make-args` is not used."""

from pathlib import Path

from .common import BuildError, step
from .toolchain import LLVM

JOBS = "2"


def toolchain_file(work: Path, tools: dict, deps: list, libpython: Path, cflags: list) -> Path:
    """A CMake toolchain file for wasm32-wasip1 (CMake knows no WASI platform:
    a Generic system, static libraries only)."""
    roots = " ".join(f'"{d}"' for d in [*deps, libpython / "sysroot"])
    flags = " ".join(["-O2", *cflags, *(f"-I{d}/include" for d in deps)])
    path = work / "wasm32-wasip1.cmake"
    path.write_text(f"""set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(CMAKE_C_COMPILER "{tools['cc']}")
set(CMAKE_CXX_COMPILER "{tools['cxx']}")
set(CMAKE_AR "{LLVM}/llvm-ar" CACHE FILEPATH "")
set(CMAKE_RANLIB "{LLVM}/llvm-ranlib" CACHE FILEPATH "")
set(CMAKE_C_FLAGS_INIT "{flags}")
set(CMAKE_CXX_FLAGS_INIT "{flags}")
set(CMAKE_FIND_ROOT_PATH {roots})
set(CMAKE_PREFIX_PATH {" ".join(f'"{d}"' for d in deps)})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
""")
    return path


def build_cmake(name: str, lib: dict, src: Path, work: Path, neutral: str, stage: Path, env: dict, tools: dict,
                deps: list, libpython: Path, logs: Path) -> None:
    toolchain = toolchain_file(work, tools, deps, libpython, lib.get("cflags", []))
    build_dir = work / "cmake-build"
    env = dict(env, DESTDIR=str(stage))
    source = (src / lib.get("cmake-source", ".")).resolve()
    if not source.is_relative_to(src.resolve()) or not (source / "CMakeLists.txt").is_file():
        raise BuildError(f"{lib['path']}: cmake-source {lib.get('cmake-source')!r} is no directory of {src} "
                         f"with a CMakeLists.txt")
    step(name, "cmake-configure", ["cmake", "-S", source, "-B", build_dir, "-G", "Unix Makefiles",
                                   f"-DCMAKE_TOOLCHAIN_FILE={toolchain}", "-DCMAKE_BUILD_TYPE=Release",
                                   f"-DCMAKE_INSTALL_PREFIX={neutral}",
                                   # Typed: an untyped relative path given here becomes absolute
                                   # (relative to the working directory) once declared PATH.
                                   "-DCMAKE_INSTALL_LIBDIR:PATH=lib", "-DCMAKE_INSTALL_INCLUDEDIR:PATH=include",
                                   "-DBUILD_SHARED_LIBS=OFF", *lib.get("cmake", [])], logs, env=env)
    targets = [a for t in lib.get("targets", []) for a in ("--target", t)]
    step(name, "cmake-build", ["cmake", "--build", build_dir, f"-j{JOBS}", *targets], logs, env=env)
    step(name, "cmake-install", ["cmake", "--install", build_dir], logs, env=env)
