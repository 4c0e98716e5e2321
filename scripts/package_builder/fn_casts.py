"""Function-pointer casts in a package's C sources that can trap python.wasm:
a step of every C/C++ package build (build.py fails on a cast found), and
the command scripts/fn_cast_audit.py WORK_DIR... for a finished build.

x86_64 tolerates calling a function through a pointer of another type (an
extra argument is ignored); wasm's call_indirect checks the signature and traps
the whole module ("indirect call type mismatch"). The usual cause in a C
extension is a method or getter declared with fewer parameters than CPython
calls it with, e.g. a METH_NOARGS method `f(PyObject *self)` (called as
f(self, NULL)) or a getter `g(PyObject *self)` (called as g(self, closure)).

This re-runs every C compile of a finished package build (the commands in its
setuptools log, or meson's compile_commands.json) with -fsyntax-only and
clang's -Wcast-function-type-mismatch (argument count or kind differs; pointer
types alone do not count), and prints the casts found, leaving out CPython's
documented method conventions (a PyCFunctionWithKeywords, _PyCFunctionFast,
_PyCFunctionFastWithKeywords or PyCMethod cast to PyCFunction, called back
with its own type under METH_KEYWORDS/METH_FASTCALL/METH_METHOD). A cast
through `(void (*)(void))` silences clang, so the package's own sources and
headers are read through a clang VFS overlay with that cast taken out where a
function's name follows it (`(PyCFunction)(void (*)(void))f`). Exit status 1
when any cast is left, 2 when some build's commands cannot be found or replayed
(the casts found are printed either way).
"""

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .common import BuildError

WRAPPERS = ("/bin/wasm-cc", "/bin/wasm-c++")
FLAGS = ["-fsyntax-only", "-Wno-everything", "-Wcast-function-type-mismatch"]
WARNING = re.compile(r"^(?P<where>[^:\s]+:\d+):\d+: warning: cast from '(?P<src>[^']*)'.*? to '(?P<dst>[^']*)'"
                     r".*\[-Wcast-function-type-mismatch\]")
# What a PyCFunction is cast back to before it is called, by its METH_* flags.
CALLBACK_TYPES = {"PyCFunctionWithKeywords", "PyCFunctionFast", "PyCFunctionFastWithKeywords", "_PyCFunctionFast",
                  "_PyCFunctionFastWithKeywords", "PyCMethod"}
# `(void (*)(void))` directly before a name: the cast that hides a function's type from the warning.
VOID_CAST = re.compile(r"\(\s*void\s*\(\s*\*\s*\)\s*\(\s*void\s*\)\s*\)\s*(?=[A-Za-z_])")
SOURCES = (".c", ".h", ".cc", ".cpp", ".cxx", ".hh", ".hpp")
# Parameter lists (after self) of the method kinds CPython calls back with
# their own type: METH_VARARGS|METH_KEYWORDS, METH_FASTCALL(|METH_KEYWORDS), METH_METHOD.
METHOD_CONVENTIONS = [
    ["PyObject *", "PyObject *"],
    ["PyObject *const *", "Py_ssize_t"],
    ["PyObject *const *", "Py_ssize_t", "PyObject *"],
    ["PyTypeObject *", "PyObject *const *", "size_t", "PyObject *"],
]


def params(fn_type: str) -> list:
    """'PyObject *(*)(Foo *, PyObject *const *, Py_ssize_t)' -> ['Foo *', 'PyObject *const *', 'Py_ssize_t']."""
    inner = fn_type[fn_type.rfind("(") + 1:fn_type.rfind(")")]
    return [p.strip() for p in inner.split(",") if p.strip()]


def is_method_convention(src: str, dst: str) -> bool:
    """A method stored as a PyCFunction, or a PyCFunction cast back to its own type to be called."""
    if src == "PyCFunction":
        return dst in CALLBACK_TYPES
    return dst == "PyCFunction" and src.startswith("PyObject *") and params(src)[1:] in METHOD_CONVENTIONS


def compiler_base(wrapper: Path) -> list:
    """The compiler and base arguments of a build's wrapper (bin/wasm-cc: exec PY wasm_cc.py CC ARGS "$@")."""
    line = next(ln for ln in wrapper.read_text().splitlines() if ln.startswith("exec "))
    words = shlex.split(line)[1:]
    return words[2:words.index("$@")] if "$@" in words else words[2:]


def without_output(args: list) -> list:
    """The arguments without the object and dependency files they would write, nor warning options."""
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a in ("-o", "-MF", "-MQ", "-MT"):
            skip = True
        elif a not in ("-c", "-MD", "-MMD") and not a.startswith("-W"):
            out.append(a)
    return out


def compiles(work: Path) -> list:
    """(directory, wrapper, arguments after it) of every C/C++ compile of the build."""
    out = []
    for db in work.glob("*/compile_commands.json"):
        for c in json.loads(db.read_text()):
            words = shlex.split(c["command"]) if "command" in c else c["arguments"]
            if words[0].endswith(WRAPPERS):  # not meson's other steps (e.g. cython)
                out.append((Path(c["directory"]), words[0], words[1:]))
    for log in (work / "logs").glob("build-wheel-*.log"):
        for line in log.read_text(errors="replace").splitlines():
            words = shlex.split(line) if "/bin/wasm-c" in line and " -c " in line else []
            if words and words[0].endswith(WRAPPERS):
                source = next((w for w in words if w.endswith((".c", ".cc", ".cpp", ".cxx"))), None)
                top = next((d for d in sorted((work / "src").glob("*")) if source and (d / source).is_file()), None)
                if top is None:
                    raise BuildError(f"{log}: cannot find where {source} was compiled (src/*/)")
                out.append((top, words[0], words[1:]))
    return out


def by_place(finding: str) -> tuple:
    """'FILE:LINE: ...' -> (FILE, LINE as a number): line 9 before line 15."""
    path, line, _ = finding.split(":", 2)
    return path, int(line)


def void_cast_overlay(work: Path, scratch: Path) -> list:
    """Clang arguments for a VFS overlay in which the package's unpacked sources
    (src/) have no VOID_CAST; none when no file has one."""
    roots = []
    for path in sorted((work / "src").rglob("*")):
        if path.suffix in SOURCES and path.is_file():
            text = path.read_text(errors="surrogateescape")
            stripped = VOID_CAST.sub("", text)
            if stripped != text:
                copy = scratch / f"{len(roots)}{path.suffix}"
                copy.write_text(stripped, errors="surrogateescape")
                roots.append({"type": "file", "name": str(path.resolve()), "external-contents": str(copy)})
    if not roots:
        return []
    overlay = scratch / "overlay.json"  # JSON is the YAML clang reads
    overlay.write_text(json.dumps({"version": 0, "use-external-names": False, "roots": roots}))
    return ["-ivfsoverlay", str(overlay)]


def audit(work: Path) -> tuple:
    """(casts found, problems: why some or all compiles could not be replayed)."""
    if not (work / "bin/wasm-cc").is_file():
        return [], [f"{work}: no bin/wasm-cc (not a package build directory of scripts/package_builder)"]
    commands = compiles(work)
    if not commands:
        return [], [f"{work}: no compile commands found (setuptools log or compile_commands.json)"]
    found, problems = [], []
    scratch = tempfile.TemporaryDirectory(prefix="fn-cast-audit-")
    overlay = void_cast_overlay(work, Path(scratch.name))

    def replay(command):
        directory, wrapper, args = command
        cxx = wrapper.endswith("wasm-c++")
        base = compiler_base(work / "bin" / ("wasm-c++" if cxx else "wasm-cc"))
        cmd = [*base, *without_output(args), *FLAGS, *overlay]
        return directory, cmd, subprocess.run(cmd, cwd=directory, capture_output=True, text=True)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        results = list(pool.map(replay, commands))
    for directory, cmd, result in results:
        if result.returncode != 0:
            problems.append(f"replaying a compile failed in {directory}\ncommand: {shlex.join(cmd)}\n"
                            f"{result.stderr[-1500:]}")
        for line in result.stderr.splitlines():
            m = WARNING.match(line)
            if m and not is_method_convention(m["src"], m["dst"]):
                found.append(f"{directory / m['where']}: {m['src']} -> {m['dst']}")
    scratch.cleanup()
    found = sorted(set(found), key=by_place)
    print(f"[fn-cast-audit] {work.name}: {len(commands)} compiles ({len(problems)} not replayed), "
          f"{len(found)} casts of another arity or kind")
    return found, problems


def main() -> None:
    """fn_cast_audit.py WORK_DIR...  (~/.cache/onepy/work/pkg-NAME-VERSION-KEY): the casts of
    each finished build; exit status 1 when any is found, 2 when some build cannot be replayed."""
    if len(sys.argv) < 2:
        raise SystemExit(main.__doc__)
    found, problems = [], []
    for work in sys.argv[1:]:
        try:
            f, p = audit(Path(work))
        except BuildError as err:
            f, p = [], [str(err)]
        found += f
        problems += p
    for f in found:
        print(f"  {f}")
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    sys.exit(2 if problems else 1 if found else 0)
