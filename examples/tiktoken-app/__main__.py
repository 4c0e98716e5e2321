"""Tokenize stdin with tiktoken, offline: the encoding files ship in the app
(`make tiktoken-app` writes them to encodings/ beside this file, checked
against tiktoken's own sha256 pins: scripts/tiktoken_encoding.py), and
tiktoken's cache directory points there, so get_encoding() reads them
instead of downloading them.

    wasmtime run build/tiktoken-app.wasm [ENCODING] < text.txt
"""

import json
import os
import sys

os.environ.setdefault("TIKTOKEN_CACHE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "encodings"))

import tiktoken  # noqa: E402

name = sys.argv[1] if len(sys.argv) > 1 else "cl100k_base"
enc = tiktoken.get_encoding(name)
text = sys.stdin.read()
tokens = enc.encode(text, allowed_special="all")
print(json.dumps({"encoding": enc.name, "tokens": len(tokens), "ids": tokens,
                  "pieces": [enc.decode_single_token_bytes(t).decode("utf-8", "replace") for t in tokens[:12]],
                  "round_trip": enc.decode(tokens) == text}, ensure_ascii=False))
