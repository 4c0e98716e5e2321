"""The Python version onepy embeds, from its one pin: the cpython line of
sources.lock (`.../python3.14_3.14.7.orig.tar.xz` -> 3.14.7). Every script
derives its version-dependent names from here (scripts/common.sh does the
same for the shell scripts, build.rs for the guest).

    python3 scripts/pyversion.py [version|mm|nodot]
"""
import re
import sys
from pathlib import Path

SOURCES_LOCK = Path(__file__).resolve().parent.parent / "sources.lock"


def _read() -> str:
    for line in SOURCES_LOCK.read_text().splitlines():
        fields = line.split()
        if fields and fields[0] == "cpython":
            m = re.search(r"_(\d+\.\d+\.\d+[^.]*)\.orig\.", fields[1])
            if m:
                return m.group(1).replace("~", "")
    sys.exit(f"error: no cpython line with a version in {SOURCES_LOCK}")


VERSION = _read()                                # 3.14.7
MM = ".".join(VERSION.split(".")[:2])            # 3.14
NODOT = MM.replace(".", "")                      # 314
STDLIB_DIR = f"/usr/local/lib/python{MM}"        # the embedded stdlib's virtual path
SITE_PACKAGES = f"{STDLIB_DIR}/site-packages"
PYC_SUFFIX = f".cpython-{NODOT}.pyc"
EXT_SUFFIX = f".cpython-{NODOT}-wasm32-wasi.so"  # CPython's WASI extension suffix

if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "version"
    print({"version": VERSION, "mm": MM, "nodot": NODOT}[what])
