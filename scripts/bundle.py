"""Make stdlib-bundle/: the tree that include_dir! embeds into python.wasm.

Run with the native build-python (the pinned CPython, same bytecode as the
guest) by `make bundle`:

    python3.X scripts/bundle.py STDLIB_DIR OUT_DIR [--mode both|pyc|py]
        [--site-packages DIR] [--app DIR] [--app-module NAME] [--preimport NAMES]

The bundle is an image of the guest's virtual filesystem:
  usr/local/lib/python3.X/    the stdlib minus PRUNED, onepy's helper
                              modules (src/python/), and site-packages/
                              (the chosen packages, see scripts/packages.py)
  app/                        the user's app (a directory with __main__.py)
  etc/onepy/app               the module to run at start (app mode)
  etc/onepy/preimport         extra modules to import into the snapshot
  usr/local/bin/python3       stands for sys.executable (the module itself)
  dev/null                    os.devnull (src/vfs serves it as the device)
Bytecode is compiled in unchecked-hash mode with co_filename set to the
virtual path, so tracebacks name /usr/local/lib/python3.X/... and the
embedded source (mode both) gives them their lines.
"""

import argparse
import compileall
import os
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

from pyversion import MM, STDLIB_DIR

VIRTUAL_STDLIB = STDLIB_DIR
STDLIB_IN_BUNDLE = STDLIB_DIR.lstrip("/")

# Parts of Lib/ that cannot work or are not runtime code on WASI, and why.
# README.md ("What is pruned") shows this table; a test checks they agree.
PRUNED = {
    "test": "CPython's regression tests (33 MB): `make conformance` maps them from the source tree",
    "idlelib": "the IDLE GUI: needs tkinter",
    "tkinter": "needs Tcl/Tk (_tkinter is not built for WASI)",
    "turtle.py": "needs tkinter",
    "turtledemo": "needs tkinter",
    "ensurepip": "installs pip into an environment on disk with a subprocess; 1.8 MB of wheels",
    "venv": "creates environments on disk and runs subprocesses",
    "site-packages": "replaced by the packages chosen at build time",
}

ROOT = Path(__file__).resolve().parent.parent
HELPERS = ROOT / "src" / "python"
# Patches to the pure-Python stdlib for WASI (paths relative to Lib/).
STDLIB_PATCHES = ROOT / "patches" / "stdlib"


def copy_stdlib(stdlib: Path, out: Path, site_packages) -> None:
    def ignore(directory, names):
        skipped = {"__pycache__"}
        if Path(directory) == stdlib:
            skipped |= set(PRUNED)
        return [n for n in names if n in skipped]

    shutil.copytree(stdlib, out, ignore=ignore)
    if site_packages:
        shutil.copytree(site_packages, out / "site-packages", ignore=shutil.ignore_patterns("__pycache__"))
    else:
        (out / "site-packages").mkdir()
    for helper in sorted(HELPERS.glob("*.py")):
        shutil.copy2(helper, out / helper.name)


def copy_app(app: Path, out: Path) -> None:
    if not (app / "__main__.py").is_file():
        sys.exit(f"error: APP={app} has no __main__.py")
    shutil.copytree(app, out, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def write_settings(out: Path, entry, preimport: list) -> None:
    settings = out / "etc" / "onepy"
    settings.mkdir(parents=True)
    if entry:
        (settings / "app").write_text(entry + "\n")
    if preimport:
        (settings / "preimport").write_text("\n".join(preimport) + "\n")


# sys.executable. The interpreter is the WebAssembly module itself, which
# cannot contain itself; this file stands for it so that code which stats or
# reads sys.executable (platform.libc_ver(), platform.platform()) finds one.
EXECUTABLE = "usr/local/bin/python3"
EXECUTABLE_TEXT = ("onepy: this interpreter is the WebAssembly module that contains this file\n"
                   f"(CPython {MM} for wasm32-wasip1); there is no separate executable.\n")


def write_executable(out: Path) -> None:
    exe = out / EXECUTABLE
    exe.parent.mkdir(parents=True, exist_ok=True)
    exe.write_text(EXECUTABLE_TEXT)


# os.devnull: an empty file here, which src/vfs serves as the device (reads
# end at once, writes are taken and dropped).
DEV_NULL = "dev/null"


def write_dev_null(out: Path) -> None:
    (out / DEV_NULL).parent.mkdir(parents=True, exist_ok=True)
    (out / DEV_NULL).write_bytes(b"")


def apply_patches(out: Path) -> None:
    for patch in sorted(STDLIB_PATCHES.glob("*.patch")):
        result = subprocess.run(["patch", "-p1", "--forward", "--batch", "-d", str(out), "-i", str(patch)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"error: patch -p1 -d {out} -i {patch} failed:\n{result.stdout}{result.stderr}")


def compile_tree(out: Path, virtual: str) -> None:
    ok = compileall.compile_dir(
        str(out),
        ddir=virtual,
        quiet=1,
        workers=os.cpu_count() or 1,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        # CPython's own test data with deliberate syntax errors lives in test/
        # (pruned); anything else that fails to compile is a real error.
    )
    if not ok:
        sys.exit("error: compileall failed for the bundle (see above)")


def drop_sources(out: Path) -> None:
    for source in out.rglob("*.py"):
        source.unlink()


def tree_size(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stdlib", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--mode", choices=["both", "pyc", "py"], default="both",
                        help="embed sources and bytecode (default), bytecode only, or sources only")
    parser.add_argument("--site-packages", type=Path, help="unpacked wheels (scripts/packages.py)")
    parser.add_argument("--app", type=Path, help="the app directory (with __main__.py)")
    parser.add_argument("--app-module", help="the module to run at start (default __main__ with --app)")
    parser.add_argument("--preimport", default="", help="extra modules to import into the snapshot")
    args = parser.parse_args()
    if f"{sys.version_info[0]}.{sys.version_info[1]}" != MM:
        sys.exit(f"error: bundle.py must run on the {MM} build-python (this is {sys.version.split()[0]})")
    if not (args.stdlib / "os.py").is_file():
        sys.exit(f"error: {args.stdlib} is not a stdlib tree (no os.py): run `make libpython`")

    tmp = args.out.with_name(args.out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    lib = tmp / STDLIB_IN_BUNDLE
    copy_stdlib(args.stdlib, lib, args.site_packages)
    apply_patches(lib)
    trees = [(lib, VIRTUAL_STDLIB)]
    if args.app:
        copy_app(args.app, tmp / "app")
        trees.append((tmp / "app", "/app"))
    entry = args.app_module or ("__main__" if args.app else None)
    write_settings(tmp, entry, args.preimport.split())
    write_executable(tmp)
    write_dev_null(tmp)
    for tree, virtual in trees:
        if args.mode != "py":
            compile_tree(tree, virtual)
        if args.mode == "pyc":
            drop_sources(tree)
    shutil.rmtree(args.out, ignore_errors=True)
    tmp.rename(args.out)
    count, size = tree_size(args.out)
    print(f"[bundle] {args.out}: {count} files, {size / 1e6:.1f} MB (mode {args.mode})")


if __name__ == "__main__":
    main()
