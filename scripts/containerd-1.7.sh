#!/usr/bin/env bash
# containerd 1.7 (Debian trixie's package, pinned with its sha256 in
# oci/containerd.lock) for the wasm-layer image tests and benchmarks: the
# .deb is downloaded from Debian's archive and its binaries extracted into
# the cache; nothing is installed on the system.
#
#   scripts/containerd-1.7.sh dir    fetch if needed; print the directory holding containerd and ctr
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

read -r DEB_PATH DEB_SHA < <(awk '$1 == "containerd-1.7" { print $2, $3 }' "$ONEPY_ROOT/oci/containerd.lock")
[ -n "${DEB_PATH:-}" ] || die "oci/containerd.lock has no containerd-1.7 entry"
OUT="$ONEPY_CACHE_ROOT/containerd-${DEB_SHA:0:16}"

fetch_containerd() {
    [ -x "$OUT/usr/bin/containerd" ] && return
    local tmp="$OUT.tmp" url="$ONEPY_DEBIAN_MIRROR/$DEB_PATH"
    rm -rf "$tmp" && mkdir -p "$tmp"
    curl -fsSL --retry 3 -o "$tmp/containerd.deb" "$url" || die "download failed: $url"
    echo "$DEB_SHA  $tmp/containerd.deb" | sha256sum -c --quiet - >/dev/null 2>&1 \
        || die "sha256 mismatch for $url (expected $DEB_SHA, got $(sha256sum "$tmp/containerd.deb" | cut -d' ' -f1))"
    dpkg-deb -x "$tmp/containerd.deb" "$tmp" || die "dpkg-deb -x $tmp/containerd.deb failed"
    rm "$tmp/containerd.deb"
    "$tmp/usr/bin/containerd" --version >/dev/null || die "$tmp/usr/bin/containerd does not run on this system"
    mv "$tmp" "$OUT"
}

case "${1:-}" in
    dir) fetch_containerd >&2; echo "$OUT/usr/bin" ;;
    *) die "usage: $0 dir" ;;
esac
