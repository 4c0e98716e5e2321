//! What CPython 3.14 adds, in the single file, next to the native
//! build-python of the same sources. compression.zstd, template strings
//! (PEP 750) and deferred annotations (PEP 649, annotationlib) are corpus
//! scripts (tests/corpus/py314_*.py, compared with native by
//! differential.rs); here: the default colour of tracebacks, `python -m` on
//! the new and changed command-line modules, and concurrent.interpreters.

use onepy_host::guest::{Output, Run, Variant, build_python, repo_root};
use std::process::{Command, Stdio};

/// The native build-python with `env` only (as `Run` gives the module).
fn native(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(build_python());
    cmd.args(args).current_dir(repo_root()).env_clear().env("LC_ALL", "C.UTF-8");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawning build-python");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    Output { status: out.status.code().unwrap_or(-1), stdout: out.stdout, stderr: out.stderr }
}

fn ours(variant: Variant, args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    let mut run = Run::default().stdin(stdin.to_vec());
    for (k, v) in env {
        run = run.env(k, v);
    }
    let out = run.run(variant, args);
    out.assert_clean();
    out
}

/// 3.14 colours tracebacks by default, but only on a terminal: through a
/// pipe they are plain, and FORCE_COLOR / NO_COLOR / PYTHON_COLORS decide
/// as natively, byte for byte.
#[test]
fn traceback_colour_follows_the_terminal_and_the_environment_as_native() {
    let code = "def f():\n    return 1/0\nf()\n";
    // python.wasm starts isolated: PYTHON* variables are not read (as
    // `python3 -E`), so PYTHON_COLORS=1 colours nothing, as natively with -E.
    let cases: [(&[(&str, &str)], bool); 4] = [
        (&[], false),
        (&[("FORCE_COLOR", "1")], true),
        (&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")], false),
        (&[("PYTHON_COLORS", "1")], false),
    ];
    for (env, coloured) in cases {
        let want = native(&["-E", "-c", code], env, b"");
        assert_eq!(want.status, 1);
        assert_eq!(want.stderr().contains("\x1b["), coloured, "native with {env:?}: {}", want.stderr());
        for variant in Variant::ALL {
            let got = ours(variant, &["-c", code], env, b"");
            assert_eq!((got.status, got.stderr()), (1, want.stderr()), "{variant:?} with {env:?}");
        }
    }
}

/// `python -m json` (new in 3.14: json.tool's successor) and the other
/// stdlib command-line modules give what they give natively.
#[test]
fn stdlib_command_line_modules_run_with_dash_m() {
    let cases: [(&[&str], &[u8]); 5] = [
        (&["-m", "json"], b"{\"b\": [1, 2], \"a\": null}"),
        (&["-m", "json", "--sort-keys", "--compact"], b"{\"b\": [1, 2], \"a\": null}"),
        (&["-m", "calendar", "2026", "12"], b""),
        (&["-m", "base64", "-"], b"onepy"),
        (&["-m", "tokenize"], b"t\"x{y}\"\n"),
    ];
    for (args, stdin) in cases {
        let want = native(args, &[], stdin);
        assert_eq!(want.status, 0, "native {args:?}: {}", want.stderr());
        for variant in Variant::ALL {
            let got = ours(variant, args, &[], stdin);
            assert_eq!(
                (got.status, got.stdout(), got.stderr()),
                (0, want.stdout(), want.stderr()),
                "{variant:?} {args:?}"
            );
        }
    }
}

/// concurrent.interpreters (PEP 734, new in 3.14): CPython's configure
/// marks its _interpreters module n/a for WASI, so the import fails with an
/// ImportError that says so (patches/stdlib/concurrent-interpreters-wasi.patch);
/// natively the same code runs in a subinterpreter.
#[test]
fn concurrent_interpreters_is_a_clear_module_not_found_error() {
    let code = "from concurrent import interpreters\n\
                interp = interpreters.create()\n\
                print(interp.call(divmod, 7, 3))\n";
    let want = native(&["-c", code], &[], b"");
    assert_eq!((want.status, want.stdout()), (0, "(2, 1)\n".to_string()), "{}", want.stderr());
    let probe = "try:\n    from concurrent import interpreters\nexcept ImportError as e:\n    print(type(e).__name__, e.name, e)\n";
    for variant in Variant::ALL {
        let got = ours(variant, &["-c", probe], &[], b"");
        assert_eq!(
            (got.status, got.stdout(), got.stderr()),
            (
                0,
                "ModuleNotFoundError _interpreters concurrent.interpreters is not available on WASI: CPython does \
                 not build its _interpreters module for wasm32-wasi (configure marks it n/a)\n"
                    .to_string(),
                String::new()
            ),
            "{variant:?}"
        );
    }
}
