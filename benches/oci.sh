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
# Twice: containerd 1.6.20 (bookworm) with the plain image, where every start
# compiles the module, and containerd 1.7.24 (trixie's, scripts/containerd-1.7.sh)
# with the wasm-layer image, where the shim's compile cache applies.
#
#   benches/oci.sh PYTHON_IMAGE.tar WASM_LAYER_IMAGE.tar
# Sizes: ONEPY_BENCH_RUNS (8), ONEPY_BENCH_MEM (4), ONEPY_BENCH_BURSTS ("4 16"),
# ONEPY_BENCH_BURSTS_CACHED ("16 64").
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
source "$ONEPY_ROOT/scripts/containerd-env.sh"

[ $# = 2 ] || die "usage: $0 PYTHON_IMAGE.tar WASM_LAYER_IMAGE.tar"
PLAIN_TAR="$1" WASM_LAYER_TAR="$2"
RUNS="${ONEPY_BENCH_RUNS:-8}"
MEM_N="${ONEPY_BENCH_MEM:-4}"
RUNTIME=io.containerd.wasmtime.v1
WASMTIME="$(bash "$ONEPY_ROOT/scripts/deps.sh" wasmtime)"
MODULE="$ONEPY_ROOT/python.wasm"
OUT_MD="$ONEPY_ROOT/benches/oci.md"

LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg)"
containerd_check
SHIM_DIR="$(bash "$ONEPY_ROOT/scripts/containerd-shim.sh" dir)"
[ -x "$SHIM_DIR/containerd-shim-wasmtime-v1" ] || die "no shim in $SHIM_DIR: run scripts/containerd-shim.sh build"
trap containerd_stop EXIT
trap "exit 130" INT
trap "exit 143" TERM

now() { date +%s.%N; }
# seconds since $1, 3 decimals
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.3f", e - s }'; }
stats() { python3 -c 'import statistics as s, sys; v = [float(x) for x in sys.argv[1:]]; print(f"{s.median(v):.2f} s (min {min(v):.2f}, max {max(v):.2f}, n={len(v)})")' "$@"; }

now() { date +%s.%N; }
# seconds since $1, 3 decimals
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.3f", e - s }'; }
stats() { python3 -c 'import statistics as s, sys; v = [float(x) for x in sys.argv[1:]]; print(f"{s.median(v):.2f} s (min {min(v):.2f}, max {max(v):.2f}, n={len(v)})")' "$@"; }

# field_kib NAME FILE: a "NAME value kB" line's value; 0 once the process is gone.
field_kib() {
    local v
    v=$(awk -v n="$1" '$1 == n || $1 == n":" { print $2 }' "$2" 2>/dev/null || true)
    echo "${v:-0}"
}

# Resident and proportional set size (KiB) of our containerd's shims and their descendants.
mem_of_containers() {
    local pids rss=0 pss=0 p
    pids="$(ours)"
    [ -n "$pids" ] || { echo "0 0"; return; }
    # A container's process is both a descendant of its shim and, by its
    # command line, one of ours: count each process once.
    # shellcheck disable=SC2046
    for p in $(printf '%s\n' $pids $(descendants $pids) | sort -u); do
        rss=$((rss + $(field_kib VmRSS /proc/"$p"/status)))
        pss=$((pss + $(field_kib Pss: /proc/"$p"/smaps_rollup)))
    done
    echo "$rss $pss"
}
# Tasks that exist (created, running or exiting): their bundle directories.
running_tasks() { (ls -d "$CTRD_DIR"/state/io.containerd.runtime.v2.task/onepy/*/ 2>/dev/null || true) | wc -l; }
alive() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }

ROWS=()
BURST_ROWS=()

# measure LABEL IMAGE BURSTS...: the three measurements on the running containerd.
measure() {
    local label="$1" image="$2"; shift 2
    local times=() i t first later
    # 1. start-to-exit
    for i in $(seq "$RUNS"); do
        t=$(now)
        ctr run --rm --runtime "$RUNTIME" "$image" "pass-$i" /python.wasm -c pass </dev/null >/dev/null
        times+=("$(since "$t")")
    done
    first="${times[0]}"
    later="$(stats "${times[@]:1}")"
    echo "[bench-oci] $label: ctr run -c pass: first ${first} s, later ${later}"

    # 2. memory per running container: each writes /ready into its own
    # rootfs once Python runs, then sleeps.
    local tasks="$CTRD_DIR/state/io.containerd.runtime.v2.task/onepy" ready=0 rss pss ctrd_rss
    for i in $(seq "$MEM_N"); do
        ctr run -d --null-io --runtime "$RUNTIME" "$image" "mem-$i" \
            /python.wasm -c "open('/ready', 'w').close(); import time; time.sleep(600)" </dev/null >/dev/null
    done
    for _ in $(seq 600); do
        ready=$( (ls "$tasks"/mem-*/rootfs/ready 2>/dev/null || true) | wc -l)
        [ "$ready" = "$MEM_N" ] && break
        sleep 0.1
    done
    [ "$ready" = "$MEM_N" ] || die "only $ready of $MEM_N containers started"
    sleep 1
    read -r rss pss < <(mem_of_containers)
    ctrd_rss=$(awk '/^VmRSS/ { print $2 }' /proc/"$CTRD_PID"/status)
    local rss_per=$((rss / MEM_N / 1024)) pss_per=$((pss / MEM_N / 1024))
    echo "[bench-oci] $label: $MEM_N running containers: RSS ${rss_per} MiB, PSS ${pss_per} MiB each (containerd $((ctrd_rss / 1024)) MiB)"
    for i in $(seq "$MEM_N"); do ctr tasks kill -s SIGKILL "mem-$i" >/dev/null 2>&1 || true; done
    for i in $(seq "$MEM_N"); do
        for _ in $(seq 50); do ctr tasks delete "mem-$i" >/dev/null 2>&1 && break; sleep 0.1; done
        ctr containers delete "mem-$i" >/dev/null 2>&1 || true
    done
    ROWS+=("| $label | ${first} s | ${later} | ${rss_per} MiB / ${pss_per} MiB |")

    # 3. bursts of N 1-second containers started at once.
    local n pids peak peak_rss c r failed wall p
    for n in "$@"; do
        t=$(now)
        pids=()
        for i in $(seq "$n"); do
            ctr run --rm --runtime "$RUNTIME" "$image" "burst-$n-$i" /python.wasm -c "import time; time.sleep(1)" </dev/null >/dev/null 2>&1 &
            pids+=($!)
        done
        peak=0 peak_rss=0
        while alive "${pids[@]}"; do
            c=$(running_tasks)
            [ "$c" -gt "$peak" ] && peak=$c
            read -r r _ < <(mem_of_containers)
            [ "$r" -gt "$peak_rss" ] && peak_rss=$r
            sleep 0.2
        done
        failed=0
        for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
        wall="$(since "$t")"
        echo "[bench-oci] $label: burst of $n: all exited after ${wall} s, peak $peak running, peak RSS $((peak_rss / 1024)) MiB, $failed failed"
        BURST_ROWS+=("| $label | $n | ${wall} s | $peak | $((peak_rss / 1024)) MiB | $failed |")
    done
}

# The wasmtime CLI on the same module, for scale.
cli_times() {
    local out=() i t
    for i in 1 2 3; do t=$(now); "$@" >/dev/null; out+=("$(since "$t")"); done
    stats "${out[@]}"
}
CWASM="$(mktemp -d)/python.cwasm"
"$WASMTIME" compile "$MODULE" -o "$CWASM"
cli_nocache="$(cli_times "$WASMTIME" run -C cache=n "$MODULE" -c pass)"
"$WASMTIME" run "$MODULE" -c pass >/dev/null   # fill the CLI's cache
cli_cache="$(cli_times "$WASMTIME" run "$MODULE" -c pass)"
cli_cwasm="$(cli_times "$WASMTIME" run --allow-precompiled "$CWASM" -c pass)"
rm -rf "$(dirname "$CWASM")"
echo "[bench-oci] wasmtime CLI: compile each time ${cli_nocache}; cache ${cli_cache}; .cwasm ${cli_cwasm}"

containerd_start "$SHIM_DIR"
V16="$(containerd --version | cut -d' ' -f3)"
ctr images import --all-platforms "$PLAIN_TAR" >/dev/null
read -r -a bursts <<<"${ONEPY_BENCH_BURSTS:-4 16}"
measure "containerd $V16, plain image (compiles at every start)" docker.io/onepy/python:latest "${bursts[@]}"
containerd_stop

PATH="$(bash "$ONEPY_ROOT/scripts/containerd-1.7.sh" dir):$PATH"
containerd_start "$SHIM_DIR"
V17="$(containerd --version | cut -d' ' -f3)"
ctr images import --all-platforms "$WASM_LAYER_TAR" >/dev/null
read -r -a bursts <<<"${ONEPY_BENCH_BURSTS_CACHED:-16 64}"
measure "containerd $V17, wasm-layer image (compile cache)" docker.io/onepy/python:wasm-layer "${bursts[@]}"

{
    echo "<!-- written by make bench-oci (benches/oci.sh), $(date -u +%Y-%m-%d): $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average $LOAD_BEFORE at the start and $(cut -d' ' -f1 /proc/loadavg) at the end -->"
    echo
    echo "| \`ctr run --rm IMAGE ID /python.wasm -c pass\` | first run after import | later runs (median) | memory per running container (RSS / PSS) |"
    echo "|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "| containers of \`time.sleep(1)\` started at once | N | all exited after | peak running together | peak RSS (all) | failed |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${BURST_ROWS[@]}"
    echo
    echo "| \`wasmtime run python.wasm -c pass\` (CLI, same module) | time (median of 3) |"
    echo "|---|---|"
    echo "| compiling each time (\`-C cache=n\`) | ${cli_nocache} |"
    echo "| wasmtime's compile cache | ${cli_cache} |"
    echo "| from a \`.cwasm\` (\`wasmtime compile\`) | ${cli_cwasm} |"
} >"$OUT_MD"
echo "[bench-oci] wrote $OUT_MD"
cat "$OUT_MD"
