"""Choose PyPI packages for the bundle: resolve, lock, fetch, build, unpack.

Run with a venv of the native build-python (the CPython sources.lock pins, with its bundled
pip), by the Makefile:

    packages.py lock  --lock FILE SPEC...     resolve SPEC as native pip would (scripts/resolve.py),
                                              write FILE: pure-Python wheels and, for packages with
                                              compiled parts, their sdists (exact versions + sha256)
    packages.py ensure-lock --lock FILE SPEC  `lock` unless FILE already locks SPEC
    packages.py has-sdists --lock FILE        exit status 0 if FILE locks an sdist (to build)
    packages.py requirements --lock FILE      the locked pure wheels as a pip requirements file
    packages.py fetch --lock FILE --out DIR   download the locked wheels (hashes verified, cached),
                                              build the locked sdists (scripts/package_builder) and
                                              unpack both into DIR, a site-packages tree; write
                                              DIR.cext (the build directories build.rs links)
                                              and DIR.preimport

Name clashes (a package shadowing a standard-library module, two packages
shipping the same file) are refused.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import lockfile
from lockfile import Entry
from pyversion import MM

TARGET = ["--only-binary=:all:", "--platform", "any", "--python-version", MM,
          "--implementation", "py", "--abi", "none"]
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]


def die(message: str) -> None:
    sys.exit(f"error: {message}")


def pip(args: list) -> subprocess.CompletedProcess:
    return subprocess.run(PIP + args, capture_output=True, text=True)


def fetch_wheel(cache: Path, name: str, url: str, sha: str) -> Path:
    """The wheel file from the cache, or downloaded by pip (hash-checked)."""
    wheel = cache / url.rsplit("/", 1)[-1]
    if wheel.is_file() and hashlib.sha256(wheel.read_bytes()).hexdigest() == sha:
        return wheel
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        req = Path(tmp) / "req.txt"
        req.write_text(f"{url} --hash=sha256:{sha}\n")
        got = pip(["download", "--no-deps", "--require-hashes", "-r", str(req), "-d", tmp, *TARGET])
        if got.returncode != 0:
            die(f"downloading {name} ({url}) failed:\ncommand: pip download --no-deps --require-hashes -r {req}\n"
                f"{got.stderr.strip()}")
        shutil.move(str(Path(tmp) / wheel.name), wheel)
    if hashlib.sha256(wheel.read_bytes()).hexdigest() != sha:
        die(f"sha256 mismatch for {wheel.name}")
    return wheel


def stdlib_names(stdlib: Path) -> set:
    names = set(sys.builtin_module_names)
    for p in stdlib.iterdir():
        if p.suffix == ".py":
            names.add(p.stem)
        elif p.is_dir() and (p / "__init__.py").is_file():
            names.add(p.name)
    return names - {"site-packages", "__pycache__"}


def place(rel: str, data: bytes, out: Path, owner: dict, package: str, stdlib: set) -> int:
    """Write one file of `package` at `rel` under `out`; refuse clashes."""
    parts = rel.split("/")
    top = parts[0].removesuffix(".py")
    if not parts[0].endswith(".dist-info") and top in stdlib:
        die(f"package '{package}' provides '{parts[0]}', which shadows the standard library's "
            f"module '{top}'")
    if rel in owner and owner[rel] != package:
        die(f"packages '{owner[rel]}' and '{package}' both provide '{rel}'")
    owner[rel] = package
    target = out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return len(data)


def unpack(wheel: Path, out: Path, owner: dict, package: str, stdlib: set) -> int:
    """Extract one wheel into `out`; refuse clashes. Returns the bytes added."""
    added = 0
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            if info.is_dir():
                continue
            parts = info.filename.split("/")
            if parts[0].endswith(".data"):
                if len(parts) > 2 and parts[1] in ("purelib", "platlib"):
                    parts = parts[2:]
                else:
                    continue  # scripts, headers, data: not importable code
            added += place("/".join(parts), z.read(info), out, owner, package, stdlib)
    return added


def unpack_tree(tree: Path, out: Path, owner: dict, package: str, stdlib: set, path_map: dict) -> int:
    """Copy a built package's site-packages tree into `out`; refuse clashes.
    A text file naming a path of `path_map` (a C library's prefix in this
    machine's cache: scipy's __config__.py records its compile flags) names
    it as the map says, so the module names no path of this machine. (The
    builder maps its work and tool paths when it writes the tree; C library
    prefixes belong in that map, which is in every package's cache key.)"""
    added = 0
    for p in sorted(tree.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            if p.suffix in (".py", ".txt", ".json", ".cfg", ".ini", ".toml"):  # the builder's text files
                for host, name_in_module in path_map.items():
                    data = data.replace(host.encode(), name_in_module.encode())
            added += place(str(p.relative_to(tree)), data, out, owner, package, stdlib)
    return added


def fetch(args) -> None:
    locked = lockfile.read(args.lock)
    if not locked:
        die(f"{args.lock} locks no packages")
    tmp = args.out.with_name(args.out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    owner, names, built = {}, stdlib_names(args.stdlib), []
    for e in locked:
        if e.is_sdist:
            built.append((e, build_sdist(e, args, locked)))
            continue
        wheel = fetch_wheel(args.cache / "wheels", e.name, e.url, e.sha256)
        added = unpack(wheel, tmp, owner, e.name, names)
        print(f"[packages] {e.name}=={e.version}: {wheel.stat().st_size / 1e3:.0f} kB wheel, {added / 1e3:.0f} kB unpacked")
    preimport = []
    for e, out in built:
        added = unpack_tree(out / "site-packages", tmp, owner, e.name, names,
                            {str(args.cache / "clibs"): "/onepy-clibs"})
        info = json.loads((out / "build-info.json").read_text())
        print(f"[packages] {e.name}=={e.version}: built from {e.filename} ({info['kind']}), "
              f"{len(info['modules'])} extension modules, {added / 1e3:.0f} kB of Python files")
        preimport += (out / "preimport.txt").read_text().split()
    if built:
        clashes = init_clashes(built)
        if clashes:
            die("extension modules that share an init symbol cannot be linked into one module (the final "
                "link can have one of each):\n" + "\n".join(clashes) + "\nTwo packages provide one module: "
                "leave one of them out.")
        from package_builder.common import BuildError
        from package_builder.merge import check_duplicates
        base = sorted((args.libpython / "lib").glob("*.a"))
        try:
            check_duplicates(base, [a for _, o in built for a in sorted((o / "lib").glob("*.a"))]
                             + c_libraries(built))
        except BuildError as err:
            die(str(err))
    shutil.rmtree(args.out, ignore_errors=True)
    tmp.rename(args.out)
    Path(f"{args.out}.cext").write_text(":".join(str(o) for _, o in built) + "\n")
    Path(f"{args.out}.preimport").write_text(" ".join(preimport) + "\n")


def init_clashes(built: list) -> list:
    """Lines naming each init symbol that two linked extension modules share,
    from the built packages' inittab.txt. The builder names each after its
    module's dotted name (merge.init_symbol), so only two packages providing
    one module clash."""
    owners = {}
    for e, out in built:
        for line in (out / "inittab.txt").read_text().splitlines():
            if line.strip():
                module, init = line.split()
                owners.setdefault(init, []).append(f"{module} ({e.name})")
    return [f"  {init}: {', '.join(mods)}" for init, mods in sorted(owners.items()) if len(mods) > 1]


def c_libraries(built: list) -> list:
    """The C library archives (clib/) of the built packages, one per name: two
    packages may share a library only if they built the same one."""
    seen = {}
    for e, out in built:
        for archive in sorted((out / "clib").glob("*.a")):
            digest = hashlib.sha256(archive.read_bytes()).hexdigest()
            if archive.name in seen and seen[archive.name][1] != digest:
                die(f"packages '{seen[archive.name][0]}' and '{e.name}' link different builds of the C library "
                    f"{archive.name} ({seen[archive.name][2]} and {archive}): the final link can have one. "
                    f"Rebuild both with the same recipes/clibs definition.")
            seen.setdefault(archive.name, (e.name, digest, archive))
    return [archive for _, _, archive in seen.values()]


def build_sdist(entry: Entry, args, locked: list) -> Path:
    """The package builder's output directory for a locked sdist."""
    from package_builder.build import build
    from package_builder.common import BuildError
    if not args.libpython or not args.localize:
        die(f"{args.lock} locks the sdist {entry.filename}: building it needs --libpython and --localize")
    try:
        return build(entry, args.libpython, args.cache, args.localize, locked)
    except BuildError as err:
        die(str(err))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["lock", "ensure-lock", "fetch", "has-sdists", "requirements"])
    parser.add_argument("specs", nargs="*")
    parser.add_argument("--lock", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--stdlib", type=Path)
    parser.add_argument("--cache", type=Path, help="the cache root (wheels/, downloads/, packages/)")
    parser.add_argument("--libpython", type=Path)
    parser.add_argument("--localize", help="the wasm-localize tool (host crate)")
    args = parser.parse_args()

    if args.command == "requirements":  # the pure wheels, as a pip requirements file
        print("".join(f"{e.name}=={e.version} --hash=sha256:{e.sha256}\n" for e in lockfile.read(args.lock)
                      if not e.is_sdist), end="")
        return
    if args.command == "has-sdists":
        sys.exit(0 if any(e.is_sdist for e in lockfile.read(args.lock)) else 1)
    if args.command in ("lock", "ensure-lock"):
        if not args.specs:
            die("no packages given (PACKAGES=... or REQUIREMENTS=file)")
        if args.command == "ensure-lock" and args.lock.is_file() \
                and lockfile.spec_line(args.specs) in args.lock.read_text():
            print(f"[packages] {args.lock} is up to date")
            return
        from resolve import resolve
        entries = resolve(args.specs)
        lockfile.write(args.lock, args.specs, entries)
        print(f"[packages] locked {len(entries)} packages in {args.lock}: "
              + ", ".join(f"{e.name}=={e.version}" + (" (sdist, built)" if e.is_sdist else "") for e in entries))
        return
    fetch(args)


if __name__ == "__main__":
    main()
