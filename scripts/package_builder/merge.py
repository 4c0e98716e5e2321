"""Merge-and-localize: one relocatable object per extension module whose only
global definition is an init symbol named after the module's dotted name, so
modules (and packages, and Rust extensions each with its own std) never bind
each other's internals, and two modules with one leaf name
(sqlalchemy.engine._util_cy, sqlalchemy.sql._util_cy: both PyInit__util_cy)
link side by side; and the check that no global symbol is defined twice
across the final link."""

import os
from pathlib import Path

from .common import BuildError, run
from .toolchain import LLVM

# -l names the final link gets from wasi-libc anyway (or that are empty on WASI).
LIBC_NAMES = {"c", "m", "dl", "pthread", "rt", "util", "stdc++"}  # stdc++: a C++ link adds libc++


# Weak definitions every object compiled with -fwasm-exceptions or
# -wasm-enable-sjlj carries: the tags of C++ exceptions and of longjmp.
SHARED_TAGS = ("__cpp_exception", "__c_longjmp")


def regular_archive(path: Path, work: Path) -> Path:
    """Meson makes thin archives (members stay in the build tree); wasm-ld -r
    wants a regular one."""
    with open(path, "rb") as f:
        if f.read(8) != b"!<thin>\n":
            return path
    out = work / "rearchived" / path.name
    out.parent.mkdir(exist_ok=True)
    members = run([f"{LLVM}/llvm-ar", "t", path], f"listing {path}").split()
    out.unlink(missing_ok=True)
    run([f"{LLVM}/llvm-ar", "rcs", out, *[m if os.path.isabs(m) else path.parent / m for m in members]],
        f"re-archiving {path}")
    return out


def link_inputs(record: dict, work: Path) -> tuple:
    """(private archives to merge in, -l names left for the final link) of one
    recorded `-shared` link: `-lfoo` found in a -L directory of the build's
    own tree is the package's private library and is merged like a `.a`
    argument (a host directory such as /usr/lib holds no wasm32 library)."""
    archives = [regular_archive(Path(a), work) for a in record.get("archives", [])]
    final = []
    for name in record.get("libs", []):
        found = next((Path(d) / f"lib{name}.a" for d in record.get("libdirs", [])
                      if Path(d).is_relative_to(work) and (Path(d) / f"lib{name}.a").is_file()), None)
        if found:
            archives.append(regular_archive(found, work))
        elif name not in LIBC_NAMES:
            final.append(name)
    return archives, final


def init_symbol(module: str) -> str:
    """The linked init symbol of `module`, unique per dotted name and
    unambiguous (each part prefixed with its length, as C++ mangles names):
    `sqlalchemy.sql._util_cy` -> `onepy_init_10sqlalchemy3sql8_util_cy`."""
    return "onepy_init_" + "".join(f"{len(part)}{part}" for part in module.split("."))


def init_forwarder(module: str, init: str, cc: str, work: Path) -> Path:
    """An object defining init_symbol(module) as a call of the module's own
    `init` (PyInit_<leaf>), which the merge resolves inside the module."""
    c = work / "merged" / f"{module}.init.c"
    c.write_text(f"struct _object;\nextern struct _object *{init}(void);\n"
                 f"struct _object *{init_symbol(module)}(void) {{ return {init}(); }}\n")
    obj = c.with_suffix(".o")
    run([cc, "-O2", "-c", c, "-o", obj], f"compiling the init forwarder of {module}")
    return obj


def merge_extension(module: str, archive: Path, deps: list, work: Path, localize: str, cc: str) -> tuple:
    """wasm-ld -r of the module's objects, private archives and init
    forwarder into merged/<module>.o, then every symbol but the forwarder's
    made local (host/src/localize.rs); returns (the object, its init symbol). (`wasm-ld -r`
    takes no --undefined: a Rust static library goes in whole, std and all;
    the final link's --gc-sections drops what the init does not reach.)"""
    init = "PyInit_" + module.rsplit(".", 1)[-1]
    merged = work / "merged" / (module + ".o")
    merged.parent.mkdir(exist_ok=True)
    forwarder = init_forwarder(module, init, cc, work)
    run([f"{LLVM}/wasm-ld", "-r", "-o", merged, forwarder, "--whole-archive", archive, "--no-whole-archive", *deps],
        f"merging extension module {module}")
    defined = run([f"{LLVM}/llvm-nm", "--defined-only", "--extern-only", "--format=just-symbols", merged],
                  f"listing the symbols of {merged}").split()
    if init not in defined:
        raise BuildError(f"extension module {module} ({archive}) defines no {init}: it cannot be imported "
                         f"(its globals: {', '.join(sorted(s for s in defined if s.startswith('PyInit'))) or 'no PyInit_*'})")
    # The exception tags (C++ throw, longjmp) are one per module: an extension
    # that catches must see the tag libc++abi and libsetjmp throw with.
    run([localize, "--keep", init_symbol(module), *(a for t in SHARED_TAGS for a in ("--keep-if-defined", t)), merged],
        f"localizing {module}")
    return merged, init_symbol(module)


def defined_globals(archive: Path) -> set:
    """Strong global definitions. A weak one (W/V: C++ inline functions and
    template instances, the `__cpp_exception` tag every object that throws
    defines) is meant to be merged with its twins."""
    out = run([f"{LLVM}/llvm-nm", "--defined-only", "--extern-only", archive], f"listing the symbols of {archive}")
    fields = (line.split() for line in out.splitlines())
    return {f[-1] for f in fields if len(f) >= 2 and f[-2] not in ("W", "w", "V", "v") and not f[-1].endswith(":")}


def check_duplicates(base: list, built: list) -> None:
    """Fail when a global symbol of a built package's library is defined in
    another library of the final link (wasm-ld would silently keep one).
    libpython's own libraries (`base`) may share members among themselves
    (CPython 3.14's HACL* archives do)."""
    owners = {}
    for archive in base + built:
        for sym in defined_globals(archive):
            owners.setdefault(sym, []).append(Path(archive).name)
    names = {Path(a).name for a in built}
    dups = {s: o for s, o in owners.items() if len(o) > 1 and names.intersection(o)}
    if dups:
        lines = [f"  {s}: {', '.join(o)}" for s, o in sorted(dups.items())[:40]]
        raise BuildError(f"{len(dups)} symbols of the built packages are defined in more than one linked "
                         f"library:\n" + "\n".join(lines))
    print(f"[build] no duplicate definitions across {len(built)} package libraries and {len(base)} of libpython")
