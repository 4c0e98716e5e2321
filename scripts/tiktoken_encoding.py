"""tiktoken's encoding files, for an app that ships them instead of letting
tiktoken download them at run time (python.wasm has no network).

tiktoken fetches <name>.tiktoken from openaipublic.blob.core.windows.net,
which this build cannot reach. The npm package `tiktoken` (pinned below with
sha256) carries the same ranks in another layout (encoders/<name>.json:
lines of `<first token> <first rank> <token> <token> ...`); rewritten in
tiktoken's own layout (`<base64 token> <rank>` per line) the file must have
exactly the sha256 tiktoken itself pins for it (tiktoken_ext/openai_public.py),
or this fails. The file is written under the name tiktoken's cache gives it
(the sha1 of its URL), so tiktoken.get_encoding(name) reads it with
TIKTOKEN_CACHE_DIR pointing at the directory.

    python3 scripts/tiktoken_encoding.py --cache DIR --out DIR cl100k_base [o200k_base ...]
"""

import argparse
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

NPM_URL = "https://registry.npmjs.org/tiktoken/-/tiktoken-1.0.22.tgz"
NPM_SHA256 = "55c339e756fdb17604f7c7e3eb35d2bcbffe4d960e8096e50285d1cefa51dd90"
BLOBS = "https://openaipublic.blob.core.windows.net/encodings/"
# The sha256 tiktoken 0.14.0 checks each file against (tiktoken_ext/openai_public.py).
EXPECTED = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}


def npm_tarball(cache: Path) -> bytes:
    path = cache / "downloads" / NPM_URL.rsplit("/", 1)[1]
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(NPM_URL, timeout=120) as r:
            data = r.read()
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.rename(path)
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != NPM_SHA256:
        sys.exit(f"error: {path} ({NPM_URL}): sha256 {hashlib.sha256(data).hexdigest()}, expected {NPM_SHA256}")
    return data


def tiktoken_file(ranks: str) -> bytes:
    """npm's `bpe_ranks` text in tiktoken's layout."""
    out = []
    for line in filter(None, ranks.split("\n")):
        first, start, *tokens = line.split(" ")
        out += [f"{token} {int(start) + i}\n" for i, token in enumerate(tokens)]
    return "".join(out).encode()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, required=True, help="where the npm tarball is kept")
    ap.add_argument("--out", type=Path, required=True, help="the directory TIKTOKEN_CACHE_DIR will name")
    ap.add_argument("names", nargs="+", choices=sorted(EXPECTED))
    args = ap.parse_args()
    with tarfile.open(fileobj=io.BytesIO(npm_tarball(args.cache))) as tar:
        for name in args.names:
            spec = json.load(tar.extractfile(f"package/encoders/{name}.json"))
            data = tiktoken_file(spec["bpe_ranks"])
            digest = hashlib.sha256(data).hexdigest()
            if digest != EXPECTED[name]:
                sys.exit(f"error: {name} from {NPM_URL} has sha256 {digest}, tiktoken expects {EXPECTED[name]}")
            args.out.mkdir(parents=True, exist_ok=True)
            target = args.out / hashlib.sha1(f"{BLOBS}{name}.tiktoken".encode()).hexdigest()
            target.write_bytes(data)
            print(f"[tiktoken] {name}: {len(data)} bytes, sha256 {digest} (tiktoken's own pin) -> {target}")


if __name__ == "__main__":
    main()
