#!/usr/bin/env bash
# make bench-oci: python.wasm as a container on containerd's wasm runtime
# (our shim, wasmtime 48.0.8), measured on this machine:
#   1. start-to-exit of `ctr run --rm IMAGE -c pass`: the first run after the
#      import and the later runs, next to the wasmtime CLI on the same module
#      (compiling each time, with its compile cache, and from a .cwasm);
#   2. memory per running container (RSS and PSS of its shim and container
#      processes, `time.sleep` after start);
#   3. density: N containers each sleeping 1 s started at once: time until
#      all have exited, the peak number running together, peak memory.
# Writes benches/oci.md (the table the README shows) and prints it.
#
#   benches/oci.sh PYTHON_IMAGE.tar [RUNS] [MEM_CONTAINERS] [BURSTS...]
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
source "$ONEPY_ROOT/scripts/containerd-env.sh"

TAR="${1:?usage: $0 PYTHON_IMAGE.tar [RUNS] [MEM_CONTAINERS] [BURSTS...]}"
RUNS="${2:-8}"
MEM_N="${3:-4}"
shift $(( $# < 3 ? $# : 3 ))
BURSTS=("${@:-4 16}")
read -r -a BURSTS <<<"${BURSTS[*]}"
IMAGE=docker.io/onepy/python:latest
RUNTIME=io.containerd.wasmtime.v1
WASMTIME="$(bash "$ONEPY_ROOT/scripts/deps.sh" wasmtime)"
MODULE="$ONEPY_ROOT/python.wasm"
OUT_MD="$ONEPY_ROOT/benches/oci.md"

containerd_check
SHIM_DIR="$(bash "$ONEPY_ROOT/scripts/containerd-shim.sh" dir)"
[ -x "$SHIM_DIR/containerd-shim-wasmtime-v1" ] || die "no shim in $SHIM_DIR: run scripts/containerd-shim.sh build"
trap containerd_stop EXIT
containerd_start "$SHIM_DIR"
ctr images import --all-platforms "$TAR" >/dev/null

now() { date +%s.%N; }
# seconds since $1, 3 decimals
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.3f", e - s }'; }
stats() { python3 -c 'import statistics as s, sys; v = [float(x) for x in sys.argv[1:]]; print(f"{s.median(v):.2f} s (min {min(v):.2f}, max {max(v):.2f}, n={len(v)})")' "$@"; }

# 1. start-to-exit
times=()
for i in $(seq "$RUNS"); do
    t=$(now)
    ctr run --rm --runtime "$RUNTIME" "$IMAGE" "pass-$i" /python.wasm -c pass </dev/null >/dev/null
    times+=("$(since "$t")")
done
first="${times[0]}"
later="$(stats "${times[@]:1}")"
echo "[bench-oci] ctr run -c pass: first ${first} s, later ${later}"

cli_times() {
    local out=() i t
    for i in 1 2 3; do t=$(now); "$@" >/dev/null; out+=("$(since "$t")"); done
    stats "${out[@]}"
}
CWASM="$CTRD_DIR/python.cwasm"
"$WASMTIME" compile "$MODULE" -o "$CWASM"
cli_nocache="$(cli_times "$WASMTIME" run -C cache=n "$MODULE" -c pass)"
"$WASMTIME" run "$MODULE" -c pass >/dev/null   # fill the CLI's cache
cli_cache="$(cli_times "$WASMTIME" run "$MODULE" -c pass)"
cli_cwasm="$(cli_times "$WASMTIME" run --allow-precompiled "$CWASM" -c pass)"
echo "[bench-oci] wasmtime CLI: compile each time ${cli_nocache}; cache ${cli_cache}; .cwasm ${cli_cwasm}"

# Resident and proportional set size (KiB) of our containerd's shims and their descendants.
mem_of_containers() {
    local pids rss=0 pss=0 p
    pids="$(ours)"
    [ -n "$pids" ] || { echo "0 0"; return; }
    # shellcheck disable=SC2046
    for p in $pids $(descendants $pids); do
        rss=$((rss + $(awk '/^VmRSS/ { print $2 }' /proc/"$p"/status 2>/dev/null || echo 0)))
        pss=$((pss + $(awk '/^Pss:/ { print $2 }' /proc/"$p"/smaps_rollup 2>/dev/null || echo 0)))
    done
    echo "$rss $pss"
}
running_shims() { ours | wc -l; }

# 2. memory per running container: each writes /ready into its own rootfs
# once Python runs, then sleeps.
TASKS="$CTRD_DIR/state/io.containerd.runtime.v2.task/onepy"
for i in $(seq "$MEM_N"); do
    ctr run -d --null-io --runtime "$RUNTIME" "$IMAGE" "mem-$i" \
        /python.wasm -c "open('/ready', 'w').close(); import time; time.sleep(600)" </dev/null >/dev/null
done
for _ in $(seq 600); do
    ready=$(ls "$TASKS"/mem-*/rootfs/ready 2>/dev/null | wc -l)
    [ "$ready" = "$MEM_N" ] && break
    sleep 0.1
done
[ "$ready" = "$MEM_N" ] || die "only $ready of $MEM_N containers started"
sleep 1
read -r rss pss < <(mem_of_containers)
ctrd_rss=$(awk '/^VmRSS/ { print $2 }' /proc/"$CTRD_PID"/status)
rss_per=$((rss / MEM_N / 1024)) pss_per=$((pss / MEM_N / 1024))
echo "[bench-oci] $MEM_N running containers: RSS ${rss_per} MiB, PSS ${pss_per} MiB each (containerd itself $((ctrd_rss / 1024)) MiB)"
for i in $(seq "$MEM_N"); do
    ctr tasks kill -s SIGKILL "mem-$i" >/dev/null 2>&1 || true
done
for i in $(seq "$MEM_N"); do
    for _ in $(seq 50); do ctr tasks delete "mem-$i" >/dev/null 2>&1 && break; sleep 0.1; done
    ctr containers delete "mem-$i" >/dev/null 2>&1 || true
done

# 3. bursts of N 1-second containers started at once.
burst_rows=()
for n in "${BURSTS[@]}"; do
    t=$(now)
    pids=()
    for i in $(seq "$n"); do
        ctr run --rm --runtime "$RUNTIME" "$IMAGE" "burst-$n-$i" /python.wasm -c "import time; time.sleep(1)" </dev/null >/dev/null 2>&1 &
        pids+=($!)
    done
    peak=0 peak_rss=0
    while [ -n "$(jobs -rp)" ]; do
        c=$(running_shims)
        [ "$c" -gt "$peak" ] && peak=$c
        read -r r _ < <(mem_of_containers)
        [ "$r" -gt "$peak_rss" ] && peak_rss=$r
        sleep 0.2
    done
    failed=0
    for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
    wall="$(since "$t")"
    echo "[bench-oci] burst of $n: all exited after ${wall} s, peak $peak shims at once, peak RSS $((peak_rss / 1024)) MiB, $failed failed"
    burst_rows+=("| $n | ${wall} s | $peak | $((peak_rss / 1024)) MiB | $failed |")
done

{
    echo "<!-- written by make bench-oci (benches/oci.sh); $(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), containerd $(containerd --version | cut -d' ' -f3), plain-layer image -->"
    echo
    echo "| measurement | result |"
    echo "|---|---|"
    echo "| \`ctr run --rm IMAGE -c pass\`, first run after import | ${first} s |"
    echo "| same, later runs (median) | ${later} |"
    echo "| \`wasmtime run python.wasm -c pass\`, compiling each time (\`-C cache=n\`) | ${cli_nocache} |"
    echo "| same, wasmtime's compile cache | ${cli_cache} |"
    echo "| same, from a \`.cwasm\` (\`wasmtime compile\`) | ${cli_cwasm} |"
    echo "| memory per running container (shim + container process) | RSS ${rss_per} MiB, PSS ${pss_per} MiB ($MEM_N running; containerd itself $((ctrd_rss / 1024)) MiB) |"
    echo
    echo "| 1-second containers started at once | all exited after | peak running together | peak RSS (all) | failed |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${burst_rows[@]}"
} >"$OUT_MD"
echo "[bench-oci] wrote $OUT_MD"
cat "$OUT_MD"
