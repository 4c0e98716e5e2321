"""Compiler wrapper for package builds (scripts/package_builder):

    wasm_cc.py COMPILER [BASE ARGS...] ARGS...

Compiles as COMPILER would (response files inlined: see expand; without
-flto and -pthread: see without_lto, without_threads), but refuses an include directory of the host
(/usr/include, /usr/local/include: x86_64 headers, e.g. from the host's
xml2-config) with an error naming it. A `-shared` link (an extension module) becomes a
static archive of its objects instead, so the module can be linked into
python.wasm later. Every such link is recorded as one JSON line in the file
$ONEPY_LINK_LOG: the output, its sha256 (the builder finds the module again
after the backend copied it into a wheel), the static libraries, `-l` names
and `-L` directories it was given, and whether it was a C++ link.
"""

import hashlib
import json
import os
import shlex
import subprocess
import sys

LLVM_AR = os.environ.get("ONEPY_LLVM_AR", "llvm-ar-19")


def expand(args):
    """Inline @response files: meson writes a command line over its
    threshold into one (scipy's longest links), and a `-shared` or a host
    include directory inside it must be seen like one given directly."""
    out = []
    for a in args:
        if a.startswith("@") and os.path.isfile(a[1:]):
            with open(a[1:]) as f:
                out += expand(shlex.split(f.read()))
        else:
            out.append(a)
    return out


def library_args(args):
    """(-l names, -L directories) in the order given."""
    names, dirs, i = [], [], 0
    while i < len(args):
        a = args[i]
        for flag, into in (("-l", names), ("-L", dirs)):
            if a == flag and i + 1 < len(args):
                into.append(args[i + 1])
                i += 1
            elif a.startswith(flag) and len(a) > 2:
                into.append(a[2:])
        i += 1
    return names, [os.path.abspath(d) for d in dirs]


PREFIX_MAPS = ("-ffile-prefix-map=", "-fmacro-prefix-map=", "-fdebug-prefix-map=")


def renamed(args):
    """A build's own prefix map (propcache's backend maps its temporary copy
    back to the source directory) must not bring a build path back: its
    target is renamed as ours ($ONEPY_PATH_MAP: JSON {host path: name})."""
    path_map = json.loads(os.environ.get("ONEPY_PATH_MAP", "{}"))
    out = []
    for a in args:
        flag = next((f for f in PREFIX_MAPS if a.startswith(f)), None)
        if flag and "=" in a[len(flag):]:
            old, new = a[len(flag):].split("=", 1)
            for host, name in path_map.items():
                if new == host or new.startswith(host + "/"):
                    new = name + new[len(host):]
            a = f"{flag}{old}={new}"
        out.append(a)
    return out


HOST_INCLUDE = ("/usr/include", "/usr/local/include")
INCLUDE_FLAGS = ("-I", "-isystem", "-idirafter", "-iquote")


def host_includes(args):
    """The include directories in `args` that are the host's."""
    found, i = [], 0
    while i < len(args):
        a = args[i]
        for flag in INCLUDE_FLAGS:
            if a == flag and i + 1 < len(args):
                path = args[i + 1]
            elif a.startswith(flag) and len(a) > len(flag):
                path = a[len(flag):]
            else:
                continue
            norm = os.path.normpath(path)
            if any(norm == h or norm.startswith(h + "/") for h in HOST_INCLUDE):
                found.append(path)
            break
        i += 1
    return found


def without_lto(args):
    """Objects are compiled to wasm here, never to LTO bitcode (matplotlib's
    meson build asks for -flto): the extension's objects are merged later by
    `wasm-ld -r`, whose LTO code generation would not see the compile's
    code-generation options (the exception model, -wasm-enable-sjlj), and
    its C++ exceptions would go uncaught."""
    return [a for a in args if a != "-flto" and not a.startswith(("-flto=", "-ffat-lto-objects"))]


def without_threads(args):
    """No extension module runs threads (python.wasm has one thread):
    -pthread, which meson adds for dependency('threads') (scipy, HiGHS),
    would compile with atomics and thread-local storage that the merge's
    `wasm-ld -r` and the final link refuse. The package's code is the same
    without it; libc++'s std::thread then fails to start one, at run time."""
    return [a for a in args if a not in ("-pthread", "-pthreads")]


def main():
    compiler, args = sys.argv[1], without_threads(without_lto(renamed(expand(sys.argv[2:]))))
    leaked = host_includes(args)
    if leaked:
        sys.exit(f"wasm_cc: refusing the host's include directory {', '.join(leaked)} in a wasm32-wasip1 build "
                 f"(x86_64 headers: the build asked the host for a C library; declare it in the recipe's "
                 f"c-libraries, recipes/clibs/). Command: {shlex.join([compiler, *args])}")
    if "-shared" not in args or "-c" in args:  # meson's sanity checks pass -shared with -c
        os.execvp(compiler, [compiler, *args])
    output = args[args.index("-o") + 1]
    objects = [a for a in args if a.endswith((".o", ".obj")) and not a.startswith("-")]
    archives = [os.path.abspath(a) for a in args if a.endswith(".a") and not a.startswith("-")]
    names, dirs = library_args(args)
    if os.path.exists(output):
        os.unlink(output)
    if not objects:
        sys.exit(f"wasm_cc: the -shared link of {output} has no object files: {shlex.join(args)}")
    subprocess.run([LLVM_AR, "rcs", output, *objects], check=True)
    with open(output + ".deps", "w") as f:
        f.write("\n".join(archives) + "\n")
    log = os.environ.get("ONEPY_LINK_LOG")
    if log:
        with open(output, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        record = {"output": os.path.abspath(output), "sha256": digest, "archives": archives,
                  "libs": names, "libdirs": dirs, "cxx": "++" in os.path.basename(compiler)}
        with open(log, "a") as f:
            f.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
