"""An app that uses its own files as files: `make build APP=examples/files-app`.

Everything under /app is embedded in the module and served by its read-only
filesystem (src/vfs), so plain os, glob, open(), sqlite3 and pyexpat calls
work on it with no directory mapped. `--write` tries to change one of its
files and `--write-db` its database: both fail with a clean error (exit
status 1), since the embedded files are read-only.
"""

import glob
import os
import sqlite3
import sys
import xml.parsers.expat

HERE = os.path.dirname(__file__)


def listing() -> None:
    for root, dirs, files in os.walk(HERE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = os.path.join(root, name)
            print(f"{os.path.relpath(path, HERE):24} {os.stat(path).st_size:6d} bytes")


def render(template_name: str, **values) -> str:
    # Templates are discovered on disk, as a template engine would.
    names = sorted(os.listdir(os.path.join(HERE, "templates")))
    assert template_name in names, names
    with open(os.path.join(HERE, "templates", template_name), encoding="utf-8") as f:
        return f.read().format(**values)


def books() -> list:
    db = os.path.join(HERE, "data", "catalog.db")
    # mode=ro: the file is read-only; immutable=1: nobody changes it, so
    # SQLite needs no locks (WASI has none).
    with sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True) as con:
        return con.execute("SELECT title, year FROM books ORDER BY year").fetchall()


def feed_titles() -> list:
    titles, current = [], []
    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = lambda name, attrs: current.clear() if name == "title" else None
    parser.CharacterDataHandler = current.append
    parser.EndElementHandler = lambda name: titles.append("".join(current)) if name == "title" else None
    with open(os.path.join(HERE, "data", "feed.xml"), "rb") as f:
        parser.ParseFile(f)
    return titles


def main(argv: list) -> int:
    if "--write" in argv:
        with open(os.path.join(HERE, "data", "prices.csv"), "a") as f:
            f.write("Snow Crash,8.00\n")
        return 0
    if "--write-db" in argv:
        with sqlite3.connect(os.path.join(HERE, "data", "catalog.db")) as con:
            con.execute("INSERT INTO books VALUES ('New', 2026)")
        return 0
    listing()
    print("csv files:", [os.path.basename(p) for p in sorted(glob.glob(os.path.join(HERE, "data", "*.csv")))])
    for title, year in books():
        print(render("book.txt", title=title, year=year), end="")
    print("feed:", ", ".join(feed_titles()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
