"""`build = "libpython"`: a C library that libpython already links (zlib):
the module's final link has libpython's archive (lib/lib<name>.a, built by
scripts/libpython.sh from the tarball sources.lock pins), and a second copy
would define every symbol twice. Such a definition pins the same tarball
(checked against sources.lock), installs that tarball's headers as its
configure leaves them, its pkg-config file, and a copy of libpython's
archive, so a package's build finds the library; the package's link then
names it, and the final link takes libpython's (clibs.link_libs leaves it out).

Definition keys used here: `headers` (installed into include/), `configure`
(extra arguments), `env` (e.g. zlib's CHOST), `pkgconfig` (.pc files the
configure step writes into the source tree)."""

import shutil
from pathlib import Path

from .common import BuildError, step
from .toolchain import ROOT

SOURCES_LOCK = ROOT / "sources.lock"


def pinned_by_libpython(lib: dict) -> None:
    """The definition's source and sha256 must be a line of sources.lock:
    the headers must be those of the archive libpython links."""
    for line in SOURCES_LOCK.read_text().splitlines():
        fields = line.split()
        if len(fields) == 3 and not line.startswith("#") and fields[1:] == [lib["source"], lib["sha256"]]:
            return
    raise BuildError(f"{lib['path']}: build = 'libpython' needs the tarball libpython is built from, but "
                     f"{lib['source']} with sha256 {lib['sha256']} is not a line of {SOURCES_LOCK}")


def build_libpython(name: str, lib: dict, src: Path, neutral: str, installed: Path, env: dict,
                    libpython: Path, logs: Path) -> None:
    pinned_by_libpython(lib)
    (installed / "include").mkdir(parents=True)
    (installed / "lib" / "pkgconfig").mkdir(parents=True)
    for libname in lib["libs"]:
        archive = libpython / "lib" / f"lib{libname}.a"
        if not archive.is_file():
            raise BuildError(f"{name}: libpython {libpython} has no lib/lib{libname}.a (the definition's libs)")
        shutil.copy2(archive, installed / "lib" / archive.name)
    step(name, "configure", ["./configure", f"--prefix={neutral}", *lib.get("configure", [])], logs, cwd=src, env=env)
    for h in lib.get("headers", []):
        if not (src / h).is_file():
            raise BuildError(f"{name}: header {h} (the definition's headers) is not in {src}")
        shutil.copy2(src / h, installed / "include" / Path(h).name)
    for pc in lib.get("pkgconfig", []):
        if not (src / pc).is_file():
            raise BuildError(f"{name}: pkg-config file {pc} (the definition's pkgconfig) is not in {src}")
        shutil.copy2(src / pc, installed / "lib" / "pkgconfig" / Path(pc).name)
