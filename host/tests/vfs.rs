//! The embedded files as a read-only filesystem (src/vfs), with no directory
//! mapped: what Python's os module, open(), sqlite3 and pyexpat see must be
//! what the host sees of the same files.

use onepy_host::guest::{Output, Run, Variant, compile, repo_root, stdlib_dir, versioned};
use std::path::{Path, PathBuf};

fn files_app() -> PathBuf {
    let module = repo_root().join("build/files-app.wasm");
    assert!(module.is_file(), "{} is missing: run `make test-files-app`", module.display());
    compile(&module).unwrap()
}

fn ok(out: &Output) -> String {
    out.assert_clean();
    assert_eq!(out.status, 0, "{}", out.stderr());
    out.stdout()
}

/// `relative/path size kind` for every file and directory below `root` on the
/// host, skipping `__pycache__` (the bundle adds bytecode).
fn host_walk(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == "__pycache__") {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            let meta = std::fs::metadata(&path).unwrap();
            if meta.is_dir() {
                out.push(format!("{rel} dir"));
                walk(root, &path, out);
            } else {
                out.push(format!("{rel} {} file", meta.len()));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// The same listing made inside the module with os.walk and os.stat.
const GUEST_WALK: &str = r#"
import os, stat, sys
root = sys.argv[1]
out = []
for dirpath, dirs, files in os.walk(root):
    dirs[:] = [d for d in dirs if d != "__pycache__"]
    for name in dirs + files:
        path = os.path.join(dirpath, name)
        st = os.stat(path)
        rel = os.path.relpath(path, root)
        out.append(f"{rel} dir" if stat.S_ISDIR(st.st_mode) else f"{rel} {st.st_size} file")
print("\n".join(sorted(out)))
"#;

#[test]
fn the_files_app_lists_reads_and_queries_its_own_files() {
    let app = repo_root().join("examples/files-app");
    let size = |rel: &str| std::fs::metadata(app.join(rel)).unwrap().len();
    let mut expected = String::new();
    for rel in [
        "__main__.py",
        "data/catalog.db",
        "data/catalog.sql",
        "data/feed.xml",
        "data/prices.csv",
        "templates/book.txt",
        "templates/index.txt",
    ] {
        expected.push_str(&format!("{rel:24} {:6} bytes\n", size(rel)));
    }
    expected.push_str(
        "csv files: ['prices.csv']\n* Dune (1965)\n* Neuromancer (1984)\n* Snow Crash (1992)\n\
         feed: Embedded files are files, No preopen needed\n",
    );
    // Any argv[0] but `python3` runs the app (README, "Packages and apps").
    let out = Run::default().argv0("files-app").run_module(&files_app(), true, &[] as &[&str]);
    assert_eq!((ok(&out), out.stderr()), (expected, String::new()));
}

#[test]
fn writing_an_embedded_file_or_database_is_a_clean_error() {
    let module = files_app();
    let out = Run::default().argv0("files-app").run_module(&module, true, &["--write"]);
    out.assert_clean();
    assert_eq!(out.status, 1);
    assert!(
        out.stderr().ends_with("OSError: [Errno 69] Read-only file system: '/app/data/prices.csv'\n"),
        "{}",
        out.stderr()
    );
    let out = Run::default().argv0("files-app").run_module(&module, true, &["--write-db"]);
    out.assert_clean();
    assert_eq!(out.status, 1);
    assert!(out.stderr().ends_with("sqlite3.OperationalError: disk I/O error\n"), "{}", out.stderr());
}

#[test]
fn os_walk_and_stat_of_the_stdlib_match_the_bundle() {
    let bundle = repo_root().join(format!("stdlib-bundle{}", stdlib_dir()));
    let expected = host_walk(&bundle).join("\n") + "\n";
    assert!(expected.lines().count() > 500, "{expected}");
    for variant in Variant::ALL {
        let out = Run::default().run(variant, &["-c", GUEST_WALK, &stdlib_dir()]);
        assert_eq!(ok(&out), expected, "{variant:?}");
    }
}

/// The same tree embedded (the app at /app) and mapped from the host with
/// `--dir`: os.walk and os.stat give the same listing.
#[test]
fn embedded_and_mapped_trees_look_the_same() {
    let app = repo_root().join("examples/files-app");
    let embedded = Run::default().argv0("python3").run_module(&files_app(), true, &["-c", GUEST_WALK, "/app"]);
    let mapped = Run::default().dir(&app, "/mapped").run(Variant::Snapshot, &["-c", GUEST_WALK, "/mapped"]);
    let host = host_walk(&app).join("\n") + "\n";
    assert_eq!(ok(&embedded), host);
    assert_eq!(ok(&mapped), host);
}

#[test]
fn c_code_and_stdlib_helpers_see_the_files() {
    let code = &*versioned(
        r#"
import glob, os, platform, sys, inspect, json, pydoc
print([os.path.basename(p) for p in sorted(glob.glob('{stdlib}/json/*.py'))])
print(os.path.isfile(sys.executable), platform.libc_ver(), sys._stdlib_dir)
print(inspect.getfile(json), os.path.samefile(json.__file__, '{stdlib}/json/../json/__init__.py'))
print(pydoc.synopsis('{stdlib}/json/__init__.py'))
print(os.path.getmtime('{stdlib}/os.py'), os.path.exists('/etc/passwd'))
print(os.path.realpath('{stdlib}/json/../os.py'))
with open('{stdlib}/os.py', 'rb') as f:
    f.seek(3); head = f.read(4); print(head, f.tell(), os.pread(f.fileno(), 3, 0))
"#,
    );
    let expected = &*versioned(
        "['__init__.py', '__main__.py', 'decoder.py', 'encoder.py', 'scanner.py', 'tool.py']\n\
        True ('', '') {stdlib}\n\
        {stdlib}/json/__init__.py True\n\
        JSON (JavaScript Object Notation) <https://json.org> is a subset of\n\
        1749600000.0 False\n\
        {stdlib}/os.py\n\
        b'\"OS ' 7 b'r\"\"'\n",
    );
    for variant in Variant::ALL {
        assert_eq!(ok(&Run::default().run(variant, &["-c", code])), expected, "{variant:?}");
    }
}

/// A host directory mapped over an embedded one takes its place for
/// everything that goes through the filesystem (wasi-libc picks the longest
/// preopen prefix); imports still come from the embedded importer.
#[test]
fn a_mapped_directory_over_an_embedded_one_wins() {
    let dir = std::env::temp_dir().join(format!("onepy-over-json-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("host.txt"), "from the host\n").unwrap();
    let code = &*versioned(
        "import os, json; print(os.listdir('{stdlib}/json'), json.dumps([1]));\
                open('{stdlib}/json/new.txt', 'w').write('x')",
    );
    let out = Run::default().dir(&dir, &format!("{}/json", stdlib_dir())).run(Variant::Snapshot, &["-c", code]);
    assert_eq!(ok(&out), "['host.txt'] [1]\n");
    assert_eq!(std::fs::read_to_string(dir.join("new.txt")).unwrap(), "x");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Removing a name that does not exist inside the embedded tree is
/// FileNotFoundError, as cleanup code expects (test.support's `forget`
/// unlinks `<dir>/<mod>.pyc` in every sys.path entry, the stdlib's too,
/// catching only FileNotFoundError);
/// removing or renaming one that exists is EROFS.
#[test]
fn removing_a_missing_name_is_not_found_and_an_existing_one_read_only() {
    let code = &*versioned(
        r#"
import errno, importlib.util, os, pathlib, sys
def err(f, *a):
    try:
        f(*a)
    except OSError as e:
        return f"{type(e).__name__} {errno.errorcode[e.errno]}"
for f, *args in [(os.unlink, "{stdlib}/no_such_module.pyc"), (os.rmdir, "{stdlib}/no_such_dir"),
                 (os.unlink, "{stdlib}/os.py"), (os.rmdir, "{stdlib}/json"),
                 (os.rename, "{stdlib}/no_such.py", "/tmp/x"), (os.rename, "{stdlib}/os.py", "{stdlib}/os2.py")]:
    print(f.__name__, err(f, *args))
pathlib.Path("{stdlib}/no_such_module.py").unlink(missing_ok=True)
for d in sys.path:  # what test.support.import_helper.forget does
    src = os.path.join(d, "no_such_module.py")
    for p in (src + "c", importlib.util.cache_from_source(src)):
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass
print("cleanup ok")
"#,
    );
    let out = Run::default().run(Variant::Snapshot, &["-c", code]);
    assert_eq!(
        ok(&out),
        "unlink FileNotFoundError ENOENT\nrmdir FileNotFoundError ENOENT\nunlink OSError EROFS\nrmdir OSError EROFS\n\
         rename FileNotFoundError ENOENT\nrename OSError EROFS\ncleanup ok\n"
    );
}

/// os.devnull is the device, in every variant and with no directory mapped:
/// it reads as end of file, takes every write (text, binary, append, print,
/// C's fwrite through logging), and is a character device; its directory
/// stays read-only, and what else is in /dev is not there.
#[test]
fn dev_null_reads_empty_and_takes_every_write() {
    let code = r#"
import contextlib, logging, os, stat
with open(os.devnull, "w") as f:
    print(f.write("dropped"), file=__import__("sys").stdout)
with open(os.devnull, "ab") as f:
    print(f.write(b"\x00" * 100000))
with contextlib.redirect_stdout(open(os.devnull, "w")):
    print("not shown")
logging.basicConfig(stream=open(os.devnull, "w"))
logging.warning("not shown either")
print(repr(open(os.devnull).read()), repr(open(os.devnull, "rb").read(10)))
st = os.stat(os.devnull)
print(stat.S_ISCHR(st.st_mode), st.st_size, os.listdir("/dev"), os.path.exists("/dev/null"))
fd = os.open(os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
print(os.write(fd, b"abc")); os.close(fd)
for path in ("/dev/zero", "/dev/new"):
    try:
        open(path, "w")
    except OSError as e:
        print(type(e).__name__, e.errno)
"#;
    for variant in Variant::ALL {
        let out = Run::default().run(variant, &["-c", code]);
        assert_eq!(ok(&out), "7\n100000\n'' b''\nTrue 0 ['null'] True\n3\nOSError 69\nOSError 69\n", "{variant:?}");
    }
}
