"""Keep README.md's figures equal to the files the benchmarks and reports write.

Every table of measured figures in README.md sits in a block

    <!-- generated from benches/results.md -->
    ...the file's text, verbatim...
    <!-- end generated -->

whose text is the named file's (`... as text -->`: in a ```text fence),
written by a script (`make bench`,
`make conformance`, `make size-report`, ...). This tool

    python3 scripts/readme_figures.py --check   fails if any block differs from its file
    python3 scripts/readme_figures.py --write   copies the files into their blocks

`make test` runs --check (host/tests/readme.rs), so a README figure cannot
drift from what its script produced; the scripts run --write after they
regenerate their file.
"""

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"(<!-- generated from (\S+)( as text)? -->\n)(.*?)(<!-- end generated -->)", re.S)


def rendered(name: str, as_text: bool) -> str:
    """The file's text as the block holds it (`as text`: in a code fence)."""
    text = (ROOT / name).read_text()
    return f"```text\n{text}```\n" if as_text else text


def blocks(text: str):
    return [(m.group(2), bool(m.group(3)), m.group(4)) for m in BLOCK.finditer(text)]


def check() -> list:
    problems = []
    found = blocks(README.read_text())
    if not found:
        problems.append("README.md has no generated blocks")
    for name, as_text, body in found:
        source = ROOT / name
        if not source.is_file():
            problems.append(f"{name}: the block's source file does not exist")
        elif rendered(name, as_text) != body:
            problems.append(f"{name}: README.md's block differs from the file (run scripts/readme_figures.py --write)")
    return problems


def write() -> None:
    def fill(m):
        source = ROOT / m.group(2)
        if not source.is_file():
            sys.exit(f"error: {m.group(2)} (named in README.md) does not exist")
        return m.group(1) + rendered(m.group(2), bool(m.group(3))) + m.group(5)
    README.write_text(BLOCK.sub(fill, README.read_text()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if args.write:
        write()
        return
    problems = check()
    if problems:
        sys.exit("error: " + "\n       ".join(problems))
    print(f"[readme] {len(blocks(README.read_text()))} generated blocks match their files")


if __name__ == "__main__":
    main()
