"""Measure how deeply nested source python.wasm compiles, and what deeper
source gives: a clean error (SyntaxError, MemoryError, RecursionError; exit 1)
or a wasm trap (the native stack wasmtime gives wasm code is exhausted);
and, for deep C recursion (repr, pickle, json, the compiler, C slots), how
much of wasmtime's native stack each case needs before CPython's stack check
raises RecursionError (the WASI C stack budget in patches/cpython is sized
from this table).

    python3 scripts/nesting_limits.py MODULE.wasm [--wasmtime PATH] [--dir LIB]
        [--out FILE.md]

Each construct is built inside the guest from its nesting depth N and passed
to `compile()` under default `wasmtime run` settings (512 KiB of native stack
for wasm code). For each one the deepest N that compiles is found by binary
search; then N+1, 2N and 100000 are classified. `--dir LIB` maps a stdlib
for modules that need one (CPython's stock WASI build).
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

CONSTRUCTS_FILE = Path(__file__).resolve().parent.parent / "tests" / "deep-source.txt"


def constructs() -> dict:
    """name -> the code after `src = ` that builds the source from N."""
    out = {}
    for line in CONSTRUCTS_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, code = line.split("\t", 1)
            out[name] = code
    return out


PROBE = (
    "import sys\n"
    "N = int(sys.argv[1])\n"
    "src = {expr}\n"
    "compile(src, '<nested>', 'exec')\n"
    "print('compiled')\n"
)


class Runner:
    def __init__(self, wasmtime: str, module: Path, stdlib):
        self.wasmtime, self.stdlib = wasmtime, stdlib
        self.tmp = tempfile.TemporaryDirectory()
        self.cwasm = Path(self.tmp.name) / "module.cwasm"
        subprocess.run([wasmtime, "compile", str(module), "-o", str(self.cwasm)], check=True)

    def run(self, program: str, *args: str, stack_kib: int = 0) -> subprocess.CompletedProcess:
        cmd = [self.wasmtime, "run", "--allow-precompiled"]
        if stack_kib:
            cmd += ["-W", f"max-wasm-stack={stack_kib * 1024}"]
        if self.stdlib:
            cmd += ["--dir", f"{self.stdlib}::/lib", "--env", "PYTHONPATH=/lib"]
        cmd += [str(self.cwasm), "-c", program, *args]
        return subprocess.run(cmd, capture_output=True, text=True, errors="replace")

    def outcome(self, expr: str, n: int) -> str:
        """'ok', 'SyntaxError' / 'MemoryError' / 'RecursionError' (clean), or 'trap ...'."""
        result = self.run(PROBE.format(expr=expr), str(n))
        if result.returncode == 0 and result.stdout.strip() == "compiled":
            return "ok"
        last = (result.stderr.strip().splitlines() or [""])[-1]
        name = last.split(":", 1)[0]
        if result.returncode == 1 and name in ("SyntaxError", "MemoryError", "RecursionError", "IndentationError"):
            return name
        return f"trap (exit {result.returncode})" if "wasm trap" in result.stderr or result.returncode > 128 \
            else f"other (exit {result.returncode}: {last[:60]})"


def deepest_ok(runner: Runner, expr: str, limit: int = 200_000) -> int:
    low, high = 0, 1
    while high <= limit and runner.outcome(expr, high) == "ok":
        low, high = high, high * 2
    high = min(high, limit + 1)
    while high - low > 1:
        mid = (low + high) // 2
        if runner.outcome(expr, mid) == "ok":
            low = mid
        else:
            high = mid
    return low


# Deep C recursion: each program prints "RecursionError" when CPython's C
# stack check stops it (the same cases as host/tests/bad_input.rs).
NESTED = "l = []\nfor _ in range(100000):\n    l = [l]\n"
C_RECURSION = {
    "repr of a nested list": NESTED + "repr(l)",
    "pickle.dumps of a nested list": "import pickle\n" + NESTED + "pickle.dumps(l)",
    "json.loads `[[[...`": "import json\njson.loads('[' * 100000)",
    "json.dumps of a nested list": "import json\n" + NESTED + "json.dumps(l)",
    "copy.deepcopy of a nested list": "import copy\n" + NESTED + "copy.deepcopy(l)",
    "compile `1+1+...` (100000)": "compile('+'.join(['1'] * 100000), '<s>', 'eval')",
    "`__repr__` = object.__str__": "class R: __repr__ = object.__str__\nrepr(R())",
    "`__getattr__` calling getattr": "class A:\n def __getattr__(s, n): return getattr(s, n)\nA().x",
    "`__init__` constructing": "class I:\n def __init__(s, n): I(n + 1)\nI(0)",
    "`__eq__` comparing lists": "class E:\n def __eq__(s, o): return [s] == [o]\nE() == E()",
    "`sorted(key=...)` recursing": "def k(x): return sorted([x], key=k)\nk(0)",
}


def c_recursion_outcome(runner: Runner, program: str, stack_kib: int) -> str:
    wrapped = "try:\n" + "".join(f"    {line}\n" for line in program.splitlines()) + \
        "except RecursionError:\n    print('RecursionError')\n"
    result = runner.run(wrapped, stack_kib=stack_kib)
    if result.returncode == 0 and result.stdout.strip() == "RecursionError":
        return "RecursionError"
    return "trap" if "wasm trap" in result.stderr or result.returncode > 128 else f"exit {result.returncode}"


def native_stack_needed(runner: Runner, program: str, low: int = 16, high: int = 4096) -> int:
    """The smallest max-wasm-stack (KiB, to 8 KiB) under which the case ends in RecursionError."""
    if c_recursion_outcome(runner, program, high) != "RecursionError":
        return -1
    while high - low > 8:
        mid = (low + high) // 2
        if c_recursion_outcome(runner, program, mid) == "RecursionError":
            high = mid
        else:
            low = mid
    return high


def c_recursion_table(runner: Runner) -> tuple:
    rows = ["| C recursion case | native stack needed (KiB) | under the default 512 KiB |", "|---|---:|---|"]
    worst = 0
    for name, program in C_RECURSION.items():
        kib = native_stack_needed(runner, program)
        worst = max(worst, kib if kib > 0 else 10**9)
        rows.append(f"| {name} | {kib if kib > 0 else 'no RecursionError'} | {c_recursion_outcome(runner, program, 0)} |")
        print(rows[-1], file=sys.stderr)
    return rows, worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", type=Path)
    parser.add_argument("--wasmtime", default="wasmtime")
    parser.add_argument("--dir", dest="stdlib", help="a stdlib to map at /lib (stock build)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    runner = Runner(args.wasmtime, args.module, args.stdlib)
    rows = ["| construct | deepest N that compiles | N+1 | 2N | 100000 |", "|---|---:|---|---|---|"]
    traps = 0
    for name, expr in constructs().items():
        n = deepest_ok(runner, expr)
        beyond = [runner.outcome(expr, m) for m in (n + 1, 2 * n + 2, 100_000)]
        traps += sum(b.startswith("trap") for b in beyond)
        rows.append(f"| {name} | {n} | " + " | ".join(beyond) + " |")
        print(rows[-1], file=sys.stderr)
    c_rows, worst = c_recursion_table(runner)
    traps += sum("| trap |" in r for r in c_rows)
    text = "\n".join(rows) + "\n\n" + "\n".join(c_rows) + "\n\n" + (
        f"The deepest C recursion needs {worst} KiB of wasmtime's 512 KiB default ({100 * worst // 512}%).\n"
        if worst < 10**9 else "A C recursion case ended without RecursionError (see the table).\n")
    if args.out:
        args.out.write_text(text)
    print(text)
    print(f"{traps} trap(s)")


if __name__ == "__main__":
    main()
