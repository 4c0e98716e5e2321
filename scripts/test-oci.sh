#!/usr/bin/env bash
# make test-oci: python.wasm and a onepy app with numpy as OCI images on
# containerd's wasm runtime (io.containerd.wasmtime.v1, our shim from
# oci/shim), through `ctr run` as a user would run them. The Makefile builds
# the images and the shim first; this script starts a private containerd
# (scripts/containerd-env.sh), imports the images, checks output, stderr
# and exit status of each run, runs the README's containerd examples, and
# stops everything it started, whatever happens.
#
# Then the same for containerd 1.7 (trixie's, scripts/containerd-1.7.sh)
# with python.wasm as a wasm-layer image: the shim compiles it on the first
# run and containerd keeps the compiled module for the next ones.
#
#   scripts/test-oci.sh PYTHON_IMAGE.tar APP_IMAGE.tar WASM_LAYER_IMAGE.tar
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$ONEPY_ROOT/scripts/containerd-env.sh"

[ $# = 3 ] || die "usage: $0 PYTHON_IMAGE.tar APP_IMAGE.tar WASM_LAYER_IMAGE.tar"
PYTHON_TAR="$1" APP_TAR="$2" WASM_LAYER_TAR="$3"
WASM_LAYER_IMAGE=docker.io/onepy/python:wasm-layer
PYTHON_IMAGE=docker.io/onepy/python:latest
APP_IMAGE=docker.io/onepy/oci-app:latest
RUNTIME=io.containerd.wasmtime.v1

containerd_check
SHIM_DIR="$(bash "$ONEPY_ROOT/scripts/containerd-shim.sh" dir)"
[ -x "$SHIM_DIR/containerd-shim-wasmtime-v1" ] || die "no shim in $SHIM_DIR: run scripts/containerd-shim.sh build"
trap containerd_stop EXIT
trap "exit 130" INT
trap "exit 143" TERM
containerd_start "$SHIM_DIR"

for tar in "$PYTHON_TAR" "$APP_TAR"; do
    ctr images import --all-platforms "$tar" >/dev/null || die "ctr images import $tar failed"
done
for image in "$PYTHON_IMAGE" "$APP_IMAGE"; do
    ctr images ls | grep -q "^$image .*wasip1/wasm" || die "image $image (platform wasip1/wasm) missing after import"
done

PASSED=0
FAILURES=()
RUN=0

# check NAME STATUS STDOUT [--env K=V | --memory-limit BYTES]... IMAGE ARGS...: `ctr run` the image
# with ARGS (ctr replaces the image's whole command line, so ARGS start with
# the module's path; Kubernetes keeps the entrypoint and appends `args`);
# its exit status and stdout must be exactly
# STATUS and STDOUT, and its stderr must contain $WANT_STDERR when set.
check() {
    local name="$1" want_rc="$2" want_out="$3"; shift 3
    local opts=()
    while [ "$1" = --env ] || [ "$1" = --memory-limit ]; do opts+=("$1" "$2"); shift 2; done
    local image="$1"; shift
    RUN=$((RUN + 1))
    local id="onepy-test-$RUN" out rc err_file="$CTRD_DIR/stderr-$RUN"
    out="$(ctr run --rm --runtime "$RUNTIME" "${opts[@]}" "$image" "$id" "$@" </dev/null 2>"$err_file")" && rc=0 || rc=$?
    local problems=()
    [ "$rc" = "$want_rc" ] || problems+=("exit status $rc, expected $want_rc")
    [ "$out" = "$want_out" ] || problems+=("stdout '$out', expected '$want_out'")
    if [ -n "${WANT_STDERR:-}" ] && ! grep -qF -- "$WANT_STDERR" "$err_file"; then
        problems+=("stderr lacks '$WANT_STDERR'")
    fi
    if [ ${#problems[@]} = 0 ]; then
        PASSED=$((PASSED + 1))
        printf '[test-oci] ok    %s\n' "$name"
    else
        printf '[test-oci] FAIL  %s: %s\n' "$name" "${problems[*]}"
        sed 's/^/    stderr: /' "$err_file" | tail -n 15
        FAILURES+=("$name")
    fi
}

# python.wasm: -c code, environment, exit statuses 0/1/2/7, the container's filesystem.
check "-c prints" 0 "hi" "$PYTHON_IMAGE" /python.wasm -c "print('hi')"
check "-V" 0 "Python $PY_VERSION" "$PYTHON_IMAGE" /python.wasm -V
check "argv after -c" 0 "['-c', 'a', 'b c']" "$PYTHON_IMAGE" /python.wasm -c "import sys; print(sys.argv)" a "b c"
check "env from ctr --env" 0 "hello from containerd" --env GREETING="hello from containerd" \
    "$PYTHON_IMAGE" /python.wasm -c "import os; print(os.environ['GREETING'])"
check "exit 0 (pass)" 0 "" "$PYTHON_IMAGE" /python.wasm -c "pass"
WANT_STDERR="ZeroDivisionError: division by zero" \
    check "exit 1 (traceback)" 1 "" "$PYTHON_IMAGE" /python.wasm -c "1/0"
WANT_STDERR="unknown option --no-such-option" \
    check "exit 2 (usage error)" 2 "" "$PYTHON_IMAGE" /python.wasm --no-such-option
check "exit 7 (SystemExit)" 7 "" "$PYTHON_IMAGE" /python.wasm -c "raise SystemExit(7)"
check "the image's root filesystem" 0 "['dev', 'proc', 'python.wasm', 'run', 'sys', 'tmp'] True" "$PYTHON_IMAGE" \
    /python.wasm -c "import os, tempfile; print(sorted(os.listdir('/')), tempfile.mkdtemp().startswith('/tmp/'))"
check "stdlib from the module" 0 '{"ok": 1} 3.46.1' "$PYTHON_IMAGE" \
    /python.wasm -c "import json, sqlite3; print(json.dumps({'ok': 1}), sqlite3.sqlite_version)"

# Compiling the module at start (containerd 1.6, plain image) needs more
# memory than a cached start: the README's figure for 1.6 nodes.
check "compiling at start fits in 512Mi" 0 "ok" --memory-limit $((512 * 1024 * 1024)) \
    "$PYTHON_IMAGE" /python.wasm -c "print('ok')"
check "the memory limit is enforced (128Mi: killed while compiling)" 137 "" --memory-limit $((128 * 1024 * 1024)) \
    "$PYTHON_IMAGE" /python.wasm -c "print('ok')"

# The app built with numpy: arguments, environment, exit status.
check "app: arguments + numpy" 0 "n=4 mean=2.500 std=1.118 argv0=oci-app.wasm" "$APP_IMAGE" /oci-app.wasm stats 1 2 3 4
check "app: numpy.linalg" 0 "x=2.0 y=3.0 numpy=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ONEPY_ROOT/recipes/numpy.toml")" "$APP_IMAGE" /oci-app.wasm solve
check "app: env" 0 "blue" --env COLOR=blue "$APP_IMAGE" /oci-app.wasm env COLOR
check "app: exit 7" 7 "" "$APP_IMAGE" /oci-app.wasm exit 7
WANT_STDERR="usage: app.wasm" check "app: usage (exit 2)" 2 "" "$APP_IMAGE" /oci-app.wasm

# Two containers at once, each in its own instance.
out1="$CTRD_DIR/par1" out2="$CTRD_DIR/par2"
ctr run --rm --runtime "$RUNTIME" "$PYTHON_IMAGE" par-1 /python.wasm -c "import time; time.sleep(1); print('one')" >"$out1" 2>&1 </dev/null &
p1=$!
ctr run --rm --runtime "$RUNTIME" "$PYTHON_IMAGE" par-2 /python.wasm -c "import time; time.sleep(1); print('two')" >"$out2" 2>&1 </dev/null &
p2=$!
if wait "$p1" && wait "$p2" && [ "$(cat "$out1")" = one ] && [ "$(cat "$out2")" = two ]; then
    PASSED=$((PASSED + 1)); echo "[test-oci] ok    two containers at once"
else
    echo "[test-oci] FAIL  two containers at once: $(cat "$out1") / $(cat "$out2")"; FAILURES+=("two containers at once")
fi

# The containerd examples of docs/cluster.md, verbatim.
if (cd "$ONEPY_ROOT" && python3 scripts/oci_readme.py docs/cluster.md); then
    PASSED=$((PASSED + 1)); echo "[test-oci] ok    README examples"
else
    FAILURES+=("README examples")
fi

leftover="$(ctr containers ls -q)"
[ -z "$leftover" ] || FAILURES+=("containers left after --rm: $leftover")

# The node config snippet (deploy/containerd-config.toml) as containerd's CRI
# plugin, the one the kubelet talks to, loads it.
containerd_stop
CTRD_CRI_SNIPPET="$ONEPY_ROOT/deploy/containerd-config.toml" containerd_start "$SHIM_DIR"
if ctr plugins ls | grep -Eq '^io\.containerd\.grpc\.v1 +cri .* ok *$' \
    && grep -q 'wasmtime:{Type:io.containerd.wasmtime.v1 ' "$CTRD_DIR/containerd.log"; then
    PASSED=$((PASSED + 1)); echo "[test-oci] ok    CRI plugin loads deploy/containerd-config.toml (handler wasmtime)"
else
    echo "[test-oci] FAIL  CRI plugin with deploy/containerd-config.toml:"
    ctr plugins ls | grep -E ' cri ' || true
    grep -E 'level=(error|warning).*cri' "$CTRD_DIR/containerd.log" | tail -3 || true
    FAILURES+=("containerd config snippet")
fi

# containerd 1.7 and a wasm-layer image: the module is the layer; the shim
# stores its compiled form in containerd's content store on the first run.
containerd_stop
PATH="$(bash "$ONEPY_ROOT/scripts/containerd-1.7.sh" dir):$PATH"
containerd_start "$SHIM_DIR"
ctr images import --all-platforms "$WASM_LAYER_TAR" >/dev/null || die "ctr images import $WASM_LAYER_TAR failed"
precompiled() { ctr content ls | grep -c "runwasi.io/precompiled/wasmtime/" || true; }
[ "$(precompiled)" = 0 ] || FAILURES+=("a compiled module in the content store before any run")
# Every run here under the memory limit of deploy/job.yaml (as a pod would be).
LIMIT_MI="$(awk '/limits:/ { l = 1 } l && /memory:/ { sub(/Mi/, "", $2); print $2; exit }' "$ONEPY_ROOT/deploy/job.yaml")"
[ -n "$LIMIT_MI" ] || die "no memory limit in deploy/job.yaml"
LIMIT=(--memory-limit $((LIMIT_MI * 1024 * 1024)))
check "1.7 wasm layer: first run" 0 "hi 7" "${LIMIT[@]}" "$WASM_LAYER_IMAGE" /python.wasm -c "print('hi', 7)"
if [ "$(precompiled)" -ge 1 ]; then
    PASSED=$((PASSED + 1)); echo "[test-oci] ok    1.7 wasm layer: compiled module cached in the content store"
else
    echo "[test-oci] FAIL  1.7 wasm layer: no runwasi.io/precompiled content after the first run"
    FAILURES+=("1.7 compile cache")
fi
check "1.7 wasm layer: from the cache, ${LIMIT_MI}Mi" 0 "['-c', 'x']" "${LIMIT[@]}" "$WASM_LAYER_IMAGE" /python.wasm -c "import sys; print(sys.argv)" x
check "1.7 wasm layer: exit 7" 7 "" "${LIMIT[@]}" "$WASM_LAYER_IMAGE" /python.wasm -c "raise SystemExit(7)"
check "1.7 wasm layer: env" 0 "v" "${LIMIT[@]}" --env K=v "$WASM_LAYER_IMAGE" /python.wasm -c "import os; print(os.environ['K'])"

echo "[test-oci] $PASSED passed, ${#FAILURES[@]} failed"
[ ${#FAILURES[@]} = 0 ] || die "failed: ${FAILURES[*]}"
