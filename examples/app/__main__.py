"""An example app built into the module: `make build APP=examples/app`.

Reads the names to greet from its arguments and lines from stdin, prints a
table with rich, and exits with the number of names (so a caller can check
the exit status).
"""

import sys

import emoji
from rich.console import Console
from rich.table import Table

from greeting import greet


def main(argv: list[str]) -> int:
    names = argv[1:] + [line.strip() for line in sys.stdin if line.strip()]
    table = Table(title="Greetings")
    table.add_column("name")
    table.add_column("greeting")
    for name in names:
        table.add_row(name, emoji.emojize(greet(name)))
    Console(width=60, color_system=None).print(table)
    return len(names)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
