"""Build a package with C extensions for wasm32-wasip1, for static linking.

    python scripts/cext.py build RECIPE.toml --libpython DIR --cache DIR
    python scripts/cext.py key RECIPE.toml   (the cache key)

Run with the native build-python's tools venv (cython, ninja). A recipe
(recipes/*.toml) describes the package once: the pinned sdist, the build
(meson or setuptools), patches, and its extension modules. The output
directory ($cache/cext/<name>-<version>-<key>/) holds:

  lib/libcext_<name>.a   one object per extension module: the module's own
                         objects and its private archives merged with
                         `wasm-ld -r`, every symbol but its PyInit_* made
                         local, so two modules (or packages) can never bind
                         each other's internals (numpy's mtrand and
                         libnpyrandom define the same 66 random_* functions)
  inittab.txt            `<dotted module name> <init symbol>` per extension
  link.txt               extra static libraries the final link needs
  site-packages/         the package's Python files (no tests, stubs or .so)

How extension modules become archives: meson/setuptools link each one with
`-shared`; our compiler wrapper (wasm-cc) sees `-shared` and archives the
objects instead, recording the static libraries it was given.
"""

import argparse
import fnmatch
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LLVM = os.environ.get("ONEPY_LLVM_BIN", "/usr/lib/llvm-19/bin")
CLANG = os.environ.get("ONEPY_CLANG", "clang-19")
sys.path.insert(0, str(ROOT / "scripts"))
from pyversion import EXT_SUFFIX, MM  # noqa: E402  (the one version pin)
WASI_DEFS = ["-D_WASI_EMULATED_SIGNAL", "-D_WASI_EMULATED_PROCESS_CLOCKS", "-D_WASI_EMULATED_MMAN",
             "-D_WASI_EMULATED_GETPID"]
LIBCXX_INCLUDE = "/usr/lib/llvm-19/include/wasm32-wasi/c++/v1"
LIBCXX_LIB = "/usr/lib/llvm-19/lib/wasm32-wasi"


def die(message: str) -> None:
    sys.exit(f"error: {message}")


def step(name: str, cmd: list, log_dir: Path, **kwargs) -> None:
    """Run one build command with its output in a log; on failure show the
    command and the log's tail."""
    start = time.monotonic()
    log = log_dir / f"{name}.log"
    print(f"[cext] {name:28} ", end="", flush=True)
    with open(log, "w") as out:
        result = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, **kwargs)
    secs = time.monotonic() - start
    if result.returncode != 0:
        print(f"FAIL {secs:6.1f}s")
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        die(f"command: {' '.join(map(str, cmd))}\nlog: {log} (last 40 lines)\n{tail}")
    print(f"ok   {secs:6.1f}s")


def load_recipe(path: Path) -> dict:
    recipe = tomllib.loads(path.read_text())
    for key in ("name", "version", "sdist", "sha256", "build", "extension"):
        if key not in recipe:
            die(f"{path}: recipe needs '{key}'")
    return recipe


def toolchain_identity() -> bytes:
    """The toolchain as declared (scripts/common.sh: toolchain.lock, or an
    override's own version); never read from installed packages, so the key
    is the same before and after `make deps`."""
    cmd = ["bash", "-c", f"source {ROOT / 'scripts/common.sh'} && toolchain_identity"]
    result = subprocess.run(cmd, capture_output=True)
    if result.returncode != 0:
        die(f"command: {' '.join(cmd)}\n{result.stderr.decode(errors='replace')}")
    return result.stdout


def cache_key(recipe_path: Path, recipe: dict, libpython: Path) -> str:
    h = hashlib.sha256()
    inputs = [recipe_path, Path(__file__), *[ROOT / "patches" / p for p in recipe.get("patches", [])]]
    for f in inputs:
        h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    h.update(toolchain_identity())
    # The libpython directory's name is its own key (headers, pyconfig.h, flags).
    h.update(libpython.name.encode())
    return h.hexdigest()[:16]


def fetch_sdist(recipe: dict, downloads: Path) -> Path:
    downloads.mkdir(parents=True, exist_ok=True)
    path = downloads / recipe["sdist"].rsplit("/", 1)[-1]
    if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != recipe["sha256"]:
        with urllib.request.urlopen(recipe["sdist"]) as response, open(f"{path}.part", "wb") as out:
            shutil.copyfileobj(response, out)
        got = hashlib.sha256(Path(f"{path}.part").read_bytes()).hexdigest()
        if got != recipe["sha256"]:
            die(f"sha256 mismatch for {recipe['sdist']}: expected {recipe['sha256']}, got {got}")
        os.replace(f"{path}.part", path)
    return path


def write_toolchain(work: Path, libpython: Path) -> dict:
    """Compiler wrappers, the cross file and the Python for the build."""
    bin_dir = work / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    sysroot, resource = libpython / "sysroot", libpython / "clang-resource"
    base = [f"--target=wasm32-wasip1", f"--sysroot={sysroot}", f"-resource-dir={resource}",
            # Paths in __FILE__ (asserts in CPython's headers, the package's
            # own sources) under the names libpython.sh gives its own objects.
            f"-ffile-prefix-map={work}=/onepy-cext", f"-ffile-prefix-map={libpython}=/onepy-libpython",
            *WASI_DEFS]
    wrapper = ROOT / "scripts" / "wasm-cc.py"
    for name, compiler, extra in [("wasm-cc", CLANG, []),
                                  ("wasm-c++", CLANG.replace("clang", "clang++"),
                                   ["-nostdinc++", "-isystem", LIBCXX_INCLUDE])]:
        script = bin_dir / name
        script.write_text("#!/bin/sh\n" + f"exec {sys.executable} {wrapper} {compiler} "
                          + " ".join(f"'{a}'" for a in base + extra) + ' "$@"\n')
        script.chmod(0o755)
    # The build's Python: the native build-python (this tools venv, with
    # setuptools) answering for the WASI host (its sysconfigdata, with the
    # include dir of the WASI headers). A PYTHONPATH the build sets (numpy's
    # code generators run as `python -m code_generators...`) is kept after it.
    sysconfig_dir = work / "sysconfig"
    sysconfig_dir.mkdir(exist_ok=True)
    data = (libpython / "stdlib" / "_sysconfigdata__wasi_wasm32-wasi.py").read_text()
    data = data.replace(f"/usr/local/include/python{MM}", str(libpython / "include"))
    # libpython.sh records its own directory as /onepy-libpython (no host path
    # in the module); this private copy for the build needs the real one.
    data = data.replace("/onepy-libpython", str(libpython))
    (sysconfig_dir / "_sysconfigdata__wasi_wasm32-wasi.py").write_text(data)
    python = bin_dir / "python-wasi"
    python.write_text("#!/bin/sh\n_PYTHON_SYSCONFIGDATA_NAME=_sysconfigdata__wasi_wasm32-wasi "
                      f"_PYTHON_HOST_PLATFORM=wasi-wasm32 PYTHONPATH={sysconfig_dir}${{PYTHONPATH:+:$PYTHONPATH}} "
                      f'exec {sys.executable} "$@"\n')
    python.chmod(0o755)
    cross = work / "cross.ini"
    cross.write_text(f"""[binaries]
c = '{bin_dir}/wasm-cc'
cpp = '{bin_dir}/wasm-c++'
ar = '{LLVM}/llvm-ar'
strip = '{LLVM}/llvm-strip'
python = '{python}'

[host_machine]
system = 'wasi'
cpu_family = 'wasm32'
cpu = 'wasm32'
endian = 'little'

[properties]
needs_exe_wrapper = true
longdouble_format = 'IEEE_QUAD_LE'
""")
    return {"cross": cross, "python": python, "bin": bin_dir}


def build_meson(recipe: dict, src: Path, work: Path, tools: dict, logs: Path) -> Path:
    build, stage = work / "build", work / "stage"
    shutil.rmtree(build, ignore_errors=True)
    shutil.rmtree(stage, ignore_errors=True)
    native_python = Path(sys.executable)
    meson_py = src / recipe.get("meson", "vendored-meson/meson/meson.py")
    env = dict(os.environ, PATH=f"{native_python.parent}:{os.environ['PATH']}")
    step("meson-setup", [sys.executable, meson_py, "setup", "--cross-file", tools["cross"], "--prefix", "/usr/local",
                         *recipe.get("meson-options", []), build, src], logs, env=env)
    step("meson-compile", ["ninja", "-C", build, "-j", str(os.cpu_count() or 1)], logs, env=env)
    # --no-rebuild: `meson install` would otherwise rebuild objects.
    step("meson-install", [sys.executable, meson_py, "install", "--no-rebuild", "-C", build, "--destdir", stage],
         logs, env=env)
    return build


def build_setuptools(recipe: dict, src: Path, tools: dict, logs: Path) -> Path:
    """`setup.py build_ext --inplace` with the WASI sysconfig and our
    wrapper as compiler and linker; returns the tree the archives are in."""
    env = dict(os.environ, CC=str(tools["bin"] / "wasm-cc"), LDSHARED=f"{tools['bin'] / 'wasm-cc'} -shared",
               CFLAGS="-O2", LDFLAGS="", PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    step("setup-build-ext", [tools["python"], "setup.py", "build_ext", "--inplace"], logs, cwd=src, env=env)
    return src


def find_site_packages(stage: Path, name: str) -> Path:
    for path in stage.rglob(name):
        if path.is_dir() and (path / "__init__.py").is_file():
            return path.parent
    die(f"the staged install has no package '{name}'")


def init_symbol(ext: dict) -> str:
    """An extension module's init function: `init`, or PyInit_<last name>."""
    return ext.get("init") or "PyInit_" + ext["module"].rsplit(".", 1)[-1]


def objects_of_archive(archive: Path) -> list:
    """Member names of an archive (for a thin one: paths of its objects)."""
    out = subprocess.run([f"{LLVM}/llvm-ar", "t", archive], capture_output=True, text=True, check=True).stdout
    return out.split()


def merge_extension(ext: dict, build: Path, work: Path, localize: str) -> Path:
    """One relocatable object for an extension module, PyInit_* its only
    global definition."""
    archive = build / (ext["archive"] + EXT_SUFFIX)
    if not archive.is_file():
        die(f"extension {ext['module']}: {archive} was not built")
    # Static libraries the module was linked with (recorded by wasm-cc.py).
    recorded = archive.with_name(archive.name + ".deps")
    deps = [regular_archive(Path(d), work) for d in (recorded.read_text().split() if recorded.is_file() else [])]
    merged = work / "merged" / (ext["module"] + ".o")
    merged.parent.mkdir(exist_ok=True)
    subprocess.run([f"{LLVM}/wasm-ld", "-r", "-o", merged, "--whole-archive", archive, "--no-whole-archive",
                    *deps], check=True)
    subprocess.run([localize, "--keep", init_symbol(ext), merged], check=True)
    return merged


def regular_archive(path: Path, work: Path) -> Path:
    """Meson makes thin archives (members stay in the build tree); wasm-ld -r
    wants a regular one."""
    head = path.read_bytes()[:8]
    if head != b"!<thin>\n":
        return path
    out = work / "rearchived" / path.name
    out.parent.mkdir(exist_ok=True)
    members = objects_of_archive(path)
    base = path.parent
    out.unlink(missing_ok=True)
    subprocess.run([f"{LLVM}/llvm-ar", "rcs", out, *[m if os.path.isabs(m) else base / m for m in members]],
                   check=True)
    return out


def copy_python_files(site: Path, name: str, out: Path, exclude: list, sdist_root: Path, path_map: dict) -> None:
    """The package's Python files as installed. Files from the sdist are
    copied byte for byte. Files the build generated (numpy's __config__.py
    records the compiler commands and the build's Python) get their build
    paths renamed as -ffile-prefix-map renames them in the objects, so the
    module names no path of this machine."""
    src = site / name
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(site)
        if path.is_dir() or path.suffix in (".so", ".a", ".pyc") or any(fnmatch.fnmatch(str(rel), pat) for pat in exclude):
            continue
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        if not (sdist_root / rel).is_file() and path.suffix in (".py", ".txt", ".json", ".cfg", ".ini"):
            text = target.read_text(encoding="utf-8")
            for host, name_in_module in path_map.items():
                text = text.replace(host, name_in_module)
            target.write_text(text, encoding="utf-8")
    for info in site.glob(f"{name}-*.dist-info"):
        shutil.copytree(info, out / info.name, dirs_exist_ok=True)


def write_dist_info(recipe: dict, out: Path) -> None:
    """meson installs no metadata; importlib.metadata wants some."""
    info = out / f"{recipe['name']}-{recipe['version']}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {recipe['name']}\nVersion: {recipe['version']}\n")
    (info / "INSTALLER").write_text("onepy\n")


def check_duplicates(archives: list) -> None:
    """Fail when a global symbol is defined in more than one of the static
    libraries that go into the final link (wasm-ld would silently keep one)."""
    owners = {}
    for archive in archives:
        out = subprocess.run([f"{LLVM}/llvm-nm", "--defined-only", "--extern-only", "--format=just-symbols", archive],
                             capture_output=True, text=True, check=True).stdout
        for sym in set(out.split()):
            if sym.endswith(":"):
                continue
            owners.setdefault(sym, []).append(str(archive))
    # libpython's own libraries may share members (3.14's HACL* archives:
    # libHacl_HMAC.a carries the hash objects the hash libraries have too,
    # identical copies CPython's own link takes one of); what matters is a
    # package's symbol meeting any other definition.
    libpython_dir = str(args_libpython) if (args_libpython := os.environ.get("ONEPY_LIBPYTHON_DIR")) else None
    dups = {s: [Path(a).name for a in o] for s, o in owners.items()
            if len(o) > 1 and not (libpython_dir and all(a.startswith(libpython_dir + "/") for a in o))}
    if dups:
        lines = [f"  {s}: {', '.join(o)}" for s, o in sorted(dups.items())[:40]]
        die(f"{len(dups)} symbols are defined in more than one linked library:\n" + "\n".join(lines))
    print(f"[cext] no duplicate definitions across {len(archives)} libraries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["build", "key", "dir", "check-duplicates", "preimport"])
    parser.add_argument("recipe", type=Path, nargs="?")
    parser.add_argument("archives", nargs="*", help="check-duplicates: the libraries")
    parser.add_argument("--libpython", type=Path)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--localize", help="the wasm-localize tool (host crate)")
    args = parser.parse_args()
    if args.command == "preimport":  # modules the recipes want in the snapshot
        names = []
        for path in ([args.recipe] if args.recipe else []) + [Path(a) for a in args.archives]:
            names += load_recipe(path).get("preimport", [])
        print(" ".join(names))
        return
    if args.command == "check-duplicates":
        check_duplicates(([str(args.recipe)] if args.recipe else []) + args.archives)
        return
    recipe_path = args.recipe.resolve()
    recipe = load_recipe(recipe_path)
    if args.libpython is None:
        die(f"{args.command} needs --libpython DIR (the key depends on it)")
    key = cache_key(recipe_path, recipe, args.libpython)
    out = args.cache / "cext" / f"{recipe['name']}-{recipe['version']}-{key}" if args.cache else None
    if args.command == "key":
        print(key)
        return
    if args.command == "dir":
        print(out)
        return
    if (out / ".complete").is_file():
        print(f"[cext] {recipe['name']} up to date: {out}")
        return
    if subprocess.run(["bash", "-c", f"source {ROOT / 'scripts/common.sh'} && check_toolchain"]).returncode:
        sys.exit(1)
    work = args.cache / "work" / f"cext-{recipe['name']}-{key}"
    logs = work / "logs"
    shutil.rmtree(work, ignore_errors=True)
    logs.mkdir(parents=True)
    print(f"[cext] building {recipe['name']} {recipe['version']} into {out} (logs in {logs})")
    sdist = fetch_sdist(recipe, args.cache / "downloads")
    with tarfile.open(sdist) as tar:
        tar.extractall(work / "src-parent", filter="data")
    src = next((work / "src-parent").iterdir())
    for patch in recipe.get("patches", []):
        step(f"patch-{Path(patch).stem}", ["patch", "-p1", "--forward", "--batch", "-d", src, "-i",
                                           ROOT / "patches" / patch], logs)
    tools = write_toolchain(work, args.libpython)
    if recipe["build"] == "meson":
        build = build_meson(recipe, src, work, tools, logs)
        python_tree = work / "stage"
    elif recipe["build"] == "setuptools":
        build = build_setuptools(recipe, src, tools, logs)
        python_tree = src / recipe.get("python-root", ".")
    else:
        die(f"recipe build '{recipe['build']}' is not supported (meson or setuptools)")

    shutil.rmtree(out, ignore_errors=True)
    (out / "lib").mkdir(parents=True)
    merged = [merge_extension(ext, build, work, args.localize) for ext in recipe["extension"]]
    if recipe.get("cxx-exception-stubs"):
        stub = work / "cxx_exception_stubs.o"
        subprocess.run([str(tools["bin"] / "wasm-cc"), "-O2", "-c", ROOT / "scripts" / "cxx_exception_stubs.c",
                        "-o", stub], check=True)
        merged.append(stub)
    subprocess.run([f"{LLVM}/llvm-ar", "rcs", out / "lib" / f"libcext_{recipe['name']}.a", *merged], check=True)
    (out / "inittab.txt").write_text("".join(f"{e['module']} {init_symbol(e)}\n" for e in recipe["extension"]))
    (out / "link.txt").write_text("\n".join(recipe.get("links", [])) + "\n")
    import_name = recipe.get("import-name", recipe["name"])
    site = find_site_packages(python_tree, import_name)
    path_map = {str(work): "/onepy-cext", str(args.libpython): "/onepy-libpython", sys.prefix: "/onepy-tools"}
    copy_python_files(site, import_name, out / "site-packages", recipe.get("python-exclude", []),
                      src / recipe.get("python-root", "."), path_map)
    write_dist_info(recipe, out / "site-packages")
    (out / ".complete").touch()
    print(f"[cext] done: {out}")


if __name__ == "__main__":
    main()
