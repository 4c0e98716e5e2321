"""`make bench-sandbox`: per-call latency of a fresh python.wasm instance
through onepy_sandbox, against a `wasmtime run --allow-precompiled`
subprocess and a `/usr/bin/python3 -c` subprocess per call, in one run.
Writes benches/sandbox.md (a README generated block) and benches/sandbox.json.

Each snippet runs as is in all three; `inputs` is a global in the sandbox
and an assignment at the top of the subprocesses' code.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time

INPUTS = {"name": "onepy", "values": [1, 2.5, None, True], "nested": {"k": ["a", "b"]}}
SNIPPETS = [
    ("pass", "pass", False),
    ("print(1)", "print(1)", False),
    ("import json; json.dumps(inputs)", "import json; json.dumps(inputs)", False),
    ("import numpy; numpy.ones(1000).sum()", "import numpy; numpy.ones(1000).sum()", True),
]


def timed_runs(argv, n):
    lat = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        lat.append((time.perf_counter() - t) * 1e3)
    lat.sort()
    return {"median_ms": statistics.median(lat), "p99_ms": lat[min(len(lat) - 1, round((len(lat) - 1) * 0.99))]}


def fmt(r):
    return f"{r['median_ms']:.2f} ({r['p99_ms']:.2f})"


# The slot reset before and after the vendored wasmtime patch
# (sandbox/vendor/README.md), in one binary: WASMTIME_PAGEMAP_SCAN_ONCE=1
# stops the PAGEMAP_SCAN after its first 32 dirty regions as wasmtime 48.0.8
# does; ONEPY_SANDBOX_KEEP_RESIDENT sets linear_memory_keep_resident.
RESET_VARIANTS = [
    ("48.0.8: one scan (32 regions), keep 16 MiB", {"WASMTIME_PAGEMAP_SCAN_ONCE": "1",
                                                     "ONEPY_SANDBOX_KEEP_RESIDENT": str(16 << 20)}),
    ("patched: full scan, keep 16 MiB", {"ONEPY_SANDBOX_KEEP_RESIDENT": str(16 << 20)}),
    ("patched: full scan, keep 4 MiB", {"ONEPY_SANDBOX_KEEP_RESIDENT": str(4 << 20)}),
    ("patched: full scan, keep 1 MiB", {"ONEPY_SANDBOX_KEEP_RESIDENT": str(1 << 20)}),
]
KEEP_RESIDENT_LABEL = "4 MiB"
RESET_SNIPPETS = [s for s in SNIPPETS if s[0] in ("print(1)", "import numpy; numpy.ones(1000).sum()")]


def run_bench(args, module, code, env=None, extra=()):
    argv = [args.bench, "--module", module, "--code", code, "--inputs", json.dumps(INPUTS),
            "--calls", str(args.calls), "--threads", "2", *extra]
    p = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return json.loads(p.stdout)


def swap_state():
    """'off', or the swap space /proc/swaps lists."""
    with open("/proc/swaps") as f:
        areas = f.read().splitlines()[1:]
    return "off" if not areas else f"on ({len(areas)} area(s))"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--module", required=True)
    ap.add_argument("--numpy", required=True)
    ap.add_argument("--wasmtime", required=True)
    ap.add_argument("--bench", required=True, help="target/host/examples/bench")
    ap.add_argument("--out", required=True)
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--subprocess-calls", type=int, default=40)
    args = ap.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cwasm = {}
        for key, path in (("plain", args.module), ("numpy", args.numpy)):
            cwasm[key] = os.path.join(tmp, key + ".cwasm")
            subprocess.run([args.wasmtime, "compile", path, "-o", cwasm[key]], check=True)
        # Fill the sandbox's compile cache first, so every creation below
        # loads the compiled module from disk.
        for path in (args.module, args.numpy):
            subprocess.run([args.bench, "--module", path, "--code", "pass", "--calls", "1", "--threads", "1"],
                           check=True, capture_output=True)
        for label, code, numpy in SNIPPETS:
            module = args.numpy if numpy else args.module
            lib = run_bench(args, module, code, extra=("--dirty", "--resident", "16"))
            sub_code = f"inputs = {INPUTS!r}\n{code}"
            wt = timed_runs([args.wasmtime, "run", "--allow-precompiled",
                             cwasm["numpy" if numpy else "plain"], "-c", sub_code], args.subprocess_calls)
            py = None if numpy else timed_runs(["/usr/bin/python3", "-c", sub_code], args.subprocess_calls)
            rows.append({"snippet": label, "module": os.path.basename(module), "sandbox": lib,
                         "wasmtime_run": wt, "python3": py})
            print(label, lib, wt, py, flush=True)
        resets = []
        for label, code, numpy in RESET_SNIPPETS:
            module = args.numpy if numpy else args.module
            for variant, env in RESET_VARIANTS:
                r = run_bench(args, module, code, env=env, extra=("--resident", "16"))
                resets.append({"snippet": label, "module": os.path.basename(module), "reset": variant, "sandbox": r})
                print(label, variant, r, flush=True)

    lines = [
        "| per call, ms: median (p99) | onepy_sandbox (fresh instance) | `wasmtime run --allow-precompiled` | `/usr/bin/python3 -c` | wasmtime run / sandbox | calls/s, 2 threads | page faults per call | dirtied per call | resident per concurrent call |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        s = r["sandbox"]
        lines.append(
            f"| `{r['snippet']}` ({r['module']}) | {fmt(s)} | {fmt(r['wasmtime_run'])} | "
            f"{fmt(r['python3']) if r['python3'] else 'n/a (no numpy)'} | "
            f"{r['wasmtime_run']['median_ms'] / s['median_ms']:.1f}x | {s['calls_per_sec']:.0f} | "
            f"{s['faults_mean']:.0f} | "
            f"{s['dirty_bytes'] / 1024:.0f} KiB | {s['resident_bytes_per_call'] / 2**20:.1f} MiB |")
    create = ", ".join(f"{r['module']} {r['sandbox']['create_ms']:.0f} ms" for r in rows[::3])
    lines += [
        "",
        f"Sandbox creation (compiled module from the disk cache): {create}. "
        f"{args.calls} sequential calls per snippet after 20 warm-up calls, then {args.calls} calls on each of 2 threads; "
        f"subprocesses: {args.subprocess_calls} runs each. Dirtied: private pages of the instance's linear memory "
        f"after a call in a clean slot (/proc/self/pagemap). Resident: growth of the host process's RSS while "
        f"16 calls sleep at once, divided by 16 (includes the image pages they map from the page cache). "
        f"Page faults: the calling thread's minor faults during a call, instance reset included (mean).",
        "",
        "| slot reset after a call | snippet | median (p99), ms | calls/s, 2 threads | page faults per call | resident per concurrent call |",
        "|---|---|---|---|---|---|",
    ]
    for r in resets:
        s = r["sandbox"]
        lines.append(f"| {r['reset']} | `{r['snippet']}` ({r['module']}) | {fmt(s)} | {s['calls_per_sec']:.0f} | "
                     f"{s['faults_mean']:.0f} | {s['resident_bytes_per_call'] / 2**20:.1f} MiB |")
    lines += [
        "",
        f"The same binary and settings as above; `48.0.8` stops the PAGEMAP_SCAN reset after 32 dirty regions and "
        f"releases the rest (WASMTIME_PAGEMAP_SCAN_ONCE=1), `patched` resumes it (sandbox/vendor); keep: "
        f"linear_memory_keep_resident, the most a reset restores in place (the sandbox uses "
        f"{KEEP_RESIDENT_LABEL}). Machine: {os.cpu_count()} cores ({platform.machine()}), Linux {platform.release()}, "
        f"swap {swap_state()}, load average {os.getloadavg()[0]:.1f} when it ended.",
    ]
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
        json.dump({"calls": rows, "resets": resets}, f, indent=1)


if __name__ == "__main__":
    main()
