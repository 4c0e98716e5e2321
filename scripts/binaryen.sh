#!/usr/bin/env bash
# Binaryen's wasm-opt, built from Debian's source, for one job: translating
# the legacy exception-handling instructions clang-19 emits (try, catch,
# delegate, rethrow) into the standard ones wasmtime runs by default
# (try_table, throw_ref: the exnref encoding). Only a module whose packages
# use C++ exceptions or setjmp/longjmp needs it (docs/packages.md,
# "C++ exceptions and setjmp"); clang 20 and later emit the standard
# encoding themselves, Debian 12 has clang 19.
#
#   scripts/binaryen.sh [build]            build into the cache (no-op when complete)
#   scripts/binaryen.sh wasm-opt           print wasm-opt's path
#   scripts/binaryen.sh translate IN OUT   IN with the standard exception-handling
#                                          encoding -> OUT (replaced only on success)
#
# The cache key hashes the pin below, the flags and the host compiler. Only the wasm-opt
# target is built (about 10 minutes on 2 cores); it is not part of `make deps`
# or `make test`.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Debian trixie's binaryen 120-4: the first release with --translate-to-exnref
# that Debian packages (bookworm has 108).
BINARYEN_VERSION=120
BINARYEN_SOURCE=pool/main/b/binaryen/binaryen_120.orig.tar.gz
BINARYEN_SHA256=a4edd532d37b33d88e28e8d770f7177a7c0bb4495eabc6f5ecd41ffc5fd4db90

CMAKE_FLAGS=(-DCMAKE_BUILD_TYPE=Release -DBUILD_TESTS=OFF -DBUILD_STATIC_LIB=ON -DENABLE_WERROR=OFF)
# The key: what the build is made from (the pinned source, the flags, the
# host compiler Debian 12 gives cmake), not this script's other lines.
KEY="$(printf '%s\n' "$BINARYEN_SOURCE" "$BINARYEN_SHA256" "${CMAKE_FLAGS[*]}" "target wasm-opt" \
    "$(c++ --version 2>/dev/null | head -n1)" | sha256sum | cut -c1-16)"
OUT="$ONEPY_CACHE_ROOT/binaryen-$BINARYEN_VERSION-$KEY"
WORK="$ONEPY_CACHE_ROOT/work/binaryen-$KEY"
JOBS="${ONEPY_JOBS:-$(nproc)}"

# Only the translation: no optimization pass runs, the names section stays
# (-g: backtraces name functions). The features: what clang 19 and rustc
# enable by default for wasm32-wasip1, SIMD (crates built with simd128), and
# exception handling (the linked module keeps no
# target_features section to detect them from).
FEATURES=(--mvp-features --enable-bulk-memory --enable-sign-ext --enable-mutable-globals
    --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types --enable-simd
    --enable-exception-handling)
translate() {
    local in="$1" out="$2"
    [ -f "$in" ] || die "translate: no module $in"
    "$OUT/bin/wasm-opt" "$in" "${FEATURES[@]}" --translate-to-exnref -g -o "$out.tmp" \
        || { rm -f "$out.tmp"; die "wasm-opt --translate-to-exnref failed on $in"; }
    mv "$out.tmp" "$out"
    echo "[binaryen] $out: exception handling translated to the standard encoding (exnref)"
}

case "${1:-build}" in
    wasm-opt) echo "$OUT/bin/wasm-opt"; exit 0 ;;
    translate)
        [ $# -eq 3 ] || die "usage: $0 translate IN OUT"
        bash "$0" build >&2 || exit 1
        translate "$2" "$3"; exit 0 ;;
    build) ;;
    *) die "usage: $0 [build|wasm-opt|translate IN OUT]" ;;
esac
[ -f "$OUT/.complete" ] && { echo "[binaryen] up to date: $OUT"; exit 0; }
command -v cmake >/dev/null || die "cmake is not installed: run 'make deps'"
# One build at a time per key (two worktrees sharing the cache).
mkdir -p "$ONEPY_CACHE_ROOT" && exec 9>"$OUT.lock" && flock 9
[ -f "$OUT/.complete" ] && { echo "[binaryen] up to date: $OUT"; exit 0; }

TARBALL="$WORK/downloads/$(basename "$BINARYEN_SOURCE")"
rm -rf "$WORK/src" "$WORK/build" "$OUT.tmp" && mkdir -p "$WORK/src" "$WORK/build" "$WORK/logs" "$WORK/downloads"
STEP_LOG_DIR="$WORK/logs" STEP_PREFIX="binaryen"
: >"$STEP_LOG_DIR/timings.txt"
download() {
    if ! echo "$BINARYEN_SHA256  $TARBALL" | sha256sum -c --quiet - >/dev/null 2>&1; then
        curl -fsSL --retry 3 -o "$TARBALL.part" "$ONEPY_DEBIAN_MIRROR/$BINARYEN_SOURCE"
        echo "$BINARYEN_SHA256  $TARBALL.part" | sha256sum -c - || {
            echo "sha256 mismatch for $BINARYEN_SOURCE" >&2; return 1; }
        mv "$TARBALL.part" "$TARBALL"
    fi
}
unpack() { tar -xf "$TARBALL" -C "$WORK/src" --strip-components=1; }
configure() {
    cmake -S "$WORK/src" -B "$WORK/build" "${CMAKE_FLAGS[@]}"
}
compile() { cmake --build "$WORK/build" -j"$JOBS" --target wasm-opt; }
install_tool() {
    mkdir -p "$OUT.tmp/bin" && cp "$WORK/build/bin/wasm-opt" "$OUT.tmp/bin/wasm-opt"
    "$OUT.tmp/bin/wasm-opt" --version
}
step download  download
step unpack    unpack
step configure configure
step compile   compile
step install   install_tool
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT" && touch "$OUT/.complete"
rm -rf "$WORK/build" "$WORK/src"
echo "[binaryen] $OUT/bin/wasm-opt"
