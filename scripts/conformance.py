"""CPython's own regression tests inside python.wasm, next to the unpatched
CPython WASI build from the same `make libpython` (same sources and configure
flags, without patches/cpython), so what each patch changes shows.

    python3 scripts/conformance.py [--subset fast|full|all] [--check] [--update] [--jobs N]
    python3 scripts/conformance.py --modules test_ssl test_hashlib [--check] [--update]

--subset all runs every module regrtest's findtests() lists (`make regrtest`)
and writes conformance/regrtest.md: the totals of both builds and every
module whose result differs, with the reason from
tests/regrtest-differences.tsv; --check then fails on a module that does
worse in ours than in the unpatched build without a reason there.

Each listed test module runs as `python -m test MODULE` (regrtest) in
  ours:  python.wasm under default `wasmtime run` settings, the tests mapped
         from the libpython cache's Lib/ at /cpython-lib (PYTHONPATH), the
         stdlib itself coming from the module;
  unpatched: that build's python.wasm with the whole Lib/ mapped at
         /usr/local/lib/python3.X, under the same default `wasmtime run`
         settings (512 KiB of native stack for wasm code: where it traps and
         ours raises, that is patches/cpython's doing);
both with a scratch directory mapped at / (for /tmp). The per-module counts
(run / failures / skipped, from regrtest's "Total tests:" line) go to
conformance/results.md; tests/conformance-expected.tsv holds the expected
counts with the reason for every difference. --check fails on any module
whose result in our module differs from the expectation.
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pyversion import STDLIB_DIR

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ROOT / "tests" / "conformance-expected.tsv"
RESULTS = ROOT / "conformance" / "results.md"
SUMMARY = ROOT / "conformance" / "summary.md"   # shown in README.md
REGRTEST = ROOT / "conformance" / "regrtest.md"  # --subset all
DIFFERENCES = ROOT / "tests" / "regrtest-differences.tsv"

FAST = ["test_json", "test_bisect", "test_heapq", "test_base64", "test_fractions", "test_contextlib",
        "test_textwrap", "test_operator"]
FULL = FAST + [
    "test_grammar", "test_builtin", "test_types", "test_dict", "test_list", "test_tuple", "test_set",
    "test_string", "test_str", "test_re", "test_datetime", "test_decimal", "test_math", "test_statistics",
    "test_collections", "test_itertools", "test_functools", "test_dataclasses", "test_enum", "test_typing",
    "test_csv", "test_struct", "test_zlib", "test_gzip", "test_bz2", "test_lzma", "test_zipfile",
    "test_sqlite3", "test_hashlib", "test_pickle", "test_copy", "test_exceptions", "test_traceback",
    "test_importlib", "test_asyncio.test_tasks", "test_asyncio.test_futures", "test_asyncio.test_queues",
    "test_unicodedata", "test_difflib", "test_argparse", "test_urlparse", "test_html", "test_xml_etree",
    "test_pprint", "test_int", "test_float", "test_long", "test_pkgutil", "test_tomllib", "test_fstring",
    "test_generators", "test_with", "test_class", "test_descr", "test_uuid", "test_random", "test_shlex",
    "test_calendar", "test_ipaddress", "test_email", "test_tempfile", "test_pathlib", "test_linecache",
    "test_codecs", "test_bytes", "test_binascii", "test_array", "test_sort", "test_scope", "test_unittest",
    "test_glob", "test_fnmatch", "test_configparser", "test_graphlib", "test_abc", "test_reprlib",
    "test_string_literals", "test_zoneinfo", "test_secrets", "test_inspect", "test_weakref", "test_io",
    "test_syntax", "test_pydoc", "test_sys", "test_platform", "test_time", "test_strptime", "test_zipimport",
    "test_ssl",
]
TOTAL_RE = re.compile(r"Total tests: run=([\d,]+)(?: failures=([\d,]+))?(?: skipped=([\d,]+))?")
TIMEOUT = 900


def tool(cmd: list, what: str) -> str:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"error: {what}: `{' '.join(cmd)}` failed:\n{result.stderr}")
    return result.stdout.strip()


def compile_module(wasmtime: str, module: Path, out: Path, flags: list) -> Path:
    tool([wasmtime, "compile", *flags, "-o", str(out), str(module)], f"compiling {module}")
    return out


def run_one(runtime: str, prefix: list, module: str, scratch: Path) -> dict:
    """regrtest for one module; counts or a crash with the output's tail."""
    tmp = scratch / "tmp" / f"{runtime}-{module}"
    tmp.mkdir(parents=True, exist_ok=True)
    cmd = prefix + ["-m", "test", "--tempdir", f"/tmp/{runtime}-{module}", module]
    start = time.monotonic()
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        output, status = result.stdout + result.stderr, result.returncode
    except subprocess.TimeoutExpired as e:
        output, status = f"timeout after {TIMEOUT}s\n{e.stdout or ''}", -1
    seconds = time.monotonic() - start
    m = TOTAL_RE.search(output)
    if not m:
        tail = "\n".join(output.strip().splitlines()[-6:])
        return {"result": "crash", "seconds": seconds, "status": status, "tail": tail}
    run, failures, skipped = (int((g or "0").replace(",", "")) for g in m.groups())
    # "Total tests" counts failures only; errors show in "test_x failed (1 error)".
    f = re.search(r"\] \S+ failed \(([^)]*)\)", output)
    if f and "uncaught" not in f.group(1):
        failures = max(failures, sum(int(n) for n in re.findall(r"(\d+) (?:error|failure)", f.group(1))))
    if "failed (uncaught exception)" in output:
        # regrtest could not even load the module's tests.
        return {"result": "error", "seconds": seconds, "status": status,
                "tail": "\n".join(output.strip().splitlines()[-6:])}
    return {"result": f"{run}/{failures}/{skipped}", "seconds": seconds, "status": status,
            "tail": "\n".join(output.strip().splitlines()[-4:])}


def all_test_modules(libpython: Path) -> list:
    """Every test module regrtest's findtests() lists (test packages split as
    regrtest splits them), asked of the native build-python of the same sources."""
    python = next((libpython / "native" / "bin").glob("python3.*[0-9]"))
    # The build-python installs no test package (--disable-test-modules);
    # the stdlib tree of the same sources has it.
    code = (f"import sys; sys.path.insert(0, {str(libpython / 'stdlib')!r}); "
            "from test.libregrtest.findtests import findtests; print('\\n'.join(findtests()))")
    return tool([str(python), "-c", code], "listing the test modules").split()


def counts(result: str):
    """(run, failures) of a `run/failures/skipped` result, None for crash/error."""
    parts = result.split("/")
    return (int(parts[0]), int(parts[1])) if len(parts) == 3 else None


def worse(ours: str, stock: str) -> bool:
    """Ours does worse: it crashed where the unpatched build did not, or it
    has more failures."""
    o, s = counts(ours), counts(stock)
    if o is None:
        return s is not None
    return s is not None and o[1] > s[1]


def check_all(modules: list, results: dict, seconds: float, check: bool) -> None:
    reasons = {}
    if DIFFERENCES.exists():
        for line in DIFFERENCES.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                module, reason = line.split("\t", 1)
                reasons[module] = reason
    totals = {rt: [0, 0, 0, 0] for rt in ("ours", "stock")}
    rows = []
    for m in modules:
        got = {rt: results.get((rt, m), {}).get("result", "-") for rt in ("ours", "stock")}
        for rt, r in got.items():
            c = r.split("/")
            if len(c) == 3:
                for i in range(3):
                    totals[rt][i] += int(c[i])
            else:
                totals[rt][3] += 1
        if got["ours"] != got["stock"]:
            flag = "**worse**" if worse(got["ours"], got["stock"]) else ""
            rows.append((m, got["ours"], got["stock"], flag, reasons.get(m, "")))
    running = sum(1 for m in modules if any(counts(results.get((rt, m), {}).get("result", "")) not in (None, (0, 0))
                                             for rt in ("ours", "stock")))
    lines = [f"All {len(modules)} modules regrtest's findtests() lists, `python -m test MODULE` in each build "
             f"({running} run tests in at least one; {seconds / 60:.0f} min wall time on this machine).", "",
             "| | tests run | failures | skipped | modules that crashed or could not load |", "|---|---:|---:|---:|---:|"]
    for rt, label in [("ours", "onepy `python.wasm`"), ("stock", "unpatched WASI `python.wasm`")]:
        lines.append(f"| {label} | " + " | ".join(str(n) for n in totals[rt]) + " |")
    lines += ["", f"{len(rows)} modules differ (`run/failures/skipped`):", "",
              "| module | onepy | unpatched | | why |", "|---|---:|---:|---|---|"]
    lines += [f"| {m} | {o} | {s} | {f} | {r} |" for m, o, s, f, r in rows]
    REGRTEST.parent.mkdir(exist_ok=True)
    REGRTEST.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    unexplained = [m for m, o, s, f, r in rows if f and not r]
    if check and unexplained:
        sys.exit(f"worse than the unpatched build, with no reason in {DIFFERENCES.name}: {', '.join(unexplained)}")


def read_expected() -> dict:
    expected = {}
    for line in EXPECTED.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        module, ours, stock, note = (line.split("\t") + ["", "", ""])[:4]
        expected[module] = {"ours": ours, "stock": stock, "note": note}
    return expected


def main() -> None:
    parser = argparse.ArgumentParser(description="CPython regression tests in python.wasm vs the unpatched WASI build")
    parser.add_argument("--subset", choices=["fast", "full", "all"], default="full")
    parser.add_argument("--check", action="store_true", help="fail when our results differ from the expectations")
    parser.add_argument("--update", action="store_true", help="write the results into the expectations file")
    parser.add_argument("--no-stock", action="store_true", help="run only our module, not the unpatched build")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--modules", nargs="+", metavar="MODULE",
                        help="run only these modules: --check/--update touch only their expectations, "
                             "conformance/results.md is not rewritten")
    args = parser.parse_args()

    wasmtime = os.environ.get("ONEPY_WASMTIME") or tool(["bash", str(ROOT / "scripts/deps.sh"), "wasmtime"], "wasmtime")
    libpython = Path(os.environ.get("ONEPY_LIBPYTHON_DIR") or tool(["bash", str(ROOT / "scripts/libpython.sh"), "dir"], "libpython"))
    stdlib = libpython / "stdlib"
    if args.modules:
        modules = args.modules
    else:
        modules = {"fast": FAST, "full": FULL}.get(args.subset) or all_test_modules(libpython)

    with tempfile.TemporaryDirectory(prefix="onepy-conformance-") as scratch_name:
        scratch = Path(scratch_name)
        (scratch / "tmp").mkdir()
        ours = compile_module(wasmtime, ROOT / "python.wasm", scratch / "ours.cwasm", [])
        runtimes = {
            "ours": [wasmtime, "run", "--allow-precompiled", "--dir", f"{scratch}::/",
                     "--dir", f"{stdlib}::/cpython-lib", "--env", "PYTHONPATH=/cpython-lib",
                     "--env", "TMPDIR=/tmp", str(ours)],
        }
        if not args.no_stock:
            stock = compile_module(wasmtime, libpython / "stock" / "python.wasm", scratch / "stock.cwasm", [])
            runtimes["stock"] = [wasmtime, "run", "--allow-precompiled", "--dir", f"{scratch}::/",
                                 "--dir", f"{stdlib}::{STDLIB_DIR}", "--env", "TMPDIR=/tmp", str(stock)]
        jobs = [(rt, m) for m in modules for rt in runtimes]
        results = {}
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = {pool.submit(run_one, rt, runtimes[rt], m, scratch): (rt, m) for rt, m in jobs}
            for future in concurrent.futures.as_completed(futures):
                rt, m = futures[future]
                results[(rt, m)] = future.result()
                r = results[(rt, m)]
                print(f"[conformance] {m:28} {rt:5} {r['result']:>14}  {r['seconds']:6.1f}s", flush=True)
        total_seconds = time.monotonic() - started

    if args.subset == "all" and not args.modules:
        check_all(modules, results, total_seconds, args.check)
        return
    expected = read_expected() if EXPECTED.exists() else {}
    if args.subset == "full" and not args.modules:
        write_table(modules, runtimes, results, expected, total_seconds)
    if args.update:
        for m in modules:
            entry = expected.setdefault(m, {"ours": "", "stock": "", "note": ""})
            entry["ours"] = results[("ours", m)]["result"]
            if ("stock", m) in results:
                entry["stock"] = results[("stock", m)]["result"]
        write_expected(expected)
    if args.check:
        bad = []
        for m in modules:
            want = expected.get(m, {}).get("ours")
            got = results[("ours", m)]["result"]
            if want != got:
                bad.append(f"{m}: expected {want or '(no entry)'}, got {got}\n{results[('ours', m)]['tail']}")
        if bad:
            sys.exit("conformance regressions (run/failures/skipped):\n" + "\n".join(bad))
        print(f"[conformance] {len(modules)} modules match tests/conformance-expected.tsv")


def write_expected(expected: dict) -> None:
    lines = ["# CPython regression tests: expected `run/failures/skipped` per module, in our",
             "# python.wasm and in the unpatched WASI build (column `stock`: same sources and flags",
             "# without patches/cpython; scripts/conformance.py), and why",
             "# they differ where they do. `crash` = the module ended without regrtest's totals (a trap);",
             "# `error` = regrtest could not load the module's tests.",
             "# module\tours\tstock\tnote"]
    for m in sorted(expected):
        e = expected[m]
        lines.append("\t".join([m, e["ours"], e["stock"], e["note"]]).rstrip("\t"))
    EXPECTED.write_text("\n".join(lines) + "\n")


def write_table(modules, runtimes, results, expected, seconds) -> None:
    RESULTS.parent.mkdir(exist_ok=True)
    def ran_nothing(m):
        return all(results.get((rt, m), {}).get("result", "").startswith("0/") for rt in runtimes)
    idle = [m for m in modules if ran_nothing(m)]
    counted = [m for m in modules if m not in idle]
    lines = [f"Regrtest per module, `run/failures/skipped`: {len(counted)} modules that run tests "
             f"({seconds:.0f} s wall time for all {len(modules)}).",
             "", "| module | onepy python.wasm | unpatched WASI python.wasm | note |", "|---|---:|---:|---|"]
    totals = {rt: [0, 0, 0] for rt in runtimes}
    crashes = {rt: 0 for rt in runtimes}
    for m in counted:
        cells = []
        for rt in ["ours", "stock"]:
            r = results.get((rt, m))
            cells.append(r["result"] if r else "-")
            if r and r["result"] in ("crash", "error"):
                crashes[rt] += 1
            elif r:
                for i, n in enumerate(r["result"].split("/")):
                    totals[rt][i] += int(n)
        lines.append(f"| {m} | {cells[0]} | {cells[1]} | {expected.get(m, {}).get('note', '')} |")
    total_cells = ["/".join(map(str, totals[rt])) + (f" + {crashes[rt]} crashed" if crashes[rt] else "")
                   if rt in totals else "-" for rt in ["ours", "stock"]]
    lines.append(f"| **total** | {total_cells[0]} | {total_cells[1]} | |")
    if idle:
        lines += ["", f"Run but not counted (no test runs in either build on WASI): {', '.join(idle)}."]
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    summary = [f"{len(counted)} CPython test modules that run tests on WASI ({len(idle)} more run none in "
               "either build), `python -m test` in each build:", "",
               "| | tests run | failures | skipped | modules that crashed (trap) or could not load |", "|---|---:|---:|---:|---:|"]
    for rt, label in [("ours", "onepy `python.wasm`"), ("stock", "unpatched WASI `python.wasm`")]:
        if rt in totals:
            summary.append(f"| {label} | " + " | ".join(str(n) for n in totals[rt]) + f" | {crashes[rt]} |")
    SUMMARY.write_text("\n".join(summary) + "\n")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "readme_figures.py"), "--write"], check=True)


if __name__ == "__main__":
    main()
