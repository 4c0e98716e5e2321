"""Build one locked sdist for wasm32-wasip1 into a cache directory that build.rs links:

  lib/libcext_<name>.a   one object per extension module, merged and localized
  inittab.txt            `<dotted module name> <init symbol>` per extension module
  link.txt               extra static libraries the final link needs
  clib/lib<name>.a       the C libraries the recipe declares (c-libraries), for that link
  preimport.txt          modules the recipe imports into the snapshot
  site-packages/         the package's Python files and dist-info (no .so)

Extension modules are discovered, not listed: every `.so` the build produced
(an archive, thanks to the wrapper) is a module named by its path; the
wrapper's link log gives its private libraries. The modules must include
every module of the wheel native pip picked (unless the recipe accepts a
pure-Python fallback): a build never silently loses a compiled part.
"""

import fnmatch
import hashlib
import json
import shutil
import time
import zipfile
from pathlib import Path

from . import build_deps, clibs, fn_casts, recipes
from .common import BuildError, download, drop_work, exclusive, run, sha256_file, staging, step, unpack_archive
from .merge import link_inputs, merge_extension
from .meson import build_meson
from .maturin import build_maturin
from .pep517 import build_system, build_wheel
from .setuptools_rust import add_extensions, record_file
from .toolchain import LIBCXX_INCLUDE, LLVM, ROOT, write_toolchain

BUILDER_DIR = Path(__file__).resolve().parent
# Libraries the final link can give a package without a recipe (libc++ from
# Debian's wasm32 packages, wasi-libc's long-double printf/scanf).
PROVIDED = {"c++", "c++abi", "c-printscan-long-double"}
TEXT_SUFFIXES = (".py", ".txt", ".json", ".cfg", ".ini", ".toml")
CXX_STUBS = "onepy_cxx_exception_stubs"  # stubs/lib<this>.a, linked once however many packages need it
# A recipe's wasm-exceptions: the C++ runtime with exceptions (a C library
# definition, built like the others), which replaces Debian's libc++abi in the
# final link, and wasi-libc's setjmp/longjmp over the same instructions.
EH_RUNTIME = "libcxx-wasm-eh"
EH_LIBS = ["c++-wasm-eh", "c++abi-wasm-eh", "unwind-wasm", "setjmp", "wasi-emulated-pthread"]
CXX_THREADS_STUBS = "onepy_cxx_threads_stubs"  # stubs/lib<this>.a: what CPython's pthread stubs lack


def toolchain_identity() -> bytes:
    import subprocess
    cmd = ["bash", "-c", f"source {ROOT / 'scripts/common.sh'} && toolchain_identity"]
    result = subprocess.run(cmd, capture_output=True)
    if result.returncode != 0:
        raise BuildError(f"command: {' '.join(cmd)}\n{result.stderr.decode(errors='replace')}")
    return result.stdout


def clib_names(recipe: dict) -> list:
    """The recipe's c-libraries, and the C++ runtime with exceptions if it asks for them."""
    names = list(recipe.get("c-libraries", []))
    if recipe.get("wasm-exceptions") and EH_RUNTIME not in names:
        names.append(EH_RUNTIME)
    return names


def declared_clibs(recipe_path, recipe: dict, libpython: Path, cache: Path) -> list:
    """[(definition, prefix)] of the recipe's c-libraries and their dependencies."""
    names = clib_names(recipe)
    if not names:
        return []
    return clibs.prefixes(names, f"the recipe {recipe_path}", toolchain_identity(), libpython, cache)


def cache_key(entry, recipe_path, recipe: dict, libpython: Path, cache: Path, dep_outs: list) -> str:
    """Declared inputs only: the sdist's sha256, the recipe and its patches,
    the builder's sources (wasm-localize's too), the pinned build tools, the toolchain, libpython,
    the C libraries' keys, the outputs of the locked packages its build
    compiles against."""
    h = hashlib.sha256(f"{entry.name}=={entry.version} {entry.sha256} {entry.native_sha256}\n".encode())
    for out in dep_outs:
        h.update(f"built dependency {out.name}\n".encode())
    inputs = sorted(BUILDER_DIR.glob("*.py")) + [ROOT / f for f in (
        "recipes/build-tools.txt", "scripts/cxx_exception_stubs.c", "scripts/cxx_threads_stubs.c",
        # wasm-localize writes every merged extension object
        "host/src/localize.rs", "host/src/bin/wasm-localize.rs")]
    if recipe_path:
        inputs += [recipe_path, *recipes.patches(recipe, entry.version)]
    for f in inputs:
        h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    h.update(toolchain_identity())
    h.update(libpython.name.encode())  # the libpython directory's name is its own key
    for _, prefix in declared_clibs(recipe_path, recipe, libpython, cache):
        h.update(b"\0" + prefix.name.encode())  # a prefix's name holds its key
    return h.hexdigest()[:16]


def output_dir(entry, libpython: Path, cache: Path, dep_outs: list) -> Path:
    recipe_path, recipe = recipes.load(entry.name, entry.version)
    key = cache_key(entry, recipe_path, recipe, libpython, cache, dep_outs)
    return cache / "packages" / f"{recipes.recipe_path(entry.name).stem}-{entry.version}-{key}"



def module_of(rel: str):
    """`pkg/sub/_x.cpython-314-wasm32-wasi.so` -> `pkg.sub._x`; None if not an extension."""
    if not rel.endswith((".so", ".pyd")):
        return None
    parent, _, filename = rel.rpartition("/")
    parts = [*filter(None, parent.split("/")), filename.split(".", 1)[0]]
    # A shared library a wheel bundles (auditwheel's numpy.libs/libscipy_openblas64_-4b78795a.so)
    # is no module: every part of a module's path is an identifier.
    return ".".join(parts) if all(p.isidentifier() for p in parts) else None


def extensions_in(tree: Path) -> dict:
    """{module: archive path} of the extension modules in a built tree."""
    out = {}
    for path in sorted(tree.rglob("*")):
        module = module_of(str(path.relative_to(tree))) if path.is_file() else None
        if module:
            with open(path, "rb") as f:
                if f.read(8) != b"!<arch>\n":
                    raise BuildError(f"{path} is not the archive our compiler wrapper makes: the extension "
                                     f"module {module} was linked by another tool (a host compiler?)")
            out[module] = path
    return out


def native_modules(entry, cache: Path) -> set:
    """Extension modules in the wheel native pip picked for this version."""
    if not entry.native_url:
        return set()
    wheel = download(entry.native_url, entry.native_sha256, cache / "wheels")
    with zipfile.ZipFile(wheel) as z:
        return {m for m in (module_of(n.split(".data/platlib/", 1)[-1]) for n in z.namelist()) if m}


def copy_python_files(tree: Path, out: Path, exclude: list, path_map: dict) -> None:
    """The package's files (no extension archives, nothing `exclude` matches);
    a generated text file naming a build path gets the names -ffile-prefix-map
    gives them, so the module names no path of this machine."""
    kept = set()
    for path in sorted(tree.rglob("*")):
        rel = str(path.relative_to(tree))
        if path.is_dir() or module_of(rel) or rel.endswith((".a", ".deps", ".pyc")) \
                or any(fnmatch.fnmatch(rel, pat) for pat in exclude):
            continue
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        kept.add(rel)
        if path.suffix in TEXT_SUFFIXES:
            text = target.read_text(encoding="utf-8", errors="surrogateescape")
            if any(host in text for host in path_map):
                for host, name_in_module in path_map.items():
                    text = text.replace(host, name_in_module)
                target.write_text(text, encoding="utf-8", errors="surrogateescape")
    for record in out.glob("*.dist-info/RECORD"):  # only what is embedded
        lines = [l for l in record.read_text().splitlines() if l.split(",", 1)[0] in kept]
        record.write_text("\n".join(lines) + "\n")


def check_fn_casts(entry, work: Path, recipe_path) -> None:
    """Fail the build on a function cast of another arity in the package's C
    code (fn_casts.py): python.wasm would trap where CPython calls it. Compiles
    that cannot be replayed are reported, and do not fail the build."""
    found, problems = fn_casts.audit(work)
    for problem in problems:
        print(f"[build] warning: {entry.name}: the function-cast check could not replay: {problem}")
    if found:
        recipe = recipe_path or recipes.recipe_path(entry.name)
        raise BuildError(f"{entry.name} {entry.version}: {len(found)} functions are called through a pointer of "
                         f"another arity (wasm traps there with 'indirect call type mismatch', x86_64 does not):\n"
                         + "\n".join(f"  {f}" for f in found) + f"\nDeclare each with the parameters CPython "
                         f"passes (METH_NOARGS methods and getters take two), as a patch in {recipe} "
                         f"(docs/packages.md, 'Function casts').")


def stub_library(name: str, source: str, cc: str, work: Path, out: Path) -> str:
    """out/stubs/lib<name>.a from scripts/<source>; returns the -l name.
    Not in the package's own (whole-archive) library: two C++ packages
    (numpy, pandas) would each define the stubs. A library of its own, named
    in link.txt, that the final link takes once (build.rs)."""
    obj = work / Path(source).with_suffix(".o").name
    run([cc, "-O2", "-c", ROOT / "scripts" / source, "-o", obj], f"compiling scripts/{source}")
    (out / "stubs").mkdir(exist_ok=True)
    run([f"{LLVM}/llvm-ar", "rcs", out / "stubs" / f"lib{name}.a", obj], f"archiving scripts/{source}")
    return name


def build(entry, libpython: Path, cache: Path, localize: str, locked: list = ()) -> Path:
    """The package's output directory (built unless cached). Locked sdists
    among its build requirements (`locked`: the lock's entries) are built first."""
    recipe_path, recipe = recipes.load(entry.name, entry.version)
    sdist = download(entry.url, entry.sha256, cache / "downloads")
    needed = [(d, build(d, libpython, cache, localize, locked))
            for d in build_deps.locked_build_requirements(entry, sdist, locked)]
    out = output_dir(entry, libpython, cache, [o for _, o in needed])
    with exclusive(out, f"{entry.name} {entry.version}"):
        if (out / ".complete").is_file():
            print(f"[build] {entry.name} {entry.version} up to date: {out}")
            return out
        return build_into(out, entry, recipe_path, recipe, sdist, needed, libpython, cache, localize)


def build_into(out: Path, entry, recipe_path, recipe: dict, sdist: Path, needed: list, libpython: Path,
               cache: Path, localize: str) -> Path:
    start = time.monotonic()
    # Named with the key: two builds of one version with different inputs
    # (worktrees sharing the cache) never clean each other's directory.
    work = cache / "work" / f"pkg-{out.name}"
    logs = work / "logs"
    shutil.rmtree(work, ignore_errors=True)
    logs.mkdir(parents=True)
    how = f"recipe {recipe_path.name}" if recipe_path else "no recipe"
    print(f"[build] {entry.name} {entry.version} from {entry.filename} ({how}), logs in {logs}")
    src = unpack_archive(sdist, work / "src")
    for patch in recipes.patches(recipe, entry.version):
        step(entry.name, f"patch-{patch.stem}", ["patch", "-p1", "--forward", "--batch", "-d", src, "-i", patch],
             logs)
    built_clibs = []
    if names := clib_names(recipe):
        built_clibs = clibs.ensure(names, f"the recipe {recipe_path or entry.name}", toolchain_identity(),
                                   libpython, cache)
    exceptions = bool(recipe.get("wasm-exceptions"))
    runtime = [p for lib, p in built_clibs if lib["name"] == EH_RUNTIME]
    tools = write_toolchain(work, libpython, exceptions,
                            runtime[0] / "include" / "c++" / "v1" if runtime else LIBCXX_INCLUDE)
    tools["env"] = clibs.package_env(tools["env"], built_clibs, work / "clib-guard", f"{entry.name} {entry.version}")
    clib_links = clibs.link_libs(built_clibs)
    libpython_libs = {p.name[3:-2] for p in (libpython / "lib").glob("lib*.a")}
    rust_modules = []  # built by cargo.py, with no link our compiler wrapper recorded
    if recipe.get("build") == "meson":
        tree, kind = build_meson(entry.name, recipe, src, work, tools, logs), "meson"
    elif recipe.get("build", "pep517") == "pep517" and build_system(src, entry.name)["build-backend"] == "maturin":
        tree, kind = build_maturin(entry.name, entry.version, src, work, tools, logs, libpython), "maturin"
        rust_modules = list(extensions_in(tree))
    elif recipe.get("build", "pep517") == "pep517":
        host_path = [build_deps.host_tree(needed, work, cache)] if needed else []
        built = {d.name: d.version for d, _ in needed}
        wheel, kind = build_wheel(entry.name, src, work, tools, logs, recipe, host_path, built)
        tree = work / "wheel"
        with zipfile.ZipFile(wheel) as z:
            z.extractall(tree)
        if kind == "setuptools-rust":
            rust_modules = add_extensions(entry.name, entry.version, src, tree, record_file(work), work,
                                          tools, logs, libpython)
    else:
        raise BuildError(f"{recipe_path}: build '{recipe['build']}' is not 'meson' or 'pep517'")

    def excluded(module):
        return any(fnmatch.fnmatch(module, pat) for pat in recipe.get("exclude-extensions", []))
    found = extensions_in(tree)
    modules = {m: p for m, p in found.items() if not excluded(m)}
    missing = {m for m in native_modules(entry, cache) - set(found) - set(recipe.get("missing-ok", []))
               if not excluded(m)}
    if missing:
        raise BuildError(f"{entry.name} {entry.version}: the build for wasm32-wasip1 lacks extension modules that "
                         f"the native wheel ({entry.native_url.rsplit('/', 1)[-1]}) has: {', '.join(sorted(missing))}. "
                         f"The sdist's build skipped them (a C library it did not find? logs in {logs}). "
                         f"Add the library in recipes/{recipes.recipe_path(entry.name).name}, or accept the "
                         f"pure-Python fallback there with missing-ok = {sorted(missing)}.")
    if kind != "maturin" and modules:
        check_fn_casts(entry, work, recipe_path)
    records = {}
    if tools["links"].is_file():
        for line in tools["links"].read_text().splitlines():
            rec = json.loads(line)
            records[rec["sha256"]] = rec
    tmp = out.with_name(out.name + ".tmp")
    # Assembled beside the output and renamed into place: a failure on the
    # way removes it, and an existing output stays as it was.
    with staging(tmp):
        (tmp / "lib").mkdir()
        merged, final_libs, cxx = [], list(recipe.get("links", [])), bool(recipe.get("cxx-exception-stubs"))
        inittab = []
        for module, archive in sorted(modules.items()):
            rec = {"cxx": False} if module in rust_modules else records.get(sha256_file(archive))
            if rec is None:
                raise BuildError(f"{entry.name}: {archive} (module {module}) matches no `-shared` link our wrapper "
                                 f"recorded in {tools['links']}")
            deps, libs = link_inputs(rec, work)
            # libpython's own C libraries (zlib, ...) are in the final link already.
            libs = [l for l in libs if l not in libpython_libs]
            unknown = [l for l in libs if l not in recipe.get("links", []) and l not in PROVIDED and l not in clib_links
                       and not (exceptions and l in EH_LIBS)]
            if unknown:
                raise BuildError(f"{entry.name} {entry.version}: extension module {module} links against "
                                 + ", ".join(f"lib{l} (-l{l})" for l in unknown) + ", a C library onepy does not "
                                 f"build for wasm32-wasip1 for this recipe. Declare it in recipes/"
                                 f"{recipes.recipe_path(entry.name).name} (c-libraries = [...], defined in "
                                 f"recipes/clibs/), or leave '{entry.name}' out. The link: {rec['output']}")
            # A declared C library goes to the final link with its dependencies.
            libs += clib_links if any(l in clib_links for l in libs) else []
            final_libs += [l for l in dict.fromkeys(libs) if l not in final_libs]
            cxx = cxx or rec["cxx"]
            obj, init = merge_extension(module, archive, deps, work, localize, tools["cc"])
            merged.append(obj)
            inittab.append(f"{module} {init}\n")
        if exceptions:
            # Debian's libc++ has no exceptions; the runtime replaces it (and the stubs).
            final_libs = [l for l in final_libs if l not in ("c++", "c++abi")]
            final_libs += [l for l in EH_LIBS if l not in final_libs]
            final_libs.append(stub_library(CXX_THREADS_STUBS, "cxx_threads_stubs.c", tools["cc"], work, tmp))
        elif cxx:
            final_libs += [l for l in ("c++", "c++abi") if l not in final_libs]
            final_libs.append(stub_library(CXX_STUBS, "cxx_exception_stubs.c", tools["cc"], work, tmp))
        used = [l for l in clib_links if l in final_libs]
        if used:
            (tmp / "clib").mkdir()
            for lib, prefix in built_clibs:
                for l in lib["libs"]:
                    if l in used:
                        shutil.copy2(prefix / "lib" / f"lib{l}.a", tmp / "clib" / f"lib{l}.a")
        archive_name = "libcext_" + recipes.recipe_path(entry.name).stem + ".a"
        if merged:
            run([f"{LLVM}/llvm-ar", "rcs", tmp / "lib" / archive_name, *merged], f"archiving {archive_name}")
        (tmp / "inittab.txt").write_text("".join(inittab))
        (tmp / "link.txt").write_text("\n".join(final_libs) + "\n")
        (tmp / "preimport.txt").write_text("\n".join(recipe.get("preimport", [])) + "\n")
        import sys
        path_map = {str(work): "/onepy-cext", str(libpython): "/onepy-libpython", sys.prefix: "/onepy-tools"}
        copy_python_files(tree, tmp / "site-packages", recipe.get("python-exclude", []), path_map)
        if kind == "meson":
            write_dist_info(entry, tmp / "site-packages")
        build_deps.keep_build_time(recipe, tree, tmp, entry.name)
        secs = time.monotonic() - start
        (tmp / "build-info.json").write_text(json.dumps(
            {"name": entry.name, "version": entry.version, "kind": kind, "recipe": recipe_path.name if recipe_path else None,
             "modules": sorted(modules), "seconds": round(secs, 1), "wasm-exceptions": exceptions, "build-time": recipe.get("build-time", []),
             "built-dependencies": [f"{d.name}=={d.version}" for d, _ in needed],
             "c-libraries": {lib["name"]: prefix.name for lib, prefix in built_clibs}}, indent=1) + "\n")
        shutil.move(logs, tmp / "logs")
        shutil.rmtree(out, ignore_errors=True)
        tmp.rename(out)
    (out / ".complete").touch()
    drop_work(work)
    print(f"[build] {entry.name} {entry.version}: {len(modules)} extension modules ({kind}) in {secs:.0f}s: "
          + (", ".join(sorted(modules)) or "pure Python"))
    return out


def write_dist_info(entry, site: Path) -> None:
    """meson install writes no metadata; importlib.metadata wants some."""
    if any(site.glob("*.dist-info")):
        return
    info = site / f"{entry.name}-{entry.version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {entry.name}\nVersion: {entry.version}\n")
    (info / "INSTALLER").write_text("onepy\n")
