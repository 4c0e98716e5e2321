"""Keep the figures in README.md and docs/*.md equal to the files the benchmarks and reports write.

Every table of measured figures in README.md and docs/*.md sits in a block

    <!-- generated from benches/results.md -->
    ...the file's text, verbatim...
    <!-- end generated -->

whose text is the named file's (`... as text -->`: in a ```text fence),
written by a script (`make bench`, `make conformance`, `make size-report`,
...). README.md's headline table sits in a block

    <!-- generated headline -->
    ...a table derived from benches/results.md, benches/sandbox.md
       and benches/compute/results.md...
    <!-- end generated -->

that this tool derives from those three files (see `headline()`). This tool

    python3 scripts/readme_figures.py --check   fails if any block differs from its file
    python3 scripts/readme_figures.py --write   copies the files into their blocks

`make test` runs --check (host/tests/readme.rs), so a figure in the README or
in docs/ cannot drift from what its script produced; the scripts run --write
after they regenerate their file.
"""

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
BLOCK = re.compile(r"(<!-- generated from (\S+)( as text)? -->\n)(.*?)(<!-- end generated -->)", re.S)
HEADLINE = re.compile(r"(<!-- generated headline -->\n)(.*?)(<!-- end generated -->)", re.S)
HEADLINE_SOURCES = ["benches/results.md", "benches/sandbox.md", "benches/compute/results.md"]


def pages() -> list:
    """The files whose blocks are kept: README.md, then docs/*.md."""
    return [README] + sorted(DOCS.glob("*.md"))


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def rendered(name: str, as_text: bool) -> str:
    """The file's text as the block holds it (`as text`: in a code fence)."""
    text = (ROOT / name).read_text()
    return f"```text\n{text}```\n" if as_text else text


def blocks(text: str):
    return [(m.group(2), bool(m.group(3)), m.group(4)) for m in BLOCK.finditer(text)]


def table(text: str, first_header: str) -> tuple:
    """The markdown table whose first header cell is `first_header`: (header cells, rows of cells)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == first_header:
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                rows.append([c.strip() for c in row.strip().strip("|").split("|")])
            return cells, rows
    raise ValueError(f"no table whose first column is '{first_header}'")


def row(rows: list, prefix: str) -> list:
    for cells in rows:
        if cells[0].startswith(prefix):
            return cells
    raise ValueError(f"no row starting with '{prefix}'")


def time_of(cell: str) -> str:
    """'7.3 ms (0.60x)' -> '7.3 ms'."""
    return cell.split(" (")[0]


def headline() -> str:
    """README's headline table: start-up (benches/results.md), one sandbox call
    (benches/sandbox.md) and compute (benches/compute/results.md), each against
    Debian's python3 and the peers measured in the same run."""
    _, startup = table((ROOT / "benches/results.md").read_text(), "subject")
    onepy, python3 = row(startup, "onepy snapshot (.cwasm)"), row(startup, "python3 (")
    peers = [r for r in startup if not r[0].startswith(("onepy", "python3", "CPython"))]
    peer_text = "; ".join(f"{r[0].replace(' (.cwasm)', '')}: {time_of(r[1])}" for r in peers)

    header, sandbox = table((ROOT / "benches/sandbox.md").read_text(), "per call, ms: median (p99)")
    call = row(sandbox, "`print(1)` (python.wasm)")
    ms = {name: time_of(cell) + " ms" for name, cell in zip(header, call)}

    header, compute = table((ROOT / "benches/compute/results.md").read_text(), "benchmark")
    mean = row(compute, "**geometric mean**")
    col = {name: cell.strip("*") for name, cell in zip(header, mean)}
    count = re.search(r"\((\d+)\)", mean[0]).group(1)
    stock = f"CPython's stock WASI build: {col['stock']}" if "stock" in col else ""

    return (
        "| | onepy | Debian's python3 (native) | others, same run |\n"
        "|---|---|---|---|\n"
        f"| start-up, `-c pass`, wasm precompiled (`.cwasm`) | {time_of(onepy[1])} "
        f"({onepy[1].split(' (')[1].rstrip(')')} python3's time) | {time_of(python3[1])} | {peer_text} |\n"
        f"| one sandbox call, `print(1)` (median) | {ms['onepy_sandbox (fresh instance)']} "
        f"| {ms['`/usr/bin/python3 -c`']} (`python3 -c`) "
        f"| `wasmtime run --allow-precompiled`: {ms['`wasmtime run --allow-precompiled`']} |\n"
        f"| compute, geometric mean of {count} pyperformance benchmarks | {col['python.wasm']} python3's time "
        f"| 1.00x | {stock} |\n"
    )


def check() -> list:
    problems, total = [], 0
    for page in pages():
        text = page.read_text()
        for name, as_text, body in blocks(text):
            total += 1
            source = ROOT / name
            if not source.is_file():
                problems.append(f"{rel(page)}: {name}: the block's source file does not exist")
            elif rendered(name, as_text) != body:
                problems.append(f"{rel(page)}: {name}: the block differs from the file "
                                "(run scripts/readme_figures.py --write)")
        for m in HEADLINE.finditer(text):
            total += 1
            try:
                expected = headline()
            except (OSError, ValueError, KeyError, AttributeError) as e:
                problems.append(f"{rel(page)}: the headline table cannot be derived from "
                                f"{', '.join(HEADLINE_SOURCES)}: {e!r}")
                continue
            if m.group(2) != expected:
                problems.append(f"{rel(page)}: the headline table differs from {', '.join(HEADLINE_SOURCES)} "
                                "(run scripts/readme_figures.py --write)")
    if not total:
        problems.append("README.md and docs/*.md have no generated blocks")
    return problems


def write() -> None:
    def fill(m):
        source = ROOT / m.group(2)
        if not source.is_file():
            sys.exit(f"error: {m.group(2)} (named in {rel(page)}) does not exist")
        return m.group(1) + rendered(m.group(2), bool(m.group(3))) + m.group(5)

    for page in pages():
        text = page.read_text()
        new = BLOCK.sub(fill, text)
        if HEADLINE.search(new):
            table_text = headline()
            new = HEADLINE.sub(lambda m: m.group(1) + table_text + m.group(3), new)
        if new != text:
            page.write_text(new)


def count() -> int:
    return sum(len(blocks(p.read_text())) + len(HEADLINE.findall(p.read_text())) for p in pages())


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
    print(f"[readme] {count()} generated blocks in README.md and docs/*.md match their files")


if __name__ == "__main__":
    main()
