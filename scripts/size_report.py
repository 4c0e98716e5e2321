"""Sizes of the modules `make test` builds, and what each part adds:
benches/sizes.md, shown in README.md (`make size-report`).

    python3 scripts/size_report.py [--out benches/sizes.md]
"""

import argparse
import subprocess
import sys
from pathlib import Path

from pyversion import SITE_PACKAGES, STDLIB_DIR

ROOT = Path(__file__).resolve().parent.parent
MB = 1e6

# (label, module with snapshot, module without, bundle dir)
BUILDS = [
    ("python.wasm (stdlib only)", "python.wasm", "build/python-noinit.wasm", "stdlib-bundle"),
    ("build/app.wasm (examples/app + emoji, certifi, rich, click)", "build/app.wasm",
     "build/variants/app/app-noinit.wasm", "build/variants/app/bundle"),
    ("build/numpy.wasm (numpy, markupsafe, msgpack, PyYAML with libyaml, rpds-py, pytest)", "build/numpy.wasm",
     "build/variants/numpy/numpy-noinit.wasm", "build/variants/numpy/bundle"),
]
SITE = SITE_PACKAGES.lstrip("/")


def size(path: Path) -> int:
    if not path.exists():
        sys.exit(f"error: {path} is missing: run `make test-app test-numpy` first")
    return path.stat().st_size


def tree_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def packages(bundle: Path) -> list:
    """(distribution, bytes embedded: .py + .pyc + data) from each RECORD."""
    out = []
    for info in sorted((bundle / SITE).glob("*.dist-info")):
        name = info.name.removesuffix(".dist-info")
        tops = set()
        record = info / "RECORD"
        if not record.is_file():  # a package built from a recipe: its import name
            tops.add(name.split("-")[0].lower())
        if record.is_file():
            for line in record.read_text().splitlines():
                top = line.split(",")[0].split("/")[0]
                if top and not top.endswith((".dist-info", ".data")) and top != "..":
                    tops.add(top)
        total = tree_bytes(info)
        for top in tops:
            p = bundle / SITE / top
            total += tree_bytes(p) if p.is_dir() else (p.stat().st_size if p.is_file() else 0)
            # a top-level module's bytecode lives in site-packages/__pycache__
            for pyc in (bundle / SITE / "__pycache__").glob(f"{top.removesuffix('.py')}.*.pyc"):
                total += pyc.stat().st_size
        out.append((name, total))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benches" / "sizes.md")
    args = parser.parse_args()
    base_snap, base_raw = size(ROOT / BUILDS[0][1]), size(ROOT / BUILDS[0][2])
    lines = ["| module | size | without snapshot | added to python.wasm |", "|---|---:|---:|---:|"]
    details = []
    for label, snap, raw, bundle in BUILDS:
        s, r = size(ROOT / snap), size(ROOT / raw)
        added = "" if snap == "python.wasm" else f"+{(s - base_snap) / MB:.1f} MB (+{(r - base_raw) / MB:.1f} MB)"
        lines.append(f"| {label} | {s / MB:.1f} MB | {r / MB:.1f} MB | {added} |")
        for name, total in packages(ROOT / bundle):
            details.append(f"{name} {total / MB:.1f} MB" if total >= 100_000 else f"{name} {total / 1e3:.0f} kB")
    stdlib = ROOT / "stdlib-bundle" / STDLIB_DIR.lstrip("/")
    py = sum(p.stat().st_size for p in stdlib.rglob("*.py"))
    pyc = sum(p.stat().st_size for p in stdlib.rglob("*.pyc"))
    count = sum(1 for p in stdlib.rglob("*") if p.is_file())
    lines += ["", f"Embedded stdlib: {count} files, {(py + pyc) / MB:.1f} MB "
              f"(.py {py / MB:.1f} MB + .pyc {pyc / MB:.1f} MB).",
              "Embedded per package (.py + .pyc + data): "
              + ", ".join(sorted(set(details))) + "."]
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    subprocess.run([sys.executable, str(ROOT / "scripts" / "readme_figures.py"), "--write"], check=True)


if __name__ == "__main__":
    main()
