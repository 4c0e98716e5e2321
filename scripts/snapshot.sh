#!/usr/bin/env bash
# Pre-initialize a guest module with wizer: scripts/snapshot.sh IN.wasm OUT.wasm
# Settings: wizer.toml. The output replaces OUT only when everything worked.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

in="${1:?usage: snapshot.sh IN.wasm OUT.wasm}"
out="${2:?usage: snapshot.sh IN.wasm OUT.wasm}"
wasmtime="${ONEPY_WASMTIME:-$(bash "$ONEPY_ROOT/scripts/deps.sh" wasmtime)}"
[ -x "$wasmtime" ] || die "wasmtime not found at $wasmtime: run 'make deps'"

start=$(date +%s.%N)
# `env -i`: even if a setting ever let the environment through, the build
# machine's variables would not be there to capture.
if ! env -i "$wasmtime" wizer --config "$ONEPY_ROOT/wizer.toml" --init-func wizer.initialize \
        --output "$out.tmp" "$in" 2>"$out.log"; then
    echo "command: $wasmtime wizer --config $ONEPY_ROOT/wizer.toml --init-func wizer.initialize --output $out.tmp $in" >&2
    cat "$out.log" >&2
    rm -f "$out.tmp" "$out.log"
    die "snapshot failed"
fi
rm -f "$out.log"
mv "$out.tmp" "$out"
echo "[snapshot] $out: $(stat -c %s "$out") bytes ($(elapsed_since "$start")s)"
