"""`make bench-sandbox`, sessions: 10 calls as one session against 10 fresh
calls, fork time, resident memory per idle session and per fork
(sandbox/examples/bench_sessions.rs). Writes benches/sandbox-sessions.md
(shown in docs/sandbox.md) and benches/sandbox-sessions.json.
"""

import argparse
import json
import os
import platform
import subprocess


def mib(n):
    return f"{n / 2**20:.1f} MiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--module", required=True)
    ap.add_argument("--bench", required=True, help="target/host/examples/bench_sessions")
    ap.add_argument("--out", required=True, help="the .md to write (the .json goes next to it)")
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--idle", type=int, default=16)
    args = ap.parse_args()
    cmd = [args.bench, "--module", args.module, "--reps", str(args.reps), "--idle", str(args.idle)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    r = json.loads(out.stdout)
    lines = [
        "| 10 calls, ms (median) | one session (creation included) | 10 fresh calls | session / fresh "
        "| a session's first call | each later call |",
        "|---|---|---|---|---|---|",
    ]
    for w in r["workloads"]:
        lines.append(
            f"| {w['name']} | {w['session_10_ms']:.2f} | {w['fresh_10_ms']:.2f} "
            f"| {w['session_10_ms'] / w['fresh_10_ms']:.2f}x | {w['session_first_ms']:.2f} "
            f"| {w['session_later_call_ms']:.2f} |"
        )
    lines += ["", "| fork | ms (median) | the session's linear memory |", "|---|---|---|"]
    for f in r["fork"]:
        lines.append(f"| {f['name']} | {f['fork_ms']:.2f} | {mib(f['memory_bytes'])} |")
    idle = r["idle"]
    lines += [
        "",
        f"Resident memory (growth of the host process's RSS) per idle session after one call: "
        f"{mib(idle['resident_bytes_per_session'])}; per fork of such a session, after one call of its own: "
        f"{mib(idle['resident_bytes_per_fork'])} ({idle['count']} of each; RSS counts the image pages an "
        f"instance maps from the page cache, which sessions share). "
        f"{r['reps']} repetitions after 3 warm-up ones; the fresh calls each redo the setup the session keeps. "
        f"Machine: {os.cpu_count()} cores ({platform.machine()}), load average {os.getloadavg()[0]:.1f} when it ended.",
    ]
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
        json.dump(r, f, indent=1)
        f.write("\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
