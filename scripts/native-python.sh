#!/usr/bin/env bash
# A native CPython of the same sources, patches, compiler (clang-19), flags
# and PGO profile as the wasm32 libpython, for `make bench-compute`: next to
# python.wasm it separates what wasm and Cranelift cost from what the
# compiler and the Python version change (the build-python is built at -O1
# for build speed, and Debian's python3 is another version built by GCC).
#
#   scripts/native-python.sh [build]   build into the cache (no-op when complete)
#   scripts/native-python.sh python    print the interpreter's path
#
# The cache key is libpython's key (sources, patches, flags, profile) plus
# this script. Configured from a sibling of the source tree by the same
# relative path as the PGO training build, so the profile's function names
# match (see pgo_train in scripts/libpython.sh); no computed gotos, like the
# training build and the wasm32 build.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

LIBPY="${ONEPY_LIBPYTHON_DIR:-$(bash "$ONEPY_ROOT/scripts/libpython.sh" dir)}"
KEY="$( { basename "$LIBPY"; hash_files "$ONEPY_ROOT/scripts/native-python.sh"; } | sha256sum | cut -c1-16)"
OUT="$ONEPY_CACHE_ROOT/native-python-$KEY"
WORK="$ONEPY_CACHE_ROOT/work/native-python-$KEY"
JOBS="${ONEPY_JOBS:-$(nproc)}"
OPT="${ONEPY_LIBPYTHON_OPT:--DNDEBUG -O3 -Wall}"

case "${1:-build}" in
    python) echo "$OUT/bin/python$PY_MM"; exit 0 ;;
    build) ;;
    *) die "usage: $0 [build|python]" ;;
esac
[ -f "$OUT/.complete" ] && { echo "[native-python] up to date: $OUT"; exit 0; }
[ -f "$LIBPY/.complete" ] || die "no libpython in $LIBPY: run 'make libpython'"
PROFDATA="$LIBPY/pgo/cpython.profdata"
[ -f "$PROFDATA" ] || die "$LIBPY has no PGO profile (built with ONEPY_LIBPYTHON_PGO=0?)"
TARBALL="$(fetch cpython "$WORK/downloads")"

rm -rf "$WORK/src" "$WORK/native-opt" "$OUT" && mkdir -p "$WORK/src/cpython" "$WORK/native-opt" "$WORK/logs"
STEP_LOG_DIR="$WORK/logs" STEP_PREFIX="native-python"
: >"$STEP_LOG_DIR/timings.txt"
unpack_and_patch() {
    tar -xf "$TARBALL" -C "$WORK/src/cpython" --strip-components=1
    local p
    for p in "$ONEPY_ROOT"/patches/cpython/*.patch; do patch -d "$WORK/src/cpython" -p1 --forward --batch <"$p"; done
}
configure_native() {
    cd "$WORK/native-opt"
    CC="$CLANG" OPT="$OPT" CFLAGS_NODIST="-fprofile-instr-use=$PROFDATA -Wno-profile-instr-unprofiled -Wno-profile-instr-out-of-date" \
        ../src/cpython/configure --prefix="$OUT" --without-computed-gotos --with-hash-algorithm=siphash13 \
        --disable-test-modules --without-ensurepip
}
make_native() { cd "$WORK/native-opt" && make -j"$JOBS" && make install; }
step unpack-patch   unpack_and_patch
step configure      configure_native
step make-install   make_native
touch "$OUT/.complete"
echo "[native-python] $OUT/bin/python$PY_MM"
