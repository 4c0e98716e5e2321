#!/usr/bin/env bash
# Checks that sandbox/vendor/wasmtime-48.0.8 is exactly the crates.io crate
# (sha256 pinned below) with patches/wasmtime-48.0.8-pagemap-scan.patch
# applied, and nothing else. Run by `make test-sandbox`; see README.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CRATE=wasmtime-48.0.8
SHA256=a2afcadb2e7d0417cb8f3f322c66eff49338b288f22290c0ca0bd3e9570732aa
URL="https://static.crates.io/crates/wasmtime/$CRATE.crate"
PATCH="$HERE/patches/$CRATE-pagemap-scan.patch"

die() { echo "error: $*" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# cargo's download cache holds the crate if this machine ever built the
# unpatched wasmtime; otherwise fetch it from crates.io.
cached="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$CRATE.crate" 2>/dev/null | head -n1 || true)"
if [ -n "$cached" ]; then
    cp "$cached" "$tmp/$CRATE.crate"
else
    curl -fsSL --retry 3 -o "$tmp/$CRATE.crate" "$URL" || die "cannot download $URL"
fi
echo "$SHA256  $tmp/$CRATE.crate" | sha256sum --check --quiet - \
    || die "$CRATE.crate does not have the pinned sha256 $SHA256"

tar xzf "$tmp/$CRATE.crate" -C "$tmp"
patch --quiet --batch -p1 -d "$tmp/$CRATE" < "$PATCH" || die "$PATCH does not apply to $CRATE"
diff -r "$tmp/$CRATE" "$HERE/$CRATE" > "$tmp/diff" \
    || die "sandbox/vendor/$CRATE differs from crates.io's $CRATE plus $(basename "$PATCH"):
$(head -n 40 "$tmp/diff")"
echo "sandbox/vendor/$CRATE = crates.io $CRATE (sha256 $SHA256) + $(basename "$PATCH")"
