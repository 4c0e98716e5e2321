#!/usr/bin/env bash
# Pre-initialize a guest module with wizer:
#   scripts/snapshot.sh IN.wasm OUT.wasm [HASH_SEED]
# Settings: wizer.toml. The output replaces OUT only when everything worked.
#
# HASH_SEED (hex, e.g. `make build HASH_SEED=$(openssl rand -hex 32)`) seeds
# everything the interpreter draws from WASI while the snapshot is taken
# (src/snapshot_entropy.rs), the str/bytes hash secret first. Without it a
# fresh seed is drawn from this machine's entropy for every build; with it,
# the same inputs give a byte-identical module.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

in="${1:?usage: snapshot.sh IN.wasm OUT.wasm [HASH_SEED]}"
out="${2:?usage: snapshot.sh IN.wasm OUT.wasm [HASH_SEED]}"
seed="${3:-}"
wasmtime="${ONEPY_WASMTIME:-$(bash "$ONEPY_ROOT/scripts/deps.sh" wasmtime)}"
[ -x "$wasmtime" ] || die "wasmtime not found at $wasmtime: run 'make deps'"
if [ -z "$seed" ]; then
    seed="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
elif ! [[ "$seed" =~ ^([0-9a-fA-F]{2}){8,64}$ ]]; then
    die "HASH_SEED must be 16 to 128 hex digits (got '$seed')"
fi

start=$(date +%s.%N)
# `env -i`: even if a setting ever let the environment through, the build
# machine's variables would not be there to capture. The seed is the one
# variable the init sees (it wipes it before the interpreter starts). stdin
# and stdout are not a terminal, whoever runs the build, so the snapshot's
# stdio state is the same on every machine.
# `_start` becomes src/snapshot.rs's `onepy.start`: the init ran the static
# constructors, so the snapshot's start does not run them again.
wizer=("$wasmtime" wizer --config "$ONEPY_ROOT/wizer.toml" --init-func wizer.initialize --rename-func _start=onepy.start
       --env "ONEPY_SNAPSHOT_SEED=$seed" --output "$out.tmp" "$in")
if ! env -i "${wizer[@]}" </dev/null >"$out.log" 2>&1; then
    echo "command: ${wizer[*]/ONEPY_SNAPSHOT_SEED=*/ONEPY_SNAPSHOT_SEED=<seed>}" >&2
    cat "$out.log" >&2
    rm -f "$out.tmp" "$out.log"
    die "snapshot failed"
fi
rm -f "$out.log"
mv "$out.tmp" "$out"
echo "[snapshot] $out: $(stat -c %s "$out") bytes ($(elapsed_since "$start")s)"
