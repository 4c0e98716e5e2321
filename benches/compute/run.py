"""`make bench-compute`: pyperformance's benchmarks in python.wasm and natively.

Every benchmark runs in-process (harness.py) under each runtime, one process
per (benchmark, runtime), interleaved: for each benchmark, every runtime in
turn, for --rounds rounds, keeping each runtime's best. Writes
benches/compute/results.md (table of ratios + geometric means) and
results.json. Runtimes: Debian's python3, the native CPython build-python
(the pinned version) from the libpython cache, python.wasm (and any --wasm NAME=FILE,
e.g. an earlier build), and CPython's stock WASI build with its stdlib mapped.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from pyversion import MM, STDLIB_DIR, VERSION  # noqa: E402  (the one version pin)
HERE = Path(__file__).resolve().parent
SDIST = "pyperformance-1.14.0"


def cache_root():
    base = os.environ.get("ONEPY_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "onepy")
    return Path(base)


def benchmarks_dir():
    """The sdist (pinned, sha256-checked by pip) unpacked once into the cache."""
    dest = cache_root() / "bench-compute" / SDIST
    if not (dest / ".done").exists():
        dl = dest.parent / "download"
        dl.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
               "--require-hashes", "-r", str(HERE / "requirements.txt"), "-d", str(dl)]
        subprocess.run(cmd, check=True)
        with tarfile.open(dl / f"{SDIST}.tar.gz") as tar:
            tar.extractall(dest.parent, filter="data")
        (dest / ".done").touch()
    return dest / "pyperformance" / "data-files" / "benchmarks"


def compile_wasm(wasmtime, module, flags, scratch):
    out = scratch / (Path(module).stem + f"-{abs(hash((str(module), tuple(flags)))):x}.cwasm")
    subprocess.run([wasmtime, "compile", *flags, "-o", str(out), str(module)], check=True)
    return out


def benchmark_list(benches):
    """[(name, [extra_opts])] for each benchmark directory: its default
    variant as pyproject.toml declares it, and the other variants (the
    bm_*.toml files, e.g. async_tree's 14) by name, which are not run."""
    import tomllib
    runs, variants = [], []
    for d in sorted(benches.glob("bm_*")):
        if not (d / "run_benchmark.py").exists():
            continue
        meta = tomllib.loads((d / "pyproject.toml").read_text()).get("tool", {}).get("pyperformance", {})
        runs.append((d.name[3:], [str(o) for o in meta.get("extra_opts", [])]))
        variants += sorted(t.stem[3:] for t in d.glob("bm_*.toml"))
    return runs, variants


def run_one(cmd, name, env=None, extra_opts=()):
    """Returns ({sub-benchmark: seconds}, error or None)."""
    try:
        cmd = cmd + [name] + [a for o in extra_opts for a in ("--extra-opt", o)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    except subprocess.TimeoutExpired:
        return {}, "timed out after 600 s"
    times, error = {}, None
    for line in p.stdout.splitlines():
        if line.startswith("ONEPY-BENCH-ERROR "):
            error = line.split(" ", 1)[1]
        elif line.startswith("ONEPY-BENCH "):
            _, sub, secs = line.split()
            times[sub] = float(secs)
    if error is None and (p.returncode != 0 or not times):
        tail = (p.stderr.strip().splitlines() or ["no output"])[-1]
        error = f"exit {p.returncode}: {tail}"
    return times, error


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wasm", action="append", default=[], help="NAME=FILE: another module to time (no preopens needed)")
    ap.add_argument("--stdlib-wasm", action="append", default=[],
                    help="NAME=FILE: a CPython-built python.wasm (no embedded stdlib) to time with the stdlib mapped")
    ap.add_argument("--guest-env", action="append", default=[],
                    help="NAME:KEY=VALUE: an environment variable for the wasm runtime NAME (e.g. PYTHONMALLOC)")
    ap.add_argument("--no-default-wasm", action="store_true", help="time only the --wasm/--stdlib-wasm modules")
    ap.add_argument("--only", help="comma-separated benchmark names (default: all)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--min-time", default="0.1")
    ap.add_argument("--repeat", default="3", help="timed repeats per benchmark run (best kept)")
    ap.add_argument("--no-build-python", action="store_true",
                    help="leave out the native build-python (built with -O1 for build speed)")
    ap.add_argument("--native-opt", default=os.environ.get("ONEPY_NATIVE_PYTHON"),
                    help="a native CPython of the same sources, clang-19 flags and PGO profile "
                         "(scripts/native-python.sh; make bench-compute sets it)")
    ap.add_argument("--out", default=str(HERE / "results"))
    args = ap.parse_args()

    wasmtime = os.environ["ONEPY_WASMTIME"]
    libpython = Path(os.environ["ONEPY_LIBPYTHON_DIR"])
    benches = benchmarks_dir()
    runs, variants = benchmark_list(benches)
    if args.only:
        runs = [r for r in runs if r[0] in args.only.split(",")]
        variants = []
    extra = dict(runs)
    names = [n for n, _ in runs]

    scratch = Path(tempfile.mkdtemp(prefix="onepy-bench-compute-"))
    (scratch / "tmp").mkdir()
    harness_args = ["--min-time", args.min_time, "--repeat", args.repeat]
    guest = ["--dir", f"{benches}::/bench", "--dir", f"{HERE}::/harness", "--dir", f"{scratch / 'tmp'}::/tmp",
             "--env", "TMPDIR=/tmp"]
    runtimes = {
        "python3": ["/usr/bin/python3", str(HERE / "harness.py"), str(benches)] + harness_args,
    }
    if not args.no_build_python:
        runtimes[f"native-{VERSION} (-O1)"] = [str(libpython / f"native/bin/python{MM}"), str(HERE / "harness.py"),
                                           str(benches)] + harness_args
    if args.native_opt:
        runtimes[f"native-{VERSION} (clang-19 -O3 PGO)"] = [args.native_opt, str(HERE / "harness.py"),
                                                          str(benches)] + harness_args
    stock_flags = ["-W", "max-wasm-stack=8388608"]
    stdlib_dir = ["--dir", f"{libpython / 'stdlib'}::{STDLIB_DIR}"]
    wasm = [] if args.no_default_wasm else [("python.wasm", str(ROOT / "python.wasm"), [], [])]
    for spec in args.wasm:
        n, f = spec.split("=", 1)
        wasm.append((n, f, [], []))
    for spec in args.stdlib_wasm:
        n, f = spec.split("=", 1)
        wasm.append((n, f, stock_flags, stdlib_dir))
    if not args.no_default_wasm:
        wasm.append(("stock", str(libpython / "stock/python.wasm"), stock_flags, stdlib_dir))
    extra_env = {}
    for spec in args.guest_env:
        n, kv = spec.split(":", 1)
        extra_env.setdefault(n, []).extend(["--env", kv])
    for n, f, flags, dirs in wasm:
        cwasm = compile_wasm(wasmtime, f, flags, scratch)
        dirs = dirs + extra_env.get(n, [])
        runtimes[n] = [wasmtime, "run", *flags, "--allow-precompiled", *guest, *dirs, str(cwasm),
                       "/harness/harness.py", "/bench"] + harness_args

    env = dict(os.environ, PYTHONHASHSEED="0")
    results, errors, ran = {}, {}, {}
    started = time.monotonic()
    for name in names:
        for _ in range(args.rounds):
            for rt, cmd in runtimes.items():
                if (name, rt) in errors or (rt != "python3" and (name, "python3") in errors):
                    continue
                times, error = run_one(cmd, name, env, extra[name])
                if error:
                    errors[(name, rt)] = error
                    continue
                ran.setdefault(name, set()).add(rt)
                for sub, secs in times.items():
                    key = (sub, rt)
                    results[key] = min(results.get(key, secs), secs)
        ok = sorted(ran.get(name, ()), key=list(runtimes).index)
        print(f"[bench-compute] {name:28} ok: {', '.join(ok)}", flush=True)
    total = time.monotonic() - started

    native_version = subprocess.run(["/usr/bin/python3", "-c", "import platform; print(platform.python_version())"],
                                    capture_output=True, text=True, check=True).stdout.strip()
    subs = sorted({s for s, rt in results if rt == "python3"})
    rts = list(runtimes)
    complete = [s for s in subs if all((s, rt) in results for rt in rts)]
    lines = [
        f"pyperformance 1.14.0 benchmarks, in-process (benches/compute/harness.py), best of {args.rounds} interleaved "
        f"rounds; time per loop relative to Debian's /usr/bin/python3 ({native_version}); {total / 60:.0f} min run.",
        "",
        "| benchmark | python3 (ms) | " + " | ".join(rts[1:]) + " |",
        "|---|---:|" + "---:|" * (len(rts) - 1),
    ]
    for s in complete:
        base = results[(s, "python3")]
        lines.append(f"| {s} | {base * 1e3:.3f} | " + " | ".join(f"{results[(s, rt)] / base:.2f}x" for rt in rts[1:]) + " |")
    means = {rt: geomean([results[(s, rt)] / results[(s, "python3")] for s in complete]) for rt in rts}
    lines.append(f"| **geometric mean** ({len(complete)}) | | " + " | ".join(f"**{means[rt]:.2f}x**" for rt in rts[1:]) + " |")
    native_opt = next((rt for rt in rts if "PGO" in rt), None)
    if native_opt:
        lines += ["", f"Relative to {native_opt} (same sources, compiler, flags and profile; what wasm32 and "
                  "Cranelift cost, geometric mean): " + ", ".join(
                      f"{rt} {geomean([results[(s, rt)] / results[(s, native_opt)] for s in complete]):.2f}x"
                      for rt in rts if rt != native_opt and not rt.startswith(("python3", "native-")))]
    if "stock" in rts:
        lines += ["", "Relative to the stock WASI build (geometric mean): " + ", ".join(
            f"{rt} {geomean([results[(s, rt)] / results[(s, 'stock')] for s in complete]):.2f}x"
            for rt in rts if rt not in ("stock",))]
    lines += ["", "Not run (benchmark: runtime: reason):", ""]
    for (name, rt), err in sorted(errors.items()):
        lines.append(f"- {name}: {rt}: {err}")
    if variants:
        lines.append(f"- {len(variants)} further variants of the benchmarks above (other options of the same "
                     f"workloads; not run in any runtime, only each benchmark's default): {', '.join(variants)}")
    partial = [s for s in subs if s not in complete]
    for s in partial:
        lines.append(f"- {s}: timed natively only in " + ", ".join(rt for rt in rts if (s, rt) in results))
    out = Path(args.out)
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    out.with_suffix(".json").write_text(json.dumps({
        "runtimes": rts, "seconds": {f"{s}|{rt}": v for (s, rt), v in results.items()},
        "errors": {f"{n}|{rt}": e for (n, rt), e in errors.items()}, "geomean_vs_python3": means}, indent=1))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
