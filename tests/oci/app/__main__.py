"""The app `make test-oci` runs in a container: numpy, arguments, environment
and exit status through containerd.

    app.wasm stats X...     sample statistics of the numbers X (numpy)
    app.wasm solve          a 2x2 linear system (numpy.linalg)
    app.wasm env NAME       the value of the environment variable NAME
    app.wasm exit N         exit with status N
"""

import os
import sys

import numpy as np


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: app.wasm stats X... | solve | env NAME | exit N", file=sys.stderr)
        return 2
    command, args = argv[1], argv[2:]
    if command == "stats":
        a = np.array([float(x) for x in args])
        print(f"n={a.size} mean={a.mean():.3f} std={a.std():.3f} argv0={os.path.basename(argv[0])}")
    elif command == "solve":
        x = np.linalg.solve(np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([9.0, 8.0]))
        print(f"x={x[0]:.1f} y={x[1]:.1f} numpy={np.__version__}")
    elif command == "env":
        print(os.environ.get(args[0], "<unset>"))
    elif command == "exit":
        return int(args[0])
    else:
        print(f"unknown command {command!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
