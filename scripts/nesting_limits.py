"""Measure how deeply nested source python.wasm compiles, and what deeper
source gives: a clean error (SyntaxError, MemoryError, RecursionError; exit 1)
or a wasm trap (the native stack wasmtime gives wasm code is exhausted).

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

    def outcome(self, expr: str, n: int) -> str:
        """'ok', 'SyntaxError' / 'MemoryError' / 'RecursionError' (clean), or 'trap ...'."""
        cmd = [self.wasmtime, "run", "--allow-precompiled"]
        if self.stdlib:
            cmd += ["--dir", f"{self.stdlib}::/lib", "--env", "PYTHONPATH=/lib"]
        cmd += [str(self.cwasm), "-c", PROBE.format(expr=expr), str(n)]
        result = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
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
    text = "\n".join(rows) + "\n"
    if args.out:
        args.out.write_text(text)
    print(text)
    print(f"{traps} trap(s)")


if __name__ == "__main__":
    main()
