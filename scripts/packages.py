"""Choose PyPI packages for the bundle: resolve, lock, fetch, unpack.

Run with a venv of the native build-python (the CPython sources.lock pins, with its bundled
pip), by the Makefile:

    packages.py lock  --lock FILE SPEC...     resolve SPEC to pure-Python wheels,
                                              write FILE (exact versions + sha256)
    packages.py fetch --lock FILE --out DIR   download the locked wheels (hashes
                                              verified, cached) and unpack them
                                              into DIR, a site-packages tree
    packages.py ensure-lock --lock FILE SPEC  `lock` unless FILE already locks SPEC

Only pure-Python wheels (`py3-none-any`) can be embedded: a package that comes
only as a platform wheel or an sdist (compiled extensions) is refused before
anything is built, with the reason. Name clashes (a package shadowing a
standard-library module, two packages shipping the same file) are refused too.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from pyversion import MM

TARGET = ["--only-binary=:all:", "--platform", "any", "--python-version", MM,
          "--implementation", "py", "--abi", "none"]
LOCK_HEADER = "# onepy package lock: exact versions and sha256 of pure-Python wheels.\n"
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]


def die(message: str) -> None:
    sys.exit(f"error: {message}")


def pip(args: list, what: str) -> subprocess.CompletedProcess:
    return subprocess.run(PIP + args, capture_output=True, text=True)


def spec_line(specs: list) -> str:
    return "# spec: " + " ".join(sorted(specs)) + "\n"


def explain_refusal(requirement: str) -> str:
    """Why `requirement` has no pure wheel: look at what the native platform gets."""
    with tempfile.TemporaryDirectory() as tmp:
        got = pip(["download", "--no-deps", "--only-binary=:all:", "-d", tmp, requirement], "probe")
        files = os.listdir(tmp)
        if got.returncode == 0 and files:
            return f"it is published only as platform wheels with compiled extensions (e.g. {files[0]})"
    return "it is published only as a source distribution (it may build C extensions)"


def resolve(specs: list) -> list:
    """pip's resolution for pure-Python wheels: [(name, version, url, sha256)]."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        result = pip(["install", "--dry-run", "--ignore-installed", "--quiet", "--report", str(report),
                      "--target", str(Path(tmp) / "t"), *TARGET, *specs], "resolve")
        if result.returncode != 0:
            m = re.search(r"satisfies the requirement (\S+)", result.stderr)
            if m:
                name = m.group(1)
                die(f"package '{name}' cannot be embedded: no pure-Python wheel (py3-none-any) for Python {MM}; "
                    f"{explain_refusal(name)}. onepy builds C-extension packages only from a recipe: add "
                    f"recipes/<name>.toml (see recipes/numpy.toml and README, 'C extensions').")
            die(f"pip could not resolve {' '.join(specs)}:\n{result.stderr.strip()}")
        data = json.loads(report.read_text())
    out = []
    for item in data["install"]:
        info = item["download_info"]
        hashes = info.get("archive_info", {}).get("hashes", {})
        sha = hashes.get("sha256") or info.get("archive_info", {}).get("hash", "").removeprefix("sha256=")
        url = info["url"]
        if not url.endswith("-none-any.whl"):
            die(f"package '{item['metadata']['name']}' resolved to {url.rsplit('/', 1)[-1]}, not a pure-Python wheel")
        out.append((item["metadata"]["name"], item["metadata"]["version"], url, sha))
    return sorted(out, key=lambda r: r[0].lower())


def write_lock(lock: Path, specs: list, resolved: list) -> None:
    lines = [LOCK_HEADER, spec_line(specs)]
    for name, version, url, sha in resolved:
        lines.append(f"# {url}\n{name}=={version} --hash=sha256:{sha}\n")
    lock.write_text("".join(lines))
    print(f"[packages] locked {len(resolved)} packages in {lock}: "
          + ", ".join(f"{n}=={v}" for n, v, _, _ in resolved))


def read_lock(lock: Path) -> list:
    """[(name, version, url, sha256)] from a lock file."""
    out, url = [], None
    for line in lock.read_text().splitlines():
        if line.startswith("# http"):
            url = line[2:].strip()
        m = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+) --hash=sha256:([0-9a-f]{64})$", line)
        if m:
            out.append((m.group(1), m.group(2), url, m.group(3)))
    return out


def fetch_wheel(cache: Path, name: str, url: str, sha: str) -> Path:
    """The wheel file from the cache, or downloaded by pip (hash-checked)."""
    wheel = cache / url.rsplit("/", 1)[-1]
    if wheel.is_file() and hashlib.sha256(wheel.read_bytes()).hexdigest() == sha:
        return wheel
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        req = Path(tmp) / "req.txt"
        req.write_text(f"{url} --hash=sha256:{sha}\n")
        got = pip(["download", "--no-deps", "--require-hashes", "-r", str(req), "-d", tmp, *TARGET], "download")
        if got.returncode != 0:
            die(f"downloading {name} ({url}) failed:\n{got.stderr.strip()}")
        shutil.move(str(Path(tmp) / wheel.name), wheel)
    if hashlib.sha256(wheel.read_bytes()).hexdigest() != sha:
        die(f"sha256 mismatch for {wheel.name}")
    return wheel


def stdlib_names(stdlib: Path) -> set:
    names = set(sys.builtin_module_names)
    for p in stdlib.iterdir():
        if p.suffix == ".py":
            names.add(p.stem)
        elif p.is_dir() and (p / "__init__.py").is_file():
            names.add(p.name)
    return names - {"site-packages", "__pycache__"}


def unpack(wheel: Path, out: Path, owner: dict, package: str, stdlib: set) -> int:
    """Extract one wheel into `out`; refuse clashes. Returns the bytes added."""
    added = 0
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            if info.is_dir():
                continue
            parts = info.filename.split("/")
            if parts[0].endswith(".data"):
                if len(parts) > 2 and parts[1] in ("purelib", "platlib"):
                    parts = parts[2:]
                else:
                    continue  # scripts, headers, data: not importable code
            rel = "/".join(parts)
            top = parts[0].removesuffix(".py")
            if not parts[0].endswith(".dist-info") and top in stdlib:
                die(f"package '{package}' provides '{parts[0]}', which shadows the standard library's "
                    f"module '{top}'")
            if rel in owner and owner[rel] != package:
                die(f"packages '{owner[rel]}' and '{package}' both provide '{rel}'")
            owner[rel] = package
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(info))
            added += info.file_size
    return added


RECIPES = Path(__file__).resolve().parent.parent / "recipes"


def recipe_for(spec: str):
    """The recipe file for a `name==version` spec, if there is one."""
    import tomllib
    name, _, version = spec.partition("==")
    path = RECIPES / f"{re.sub(r'[-_.]+', '_', name).lower()}.toml"
    if not path.is_file():
        return None
    recipe = tomllib.loads(path.read_text())
    if version and version != recipe["version"]:
        die(f"{spec}: the recipe {path.name} builds {recipe['name']} {recipe['version']} (pin that version)")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["lock", "ensure-lock", "fetch", "recipes", "wheels"])
    parser.add_argument("specs", nargs="*")
    parser.add_argument("--lock", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--stdlib", type=Path)
    parser.add_argument("--cache", type=Path)
    args = parser.parse_args()

    if args.command in ("recipes", "wheels"):  # the specs built from a recipe / that pip resolves
        recipes = {s: recipe_for(s) for s in args.specs}
        chosen = [str(r) for r in recipes.values() if r] if args.command == "recipes" else \
            [s for s, r in recipes.items() if not r]
        print(" ".join(chosen))
        return
    if args.command in ("lock", "ensure-lock"):
        if not args.specs:
            die("no packages given (PACKAGES=... or REQUIREMENTS=file)")
        if args.command == "ensure-lock" and args.lock.is_file() and spec_line(args.specs) in args.lock.read_text():
            print(f"[packages] {args.lock} is up to date")
            return
        write_lock(args.lock, args.specs, resolve(args.specs))
        return

    locked = read_lock(args.lock)
    if not locked:
        die(f"{args.lock} locks no packages")
    tmp = args.out.with_name(args.out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    owner, names = {}, stdlib_names(args.stdlib)
    for name, version, url, sha in locked:
        wheel = fetch_wheel(args.cache, name, url, sha)
        added = unpack(wheel, tmp, owner, name, names)
        print(f"[packages] {name}=={version}: {wheel.stat().st_size / 1e3:.0f} kB wheel, {added / 1e3:.0f} kB unpacked")
    shutil.rmtree(args.out, ignore_errors=True)
    tmp.rename(args.out)


if __name__ == "__main__":
    main()
