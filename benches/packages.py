"""The all-in-one module: build/packages.wasm (the whole verified set of
compiled packages, `make test-packages`) against python.wasm and native
CPython with the native wheels of the same pins, in one run.

    python3 benches/packages.py --wasmtime WT --python NATIVE_PYTHON --native-dir DIR \
        --module build/packages.wasm --base python.wasm --cache DIR

Both modules are precompiled (`wasmtime compile`, timed) and run from their
.cwasm. Whole-process wall time, hyperfine rounds interleaving the subjects
(benches/bench.py's method); ratio = time / the native run of the same
workload in this run. Writes benches/packages.md and benches/packages.json.
"""

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import ROUNDS, RUNS_PER_ROUND, check_runs, fmt_ms, hyperfine, machine, peak_rss_kb  # noqa: E402

OUT = Path(__file__).resolve().parent
NATIVE = "CPython native (clang-19 -O3, PGO: scripts/native-python.sh) + native wheels"
WORKLOADS = {"-c pass": ["-c", "pass"], "-c 'import pandas'": ["-c", "import pandas"],
             "-c 'import pydantic, yaml, jsonschema, pandas'": ["-c", "import pydantic, yaml, jsonschema, pandas"]}


def precompile(wasmtime: str, module: Path, cache: Path) -> tuple:
    """(.cwasm path, seconds `wasmtime compile` took; 0 when cached)."""
    digest = hashlib.sha256(module.read_bytes()).hexdigest()[:16]
    cwasm = cache / f"{digest}.cwasm"
    if cwasm.is_file():
        return cwasm, 0.0
    cache.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    subprocess.run([wasmtime, "compile", "-o", f"{cwasm}.tmp", str(module)], check=True)
    Path(f"{cwasm}.tmp").rename(cwasm)
    return cwasm, time.monotonic() - start


def main() -> None:
    p = argparse.ArgumentParser()
    for arg in ("--wasmtime", "--python", "--native-dir", "--module", "--base", "--cache"):
        p.add_argument(arg, required=True)
    args = p.parse_args()
    module, base = Path(args.module), Path(args.base)
    for path in (module, base):
        if not path.is_file():
            raise SystemExit(f"error: {path} does not exist (make test-packages builds build/packages.wasm)")
    mod_cwasm, mod_secs = precompile(args.wasmtime, module, Path(args.cache))
    base_cwasm, base_secs = precompile(args.wasmtime, base, Path(args.cache))
    run = [args.wasmtime, "run", "--allow-precompiled"]
    subjects = {
        NATIVE: ["env", f"PYTHONPATH={args.native_dir}", args.python],
        f"{module.name} (.cwasm)": run + [str(mod_cwasm)],
        f"{base.name} (.cwasm)": run + [str(base_cwasm)],
    }
    # python.wasm has none of the packages: it runs `-c pass` only.
    plan = {w: [s for s in subjects if w == "-c pass" or s != f"{base.name} (.cwasm)"] for w in WORKLOADS}
    for w, names in plan.items():
        for s in names:
            check_runs(f"{s} / {w}", subjects[s] + WORKLOADS[w])
    times = {(s, w): [] for w, names in plan.items() for s in names}
    with tempfile.TemporaryDirectory() as tmp:
        for rnd in range(ROUNDS):
            for w, names in plan.items():
                order = names if rnd % 2 == 0 else list(reversed(names))
                result = hyperfine({f"{s} | {w}": subjects[s] + WORKLOADS[w] for s in order}, Path(tmp) / "r.json")
                for s in order:
                    times[(s, w)] += result[f"{s} | {w}"]
            print(f"[bench-packages] round {rnd + 1}/{ROUNDS} done", flush=True)
    medians = {k: statistics.median(v) for k, v in times.items()}
    heavy = list(WORKLOADS)[-1]
    rss = {s: peak_rss_kb(subjects[s] + WORKLOADS[heavy if s != f"{base.name} (.cwasm)" else "-c pass"])
           for s in subjects}
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    version = subprocess.run(run + [str(mod_cwasm), "-V"], capture_output=True, text=True).stdout.strip()
    lines = [f"Measured {stamp} on {machine()} ({version}).",
             f"Whole-process wall time, median of {ROUNDS} interleaved rounds x {RUNS_PER_ROUND} runs "
             f"(hyperfine -N); ratio = time / `{NATIVE}` for the same workload in this run.", "",
             "| subject | " + " | ".join(f"`{w}`" for w in WORKLOADS) + " | peak RSS |",
             "|---|" + "---:|" * (len(WORKLOADS) + 1)]
    for s in subjects:
        cells = [f"{fmt_ms(medians[(s, w)])} ({medians[(s, w)] / medians[(NATIVE, w)]:.2f}x)" if (s, w) in medians
                 else "n/a" for w in WORKLOADS]
        what = heavy if s != f"{base.name} (.cwasm)" else "-c pass"
        lines.append(f"| {s} | " + " | ".join(cells) + f" | {rss[s] / 1024:.1f} MB (`{what}`) |")
    lines += ["", "| module | size | `wasmtime compile` |", "|---|---:|---:|"]
    for path, secs in ((module, mod_secs), (base, base_secs)):
        took = f"{secs:.1f} s" if secs else "(cached)"
        lines.append(f"| {path.name} | {path.stat().st_size / 1e6:.1f} MB | {took} |")
    table = "\n".join(lines) + "\n"
    (OUT / "packages.md").write_text(table)
    (OUT / "packages.json").write_text(json.dumps(
        {"date": stamp, "machine": machine(), "version": version,
         "medians_ms": {f"{s} | {w}": v * 1000 for (s, w), v in medians.items()}, "peak_rss_kb": rss,
         "sizes": {module.name: module.stat().st_size, base.name: base.stat().st_size}}, indent=2) + "\n")
    print(table)


if __name__ == "__main__":
    main()
