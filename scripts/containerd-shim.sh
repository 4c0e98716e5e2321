#!/usr/bin/env bash
# The containerd shim for wasm (oci/shim: runwasi's containerd-shim-wasm
# library + wasmtime 48.0.8), built once per set of inputs and cached:
#
#   scripts/containerd-shim.sh build   build it if its cache entry is missing
#   scripts/containerd-shim.sh dir     print the directory holding the binary
#                                      (put it on containerd's PATH)
#
# The key hashes the shim's sources, the toolchain pin and the exact versions
# of every crate it depends on (`cargo tree`), so an unrelated change to the
# workspace's Cargo.lock does not rebuild it. Build (wasmtime, libcontainer):
# ~12 minutes on 2 cores from nothing, 6.6 after `make test`: it uses the
# workspace's `host` profile and target/, so it reuses the crates the sandbox
# (sandbox/) compiled.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SHIM_NAME=containerd-shim-wasmtime-v1
SHIM_PKG=onepy-containerd-shim

cache_key() {
    {
        hash_files "$ONEPY_ROOT/rust-toolchain.toml" "$ONEPY_ROOT/oci/shim/Cargo.toml" \
            $(find "$ONEPY_ROOT/oci/shim/src" -type f | sort)
        echo "profile host"
        (cd "$ONEPY_ROOT" && cargo tree -q --locked -p "$SHIM_PKG" -e normal,build --prefix none) \
            || die "cargo tree -p $SHIM_PKG failed (is Cargo.lock up to date?)"
    } | sha256sum | cut -c1-16
}

OUT="$ONEPY_CACHE_ROOT/containerd-shim-$(cache_key)"

build() {
    [ -x "$OUT/$SHIM_NAME" ] && { echo "[shim] cached: $OUT/$SHIM_NAME"; return; }
    command -v protoc >/dev/null || die "protoc not found: the shim's build needs protobuf-compiler (make deps)"
    [ -f /usr/include/seccomp.h ] || die "seccomp.h not found: the shim's build needs libseccomp-dev (make deps)"
    mkdir -p "$ONEPY_CACHE_ROOT"
    exec 9>"$OUT.lock"
    flock 9
    [ -x "$OUT/$SHIM_NAME" ] && return
    local target="${CARGO_TARGET_DIR:-$ONEPY_ROOT/target}" start
    start=$(date +%s.%N)
    echo "[shim] cargo build --profile host -p $SHIM_PKG (6-12 minutes on 2 cores)"
    (cd "$ONEPY_ROOT" && cargo build --profile host --locked -q -p "$SHIM_PKG") \
        || die "cargo build --profile host -p $SHIM_PKG failed"
    rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"
    cp "$target/host/$SHIM_NAME" "$OUT.tmp/"
    mv "$OUT.tmp" "$OUT"
    echo "[shim] built in $(elapsed_since "$start")s: $OUT/$SHIM_NAME"
}

case "${1:-}" in
    build) build ;;
    dir) echo "$OUT" ;;
    *) die "usage: $0 build|dir" ;;
esac
