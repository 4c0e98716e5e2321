//! Bad input never ends in a wasm trap or a Rust panic: each case exits
//! non-zero with a clear Python error, under default `wasmtime run`
//! settings unless a case says otherwise.

use onepy_host::guest::{Output, Run, Variant, run};
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

fn check(out: &Output, status: i32, stderr_ends: &str) {
    out.assert_clean();
    assert_eq!(out.status, status, "stderr:\n{}", out.stderr());
    assert!(out.stderr().ends_with(stderr_ends), "expected stderr to end with {stderr_ends:?}, got:\n{}", out.stderr());
}

/// "Stack overflow (C recursion deeper than N levels)", N from the patch
/// that sets it (patches/cpython/wasi-c-recursion.patch).
fn c_recursion_error() -> String {
    let patch = std::fs::read_to_string(onepy_host::guest::repo_root().join("patches/cpython/wasi-c-recursion.patch"))
        .expect("reading the C recursion patch");
    let limit = patch
        .lines()
        .find_map(|l| l.strip_prefix("+#  define _Py_WASI_C_RECURSION_LIMIT "))
        .expect("the patch defines _Py_WASI_C_RECURSION_LIMIT")
        .trim()
        .to_string();
    format!("RecursionError: Stack overflow (C recursion deeper than {limit} levels)")
}

fn each(args: &[&str], status: i32, stderr_ends: &str) {
    for variant in Variant::ALL {
        check(&run(variant, args), status, stderr_ends);
    }
}

#[test]
fn syntax_error_in_a_script_from_stdin() {
    for variant in Variant::ALL {
        let out = Run::default().stdin("x = (1,\nprint(x)\n").run(variant, &["-"]);
        check(&out, 1, "SyntaxError: '(' was never closed\n");
    }
}

#[test]
fn python_recursion() {
    each(&["-c", "def f(n): return f(n + 1)\nf(0)"], 1, "RecursionError: maximum recursion depth exceeded\n");
}

#[test]
fn c_recursion_in_json() {
    each(
        &["-c", "import json; json.loads('[' * 100000)"],
        1,
        &format!("{} while decoding a JSON array from a unicode string\n", c_recursion_error()),
    );
}

#[test]
fn c_recursion_in_the_compiler() {
    each(
        &["-c", "exec('x = ' + '+'.join(['1'] * 100000))"],
        1,
        &format!("{} during compilation\n", c_recursion_error()),
    );
}

#[test]
fn c_recursion_in_repr_and_pickle() {
    let nested = "l = []\nfor _ in range(100000):\n    l = [l]\n";
    each(
        &["-c", &format!("{nested}repr(l)")],
        1,
        &format!("{} while getting the repr of an object\n", c_recursion_error()),
    );
    for variant in Variant::ALL {
        let out = run(variant, &["-c", &format!("import pickle\n{nested}pickle.dumps(l)")]);
        out.assert_clean();
        assert_eq!(out.status, 1);
        // pickle's frames move the shadow stack too, so either check may stop it.
        assert!(out.stderr().contains("RecursionError: Stack overflow ("), "{}", out.stderr());
    }
}

/// Recursion that cycles through C slots (repr, attribute lookup, __init__,
/// comparison) uses the most native stack per level (conformance/
/// nesting-limits.md): the counted C recursion limit and the shadow-stack
/// check (patches/cpython/wasi-c-recursion.patch) keep all of them inside
/// wasmtime's default 512 KiB.
#[test]
fn c_recursion_through_slots() {
    let code = r#"
class Repr: __repr__ = object.__str__
class Attr:
    def __getattr__(self, n): return getattr(self, n)
class Init:
    def __init__(self, n): Init(n + 1)
class Eq:
    def __eq__(self, o): return [self] == [o]
for case in (lambda: repr(Repr()), lambda: Attr().x, lambda: Init(0), lambda: Eq() == Eq()):
    try:
        case()
    except RecursionError as e:
        print("RecursionError")
"#;
    for variant in Variant::ALL {
        let out = run(variant, &["-c", code]);
        out.assert_clean();
        assert_eq!((out.status, out.stdout().as_str()), (0, "RecursionError\n".repeat(4).as_str()), "{}", out.stderr());
    }
}

#[test]
fn huge_allocation() {
    // 10**10 bytes does not fit wasm32's address space: a clear Python error.
    each(&["-c", "bytearray(10**10)"], 1, "OverflowError: cannot fit 'int' into an index-sized integer\n");
    each(&["-c", "bytearray(2**31 - 1)"], 1, "MemoryError\n");
}

#[test]
fn memory_exhaustion_with_a_growing_list() {
    // The host caps the module at 256 MiB, as an embedder would.
    let code = "l = []\nwhile True:\n    l.append(bytearray(1 << 20))";
    for variant in Variant::ALL {
        let opts = Run::default().max_memory(256 << 20);
        let out = opts.run(variant, &["-c", code]);
        check(&out, 1, "MemoryError\n");
    }
}

/// A MemoryError report leaves the program's state alone: `finally` blocks
/// and `atexit` handlers see its globals, and the output is what native
/// CPython prints for the same program under a memory limit (ulimit -v there,
/// a 256 MiB cap here). The report's memory comes from a reserve freed for it
/// (src/memory_reserve.rs), not from deleting the program's objects.
#[test]
fn memory_error_report_keeps_globals_for_atexit() {
    let code = r#"
import atexit
data = []
state = {"phase": "growing"}
atexit.register(lambda: print("atexit sees", len(data) > 10, state["phase"]))
try:
    while True:
        data.append(bytearray(4 * 2**20))
finally:
    state["phase"] = "finally ran"
    print("finally sees", len(data) > 10)
"#;
    let native = std::process::Command::new("bash")
        .args([
            "-c",
            "ulimit -v 400000 && exec \"$0\" -I -c \"$1\"",
            onepy_host::guest::build_python().to_str().unwrap(),
            code,
        ])
        .output()
        .expect("running the build-python");
    let native_stdout = String::from_utf8_lossy(&native.stdout).into_owned();
    let native_stderr = String::from_utf8_lossy(&native.stderr).into_owned();
    assert_eq!(native_stdout, "finally sees True\natexit sees True finally ran\n", "native: {native_stderr}");
    // The report itself: native 3.14 under `ulimit -v` cannot print it
    // (its traceback display needs memory it no longer gets, and it ends in
    // "lost sys.stderr"); the module frees its memory reserve first and
    // prints the whole traceback.
    for variant in Variant::ALL {
        let out = Run::default().max_memory(256 << 20).run(variant, &["-c", code]);
        out.assert_clean();
        assert_eq!((out.status, out.stdout()), (native.status.code().unwrap(), native_stdout.clone()), "{variant:?}");
        assert_eq!(
            out.stderr(),
            "Traceback (most recent call last):\n  File \"<string>\", line 8, in <module>\n    \
             data.append(bytearray(4 * 2**20))\n                ~~~~~~~~~^^^^^^^^^^^\nMemoryError\n",
            "{variant:?}"
        );
    }
}

/// The wasmtime CLI refuses a non-UTF-8 argument itself, with a clear
/// message and a non-zero exit, before the module starts. Our handling of
/// such bytes (CPython's "Unable to decode the command" and a
/// UnicodeEncodeError) is tested inside the guest: `run::tests`.
#[test]
fn invalid_utf8_in_the_command() {
    let code = OsString::from_vec(b"print('\xff')".to_vec());
    for variant in Variant::ALL {
        let out = Run::default().run(variant, &[OsString::from("-c"), code.clone()]);
        out.assert_clean();
        assert_ne!(out.status, 0);
        assert!(out.stderr().contains("to utf-8"), "{}", out.stderr());
    }
}

#[test]
fn invalid_utf8_in_a_script_from_stdin() {
    for variant in Variant::ALL {
        let out = Run::default().stdin(b"print('\xff')\n".to_vec()).run(variant, &["-"]);
        out.assert_clean();
        assert_eq!(out.status, 1);
        // CPython 3.14's wording (3.13 said "(unicode error) 'utf-8' codec
        // can't decode byte 0xff"), as the native build-python prints it.
        let native = onepy_host::guest::run_native(&["-"], Some(b"print('\xff')\n"), &onepy_host::guest::repo_root());
        // Native reads the script as a file ("... in file <stdin> on line 1"),
        // the module compiles the bytes it read ("... on line 1").
        assert_eq!(native.status, 1);
        assert!(
            native.stderr().contains("SyntaxError: Non-UTF-8 code starting with '\\xff' in file <stdin> on line 1")
        );
        assert!(
            out.stderr()
                .contains("SyntaxError: Non-UTF-8 code starting with '\\xff' on line 1, but no encoding declared"),
            "{}",
            out.stderr()
        );
    }
}

#[test]
fn a_100_mb_write_to_stdout_completes() {
    for variant in Variant::ALL {
        let out = run(variant, &["-c", "import sys; sys.stdout.write('x' * 100_000_000); print('end')"]);
        out.assert_clean();
        assert_eq!(out.status, 0, "{}", out.stderr());
        assert_eq!(out.stdout.len(), 100_000_004);
        assert!(out.stdout.ends_with(b"xend\n"));
    }
}

#[test]
fn reading_a_host_path_that_was_not_given() {
    each(
        &["-c", "print(open('/etc/hostname').read())"],
        1,
        "FileNotFoundError: [Errno 44] No such file or directory: '/etc/hostname'\n",
    );
    each(
        &["-c", "import os; os.listdir('/home')"],
        1,
        "FileNotFoundError: [Errno 44] No such file or directory: '/home'\n",
    );
    // `/` itself is the embedded tree (src/vfs): only what the module carries.
    each(
        &["-c", "import os; print(sorted(os.listdir('/'))); os.stat('/root')"],
        1,
        "FileNotFoundError: [Errno 44] No such file or directory: '/root'\n",
    );
}

#[test]
fn missing_module_and_script_and_bad_option() {
    each(&["-c", "import no_such_module_here"], 1, "ModuleNotFoundError: No module named 'no_such_module_here'\n");
    each(
        &["/missing/script.py"],
        2,
        "python3: can't open file '/missing/script.py': [Errno 44] No such file or directory\n",
    );
    each(
        &["-Z"],
        2,
        "Unknown option: -Z\nusage: python3 [option] ... [-c cmd | -m mod | file | -] [arg] ...\nTry `python -h' for more information.\n",
    );
}

/// Deeply nested source of every construct in `tests/deep-source.txt`
/// (unary operators, brackets, attribute chains, lambdas, f-strings,
/// decorators, ...) either compiles or ends in a clean SyntaxError,
/// MemoryError or RecursionError with exit status 1: the parser's and the
/// compiler's depth limits trip before wasmtime's 512 KiB native stack is
/// used up (`scripts/nesting_limits.py` measures the deepest that compiles).
#[test]
fn deeply_nested_source_never_traps() {
    let table = std::fs::read_to_string(onepy_host::guest::repo_root().join("tests/deep-source.txt")).unwrap();
    let constructs: Vec<(&str, &str)> = table
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .collect();
    assert!(constructs.len() >= 15, "{constructs:?}");
    for (name, code) in constructs {
        for depth in [500, 3000, 100_000] {
            let program = format!("N = {depth}\nsrc = {code}\ncompile(src, '<nested>', 'exec')\nprint('compiled')");
            for variant in Variant::ALL {
                let out = run(variant, &["-c", &program]);
                out.assert_clean();
                let last = out.stderr().lines().last().unwrap_or("").to_string();
                let clean_error = ["SyntaxError", "IndentationError", "MemoryError", "RecursionError"]
                    .iter()
                    .any(|e| last.starts_with(&format!("{e}:")) || last == *e);
                assert!(
                    (out.status, out.stdout().as_str()) == (0, "compiled\n") || (out.status == 1 && clean_error),
                    "{name} at depth {depth} ({variant:?}): status {}, stderr:\n{}",
                    out.status,
                    out.stderr()
                );
            }
        }
    }
}
