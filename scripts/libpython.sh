#!/usr/bin/env bash
# Build a static CPython (the version sources.lock pins) for wasm32-wasip1 from Debian's sources (our
# replacement for wlr-libpy's prebuilt download).
#
#   scripts/libpython.sh [build]   build into the cache (no-op when complete)
#   scripts/libpython.sh key       print the cache key
#   scripts/libpython.sh dir       print the output directory
#
# The key hashes every input: sources.lock, this script, the patches and the
# toolchain pins (toolchain.lock; never the output of an installed tool, so the
# key does not change when `make deps` installs it). The output directory holds:
#   lib/            link inputs (libpython3.X.a, C libraries, no libc.a)
#   sysroot/        trixie's wasi-libc (headers, libc.a, crt1-command.o)
#   clang-resource/ a clang resource dir with the wasm32 builtins where clang-19 looks
#   include/        CPython headers (pyconfig.h for wasm32-wasi)
#   stdlib/         the pure-Python standard library + WASI _sysconfigdata
#   native/         native build-python of the same sources (bin/python3.X)
#   stock/          CPython's WASI python.wasm built from the same sources and
#                   flags WITHOUT patches/cpython (needs the stdlib mapped):
#                   the baseline `make conformance` compares against
#   pyo3-config.txt PYO3_CONFIG_FILE for the wasm32-wasip1 build
#   build-info.txt  sizes, step timings, built-in modules
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KEY_INPUTS=(
    "$ONEPY_ROOT/sources.lock"
    "$ONEPY_ROOT/scripts/libpython.sh"
    "$ONEPY_ROOT"/patches/cpython/*.patch
    "$ONEPY_ROOT"/patches/xz-utils/*.patch
)

# Speed levers (issue 16, README "Compute speed"), part of the key:
# what each measured is in benches/compute/levers.md.
# PGO=1 (default: 3-4% faster): a profile trained on a native,
# clang-instrumented build of the same patched sources, applied to the wasm32
# compile (see pgo_train below).
PGO="${ONEPY_LIBPYTHON_PGO:-1}"
# LTO=1 (default off: no faster, 20% larger): libpython's objects are LLVM
# bitcode (-flto=thin); whatever links them (CPython's own python.wasm, and
# rust-lld for onepy's modules) optimizes across CPython's files at link time.
LTO="${ONEPY_LIBPYTHON_LTO:-0}"
# The optimisation flags of the wasm32 CPython compile (ours; the unpatched
# baseline in stock/ always uses CPython's defaults below).
WASI_OPT="${ONEPY_LIBPYTHON_OPT:--DNDEBUG -O3 -Wall}"
STOCK_OPT="-DNDEBUG -O3 -Wall"
LLVM_PROFDATA="${ONEPY_LLVM_PROFDATA:-llvm-profdata-19}"

cache_key() {
    { hash_files "${KEY_INPUTS[@]}"; toolchain_identity; echo "pgo=$PGO lto=$LTO opt=$WASI_OPT"; } | sha256sum | cut -c1-16
}

KEY="$(cache_key)"
OUT="$ONEPY_CACHE_ROOT/libpython-$KEY"
WORK="$ONEPY_CACHE_ROOT/work/libpython-$KEY"
DEPS="$WORK/deps"          # wasm32 C libraries (prefix)
SRC="$WORK/src"
JOBS="${ONEPY_JOBS:-$(nproc)}"
# -ffile-prefix-map: __FILE__ strings in the objects name /onepy-build/...,
# never this machine's cache path.
WCC="$CLANG --target=wasm32-wasip1 --sysroot=$OUT/sysroot -resource-dir=$OUT/clang-resource \
-ffile-prefix-map=$WORK=/onepy-build -ffile-prefix-map=$OUT=/onepy-libpython"
# The build date CPython records (__DATE__/__TIME__ in sys.version): CPython
# the fixed date below, unless the caller sets SOURCE_DATE_EPOCH (2025-06-11; src/vfs MTIME_NS matches), so two
# builds of the same inputs are byte-identical (clang reads the variable).
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1749600000}"
# The build paths, as recorded in generated files: the same names as
# -ffile-prefix-map gives them in the objects.
PATH_MAP=("$WORK=/onepy-build" "$OUT=/onepy-libpython")
WASI_DEFS="-D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_GETPID -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_MMAN"

case "${1:-build}" in
    key) echo "$KEY"; exit 0 ;;
    dir) echo "$OUT"; exit 0 ;;
    build) ;;
    *) die "usage: $0 [build|key|dir]" ;;
esac

mkdir -p "$ONEPY_CACHE_ROOT"
# One build per key at a time: a second `make` waits for the first.
exec 9>"$ONEPY_CACHE_ROOT/libpython-$KEY.lock"
flock 9
if [ -f "$OUT/.complete" ]; then
    echo "[libpython] up to date: $OUT"
    exit 0
fi

command -v "$CLANG" >/dev/null || die "$CLANG not found: run 'make deps' (or set ONEPY_CLANG)"
check_toolchain
mkdir -p "$OUT" "$WORK/logs" "$SRC"
STEP_LOG_DIR="$WORK/logs"
STEP_PREFIX="libpython"
: >"$STEP_LOG_DIR/timings.txt"
echo "[libpython] building into $OUT (logs in $STEP_LOG_DIR)"

unpack() { # unpack NAME DIR: fresh copy of a pinned source tarball
    local tarball
    tarball="$(fetch "$1" "$WORK/downloads")"
    rm -rf "$2" && mkdir -p "$2"
    tar -xf "$tarball" -C "$2" --strip-components=1
}

apply_patches() { # apply_patches DIR PATCH_DIR
    local p
    for p in "$2"/*.patch; do
        # Explicit: a step runs in an `if`, where set -e does not stop it.
        patch -d "$1" -p1 --forward --batch <"$p" \
            || die "$(basename "$p") does not apply to $(basename "$1") (see the hunks above)"
    done
}

fetch_all() {
    local n
    for n in $(awk '!/^#/ && NF { print $1 }' "$ONEPY_ROOT/sources.lock"); do
        fetch "$n" "$WORK/downloads"
    done
}

make_sysroot() {
    local deb x
    deb="$(fetch wasi-libc "$WORK/downloads")"
    x="$WORK/wasi-libc-deb"
    rm -rf "$x" "$OUT/sysroot" "$OUT/clang-resource"
    dpkg-deb -x "$deb" "$x"
    mkdir -p "$OUT/sysroot/include" "$OUT/sysroot/lib"
    cp -a "$x/usr/include/wasm32-wasi" "$OUT/sysroot/include/"
    cp -a "$x/usr/lib/wasm32-wasi" "$OUT/sysroot/lib/"
    ln -s wasm32-wasi "$OUT/sysroot/include/wasm32-wasip1"
    ln -s wasm32-wasi "$OUT/sysroot/lib/wasm32-wasip1"
    # clang-19 looks for the builtins under lib/wasm32-unknown-wasip1/; Debian
    # ships them under lib/wasi/. A private resource dir bridges the two.
    mkdir -p "$OUT/clang-resource/lib/wasm32-unknown-wasip1"
    ln -s "$CLANG_RESOURCE_DIR/include" "$OUT/clang-resource/include"
    cp "$CLANG_RESOURCE_DIR/lib/wasi/libclang_rt.builtins-wasm32.a" \
        "$OUT/clang-resource/lib/wasm32-unknown-wasip1/libclang_rt.builtins.a"
    echo 'int main(void){return 0;}' >"$WORK/probe.c"
    $WCC -O2 "$WORK/probe.c" -o "$WORK/probe.wasm"
}

build_native_python() {
    unpack cpython "$SRC/cpython"
    apply_patches "$SRC/cpython" "$ONEPY_ROOT/patches/cpython"
    rm -rf "$WORK/native" && mkdir -p "$WORK/native"
    cd "$WORK/native"
    OPT="-DNDEBUG -O1" "$SRC/cpython/configure" --prefix="$OUT/native" \
        --disable-test-modules --without-ensurepip
    make -j"$JOBS"
    make install
}

build_zlib() {
    unpack zlib "$WORK/zlib"
    cd "$WORK/zlib"
    CHOST=wasm32-wasip1 CC="$WCC" AR="$LLVM_AR" RANLIB="$LLVM_RANLIB" CFLAGS="-O2" \
        ./configure --static --prefix="$DEPS"
    make -j"$JOBS" libz.a
    make install
}

build_bzip2() {
    unpack bzip2 "$WORK/bzip2"
    cd "$WORK/bzip2"
    make -j"$JOBS" libbz2.a CC="$WCC" AR="$LLVM_AR" RANLIB="$LLVM_RANLIB" CFLAGS="-O2 -D_FILE_OFFSET_BITS=64"
    mkdir -p "$DEPS/lib" "$DEPS/include"
    cp libbz2.a "$DEPS/lib/" && cp bzlib.h "$DEPS/include/"
}

build_xz() {
    unpack xz-utils "$WORK/xz"
    apply_patches "$WORK/xz" "$ONEPY_ROOT/patches/xz-utils"
    cd "$WORK/xz"
    CC="$WCC" AR="$LLVM_AR" RANLIB="$LLVM_RANLIB" CFLAGS="-O2 $WASI_DEFS" \
        ./configure --host=wasm32-wasi --prefix="$DEPS" --disable-threads \
        --enable-static --disable-shared --disable-xz --disable-xzdec --disable-lzmadec \
        --disable-lzmainfo --disable-lzma-links --disable-scripts --disable-doc --disable-nls
    make -j"$JOBS" -C src/liblzma
    make -C src/liblzma install
}

# zstd for compression.zstd (new in 3.14): the library only, single-threaded,
# without the x86 assembly decoder; dictBuilder for train_dict.
build_zstd() {
    unpack libzstd "$WORK/zstd"
    cd "$WORK/zstd/lib"
    local f objs=()
    mkdir -p "$WORK/zstd/obj"
    for f in common/*.c compress/*.c decompress/*.c dictBuilder/*.c; do
        $WCC -O2 -DZSTD_DISABLE_ASM -DZSTD_LEGACY_SUPPORT=0 -I. -Icommon \
            -c "$f" -o "$WORK/zstd/obj/$(basename "${f%.c}").o"
        objs+=("$WORK/zstd/obj/$(basename "${f%.c}").o")
    done
    mkdir -p "$DEPS/lib" "$DEPS/include"
    rm -f "$DEPS/lib/libzstd.a"
    "$LLVM_AR" rcs "$DEPS/lib/libzstd.a" "${objs[@]}"
    cp zstd.h zdict.h zstd_errors.h "$DEPS/include/"
}

build_sqlite() {
    unpack sqlite3 "$WORK/sqlite"
    # The amalgamation is generated by a native build (needs tclsh), then
    # compiled for wasm32 on its own.
    rm -rf "$WORK/sqlite-native" && mkdir -p "$WORK/sqlite-native"
    cd "$WORK/sqlite-native"
    "$WORK/sqlite/configure" --disable-tcl
    make sqlite3.c
    $WCC -O2 -DSQLITE_WASI -DSQLITE_OMIT_LOAD_EXTENSION=1 -DSQLITE_THREADSAFE=0 \
        $WASI_DEFS -c sqlite3.c -o sqlite3.o
    mkdir -p "$DEPS/lib" "$DEPS/include"
    rm -f "$DEPS/lib/libsqlite3.a"
    "$LLVM_AR" rcs "$DEPS/lib/libsqlite3.a" sqlite3.o
    cp sqlite3.h "$DEPS/include/"
}

# OpenSSL for _ssl and _hashlib (and for packages that link it later:
# OPENSSL_DIR=<libpython dir>): static libcrypto and libssl only
# (`make build_libs`: no apps, tests or docs are compiled). wasm32 is not an
# OpenSSL target: ours (written below) is its generic 32-bit C one
# (linux-generic32's bignum settings) without Linux's extras (-pthread,
# -ldl, the AF_ALG engine). OpenSSL 3.5 knows __wasi__ itself: it seeds its
# DRBG from getentropy() (wasi-libc: WASI's random_get), has no syslog and
# a constant OPENSSL_issetugid(). The options:
#   no-asm            wasm32 has no assembly implementations
#   no-threads        wasm32-wasip1 has no threads. With threads, OpenSSL
#                     would need wasi-libc's pthread stubs, whose
#                     pthread_cond_* clash with CPython's own stubs when
#                     python.wasm links, and whose pthread_key_delete() never
#                     returns (OPENSSL_cleanup hung at exit);
#                     patches/cpython/wasi-openssl-no-threads.patch lets
#                     _ssl/_hashlib accept a lock-free OpenSSL in CPython's
#                     thread-less WASI build
#   no-shared         static archives only
#   no-dso no-engine  no dlopen on WASI: no loadable engines or providers
#   no-secure-memory  the mmap/mlock-guarded heap (WASI has neither)
#   no-sock           wasi-libc has no netdb.h, socket() or connect()
#                     (patches/cpython/wasi-ssl-no-sock.patch: wrap_socket
#                     raises; TLS over memory BIOs works)
#   no-ui-console     the terminal password prompt (termios)
#   no-tests no-apps no-docs  only the libraries are configured
#   -D_WASI_EMULATED_SIGNAL  cryptlib.c includes <signal.h> (nothing from
#                     it is linked); -D_WASI_EMULATED_GETPID: getpid() (the
#                     fork check, the DRBG's nonce), linked by CPython anyway
# --openssldir=/etc/ssl: where the default CA file and directory are looked
# up (ssl.get_default_verify_paths()); inside the module that path exists
# only if the host maps a directory there. The prefix (/usr/local) only
# names the engines/modules directories, which a no-dso build never opens.
build_openssl() {
    unpack openssl "$WORK/openssl"
    cd "$WORK/openssl"
    cat >"$WORK/openssl-wasm32-wasi.conf" <<'CONF'
my %targets = (
    "wasm32-wasi-onepy" => {
        inherit_from  => [ "BASE_unix" ],
        CC            => "clang",
        CFLAGS        => "-O2",
        bn_ops        => "BN_LLONG RC4_CHAR",
        dso_scheme    => "none",
    },
);
CONF
    CC="$WCC" AR="$LLVM_AR" RANLIB="$LLVM_RANLIB" \
        ./Configure --config="$WORK/openssl-wasm32-wasi.conf" wasm32-wasi-onepy \
        --prefix=/usr/local --libdir=lib --openssldir=/etc/ssl \
        no-asm no-threads no-shared no-dso no-engine no-secure-memory no-sock \
        no-ui-console no-tests no-apps no-docs -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_GETPID
    # OpenSSL_version(OPENSSL_CFLAGS) (linked: _ssl calls OpenSSL_version)
    # reports the compiler line: generated first with the build paths renamed
    # as -ffile-prefix-map renames them, so the module names no cache path.
    # Its "built on" date is SOURCE_DATE_EPOCH's.
    make crypto/buildinf.h CC="$(echo "$WCC" | map_build_paths)"
    make -j"$JOBS" build_libs
    rm -rf "$WORK/openssl-install"
    make DESTDIR="$WORK/openssl-install" install_dev
    mkdir -p "$DEPS/lib" "$DEPS/include"
    rm -rf "$DEPS/include/openssl"
    cp -a "$WORK/openssl-install/usr/local/include/openssl" "$DEPS/include/"
    cp "$WORK/openssl-install/usr/local/lib"/{libssl,libcrypto}.a "$DEPS/lib/"
}

# PGO without a wasm32 profile runtime (Debian ships none). Clang's frontend
# instrumentation keys each function's counters by its name (static functions
# prefixed by the source path as given on the command line) and a hash of its
# source-level control flow, so a profile trained natively applies to the
# wasm32 compile of the same sources wherever the preprocessed code agrees.
# To keep it agreeing: the same patched tree, configured from a sibling of
# wasi/ by the same relative path (same static-function names), and without
# computed gotos (the wasm32 build has none; they change ceval's control
# flow). Training is CPython's own PGO task list (`-m test --pgo`, what
# `make profile-opt` runs), not the benchmarks. Functions whose hash differs
# (code under #ifdef that differs between the two platforms) keep no profile:
# pgo_report lists them per file.
PGO_RAW="$WORK/pgo-raw"
PROFDATA="$OUT/pgo/cpython.profdata"

pgo_instrumented_build() {
    rm -rf "$WORK/pgo-native" && mkdir -p "$WORK/pgo-native"
    cd "$WORK/pgo-native"
    CC="$CLANG" OPT="-DNDEBUG -O2" \
    CFLAGS_NODIST="-fprofile-instr-generate" LDFLAGS_NODIST="-fprofile-instr-generate" \
        "$(realpath --relative-to="$WORK/pgo-native" "$SRC/cpython")/configure" --without-computed-gotos \
        --with-hash-algorithm=siphash13 --disable-test-modules --without-ensurepip
    make -j"$JOBS" all
}

pgo_train() {
    cd "$WORK/pgo-native"
    rm -rf "$PGO_RAW" && mkdir -p "$PGO_RAW" "$OUT/pgo"
    # Failing tests do not matter for a profile (make profile-opt ignores them too).
    LLVM_PROFILE_FILE="$PGO_RAW/%p-%m.profraw" ./python -m test --pgo --timeout=1200 >"$OUT/pgo/train.log" 2>&1 || true
    tail -n 3 "$OUT/pgo/train.log"
    ls "$PGO_RAW"/*.profraw >/dev/null || die "PGO training wrote no profile (see $OUT/pgo/train.log)"
    "$LLVM_PROFDATA" merge -o "$PROFDATA" "$PGO_RAW"/*.profraw
    "$LLVM_PROFDATA" show --detailed-summary "$PROFDATA" >"$OUT/pgo/summary.txt"
}

# The wasm32 compile flags that apply the profile and LTO (CFLAGS_NODIST:
# CPython's own code, not what extensions are later compiled with).
speed_cflags() {
    if [ "$PGO" = 1 ]; then
        echo -n "-fprofile-instr-use=$PROFDATA -Wprofile-instr-out-of-date -Wno-profile-instr-unprofiled "
    fi
    if [ "$LTO" = 1 ]; then echo -n "-flto=thin"; fi
}

# How much of the profile applied. Clang reports, per translation unit, how
# many functions had a control-flow hash that differed from the training
# build's (their counters are ignored; clang does not name them); the sum
# goes to pgo/mismatch.txt and build-info.txt.
pgo_report() {
    grep -h "profile data may be out of date" "$STEP_LOG_DIR/make-wasi-python.log" \
        | sed -n 's/.* of \([0-9]*\) functions*, \([0-9]*\) ha[sv]e* mismatched.*/\1 \2/p' \
        | awk '{ n++; f += $1; m += $2 } END { printf "%d translation units with mismatches: %d of their %d functions compiled without profile\n", n, m, f }' \
        >"$OUT/pgo/mismatch.txt"
    cat "$OUT/pgo/mismatch.txt"
}

# configure_wasi_python BUILD_DIR SOURCE_DIR OPT [CFLAGS_NODIST [LDFLAGS_NODIST [CONFIGURE_ARG...]]]:
# CPython for wasm32-wasip1.
configure_wasi_python() {
    local build="$1" source="$2" opt="$3" nodist="${4:-}" ldnodist="${5:-}"
    local extra=("${@:6}")
    rm -rf "$build" && mkdir -p "$build"
    cd "$build"
    # configure by a relative path: the source dir is compiled into
    # getpath.o as VPATH, and must not name this machine's cache.
    # --with-hash-algorithm: cross-compiling, configure cannot test whether
    # unaligned reads work and falls back to FNV (PEP 456 rejected it: its
    # secret can be recovered); SipHash-1-3 reads its input with memcpy, and
    # wasm32 allows unaligned access anyway.
    CC="$WCC" CPP="$WCC -E" AR="$LLVM_AR" RANLIB="$LLVM_RANLIB" \
    CONFIG_SITE="$source/Tools/wasm/wasi/config.site-wasm32-wasi" \
    PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR="$DEPS/lib/pkgconfig" \
    ZLIB_CFLAGS="-I$DEPS/include" ZLIB_LIBS="-L$DEPS/lib -lz" \
    BZIP2_CFLAGS="-I$DEPS/include" BZIP2_LIBS="-L$DEPS/lib -lbz2" \
    LIBLZMA_CFLAGS="-I$DEPS/include" LIBLZMA_LIBS="-L$DEPS/lib -llzma" \
    LIBZSTD_CFLAGS="-I$DEPS/include" LIBZSTD_LIBS="-L$DEPS/lib -lzstd" \
    LIBSQLITE3_CFLAGS="-I$DEPS/include" LIBSQLITE3_LIBS="-L$DEPS/lib -lsqlite3" \
    OPT="$opt" CFLAGS_NODIST="$nodist" LDFLAGS_NODIST="$ldnodist" \
        "$(realpath --relative-to="$build" "$source")/configure" --host=wasm32-wasip1 \
        --build="$(uname -m)-pc-linux-gnu" \
        --with-build-python="$OUT/native/bin/python$PY_MM" --prefix=/usr/local \
        --with-hash-algorithm=siphash13 --with-openssl="$DEPS" \
        --disable-shared --disable-test-modules --without-system-libmpdec --without-ensurepip \
        "${extra[@]}"
}

# make_wasi_python BUILD_DIR
make_wasi_python() {
    cd "$1"
    make -j"$JOBS" all
}

# The same CPython without patches/cpython, for `make conformance`: what each
# of our patches changes shows up as a difference between the two.
unpack_unpatched_cpython() {
    unpack cpython "$SRC/cpython-unpatched"
}

install_outputs() {
    local b="$WORK/wasi" a
    rm -rf "$OUT/lib" "$OUT/include" "$OUT/stdlib" "$OUT/stock"
    mkdir -p "$OUT/lib" "$OUT/include" "$OUT/stock"
    cp "$b/libpython$PY_MM.a" "$b/Modules/_decimal/libmpdec/libmpdec.a" \
        "$b/Modules/expat/libexpat.a" "$b"/Modules/_hacl/libHacl_*.a \
        "$DEPS"/lib/{libz,libbz2,liblzma,libzstd,libsqlite3,libssl,libcrypto}.a "$OUT/lib/"
    cp "$OUT/clang-resource/lib/wasm32-unknown-wasip1/libclang_rt.builtins.a" \
        "$OUT/lib/libclang_rt.builtins-wasm32.a"
    cp -a "$SRC/cpython/Include/." "$OUT/include/"
    cp "$b/pyconfig.h" "$OUT/include/"
    # OpenSSL's headers next to its libraries: OPENSSL_DIR=$OUT for packages.
    cp -a "$DEPS/include/openssl" "$OUT/include/"
    # The stdlib tree: Lib/ as shipped, plus the generated WASI sysconfigdata.
    cp -a "$SRC/cpython/Lib" "$OUT/stdlib"
    find "$OUT/stdlib" -name __pycache__ -prune -exec rm -rf {} +
    # The generated sysconfigdata records the build's variables (compiler
    # command lines, configure arguments, build directories): its build paths
    # are renamed as -ffile-prefix-map renames them in the objects, so the
    # module carries no path of this machine.
    for a in "$b"/build/lib.wasi-wasm32-$PY_MM/_sysconfig{data_*.py,_vars_*.json}; do
        map_build_paths <"$a" >"$OUT/stdlib/$(basename "$a")"
    done
    cp "$WORK/wasi-unpatched/python.wasm" "$OUT/stock/python.wasm"
    cat >"$OUT/pyo3-config.txt" <<EOF
implementation=CPython
version=$PY_MM
shared=false
abi3=false
lib_name=python$PY_MM
lib_dir=$OUT/lib
pointer_width=32
build_flags=
suppress_build_script_link_lines=true
EOF
}

# stdin -> stdout with every build path of PATH_MAP renamed.
map_build_paths() {
    local sed_args=() m
    for m in "${PATH_MAP[@]}"; do sed_args+=(-e "s|${m%%=*}|${m#*=}|g"); done
    sed "${sed_args[@]}"
}

write_build_info() {
    {
        echo "key: $KEY"
        echo "clang: $("$CLANG" --version | head -n1)"
        echo "python: $PY_VERSION"
        echo "libpython$PY_MM.a: $(stat -c %s "$OUT/lib/libpython$PY_MM.a") bytes"
        echo "stock python.wasm: $(stat -c %s "$OUT/stock/python.wasm") bytes"
        echo "openssl: $(sed -n 's/^# *define OPENSSL_FULL_VERSION_STR "\(.*\)"/\1/p' "$OUT/include/openssl/opensslv.h")" \
            "(libcrypto.a $(stat -c %s "$OUT/lib/libcrypto.a") bytes, libssl.a $(stat -c %s "$OUT/lib/libssl.a") bytes)"
        echo "pgo: $PGO lto: $LTO opt: $WASI_OPT"
        if [ "$PGO" = 1 ]; then echo "pgo profile: $(cat "$OUT/pgo/mismatch.txt")"; fi
        echo "step timings (s):"
        sed 's/^/  /' "$STEP_LOG_DIR/timings.txt"
        echo "built-in modules:"
        # Every module registered in the WASI build's inittab.
        sed -n 's/^ *{"\([A-Za-z0-9_.]*\)", PyInit_.*/  \1/p' "$WORK/wasi/Modules/config.c" | sort
    } >"$OUT/build-info.txt"
}

step fetch-sources          fetch_all
step wasi-sysroot           make_sysroot
step native-build-python    build_native_python
step zlib                   build_zlib
step bzip2                  build_bzip2
step xz-liblzma             build_xz
step libzstd                build_zstd
step sqlite3                build_sqlite
step openssl                build_openssl
if [ "$PGO" = 1 ]; then
    step pgo-instrumented-build pgo_instrumented_build
    step pgo-train              pgo_train
fi
step configure-wasi-python  configure_wasi_python "$WORK/wasi" "$SRC/cpython" "$WASI_OPT" "$(speed_cflags)" \
    "$(if [ "$LTO" = 1 ]; then echo -flto=thin; fi)"
step make-wasi-python       make_wasi_python "$WORK/wasi"
if [ "$PGO" = 1 ]; then pgo_report; fi
step unpatched-sources      unpack_unpatched_cpython
# The unpatched baseline cannot use this OpenSSL: its _ssl.c and
# _hashopenssl.c refuse one without threads, and _ssl.c needs SSL_set_fd(),
# which a no-sock OpenSSL lacks (patches/cpython/wasi-openssl-no-threads.patch
# and wasi-ssl-no-sock.patch are what make ours compile): both are n/a there,
# as before (hashlib falls back to HACL*).
step configure-unpatched    configure_wasi_python "$WORK/wasi-unpatched" "$SRC/cpython-unpatched" "$STOCK_OPT" "" "" \
    py_cv_module__ssl=n/a py_cv_module__hashlib=n/a
step make-unpatched         make_wasi_python "$WORK/wasi-unpatched"
step install                install_outputs
write_build_info
touch "$OUT/.complete"
echo "[libpython] done: $OUT"
