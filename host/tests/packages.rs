//! Packages and an app in the single file (`make test-app` builds
//! build/app.wasm: emoji, certifi, rich, click and examples/app), run with
//! no preopens; and the build's refusals.

use onepy_host::guest::{Output, Run, repo_root, versioned};
use std::path::PathBuf;
use std::process::Command;

fn app_module() -> PathBuf {
    let module = repo_root().join("build/app.wasm");
    assert!(module.is_file(), "{} is missing: run `make test-app`", module.display());
    module
}

fn python(code: &str) -> Output {
    let cwasm = onepy_host::guest::compile(&app_module()).unwrap();
    let out = Run::default().run_module(&cwasm, true, &["-c", code]);
    out.assert_clean();
    out
}

/// `PREIMPORT="rich.console emoji"`: the app's imports are in the snapshot.
#[test]
fn app_imports_are_preimported() {
    let out =
        python("import sys; print('rich.console' in sys.modules, 'emoji' in sys.modules, 'click' in sys.modules)");
    assert_eq!(out.stdout(), "True True False\n", "{}", out.stderr());
}

#[test]
fn emoji_from_the_seed() {
    let out = python("import emoji; print(emoji.emojize('Python is :thumbs_up:'))");
    assert_eq!((out.status, out.stdout().as_str()), (0, "Python is \u{1F44D}\n"), "{}", out.stderr());
}

#[test]
fn package_data_and_metadata() {
    let code = r#"
import certifi, importlib.metadata as md, importlib.resources as res
pem = res.files("certifi").joinpath("cacert.pem").read_text()
print(pem.count("BEGIN CERTIFICATE") > 100, certifi.where())
print(open(certifi.where()).read() == pem)
print(md.version("certifi"), md.version("rich"), md.version("markdown-it-py"))
print(sorted(d.metadata["Name"] for d in md.distributions()))
print(md.distribution("click").read_text("METADATA").splitlines()[2])
"#;
    let out = python(code);
    assert_eq!(out.status, 0, "{}", out.stderr());
    assert_eq!(
        out.stdout(),
        versioned(
            "True {stdlib}/site-packages/certifi/cacert.pem\nTrue\n2026.10.18 15.0.0 4.3.0\n\
['Pygments', 'certifi', 'click', 'emoji', 'markdown-it-py', 'mdurl', 'rich']\nVersion: 8.5.1\n"
        )
    );
}

#[test]
fn rich_prints_a_table_and_click_runs_a_command() {
    let code = r#"
from rich.console import Console
from rich.table import Table
t = Table("a", "b")
t.add_row("1", "x")
Console(width=20, color_system=None).print(t)
import click
@click.command()
@click.option("--n", default=2)
def cli(n):
    click.echo("hi " * n)
cli(["--n", "3"], standalone_mode=False)
"#;
    let out = python(code);
    assert_eq!(out.status, 0, "{}", out.stderr());
    assert_eq!(out.stdout(), "┏━━━┳━━━┓\n┃ a ┃ b ┃\n┡━━━╇━━━┩\n│ 1 │ x │\n└───┴───┘\nhi hi hi \n");
}

#[test]
fn the_app_runs_with_argv_stdin_and_its_exit_status() {
    let cwasm = onepy_host::guest::compile(&app_module()).unwrap();
    let out = Run::default().argv0("app.wasm").stdin("Carol\n").run_module(&cwasm, true, &["Alice", "-c"]);
    out.assert_clean();
    assert_eq!(out.status, 3, "{}", out.stderr());
    assert_eq!(
        out.stdout(),
        "         Greetings         \n┏━━━━━━━┳━━━━━━━━━━━━━━━━━┓\n┃ name  ┃ greeting        ┃\n┡━━━━━━━╇━━━━━━━━━━━━━━━━━┩\n\
│ Alice │ Hello, Alice 👋 │\n│ -c    │ Hello, -c 👋    │\n│ Carol │ Hello, Carol 👋 │\n└───────┴─────────────────┘\n"
    );
    // argv[0] python3 gives the interpreter's command line instead.
    let out =
        Run::default().run_module(&cwasm, true, &["-c", "import sys, greeting; print(sys.argv, greeting.greet('x'))"]);
    assert_eq!(out.stdout(), "['-c'] Hello, x :waving_hand:\n", "{}", out.stderr());
}

/// `make build` with the given settings; returns (status, combined output).
fn make_build(settings: &[String]) -> (i32, String) {
    let out = Command::new("make")
        .arg("--no-print-directory")
        .arg("build")
        .args(settings)
        .current_dir(repo_root())
        .output()
        .expect("running make");
    (
        out.status.code().unwrap_or(-1),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

fn scratch_lock(name: &str) -> String {
    let dir = repo_root().join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    let lock = dir.join(format!("{name}-{}.lock", std::process::id()));
    let _ = std::fs::remove_file(&lock);
    lock.display().to_string()
}

/// A compiled package that cannot be built (pycurl needs libcurl, which no
/// recipe provides: its setup.py's `curl-config` is answered by the C-library
/// guard, not the host's) fails the build naming the package, the step, the
/// command and the log's tail; the previous output is kept.
#[test]
fn a_package_that_cannot_be_built_fails_clearly_and_the_output_is_kept() {
    let output = repo_root().join("build/refused.wasm");
    std::fs::write(&output, b"previous build").unwrap();
    let (status, text) = make_build(&[
        "PACKAGES=pycurl==7.49.0".into(),
        format!("LOCK={}", scratch_lock("pycurl")),
        "OUTPUT=build/refused.wasm".into(),
    ]);
    assert_ne!(status, 0, "{text}");
    assert!(
        text.contains("error: building pycurl failed at step 'build-wheel-setuptools' (exit status 1)\ncommand: "),
        "{text}"
    );
    assert!(text.contains("build-wheel-setuptools.log (last 40 lines)"), "{text}");
    assert!(text.contains("pep517_hook.py wheel setuptools.build_meta "), "{text}");
    assert!(
        text.contains("pycurl 7.49.0 declares no C library that provides curl-config"),
        "the log tail names what is missing: {text}"
    );
    assert_eq!(std::fs::read(&output).unwrap(), b"previous build");
}

#[test]
fn a_package_shadowing_the_stdlib_is_refused() {
    let (status, text) = make_build(&[
        "PACKAGES=enum34==1.1.10".into(),
        format!("LOCK={}", scratch_lock("enum34")),
        "OUTPUT=build/refused-enum.wasm".into(),
    ]);
    assert_ne!(status, 0, "{text}");
    assert!(
        text.contains("error: package 'enum34' provides 'enum', which shadows the standard library's module 'enum'"),
        "{text}"
    );
}

/// The unpacking rules of scripts/packages.py on synthetic wheels: two
/// packages shipping the same file, namespace portions, stdlib shadowing.
#[test]
fn packages_py_unit_tests() {
    let out = Command::new("python3")
        .args(["-m", "unittest", "-v", "tests/test_packages_py.py"])
        .current_dir(repo_root())
        .output()
        .expect("running python3 -m unittest");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Ran 14 tests"), "{text}");
}

/// The C-library stage (scripts/package_builder/clibs.py) on synthetic
/// definitions: an unknown library, a download failing its sha256 and a
/// library failing to compile are clear errors that cache nothing and leave
/// a built prefix untouched; host include directories are refused. Runs the
/// wasm toolchain, with the tools venv's Python.
#[test]
fn clibs_py_unit_tests() {
    let libpython = onepy_host::guest::libpython_dir();
    let python = onepy_host::guest::tools_python();
    let out = Command::new(&python)
        .args(["-m", "unittest", "-v", "tests/test_clibs_py.py"])
        .env("ONEPY_LIBPYTHON_DIR", libpython)
        .current_dir(repo_root())
        .output()
        .expect("running python -m unittest");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Ran 23 tests") && text.ends_with("OK\n"), "{text}");
}

/// Every file of every wheel in the app build is embedded byte for byte as
/// the wheel ships it: the sha256 the wheel's RECORD gives equals the sha256
/// of the file read inside the module. (A build step once rewrote sources to
/// hide build-machine paths; nothing may edit a package's files.)
#[test]
fn embedded_package_files_match_their_wheels_record() {
    // RECORD entries (path, sha256) of the locked wheels, read natively.
    let lister = r#"
import base64, re, sys, zipfile, pathlib
lock, wheels = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for url in re.findall(r"^# (https://\S+\.whl)$", lock.read_text(), re.M):
    with zipfile.ZipFile(wheels / url.rsplit("/", 1)[1]) as z:
        record = next(n for n in z.namelist() if n.endswith(".dist-info/RECORD"))
        for line in z.read(record).decode().splitlines():
            path, digest, _ = line.rsplit(",", 2)
            parts = path.split("/")
            if parts[0].endswith(".data"):
                if parts[1] not in ("purelib", "platlib"):
                    continue  # scripts, headers, data: not embedded
                path = "/".join(parts[2:])
            if digest:
                print(path, digest.removeprefix("sha256="))
"#;
    let lock = repo_root().join("tests/packages/e2e.lock");
    let wheels = onepy_host::guest::libpython_dir().parent().unwrap().join("wheels");
    let native = Command::new(onepy_host::guest::build_python())
        .args(["-c", lister])
        .arg(&lock)
        .arg(&wheels)
        .output()
        .expect("running the build-python");
    assert!(native.status.success(), "{}", String::from_utf8_lossy(&native.stderr));
    let expected = String::from_utf8(native.stdout).unwrap();
    assert!(expected.lines().count() > 500, "too few RECORD entries:\n{expected}");

    // The same files, hashed inside the module.
    let hasher = &*versioned(
        r#"
import base64, hashlib, sys
root = "{stdlib}/site-packages/"
for line in sys.stdin.read().splitlines():
    path = line.split()[0]
    with open(root + path, "rb") as f:
        digest = hashlib.sha256(f.read()).digest()
    print(path, base64.urlsafe_b64encode(digest).rstrip(b"=").decode())
"#,
    );
    let cwasm = onepy_host::guest::compile(&app_module()).unwrap();
    let out = Run::default().argv0("python3").stdin(expected.as_bytes()).run_module(&cwasm, true, &["-c", hasher]);
    out.assert_clean();
    assert_eq!(out.status, 0, "{}", out.stderr());
    let got = out.stdout();
    let differing: Vec<_> = expected.lines().zip(got.lines()).filter(|(e, g)| e != g).collect();
    assert!(differing.is_empty(), "embedded files differ from their wheels' RECORD: {differing:#?}");
    assert_eq!(got.lines().count(), expected.lines().count());
}
