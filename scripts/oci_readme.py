"""Run README.md's containerd examples (```console oci blocks) against the
containerd that scripts/test-oci.sh started (CONTAINERD_ADDRESS and
CONTAINERD_NAMESPACE are set). Each `$ ` line is a command; the lines after
it are its exact output (stdout and stderr together), where a line `...`
stands for any number of lines and `...` inside a line for any text on that
line (digests that change with every build).
`make` lines are the set-up that test-oci has already done.

    python3 scripts/oci_readme.py README.md
"""

import re
import subprocess
import sys


def examples(readme: str) -> list[tuple[str, list[str]]]:
    out, in_block = [], False
    for line in readme.splitlines():
        if line.strip().startswith("```"):
            in_block = line.strip() == "```console oci"
            continue
        if not in_block:
            continue
        if line.startswith("$ "):
            out.append((line[2:], []))
        elif out:
            out[-1][1].append(line)
    return out


def matches(expected: list[str], got: list[str]) -> bool:
    def line(text: str) -> str:
        return "[^\n]*?".join(re.escape(part) for part in text.split("..."))

    pattern = "\n".join(".*?" if l == "..." else line(l) for l in expected)
    return re.fullmatch(pattern, "\n".join(got), re.DOTALL) is not None


def main() -> int:
    readme = open(sys.argv[1], encoding="utf-8").read()
    cases = [(c, e) for c, e in examples(readme) if not c.startswith("make ")]
    if len(cases) < 4:
        print(f"README shows only {len(cases)} containerd examples", file=sys.stderr)
        return 1
    failures = 0
    for command, expected in cases:
        proc = subprocess.run(["bash", "-c", f"{{ {command}\n}} 2>&1"], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True)
        got = proc.stdout.splitlines()
        if not matches(expected, got):
            failures += 1
            print(f"$ {command}\n--- README\n" + "\n".join(expected) + "\n--- got\n" + "\n".join(got),
                  file=sys.stderr)
    print(f"[test-oci] README: {len(cases) - failures}/{len(cases)} containerd examples match")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
