"""Compiler wrapper for C-extension builds (scripts/cext.py):

    wasm-cc.py COMPILER [BASE ARGS...] ARGS...

Compiles as COMPILER would. A `-shared` link (an extension module) becomes
a static archive of its objects instead, with the static libraries it was
given recorded next to it in `<output>.deps`, so the module can be linked
into python.wasm later.
"""

import os
import shlex
import subprocess
import sys

LLVM_AR = os.environ.get("ONEPY_LLVM_AR", "llvm-ar-19")


def expand(args):
    """Inline @response files (ninja uses them for long command lines)."""
    out = []
    for a in args:
        if a.startswith("@") and os.path.isfile(a[1:]):
            with open(a[1:]) as f:
                out += expand(shlex.split(f.read()))
        else:
            out.append(a)
    return out


def main():
    compiler, args = sys.argv[1], sys.argv[2:]
    if "-shared" not in args:
        os.execvp(compiler, [compiler, *args])
    args = expand(args)
    output = args[args.index("-o") + 1]
    objects = [a for a in args if a.endswith((".o", ".obj")) and not a.startswith("-")]
    archives = [os.path.abspath(a) for a in args if a.endswith(".a") and not a.startswith("-")]
    if os.path.exists(output):
        os.unlink(output)
    subprocess.run([LLVM_AR, "rcs", output, *objects], check=True)
    with open(output + ".deps", "w") as f:
        f.write("\n".join(archives) + "\n")


if __name__ == "__main__":
    main()
