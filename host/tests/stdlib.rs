//! The embedded standard library: every module imports (or is a listed
//! known failure), the C extensions built into libpython compute right
//! results, and packages see importlib.resources / metadata / pkgutil.

use onepy_host::guest::{Variant, repo_root, run, versioned};
use std::collections::BTreeMap;

/// Built-in C modules and the libraries linked for them compute known values.
#[test]
fn builtin_c_modules_compute_correct_results() {
    let code = r#"
import zlib, bz2, lzma, sqlite3, decimal, hashlib, json, xml.etree.ElementTree as ET
data = b"onepy " * 1000
assert zlib.decompress(zlib.compress(data)) == data
print("crc32", zlib.crc32(b"hello"))
assert bz2.decompress(bz2.compress(data)) == data
assert lzma.decompress(lzma.compress(data)) == data
print("xz", len(lzma.compress(b"x", preset=0)) > 0)
db = sqlite3.connect(":memory:")
db.execute("create table t (x integer, y text)")
db.executemany("insert into t values (?, ?)", [(i, str(i)) for i in range(100)])
print("sqlite", sqlite3.sqlite_version, db.execute("select sum(x), count(y) from t").fetchone())
decimal.getcontext().prec = 30
print("decimal", decimal.Decimal(1) / decimal.Decimal(7))
print("sha256", hashlib.sha256(b"abc").hexdigest())
print("md5", hashlib.md5(b"abc").hexdigest())
print("blake2b", hashlib.blake2b(b"abc", digest_size=8).hexdigest())
print("sha3", hashlib.sha3_256(b"").hexdigest()[:16])
print("json", json.dumps({"b": [1, 2.5, None], "a": "\u00e9"}, sort_keys=True))
root = ET.fromstring("<r><i n='1'/><i n='2'>t</i></r>")
print("xml", [i.get("n") for i in root.iter("i")], root[1].text)
"#;
    let expected = "crc32 907060870\nxz True\nsqlite 3.46.1 (4950, 100)\n\
decimal 0.142857142857142857142857142857\n\
sha256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n\
md5 900150983cd24fb0d6963f7d28e17f72\nblake2b d3f3a0d7e1d9f2a4\n\
sha3 a7ffc6f8bf1ed766\njson {\"a\": \"\\u00e9\", \"b\": [1, 2.5, null]}\nxml ['1', '2'] t\n";
    for variant in Variant::ALL {
        let out = run(variant, &["-c", code]);
        out.assert_clean();
        assert_eq!((out.status, out.stderr()), (0, String::new()), "{variant:?}");
        assert_eq!(out.stdout(), expected.replace("d3f3a0d7e1d9f2a4", &blake2b_abc_8()), "{variant:?}");
    }
}

/// blake2b(b"abc", digest_size=8) from the native build-python, so the
/// expectation does not depend on a constant typed by hand.
fn blake2b_abc_8() -> String {
    let out = onepy_host::guest::run_native(
        &["-c", "import hashlib; print(hashlib.blake2b(b'abc', digest_size=8).hexdigest(), end='')"],
        None,
        &repo_root(),
    );
    assert_eq!(out.status, 0, "{}", out.stderr());
    out.stdout()
}

const IMPORT_ALL: &str = r#"
import _onepy, contextlib, io, sys
failures = {}
for name in _onepy.module_names():
    if name.endswith("__main__") or name in ("antigravity", "this"):
        continue  # running them is their import: they are run by other tests
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            __import__(name)
    except BaseException as e:
        failures[name] = f"{type(e).__name__}: {e}".splitlines()[0]
print(len(_onepy.module_names()))
for name in sorted(failures):
    print(f"{name}\t{failures[name]}")
"#;

/// Every embedded module imports, except those listed with their reason in
/// tests/import-failures.txt; a listed module that starts importing fails
/// the test too, so the list stays true.
#[test]
fn every_embedded_module_imports_or_is_a_known_failure() {
    let listed = known_failures();
    for variant in Variant::ALL {
        let out = run(variant, &["-c", IMPORT_ALL]);
        out.assert_clean();
        assert_eq!(out.status, 0, "{variant:?}: {}", out.stderr());
        let stdout = out.stdout();
        let mut lines = stdout.lines();
        let total: usize = lines.next().unwrap().parse().unwrap();
        assert!(total > 500, "only {total} modules embedded");
        let failed: BTreeMap<&str, &str> = lines.map(|l| l.split_once('\t').unwrap()).collect();
        let unexpected: Vec<String> =
            failed.iter().filter(|(n, _)| !listed.contains_key(**n)).map(|(n, e)| format!("{n}: {e}")).collect();
        let now_importing: Vec<&String> = listed.keys().filter(|n| !failed.contains_key(n.as_str())).collect();
        assert!(unexpected.is_empty(), "{variant:?}: modules that fail to import:\n{}", unexpected.join("\n"));
        assert!(
            now_importing.is_empty(),
            "{variant:?}: listed in tests/import-failures.txt but import now: {now_importing:?}"
        );
    }
}

/// `module<TAB>reason` lines of tests/import-failures.txt.
fn known_failures() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(repo_root().join("tests/import-failures.txt")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (name, reason) = l.split_once(char::is_whitespace).expect("module and reason");
            assert!(!reason.trim().is_empty(), "{name} needs a reason");
            (name.to_string(), reason.trim().to_string())
        })
        .collect()
}

#[test]
fn importlib_resources_reads_embedded_package_data() {
    let code = r#"
import importlib.resources as r
root = r.files("email")
print(root.is_dir(), root.joinpath("architecture.rst").is_file())
print(r.files("email").joinpath("architecture.rst").read_text().splitlines()[0])
names = sorted(p.name for p in r.files("json").iterdir() if p.name.endswith(".py"))
print(names)
with r.files("email").joinpath("architecture.rst").open("rb") as f:
    print(f.read(5))
print(r.files("json") / "missing.txt")
try:
    (r.files("json") / "missing.txt").read_bytes()
except FileNotFoundError as e:
    print("FileNotFoundError", e.filename)
import pkgutil
print(pkgutil.get_data("email", "architecture.rst")[:5])
"#;
    let expected = &*versioned(
        "True True\n:mod:`email` Package Architecture\n\
['__init__.py', '__main__.py', 'decoder.py', 'encoder.py', 'scanner.py', 'tool.py']\n\
b':mod:'\n{stdlib}/json/missing.txt\n\
FileNotFoundError {stdlib}/json/missing.txt\nb':mod:'\n",
    );
    for variant in Variant::ALL {
        let out = run(variant, &["-c", code]);
        out.assert_clean();
        assert_eq!((out.status, out.stdout().as_str(), out.stderr().as_str()), (0, expected, ""), "{variant:?}");
    }
}

#[test]
fn module_attributes_are_stable_virtual_paths() {
    let code = r#"
import json, json.decoder, os, sys
print(json.__file__, json.__path__, json.__spec__.origin, json.__spec__.has_location)
print(json.decoder.__file__, json.decoder.__spec__.parent, json.decoder.__loader__.is_package("json.decoder"))
print(os.path.dirname(json.__file__) == json.__path__[0], sys.prefix, sys.exec_prefix)
import inspect; print(inspect.getsource(json.decoder.JSONArray).splitlines()[0])
"#;
    let expected = &*versioned(
        "{stdlib}/json/__init__.py ['{stdlib}/json'] {stdlib}/json/__init__.py True\n\
{stdlib}/json/decoder.py json False\nTrue /usr/local /usr/local\ndef JSONArray(s_and_end, scan_once, _w=WHITESPACE.match, _ws=WHITESPACE_STR):\n",
    );
    for variant in Variant::ALL {
        let out = run(variant, &["-c", code]);
        assert_eq!((out.status, out.stdout().as_str(), out.stderr().as_str()), (0, expected, ""), "{variant:?}");
    }
}

#[test]
fn pkgutil_iter_modules_lists_embedded_modules() {
    let code = r#"
import pkgutil, json, email
top = {m.name: m.ispkg for m in pkgutil.iter_modules()}
print(top["json"], top["os"], top["asyncio"], "test" in top)
print(sorted(m.name for m in pkgutil.iter_modules(json.__path__)))
print(len(list(pkgutil.walk_packages(email.__path__, "email."))) > 20)
"#;
    let expected = "True False True False\n['__main__', 'decoder', 'encoder', 'scanner', 'tool']\nTrue\n";
    for variant in Variant::ALL {
        let out = run(variant, &["-c", code]);
        assert_eq!((out.status, out.stdout().as_str(), out.stderr().as_str()), (0, expected, ""), "{variant:?}");
    }
}

#[test]
fn builtin_modules_stay_with_the_builtin_importer() {
    let code =
        "import sys, _json, zlib; print(_json.__spec__.origin, zlib.__spec__.origin, type(sys.meta_path[2]).__name__)";
    for variant in Variant::ALL {
        let out = run(variant, &["-c", code]);
        assert_eq!(out.stdout(), "built-in built-in EmbeddedFinder\n", "{variant:?}: {}", out.stderr());
    }
}

/// WASI preview 1 has no network: socket calls fail with `OSError`
/// subclasses, as on a machine with no network, not `AttributeError` (the
/// resolver's stand-ins: src/python/_onepy_nonet.py).
#[test]
fn network_calls_fail_with_oserror() {
    let code = r#"
import socket, urllib.request
def outcome(call):
    try:
        call()
    except OSError as e:
        return type(e).__name__
    return "no error"
print(outcome(lambda: socket.create_connection(("example.com", 80), timeout=5)))
print(outcome(lambda: socket.getaddrinfo("example.com", 443)))
print(outcome(lambda: socket.gethostbyname("example.com")))
print(outcome(lambda: socket.gethostbyaddr("93.184.215.14")))
print(outcome(lambda: socket.getservbyname("http")))
print(outcome(lambda: socket.socket()))
print(outcome(lambda: urllib.request.urlopen("http://example.com/", timeout=5)))
print(socket.gethostname(), socket.getfqdn())
"#;
    let expected = "gaierror\ngaierror\ngaierror\nherror\nOSError\nOSError\nURLError\nlocalhost localhost\n";
    for variant in Variant::ALL {
        let out = run(variant, &["-c", code]);
        out.assert_clean();
        assert_eq!((out.status, out.stderr()), (0, String::new()), "{variant:?}");
        assert_eq!(out.stdout(), expected, "{variant:?}");
    }
}

/// `onepy_host` (the sandbox's host callbacks, src/python/onepy_host.py)
/// under a host that does not serve them: a clear error, not a trap.
#[test]
fn host_callbacks_without_the_sandbox_raise() {
    let code = "import onepy_host\ntry:\n    onepy_host.lookup(1)\nexcept RuntimeError as e:\n    print(e)";
    for variant in Variant::ALL {
        let out = run(variant, &["-c", code]);
        out.assert_clean();
        assert_eq!((out.status, out.stderr()), (0, String::new()), "{variant:?}");
        assert_eq!(out.stdout(), "host callbacks need the onepy_sandbox host; this one has none\n", "{variant:?}");
    }
}
