#!/usr/bin/env bash
# How long the README's set-up takes from an empty cache, step by step:
#   bash benches/setup-times.sh [--keep-wasmtime]
# A clone of the repository (HEAD), an empty cache (ONEPY_CACHE_DIR in
# a temporary directory), then `make deps`, `make libpython`, `make build`,
# `make test-app`, `make test-numpy` and `make test`, each timed; the table
# goes to benches/setup-times.md (shown in the README). Debian packages that
# are already installed are not installed again, so on a new machine `make
# deps` also spends the time of apt-get. --keep-wasmtime reuses the wasmtime
# CLI already built (ONEPY_WASMTIME) instead of compiling it again.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

work="$(mktemp -d /tmp/onepy-setup-times.XXXXXX)"
trap 'rm -rf "$work"' EXIT
clone="$work/onepy" cache="$work/cache"
mkdir -p "$cache"
# A clone of the committed state, as CI has it.
git clone -q --no-hardlinks "$ONEPY_ROOT" "$clone"

env_args=(ONEPY_CACHE_DIR="$cache")
if [ "${1:-}" = "--keep-wasmtime" ]; then
    env_args+=(ONEPY_WASMTIME="$(bash "$ONEPY_ROOT/scripts/deps.sh" wasmtime)")
fi

rows=()
total=0
for target in deps libpython build test-app test-numpy test; do
    start=$(date +%s.%N)
    if ! env "${env_args[@]}" make -C "$clone" --no-print-directory "$target" >"$work/$target.log" 2>&1; then
        tail -n 40 "$work/$target.log" >&2
        die "make $target failed from an empty cache (log above)"
    fi
    mins=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", (e - s) / 60 }')
    total=$(awk -v t="$total" -v m="$mins" 'BEGIN { print t + m }')
    rows+=("| \`make $target\` | $mins min |")
    echo "[setup-times] make $target done"
done

if [ "${1:-}" = "--keep-wasmtime" ]; then
    # The CLI was not rebuilt: show how long it took when `make deps` built it.
    record="$(dirname "$(dirname "$(bash "$ONEPY_ROOT/scripts/deps.sh" wasmtime)")")/build-seconds"
    if [ -f "$record" ]; then
        read -r secs day <"$record"
        mins=$(awk -v s="$secs" 'BEGIN { printf "%.1f", s / 60 }')
        total=$(awk -v t="$total" -v m="$mins" 'BEGIN { print t + m }')
        rows=("| \`cargo install wasmtime-cli\` (in \`make deps\`, recorded on $day) | $mins min |" "${rows[@]}")
    fi
fi
{
    echo "From an empty cache on $(uname -m), $(nproc) cores, $(date -u +%Y-%m-%d) (\`bash benches/setup-times.sh${1:+ $1}\`):"
    echo
    echo "| step | time |"
    echo "|---|---:|"
    printf '%s\n' "${rows[@]}"
    echo "| **total** | **$(awk -v t="$total" 'BEGIN { printf "%.1f", t }') min** |"
} >"$ONEPY_ROOT/benches/setup-times.md"
cat "$ONEPY_ROOT/benches/setup-times.md"
python3 "$ONEPY_ROOT/scripts/readme_figures.py" --write
