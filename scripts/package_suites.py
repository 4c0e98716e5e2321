"""The verified packages' own tests, in python.wasm next to native (`make test-packages`).

    package_suites.py run --module build/packages.wasm --lock tests/packages/verified.lock \
        --python BUILD_PYTHON --wasmtime WASMTIME --cache ~/.cache/onepy [--cext DIRS] [--only NAME...]
    package_suites.py native-dir --lock LOCK --cache DIR   (prints the native side's directory)

For every table of tests/packages/suites.toml:

    [regex]
    sdist-tests = ["regex_3/test_regex.py"]    # files/directories inside the locked sdist
    pytest = ["regex_3/test_regex.py", "-q"]   # pytest's arguments, from the extracted directory

the listed files are extracted from the sdist the lock pins (sha256-checked,
cached), then pytest runs them twice from that directory: inside the module
under wasmtime (the directory mapped read-only, a scratch directory for /tmp,
nothing else), and natively on the build-python (the same CPython) with the
native wheels of the same pins (the lock's `native:` lines and its pure
wheels, installed once into a cached directory). Each side writes a JUnit XML
report; the outcome of every test is compared. A test whose outcome differs
fails the run unless tests/packages/suite-differences.toml lists it:

    [[regex]]
    test = "test_regex.RegexTests::test_*locale*"   # fnmatch on `file::class::name`
    reason = "why the outcome differs in python.wasm"

The counts go to tests/packages/suite-results.json, and the table that
docs/packages.md shows (scripts/readme_figures.py keeps it equal) to
tests/packages/suite-results.md.
"""

import argparse
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import lockfile  # noqa: E402
from package_builder.common import BuildError, download  # noqa: E402

SUITES = ROOT / "tests/packages/suites.toml"
DIFFERENCES = ROOT / "tests/packages/suite-differences.toml"
RESULTS = ROOT / "tests/packages/suite-results.json"
TABLE = ROOT / "tests/packages/suite-results.md"
OUTCOMES = ("passed", "failed", "skipped", "errors")
# Run by both sides: pytest.main with the suite's arguments, from the suite's
# directory, writing a JUnit report; no cache, no faulthandler (no signals in WASI),
# capture by sys (WASI has no dup); tmp_path under $TMPDIR by --basetemp
# (pytest's default asks os.getuid, which WASI has not).
RUNNER = """import os, sys, tempfile
os.chdir({cwd!r})
import pytest
code = pytest.main(['-p', 'no:cacheprovider', '-p', 'no:faulthandler', '--capture=sys', '--junitxml', {xml!r},
                    '-o', 'junit_family=xunit1', '--basetemp', os.path.join(tempfile.gettempdir(), 'pytest'),
                    *{args!r}])
sys.exit(int(code))
"""


def die(message: str) -> None:
    sys.exit(f"error: {message}")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_sdist(locked: list, package: str):
    for e in locked:
        if canonical(e.name) == canonical(package):
            if not e.is_sdist:
                die(f"{package}: the lock pins a wheel ({e.filename}), not the sdist its tests come from")
            return e
    die(f"tests/packages/suites.toml names {package}, which the lock does not pin")


def extract_tests(entry, paths: list, cache: Path) -> Path:
    """The suite's files from the sdist, under a cached directory named by its sha256."""
    out = cache / "suites" / f"{canonical(entry.name)}-{entry.version}-{entry.sha256[:12]}-" \
        f"{hashlib.sha256(json.dumps(paths).encode()).hexdigest()[:8]}"
    if (out / ".complete").is_file():
        return out
    sdist = download(entry.url, entry.sha256, cache / "downloads")
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    found = set()
    if sdist.name.endswith(".zip"):
        with zipfile.ZipFile(sdist) as z:
            for name in z.namelist():
                rel = name.split("/", 1)[-1]
                if any(rel == p or rel.startswith(p.rstrip("/") + "/") for p in paths) and not name.endswith("/"):
                    found.update(p for p in paths if rel == p or rel.startswith(p.rstrip("/") + "/"))
                    (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                    (tmp / rel).write_bytes(z.read(name))
    else:
        with tarfile.open(sdist) as tar:
            for member in tar:
                rel = member.name.split("/", 1)[-1]
                hits = [p for p in paths if rel == p or rel.startswith(p.rstrip("/") + "/")]
                if hits and member.isfile():
                    found.update(hits)
                    member.name = rel
                    tar.extract(member, tmp, filter="data")
    missing = set(paths) - found
    if missing:
        die(f"{entry.name} {entry.version}: {sdist.name} holds no {sorted(missing)} (suites.toml sdist-tests)")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    (out / ".complete").touch()
    return out


def native_requirements(locked: list) -> str:
    """The native side installs exactly the pins: native wheels for sdists, pure wheels as they are."""
    lines = []
    for e in locked:
        if e.is_sdist:
            if not e.native_url:
                die(f"{e.name} {e.version}: the lock names no native wheel (pure sdist?): the native side "
                    f"cannot install the same pin")
            lines.append(f"{e.native_url} --hash=sha256:{e.native_sha256}")
        else:
            lines.append(f"{e.url} --hash=sha256:{e.sha256}")
    return "\n".join(lines) + "\n"


def native_site(locked: list, cache: Path) -> Path:
    reqs = native_requirements(locked)
    out = cache / f"suites-native-{hashlib.sha256(reqs.encode()).hexdigest()[:12]}"
    if (out / ".done").is_file():
        return out
    shutil.rmtree(out, ignore_errors=True)
    req_file = out.with_name(out.name + ".req")
    req_file.write_text(reqs)
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--require-hashes",
           "--no-deps", "--target", str(out), "-r", str(req_file)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        die(f"installing the native wheels failed\ncommand: {' '.join(cmd)}\n{result.stderr[-3000:]}")
    (out / ".done").touch()
    return out


def outcomes(xml: Path) -> dict:
    """{test id: outcome} from a JUnit report (xunit1: file, class and name)."""
    tree = ET.parse(xml)
    out = {}
    for case in tree.iter("testcase"):
        test = "::".join(filter(None, [case.get("file") or "", case.get("classname") or "", case.get("name") or ""]))
        kinds = {child.tag for child in case}
        outcome = "errors" if "error" in kinds else "failed" if "failure" in kinds else \
            "skipped" if "skipped" in kinds else "passed"
        # A test both failing and erroring in teardown counts once, as its worst outcome.
        if out.get(test) not in ("errors", "failed"):
            out[test] = outcome
    return out


def counts(results: dict) -> dict:
    return {k: sum(1 for v in results.values() if v == k) for k in OUTCOMES}


def run_side(cmd: list, xml: Path, what: str, env=None) -> tuple:
    start = time.monotonic()
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    secs = time.monotonic() - start
    # pytest: 0 all passed, 1 some failed; anything else (usage, internal
    # error, interrupted, no tests, a trap) is no result.
    if result.returncode not in (0, 1) or not xml.is_file():
        die(f"{what}: pytest ended with status {result.returncode} and no results\ncommand: {' '.join(map(str, cmd))}\n"
            f"{(result.stdout + result.stderr)[-4000:]}")
    return outcomes(xml), secs, (result.stdout.strip().splitlines() or [""])[-1]


def suite(name: str, spec: dict, entry, args, native_dir: Path) -> dict:
    tests = extract_tests(entry, spec["sdist-tests"], args.cache)
    with tempfile.TemporaryDirectory(prefix=f"onepy-suite-{canonical(name)}-") as scratch:
        scratch = Path(scratch)
        root = scratch / "root"
        for d in ("tmp", "dev", "out"):
            (root / d).mkdir(parents=True)
        (root / "dev/null").write_bytes(b"")  # pytest opens /dev/null
        code = RUNNER.format(cwd="/suite", xml="/out/wasm.xml", args=spec["pytest"])
        cmd = [args.wasmtime, "run", "--dir", f"{root}::/", "--dir", f"{tests}::/suite", "--env", "TMPDIR=/tmp",
               "--argv0", "python3", args.module, "-c", code]
        wasm, wasm_secs, wasm_line = run_side(cmd, root / "out/wasm.xml", f"{name} in {args.module.name}")
        code = RUNNER.format(cwd=str(tests), xml=str(scratch / "native.xml"), args=spec["pytest"])
        env = dict(os.environ, PYTHONPATH=str(native_dir), TMPDIR=str(root / "tmp"))
        cmd = [args.python, "-X", "utf8", "-c", code]
        native, native_secs, native_line = run_side(cmd, scratch / "native.xml", f"{name} natively", env)
    print(f"[suites] {name} {entry.version}: python.wasm {wasm_line} ({wasm_secs:.0f} s); native {native_line} "
          f"({native_secs:.0f} s)")
    return {"version": entry.version, "wasm": wasm, "native": native,
            "seconds": {"wasm": round(wasm_secs, 1), "native": round(native_secs, 1)}}


def unexplained(name: str, wasm: dict, native: dict, expected: list) -> list:
    out = []
    for test in sorted(set(wasm) | set(native)):
        ours, theirs = wasm.get(test, "absent"), native.get(test, "absent")
        if ours != theirs and not any(fnmatch.fnmatchcase(test, e["test"]) for e in expected):
            out.append(f"{name}: {test}: {ours} in python.wasm, {theirs} natively")
    return out


def build_facts(cext_dirs: list) -> dict:
    """{canonical name: (kind, C libraries, bytes of its linked archive, bytes of its Python files)}
    of the packages the module built (the builder's output directories)."""
    facts = {}
    for d in map(Path, cext_dirs):
        info = json.loads((d / "build-info.json").read_text())
        libs = [l for l in (d / "link.txt").read_text().split() if l]
        objects = sum(a.stat().st_size for a in (d / "lib").glob("*.a"))
        python = sum(f.stat().st_size for f in (d / "site-packages").rglob("*") if f.is_file())
        facts[canonical(info["name"])] = (info["kind"], libs, objects, python)
    return facts


def table(results: dict, facts: dict, not_run: dict, versions: dict) -> str:
    """One row per package the module built: its suite's counts on both
    sides, or why its own tests do not run (suites.toml [not-run])."""
    lines = ["| package | version | build | libraries linked | extension archive | Python files | own tests in "
             "python.wasm: passed / failed / skipped / errors | natively |",
             "|---|---|---|---|--:|--:|---|---|"]
    fmt = lambda c: " / ".join(str(c[k]) for k in OUTCOMES)  # noqa: E731
    by_name = {canonical(n): (n, r) for n, r in results.items()}
    reasons = {canonical(n): why for n, why in not_run.items()}
    for key in sorted(facts):
        kind, libs, objects, python = facts[key]
        name, r = by_name.get(key, (key, None))
        common = f"| {name} | {versions[key]} | {kind} | {', '.join(libs) or '-'} | {objects / 1e6:.1f} MB | " \
                 f"{python / 1e6:.1f} MB |"
        if r:
            lines.append(f"{common} {fmt(r['counts']['wasm'])} | {fmt(r['counts']['native'])} |")
        else:
            lines.append(f"{common} not run: {reasons[key]} | - |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run", "native-dir"])
    parser.add_argument("--module", type=Path)
    parser.add_argument("--lock", type=Path, required=True)
    parser.add_argument("--python", help="the native build-python (same CPython)")
    parser.add_argument("--wasmtime")
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--cext", default="", help="the build's site-packages.cext (its built packages)")
    parser.add_argument("--only", nargs="*", help="run these suites only (results are not written)")
    args = parser.parse_args()
    if args.command == "native-dir":  # the native wheels of the lock's pins, installed (cached)
        print(native_site(lockfile.read(args.lock), args.cache))
        return
    if not (args.module and args.python and args.wasmtime):
        die("run needs --module, --python and --wasmtime")
    if not args.module.is_file():
        die(f"{args.module} does not exist: build it first (make test-packages)")
    suites = tomllib.loads(SUITES.read_text())
    not_run = suites.pop("not-run", {})
    expected = tomllib.loads(DIFFERENCES.read_text()) if DIFFERENCES.is_file() else {}
    for name, entries in expected.items():
        for e in entries:
            if not e.get("reason"):
                die(f"{DIFFERENCES.name}: [[{name}]] {e.get('test')}: every expected difference needs a reason")
    locked = lockfile.read(args.lock)
    try:
        native_dir = native_site(locked, args.cache)
        results, problems = {}, []
        for name, spec in suites.items():
            if args.only and name not in args.only:
                continue
            r = suite(name, spec, locked_sdist(locked, name), args, native_dir)
            problems += unexplained(name, r["wasm"], r["native"], expected.get(name, []))
            results[name] = {"version": r["version"], "seconds": r["seconds"],
                             "counts": {"wasm": counts(r["wasm"]), "native": counts(r["native"])}}
    except BuildError as e:
        die(str(e))
    if not args.only:
        RESULTS.write_text(json.dumps(results, indent=1) + "\n")
        cext = [d for d in args.cext.split(":") if d.strip()]
        facts = build_facts(cext)
        unbuilt = [n for n in results if canonical(n) not in facts]
        if unbuilt:
            die(f"--cext names no build of {unbuilt} (the module's site-packages.cext)")
        silent = sorted(k for k in facts if k not in map(canonical, results) and k not in map(canonical, not_run))
        if silent:
            die(f"{silent}: built into the module, with neither a suite nor a reason in [not-run] ({SUITES.name})")
        versions = {canonical(e.name): e.version for e in locked}
        TABLE.write_text(table(results, facts, not_run, versions))
        print(f"[suites] wrote {RESULTS.relative_to(ROOT)} and {TABLE.relative_to(ROOT)}")
    if problems:
        die(f"{len(problems)} test outcomes differ between python.wasm and native, not listed in "
            f"{DIFFERENCES.relative_to(ROOT)}:\n" + "\n".join(problems[:200]))


if __name__ == "__main__":
    main()
