# Shared helpers for the stage scripts. Source it; do not run it.
# Every toolchain path can be overridden from the environment.

set -euo pipefail

ONEPY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ONEPY_CACHE_ROOT="${ONEPY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/onepy}"
ONEPY_DEBIAN_MIRROR="${ONEPY_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

CLANG="${ONEPY_CLANG:-clang-19}"
LLVM_AR="${ONEPY_LLVM_AR:-llvm-ar-19}"
LLVM_RANLIB="${ONEPY_LLVM_RANLIB:-llvm-ranlib-19}"
CLANG_RESOURCE_DIR="${ONEPY_CLANG_RESOURCE_DIR:-/usr/lib/llvm-19/lib/clang/19}"

die() { echo "error: $*" >&2; exit 1; }

# The Python version, from the one pin: the cpython line of sources.lock
# (`python3.14_3.14.7.orig.tar.xz` -> 3.14.7; Debian's `~rc1` -> rc1).
PY_VERSION="$(awk '$1 == "cpython" { print $2 }' "$ONEPY_ROOT/sources.lock" \
    | sed -E 's/.*_([0-9]+\.[0-9]+\.[0-9]+[^.]*)\.orig\..*/\1/; s/~//')"
PY_MM="$(echo "$PY_VERSION" | cut -d. -f1,2)"   # 3.14: python3.14 dirs, libpython3.14.a
PY_NODOT="${PY_MM/./}"                           # 314: cpython-314 suffixes
[[ "$PY_MM" =~ ^3\.[0-9]+$ ]] || die "cannot read the Python version from the cpython line of sources.lock"

# sha256 of a list of files, each preceded by its repo-relative name, so
# renaming an input changes the hash too.
hash_files() {
    local f
    for f in "$@"; do
        printf '%s\0' "${f#"$ONEPY_ROOT"/}"
        cat "$f"
    done | sha256sum | cut -c1-16
}

# What the toolchain is, for cache keys: the pins of toolchain.lock, or for a
# tool given by an override variable, that tool's own version. Reads no
# installed Debian package, so it is the same before and after `make deps`.
toolchain_identity() {
    grep -v '^#' "$ONEPY_ROOT/toolchain.lock"
    local var
    for var in ONEPY_CLANG ONEPY_LLVM_AR ONEPY_LLVM_RANLIB ONEPY_CLANG_RESOURCE_DIR; do
        if [ -n "${!var:-}" ]; then
            printf '%s=%s %s\n' "$var" "${!var}" "$("${!var}" --version 2>/dev/null | head -n1 || true)"
        fi
    done
}

# Fail unless the installed toolchain packages are the pinned ones (a build
# under a key that names other versions would poison the cache).
check_toolchain() {
    local pkg want have
    [ -n "${ONEPY_CLANG:-}" ] && return 0
    while read -r pkg want; do
        have="$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)"
        [ "$have" = "$want" ] || die "toolchain package $pkg is ${have:-not installed}, toolchain.lock pins $want: run 'make deps' (or set ONEPY_CLANG)"
    done < <(grep -v '^#' "$ONEPY_ROOT/toolchain.lock")
}

elapsed_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

# step NAME COMMAND...: run one pipeline step with its output in a log file.
# Prints one line with the elapsed time; on failure prints the command and the
# tail of its log, and exits non-zero.
STEP_LOG_DIR="${STEP_LOG_DIR:-/tmp}"
STEP_PREFIX="${STEP_PREFIX:-onepy}"
step() {
    local name="$1"; shift
    local log="$STEP_LOG_DIR/$name.log"
    local start secs
    start=$(date +%s.%N)
    printf '[%s] %-28s ' "$STEP_PREFIX" "$name"
    if ( "$@" ) >"$log" 2>&1; then
        secs=$(elapsed_since "$start")
        printf 'ok   %6ss\n' "$secs"
        echo "$name $secs" >>"$STEP_LOG_DIR/timings.txt"
    else
        local rc=$?
        printf 'FAIL %6ss\n' "$(elapsed_since "$start")"
        echo "command: $*" >&2
        echo "log: $log (last 40 lines)" >&2
        tail -n 40 "$log" >&2
        exit "$rc"
    fi
}

# fetch NAME DEST_DIR: download the file pinned as NAME in sources.lock from
# Debian's archive into DEST_DIR and verify its sha256. Prints the file path.
fetch() {
    local name="$1" dest="$2" path sum file
    read -r path sum < <(awk -v n="$name" '$1 == n { print $2, $3 }' "$ONEPY_ROOT/sources.lock")
    [ -n "${path:-}" ] || die "no source named '$name' in sources.lock"
    file="$dest/$(basename "$path")"
    mkdir -p "$dest"
    if [ ! -f "$file" ] || ! echo "$sum  $file" | sha256sum -c --quiet - >/dev/null 2>&1; then
        curl -fsSL --retry 3 -o "$file.part" "$ONEPY_DEBIAN_MIRROR/$path" \
            || die "download failed: $ONEPY_DEBIAN_MIRROR/$path"
        echo "$sum  $file.part" | sha256sum -c --quiet - >/dev/null 2>&1 \
            || die "sha256 mismatch for $path (expected $sum, got $(sha256sum "$file.part" | cut -d' ' -f1))"
        mv "$file.part" "$file"
    fi
    echo "$file"
}
