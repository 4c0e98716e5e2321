#!/usr/bin/env bash
# Measure the bundle options (`make bundle BUNDLE_MODE=both|pyc|py`): module
# size and import time of a set of stdlib modules, on the plain module
# (every import runs) and on the snapshot. Writes benches/bundle-modes.md.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
cd "$ONEPY_ROOT"
WT="$(bash scripts/deps.sh wasmtime)"
IMPORTS="import json, email.message, asyncio, decimal, argparse, dataclasses, typing, logging"
out="$ONEPY_CACHE_ROOT/bundle-modes"
mkdir -p "$out"
cmds=()
for mode in both pyc py; do
    make -s build BUNDLE_MODE="$mode" >/dev/null
    for v in python build/python-noinit; do
        "$WT" compile -o "$out/$mode-$(basename $v).cwasm" "$v.wasm"
    done
    echo "$mode $(stat -c %s python.wasm)" >"$out/$mode.size"
    cmds+=("$WT run --allow-precompiled $out/$mode-python-noinit.cwasm -c '$IMPORTS'")
done
hyperfine -N -w 2 -r 20 --export-json "$out/imports.json" "${cmds[@]}" >/dev/null
make -s build >/dev/null   # back to the default mode
/usr/bin/python3 - "$out" <<'PY' | tee benches/bundle-modes.md
import json, statistics, sys, pathlib
out = pathlib.Path(sys.argv[1])
res = json.load(open(out / "imports.json"))["results"]
print("| bundle mode | python.wasm size | 8 stdlib imports, no snapshot (median) |")
print("|---|---:|---:|")
for mode, r in zip(["both", "pyc", "py"], res):
    size = int((out / f"{mode}.size").read_text().split()[1])
    print(f"| {mode} | {size / 1e6:.1f} MB | {statistics.median(r['times']) * 1000:.1f} ms |")
PY
