"""Startup benchmark: onepy against native CPython and the peers.

Run by `make bench` (benches/run.sh prepares the artifacts) with Debian's
python3 (matplotlib for the chart). Every subject runs every workload; the
measurement is hyperfine's whole-process wall time, repeated in rounds that
interleave the subjects, so machine noise hits all of them alike. Reported:
medians over all rounds, ratios to Debian's /usr/bin/python3 measured in the
same run, peak RSS, module sizes and `wasmtime compile` times.

    python3 benches/bench.py CONFIG.json OUT_DIR
"""

import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
RUNS_PER_ROUND = int(os.environ.get("BENCH_RUNS", "6"))
BASELINE = "python3 (Debian 3.11, native)"


def hyperfine(commands: dict, out: Path) -> dict:
    """One round: every command, `RUNS_PER_ROUND` runs; name -> list of seconds."""
    args = ["hyperfine", "-N", "--warmup", "1", "--runs", str(RUNS_PER_ROUND), "--export-json", str(out),
            "--style", "none"]
    for name, cmd in commands.items():
        args += ["--command-name", name, shlex.join(cmd)]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    data = json.loads(out.read_text())
    return {r["command"]: r["times"] for r in data["results"]}


def peak_rss_kb(cmd: list) -> int:
    """Peak resident set of one run, as GNU time reports it (a fork of this
    Python process would count this process's own memory)."""
    result = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise SystemExit(f"error: {shlex.join(cmd)} exited {result.returncode}: {result.stderr[-500:]}")
    return int(result.stderr.strip().splitlines()[-1])


def check_runs(name: str, cmd: list) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise SystemExit(f"error: {name}: {shlex.join(cmd)} exited {result.returncode}:\n{result.stderr[-2000:]}")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.machine()}, {cpu}, {os.cpu_count()} cores, Linux {platform.release()}"


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text())
    out_dir = Path(sys.argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    subjects = config["subjects"]      # name -> command prefix (list)
    workloads = config["workloads"]    # label -> args appended (list)

    for name, prefix in subjects.items():
        for label, args in workloads.items():
            check_runs(f"{name} / {label}", prefix + args)

    times = {(s, w): [] for s in subjects for w in workloads}
    with tempfile.TemporaryDirectory() as tmp:
        for rnd in range(ROUNDS):
            # Alternate the order each round so no subject always runs first.
            order = list(subjects) if rnd % 2 == 0 else list(reversed(list(subjects)))
            for label, args in workloads.items():
                commands = {f"{s} | {label}": subjects[s] + args for s in order}
                result = hyperfine(commands, Path(tmp) / f"r{rnd}.json")
                for s in order:
                    times[(s, label)] += result[f"{s} | {label}"]
            print(f"[bench] round {rnd + 1}/{ROUNDS} done", flush=True)

    medians = {k: statistics.median(v) for k, v in times.items()}
    first = next(iter(workloads))
    rss = {s: peak_rss_kb(subjects[s] + workloads[first]) for s in subjects}

    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Measured {stamp} on {machine()}; wasmtime {config['wasmtime_version']}.",
        f"Whole-process wall time, median of {ROUNDS} interleaved rounds x {RUNS_PER_ROUND} runs (hyperfine -N);",
        f"ratio = time / time of `{BASELINE}` for the same workload in this run (lower is faster).",
        "",
        "| subject | " + " | ".join(f"`{w}`" for w in workloads) + f" | peak RSS (`{first}`) |",
        "|---|" + "---:|" * (len(workloads) + 1),
    ]
    for s in subjects:
        cells = []
        for w in workloads:
            ratio = medians[(s, w)] / medians[(BASELINE, w)]
            cells.append(f"{fmt_ms(medians[(s, w)])} ({ratio:.2f}x)")
        lines.append(f"| {s} | " + " | ".join(cells) + f" | {rss[s] / 1024:.1f} MB |")
    lines += ["", "| module | size | `wasmtime compile` |", "|---|---:|---:|"]
    for name, info in config["modules"].items():
        lines.append(f"| {name} | {info['size'] / 1e6:.1f} MB | {info['compile_seconds']:.1f} s |")
    table = "\n".join(lines) + "\n"
    (out_dir / "results.md").write_text(table)
    update_readme(table)
    (out_dir / "results.json").write_text(json.dumps(
        {"date": stamp, "machine": machine(), "medians_ms": {f"{s} | {w}": medians[(s, w)] * 1000 for s, w in medians},
         "peak_rss_kb": rss, "modules": config["modules"]}, indent=2))
    print(table)
    chart(subjects, workloads, medians, out_dir / "startup.png", stamp)


def update_readme(table: str) -> None:
    """The README shows benches/results.md in a generated block."""
    readme_figures = Path(__file__).resolve().parent.parent / "scripts" / "readme_figures.py"
    subprocess.run([sys.executable, str(readme_figures), "--write"], check=True)


def chart(subjects, workloads, medians, path: Path, stamp: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(12, 5))
    width = 0.8 / len(subjects)
    for i, s in enumerate(subjects):
        xs = [j + i * width for j in range(len(workloads))]
        ys = [medians[(s, w)] * 1000 for w in workloads]
        bars = ax.bar(xs, ys, width, label=s)
        for x, y in zip(xs, ys):
            ax.text(x, y * 1.05, f"{y:.0f}" if y >= 10 else f"{y:.1f}", ha="center", fontsize=7)
    ax.set_yscale("log")
    ax.set_ylim(bottom=1)
    ax.set_ylabel("wall time per run, ms (log scale)")
    ax.set_xticks([j + width * (len(subjects) - 1) / 2 for j in range(len(workloads))])
    ax.set_xticklabels(list(workloads))
    ax.set_title(f"Startup, median wall time ({stamp})")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
