"""Resolve a spec as native pip would, then decide per package how onepy embeds it.

The tools venv's Python *is* the CPython the module embeds (same version), on
x86_64 Linux: its pip, with sdists allowed, picks exactly the versions `pip
install SPEC` picks natively for that Python. Never a different version
because a newer one is compiled. Per package:

  - pure-Python wheel (`*-none-any.whl`)      -> embedded as it is
  - platform wheel (compiled extensions)      -> its sdist of the SAME version,
                                                 built for wasm32-wasip1
  - only an sdist                             -> built (it may be pure)
  - compiled, and no sdist published          -> the lock fails, naming it
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from lockfile import Entry
from pyversion import MM

PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


def die(message: str) -> None:
    sys.exit(f"error: {message}")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def is_pure_wheel(filename: str) -> bool:
    # name-version(-build)?-python-abi-platform.whl
    parts = filename[:-4].split("-")
    return filename.endswith(".whl") and parts[-1] == "any" and parts[-2] == "none"


def pip_report(specs: list) -> dict:
    """`pip install --dry-run --report` natively: the versions pip would install."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = PIP + ["install", "--dry-run", "--ignore-installed", "--quiet", "--report", str(report),
                     "--target", str(Path(tmp) / "t"), *specs]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            tail = "\n".join(result.stderr.strip().splitlines()[-30:])
            die(f"pip cannot resolve {' '.join(specs)} for Python {MM} (as it would natively):\n"
                f"command: {' '.join(cmd)}\n{tail}")
        return json.loads(report.read_text())


def index_files(name: str) -> list:
    """The files the package index lists for a project (PEP 691 JSON, the API pip uses)."""
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
    url = f"{index}/{canonical(name)}/"
    request = urllib.request.Request(url, headers={"Accept": SIMPLE_JSON})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.load(response)["files"]
    except (urllib.error.URLError, OSError, ValueError, KeyError) as e:
        die(f"looking up the source distribution of '{name}' at {url}: {e}")


def find_sdist(name: str, version: str):
    """(url, sha256) of the sdist of exactly `name==version`, or None."""
    stem = re.sub(r"[-_.]+", "_", name).lower()
    for f in index_files(name):
        fn = f["filename"]
        for ext in (".tar.gz", ".zip"):
            if fn.endswith(ext):
                base = fn[: -len(ext)]
                got_name, _, got_version = base.rpartition("-")
                if re.sub(r"[-_.]+", "_", got_name).lower() == stem and got_version == version \
                        and f.get("hashes", {}).get("sha256") and not f.get("yanked"):
                    return f["url"], f["hashes"]["sha256"]
    return None


def sha256_of(item: dict) -> str:
    info = item["download_info"].get("archive_info", {})
    return info.get("hashes", {}).get("sha256") or info.get("hash", "").removeprefix("sha256=")


def resolve(specs: list) -> list:
    """[Entry], sorted by name: pip's native choice, per package a wheel or an sdist."""
    out = []
    for item in pip_report(specs)["install"]:
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        url = item["download_info"]["url"]
        filename = url.rsplit("/", 1)[-1]
        if is_pure_wheel(filename):
            out.append(Entry(name, version, url, sha256_of(item)))
        elif filename.endswith(".whl"):
            sdist = find_sdist(name, version)
            if sdist is None:
                die(f"package '{name}=={version}' cannot be embedded: native pip picks {filename} (compiled "
                    f"extensions) and {name} {version} publishes no source distribution to build for "
                    f"wasm32-wasip1. Pin a version that has an sdist, or leave '{name}' out.")
            out.append(Entry(name, version, *sdist, native_url=url, native_sha256=sha256_of(item)))
        else:
            out.append(Entry(name, version, url, sha256_of(item)))
    for e in out:
        if not re.fullmatch(r"[0-9a-f]{64}", e.sha256):
            die(f"package '{e.name}=={e.version}': the index gives no sha256 for {e.url}")
    return sorted(out, key=lambda e: e.name.lower())
