"""C libraries that packages link (recipe key `c-libraries`), each built for
wasm32-wasip1 from a pinned source tarball (a Debian orig tarball, or an
https URL where Debian repacks the source without what is needed) into a
cached prefix:

    <cache>/clibs/<name>-<version>-<key>/{include,lib,lib/pkgconfig,bin}

`key` hashes the declared inputs: the definition (recipes/clibs/<name>.toml,
which holds the pool path, its sha256, the flags and the dependencies), this
builder, the toolchain's identity, the libpython whose sysroot compiles it,
and the keys of the libraries it depends on. A library is built in a work
directory and its install renamed into place at the end: a failed build
caches nothing and leaves an existing prefix untouched.

A definition:

    name = "libyaml"
    version = "0.2.5"
    source = "pool/main/liby/libyaml/libyaml_0.2.5.orig.tar.gz"   # under the Debian mirror, or
                                       # a whole https:// URL (sha256-checked the same way)
    sha256 = "..."
    depends = []                       # other definitions, built first, on the include/lib path
    build = "sources"                  # "sources": compile `sources` (globs) with `cflags`
                                       # "configure": ./configure --host=wasm32-wasi `configure`...,
                                       # make `make-args`, make install `make-args`
                                       # "cmake": cmake with a wasm32-wasip1 toolchain file and the
                                       # -D options `cmake`, building `targets` (clib_cmake.py)
                                       # "libpython": a library libpython links already (zlib): its
                                       # headers from the same tarball, libpython's archive
                                       # (clib_libpython.py); the final link has one copy
    host = "wasm32-unknown-none"       # configure's --host when its config.sub predates wasi
    sources = ["src/*.c"]                # .cpp/.cc/.cxx files compile as C++ (libc++'s headers)
    cflags = ["-Iinclude"]
    cxxflags = ["-std=c++20"]          # "sources": C++ files only, after cflags
    headers = ["include/yaml.h"]       # "sources": installed into include/
    header-dirs = { "harfbuzz" = ["src/hb.h", "src/hb-ot-*.h"] }
                                       # "sources": header globs (each must match) installed
                                       # into include/<directory>/ (a library whose users
                                       # include <harfbuzz/hb.h> or have -I.../include/harfbuzz)
    cflags-from = ["freetype2"]        # "sources": pkg-config modules of the dependencies whose
                                       # --cflags the sources compile with (FreeType's headers
                                       # are under include/freetype2/)
    patches = ["libxslt/max-depth.patch"]   # under patches/, applied with patch -p1
    write-files = { "src/config.h" = "..." }   # files written into the tree first (a config
                                       # header the orig tarball leaves to cmake)
    configure-files = { "include/ffi.h" = { template = "include/ffi.h.in", values = { TARGET = "wasm32" } } }
                                       # files made from the tree's templates after the patches,
                                       # each @NAME@ replaced (one left unreplaced is an error): what
                                       # configure would write, for a tarball without configure
    libs = ["yaml"]                    # the static libraries it installs (lib<name>.a), link order
    config-scripts = ["xml2-config"]   # scripts a package build runs (answered for this prefix)
    drop = ["bin", "share"]            # installed paths removed (programs for wasm32, documentation)
    cmake-source = "runtimes"          # "cmake": the tree's subdirectory with the CMakeLists.txt to configure
    system-libcxx = false              # the C++ wrapper adds no libc++ headers (a definition building libc++)
    [pc-files.harfbuzz]                # lib/pkgconfig/harfbuzz.pc written (any build; the build
                                       # must not install one of that name): what meson's or
                                       # cmake's install would write, for a "sources" build
    description = "HarfBuzz text shaping library"
    version = "12.3.2"                 # default: the definition's version
    requires = ["freetype2"]           # Requires: modules whose flags users also need
    cflags = ["-I${includedir}/harfbuzz"]   # default ["-I${includedir}"]
    libs = ["-L${libdir}", "-lharfbuzz"]    # default -L${libdir} and -l of each of `libs`
                                       # (the file's prefix is the real prefix, see relocate)
`pkgconfig` (build = "libpython") names .pc files its configure writes into
the tree, copied as they are (clib_libpython.py).
"""

import glob
import hashlib
import os
import re
import shlex
import shutil
import time
import tomllib
from pathlib import Path

from .clib_cmake import build_cmake
from .clib_libpython import build_libpython
from .common import BuildError, download, drop_work, exclusive, run, step, unpack_archive
from .toolchain import LIBCXX_INCLUDE, LLVM, ROOT, write_toolchain

DEFINITIONS = ROOT / "recipes" / "clibs"
MIRROR = os.environ.get("ONEPY_DEBIAN_MIRROR", "http://deb.debian.org/debian")
KNOWN = {"name", "version", "source", "sha256", "depends", "build", "sources", "cflags", "headers", "configure",
         "libs", "config-scripts", "env", "cxxflags", "write-files", "configure-files", "make-args", "host", "patches", "cmake", "targets",
         "pkgconfig", "drop", "header-dirs", "cflags-from", "pc-files", "cmake-source", "system-libcxx"}
PC_KEYS = {"description", "version", "requires", "cflags", "libs"}
KINDS = ("sources", "configure", "cmake", "libpython")
# The builder's sources that decide what a library's prefix holds (its key).
BUILDER_FILES = [Path(__file__), Path(__file__).with_name("clib_cmake.py"), Path(__file__).with_name("clib_libpython.py")]
REQUIRED = {"name", "version", "source", "sha256", "build", "libs"}
# Where a library's configure believes it is installed: strings compiled in
# (libxml2's catalog path) name no path of this machine; the installed text
# files (.pc, *-config, .la) are rewritten to the real prefix.
NEUTRAL_PREFIX = "/onepy-clibs"
JOBS = str(min(2, os.cpu_count() or 1))
CXX_SUFFIXES = {".cpp", ".cc", ".cxx"}


def known_names() -> list:
    return sorted(p.stem for p in DEFINITIONS.glob("*.toml"))


def definition_path(name: str) -> Path:
    return DEFINITIONS / f"{name}.toml"


def load(name: str, wanted_by: str) -> dict:
    """The definition of `name`; an unknown name or a malformed file is an error
    naming `wanted_by` (the recipe or library that asked for it)."""
    path = definition_path(name)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.+-]*", name) or not path.is_file():
        raise BuildError(f"{wanted_by} needs the C library '{name}', which onepy does not know: no {path} "
                         f"(known: {', '.join(known_names()) or 'none'}). Add a definition there "
                         f"(docs/packages.md, \"C libraries\").")
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise BuildError(f"reading the C library definition {path}: {e}")
    unknown, missing = set(data) - KNOWN, REQUIRED - set(data)
    if unknown or missing:
        raise BuildError(f"{path}: " + "; ".join(filter(None, [
            unknown and f"unknown keys {sorted(unknown)} (known: {sorted(KNOWN)})",
            missing and f"missing keys {sorted(missing)}"])))
    if data["name"] != name:
        raise BuildError(f"{path}: name = {data['name']!r}, but the file is named for '{name}'")
    if data["build"] not in KINDS:
        raise BuildError(f"{path}: build = {data['build']!r} is not one of {', '.join(KINDS)}")
    for key in ("header-dirs", "cflags-from"):
        if key in data and data["build"] != "sources":
            raise BuildError(f"{path}: {key} is for build = 'sources' (this is {data['build']!r})")
    if "://" in data["source"] and not data["source"].startswith("https://"):
        raise BuildError(f"{path}: source = {data['source']!r}: a path under the Debian mirror or an https:// URL")
    for module, spec in data.get("pc-files", {}).items():
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.+-]*", module) or not isinstance(spec, dict):
            raise BuildError(f"{path}: pc-files.{module}: a module name ([A-Za-z0-9_.+-]) and a table")
        if set(spec) - PC_KEYS:
            raise BuildError(f"{path}: pc-files.{module}: unknown keys {sorted(set(spec) - PC_KEYS)} "
                             f"(known: {sorted(PC_KEYS)})")
    data["path"] = path
    return data


def closure(names: list, wanted_by: str) -> list:
    """The definitions of `names` and everything they depend on, each after
    its dependencies; a dependency cycle is an error."""
    order, state = [], {}

    def visit(name, by, chain):
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise BuildError(f"C library dependency cycle: {' -> '.join(chain + [name])}")
        state[name] = "visiting"
        lib = load(name, by)
        for dep in lib.get("depends", []):
            visit(dep, f"the C library {name} ({lib['path'].name})", chain + [name])
        state[name] = "done"
        order.append(lib)

    for n in names:
        visit(n, wanted_by, [])
    return order


def key(lib: dict, dep_keys: list, toolchain_id: bytes, libpython: Path) -> str:
    h = hashlib.sha256()
    for f in (lib["path"], *BUILDER_FILES, *patch_files(lib)):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    h.update(toolchain_id + b"\0" + libpython.name.encode() + b"\0" + " ".join(dep_keys).encode())
    return h.hexdigest()[:16]


def patch_files(lib: dict) -> list:
    out = [ROOT / "patches" / p for p in lib.get("patches", [])]
    missing = [str(p) for p in out if not p.is_file()]
    if missing:
        raise BuildError(f"{lib['path']}: patches {missing} do not exist")
    return out


def prefixes(names: list, wanted_by: str, toolchain_id: bytes, libpython: Path, cache: Path) -> list:
    """[(definition, prefix directory)] for `names` and their dependencies,
    dependencies first; nothing is built."""
    out, keys = [], {}
    for lib in closure(names, wanted_by):
        k = key(lib, [keys[d] for d in lib.get("depends", [])], toolchain_id, libpython)
        keys[lib["name"]] = f"{lib['name']}-{k}"
        out.append((lib, cache / "clibs" / f"{lib['name']}-{lib['version']}-{k}"))
    return out


def ensure(names: list, wanted_by: str, toolchain_id: bytes, libpython: Path, cache: Path) -> list:
    """`prefixes`, each built unless cached."""
    done = []
    for lib, prefix in prefixes(names, wanted_by, toolchain_id, libpython, cache):
        with exclusive(prefix, f"{lib['name']} {lib['version']}"):
            if not (prefix / ".complete").is_file():
                build(lib, prefix, [p for _, p in done], libpython, cache)
            else:
                print(f"[clib] {lib['name']} {lib['version']} up to date: {prefix}")
        done.append((lib, prefix))
    return done



def source_url(source: str) -> str:
    """A definition's `source`: a path under the Debian mirror, or an https URL."""
    return source if source.startswith("https://") else f"{MIRROR}/{source}"


def build(lib: dict, prefix: Path, deps: list, libpython: Path, cache: Path) -> None:
    name = f"C library {lib['name']} {lib['version']}"
    start = time.monotonic()
    # One work directory per key (the key's lock is held): two definitions of
    # one library (two worktrees) never share one.
    work = cache / "work" / f"clib-{prefix.name}"
    logs = work / "logs"
    shutil.rmtree(work, ignore_errors=True)
    logs.mkdir(parents=True)
    print(f"[clib] building {lib['name']} {lib['version']} ({lib['path'].name}), logs in {logs}")
    archive = download(source_url(lib["source"]), lib["sha256"], cache / "downloads")
    src = unpack_archive(archive, work / "src")
    for rel, text in lib.get("write-files", {}).items():
        target = (src / rel).resolve()
        if not target.is_relative_to(src.resolve()):
            raise BuildError(f"{lib['path']}: write-files names {rel}, outside the source tree")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    for patch in patch_files(lib):
        step(name, f"patch-{patch.stem}", ["patch", "-p1", "--forward", "--batch", "-d", src, "-i", patch], logs)
    for rel, spec in lib.get("configure-files", {}).items():
        configure_file(lib, src, rel, spec)
    # A definition that builds libc++ itself compiles against its own headers.
    tools = write_toolchain(work, libpython, libcxx_include=LIBCXX_INCLUDE if lib.get("system-libcxx", True) else None)
    neutral = f"{NEUTRAL_PREFIX}/{lib['name']}"
    stage = work / "stage"
    installed = stage / neutral.lstrip("/")
    inc = [f"-I{d}/include" for d in deps]
    env = build_env(tools, deps, lib)
    if lib["build"] == "sources":
        build_sources(name, lib, src, work, installed, tools, inc + pc_cflags(name, lib, env), logs)
    elif lib["build"] == "cmake":
        build_cmake(name, lib, src, work, neutral, stage, env, tools, deps, libpython, logs)
    elif lib["build"] == "libpython":
        build_libpython(name, lib, src, neutral, installed, env, libpython, logs)
    else:
        build_configure(name, lib, src, neutral, stage, env, logs)
    for libname in lib["libs"]:
        if not (installed / "lib" / f"lib{libname}.a").is_file():
            raise BuildError(f"{name}: the install in {installed} has no lib/lib{libname}.a (the definition's "
                             f"libs = {lib['libs']}; logs in {logs})")
    write_pc_files(name, lib, neutral, installed)
    for rel in lib.get("drop", []):
        path = (installed / rel).resolve()
        if not path.is_relative_to(installed.resolve()) or not path.exists():
            raise BuildError(f"{lib['path']}: drop names {rel}, which the install in {installed} does not have")
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    relocate(installed, neutral, prefix)
    for junk in list((installed / "lib").glob("*.la")) + list((installed / "lib").glob("*.so*")):
        junk.unlink()
    secs = time.monotonic() - start
    (installed / "build-info.txt").write_text(f"{lib['name']} {lib['version']} from {lib['source']} "
                                              f"sha256 {lib['sha256']} in {secs:.1f}s\n")
    shutil.move(logs, installed / "logs")
    (installed / ".complete").touch()
    prefix.parent.mkdir(parents=True, exist_ok=True)
    old = prefix.with_name(prefix.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if prefix.exists():  # an incomplete leftover (no .complete): replaced
        prefix.rename(old)
    installed.rename(prefix)
    shutil.rmtree(old, ignore_errors=True)
    drop_work(work)
    print(f"[clib] {lib['name']} {lib['version']} built in {secs:.1f}s: {prefix}")


def configure_file(lib: dict, src: Path, rel: str, spec: dict) -> None:
    """`rel` made from the template `spec["template"]` of the source tree,
    every @NAME@ of `spec["values"]` replaced, as configure's AC_SUBST would."""
    template, target = (src / spec.get("template", "")).resolve(), (src / rel).resolve()
    if not (target.is_relative_to(src.resolve()) and template.is_relative_to(src.resolve())):
        raise BuildError(f"{lib['path']}: configure-files {rel}: outside the source tree")
    if not template.is_file():
        raise BuildError(f"{lib['path']}: configure-files {rel}: the template {spec.get('template')} is not in {src}")
    text = template.read_text()
    for key, value in spec.get("values", {}).items():
        text = text.replace(f"@{key}@", str(value))
    left = sorted(set(re.findall(r"@([A-Za-z_][A-Za-z0-9_]*)@", text)))
    if left:
        raise BuildError(f"{lib['path']}: configure-files {rel}: {spec['template']} has @{'@, @'.join(left)}@, "
                         f"which values does not give")
    target.write_text(text)


def build_env(tools: dict, deps: list, lib: dict) -> dict:
    env = dict(tools["env"], **lib.get("env", {}))
    env["CFLAGS"] = " ".join(["-O2", *lib.get("cflags", [])] if lib["build"] == "configure" else ["-O2"])
    env["CPPFLAGS"] = " ".join(f"-I{d}/include" for d in deps)
    env["LDFLAGS"] = " ".join(f"-L{d}/lib" for d in deps)
    env["PKG_CONFIG_LIBDIR"] = ":".join(f"{d}/lib/pkgconfig" for d in deps) or str(tools["bin"] / "no-pkgconfig")
    env["PATH"] = ":".join([*(f"{d}/bin" for d in deps), env["PATH"]])
    env["AR"], env["RANLIB"] = f"{LLVM}/llvm-ar", f"{LLVM}/llvm-ranlib"
    return env


def build_sources(name, lib, src, work, installed, tools, inc, logs) -> None:
    if len(lib["libs"]) != 1:
        raise BuildError(f"{lib['path']}: build = 'sources' makes one library; libs = {lib['libs']}")
    files = sorted({f for pattern in lib.get("sources", []) for f in glob.glob(str(src / pattern))})
    if not files:
        raise BuildError(f"{name}: sources = {lib.get('sources')} match no file in {src}")
    objs = work / "obj"
    objs.mkdir()
    out = []
    for f in files:
        rel = Path(f).relative_to(src)
        obj = objs / (rel.with_suffix("").as_posix().replace("/", "_") + ".o")
        # C++ sources (a C++ runtime, an amalgamated C++ library) take the C++
        # wrapper (libc++'s headers) and `cxxflags` after `cflags`.
        cxx = rel.suffix in CXX_SUFFIXES
        compiler, flags = (tools["cxx"], [*lib.get("cflags", []), *lib.get("cxxflags", [])]) if cxx \
            else (tools["cc"], lib.get("cflags", []))
        step(name, f"compile-{obj.stem}", [compiler, "-O2", *inc, *flags, "-c", f, "-o", obj], logs, cwd=src)
        out.append(obj)
    (installed / "lib").mkdir(parents=True)
    (installed / "include").mkdir()
    step(name, "archive", [f"{LLVM}/llvm-ar", "rcs", installed / "lib" / f"lib{lib['libs'][0]}.a", *out], logs)
    for h in lib.get("headers", []):
        if not (src / h).is_file():
            raise BuildError(f"{name}: header {h} (the definition's headers) is not in {src}")
        shutil.copy2(src / h, installed / "include" / Path(h).name)
    for subdir, patterns in lib.get("header-dirs", {}).items():
        into = (installed / "include" / subdir).resolve()
        if not into.is_relative_to((installed / "include").resolve()) or into == (installed / "include").resolve():
            raise BuildError(f"{lib['path']}: header-dirs names {subdir!r}, not a directory under include/")
        into.mkdir(parents=True, exist_ok=True)
        for pattern in patterns:
            found = sorted(Path(f) for f in glob.glob(str(src / pattern)))
            bad = [f for f in found if not (f.is_file() and f.resolve().is_relative_to(src.resolve()))]
            if not found or bad:
                raise BuildError(f"{name}: header-dirs.{subdir}: {pattern} matches "
                                 f"{f'{bad[0]}, not a file of the tree' if bad else 'no file'} ({src})")
            for f in found:
                shutil.copy2(f, into / f.name)


def pc_cflags(name: str, lib: dict, env: dict) -> list:
    """The --cflags of the `cflags-from` modules, from the dependencies'
    pkg-config files only (env's PKG_CONFIG_LIBDIR, build_env)."""
    modules = lib.get("cflags-from", [])
    if not modules:
        return []
    out = run(["pkg-config", "--cflags", *modules], f"{name}: pkg-config --cflags {' '.join(modules)} "
              f"(the definition's cflags-from; the dependencies' pkg-config files: {env['PKG_CONFIG_LIBDIR']})",
              env=dict(env, PKG_CONFIG_PATH=""))
    return shlex.split(out)


def write_pc_files(name: str, lib: dict, neutral: str, installed: Path) -> None:
    """lib/pkgconfig/<module>.pc for each of `pc-files`, naming the neutral
    prefix (relocate gives it the real one)."""
    for module, spec in lib.get("pc-files", {}).items():
        path = installed / "lib" / "pkgconfig" / f"{module}.pc"
        if path.exists():
            raise BuildError(f"{lib['path']}: pc-files.{module}: the build installed {path} already")
        libs = spec.get("libs", ["-L${libdir}", *(f"-l{l}" for l in lib["libs"])])
        description = spec.get("description", f"{lib['name']} for wasm32-wasip1")
        lines = [f"prefix={neutral}", "exec_prefix=${prefix}", "libdir=${prefix}/lib", "includedir=${prefix}/include",
                 "", f"Name: {module}", f"Description: {description}", f"Version: {spec.get('version', lib['version'])}"]
        if spec.get("requires"):
            lines.append(f"Requires: {', '.join(spec['requires'])}")
        lines += [f"Libs: {' '.join(libs)}", f"Cflags: {' '.join(spec.get('cflags', ['-I${includedir}']))}"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")


def build_configure(name, lib, src, neutral, stage, env, logs) -> None:
    configure = src / "configure"
    if not configure.is_file():
        raise BuildError(f"{name}: {lib['source']} has no configure script (use build = 'sources')")
    step(name, "configure", [configure, f"--host={lib.get('host', 'wasm32-wasi')}", f"--prefix={neutral}", "--enable-static",
                             "--disable-shared", *lib.get("configure", [])], logs, cwd=src, env=env)
    make_args = lib.get("make-args", [])
    step(name, "make", ["make", f"-j{JOBS}", *make_args], logs, cwd=src, env=env)
    step(name, "make-install", ["make", "install", f"DESTDIR={stage}", *make_args], logs, cwd=src, env=env)


def relocate(installed: Path, neutral: str, prefix: Path) -> None:
    """The installed text files (pkg-config files, *-config scripts) name the
    real prefix, where the build finds them."""
    for path in list(installed.rglob("*.pc")) + [p for p in (installed / "bin").glob("*") if p.is_file()] \
            + list(installed.rglob("*Conf.sh")):
        data = path.read_bytes()
        if b"\0" in data:
            continue
        path.write_bytes(data.replace(neutral.encode(), str(prefix).encode()))


# Scripts a package's build may run to ask for a C library's flags. Outside
# the declared libraries' prefixes they answer with an error, never with the
# host's (x86_64) headers: the host's /usr/bin/xml2-config stays out of reach.
HOST_CONFIG_SCRIPTS = {"xml2-config", "xslt-config", "freetype-config", "libpng-config", "libpng16-config",
                       "curl-config", "icu-config", "pcre-config", "gpgme-config"}


def package_env(env: dict, built: list, guard: Path, wanted_by: str) -> dict:
    """The build environment of a package that declared `built` (from
    `ensure`): compiler and linker flags and pkg-config naming only those
    prefixes; their bin/ first on PATH, then `guard`, where every other
    known config script fails naming the recipe."""
    guard.mkdir(parents=True, exist_ok=True)
    declared = {s for lib, _ in built for s in lib.get("config-scripts", [])}
    known = HOST_CONFIG_SCRIPTS | {s for n in known_names() for s in load(n, "onepy").get("config-scripts", [])}
    for script in sorted(known - declared):
        path = guard / script
        path.write_text("#!/bin/sh\n" + f"echo \"error: {script} $*: {wanted_by} declares no C library that "
                        f"provides {script} (c-libraries in the recipe; recipes/clibs/ defines them), and the host's "
                        f"would give x86_64 headers\" >&2\nexit 1\n")
        path.chmod(0o755)
    inc = " ".join(f"-I{p}/include" for _, p in built)
    libdirs = " ".join(f"-L{p}/lib" for _, p in built)
    return dict(env, CFLAGS=f"{env.get('CFLAGS', '')} {inc}".strip(),
                CPPFLAGS=f"{env.get('CPPFLAGS', '')} {inc}".strip(),
                CXXFLAGS=f"{env.get('CXXFLAGS', '')} {inc}".strip(),
                LDFLAGS=f"{env.get('LDFLAGS', '')} {libdirs}".strip(),
                PKG_CONFIG_LIBDIR=":".join([*(f"{p}/lib/pkgconfig" for _, p in built), env["PKG_CONFIG_LIBDIR"]]),
                PKG_CONFIG_PATH="",
                PATH=":".join([*(f"{p}/bin" for _, p in built), str(guard), env["PATH"]]))


def link_libs(built: list) -> list:
    """The -l names of `built` that the package brings to the final link, each
    library's before its dependencies'; libpython's own (build = "libpython")
    are in that link already."""
    return [l for lib, _ in reversed(built) if lib["build"] != "libpython" for l in lib["libs"]]
