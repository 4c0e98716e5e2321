//! The python3 command line of the built module: exact output and exit
//! status, on the snapshot and on the plain module.

use onepy_host::guest::{Output, Run, Variant, run, versioned};

fn both(args: &[&str], check: impl Fn(Variant, &Output)) {
    for variant in Variant::ALL {
        let out = run(variant, args);
        out.assert_clean();
        check(variant, &out);
    }
}

fn expect(args: &[&str], status: i32, stdout: &str, stderr: &str) {
    both(args, |variant, out| {
        assert_eq!(
            (out.status, out.stdout().as_str(), out.stderr().as_str()),
            (status, stdout, stderr),
            "{variant:?} {args:?}"
        );
    });
}

#[test]
fn demo_prints_three_lines() {
    let demo = std::fs::read_to_string(onepy_host::guest::repo_root().join("examples/demo.py")).unwrap();
    expect(
        &["-c", &demo],
        0,
        "Going to eval the following Python code:  print('Printing from Python!')\nPrinting from Python!\nPython code executed successfully!\n",
        "",
    );
}

#[test]
fn command_and_argv() {
    expect(&["-c", "import sys; print(sys.argv)", "a", "-b"], 0, "['-c', 'a', '-b']\n", "");
    expect(
        &["-c", "import sys; print(sys.orig_argv)", "x"],
        0,
        "['python3', '-c', 'import sys; print(sys.orig_argv)', 'x']\n",
        "",
    );
}

#[test]
fn version() {
    expect(&["-V"], 0, &versioned("Python {version}\n"), "");
    expect(&["--version"], 0, &versioned("Python {version}\n"), "");
    both(&["-VV"], |_, out| {
        assert_eq!(out.status, 0);
        assert!(out.stdout().starts_with(&versioned("Python {version} (")), "{}", out.stdout());
        assert!(out.stdout().contains("Clang 19"), "{}", out.stdout());
    });
}

#[test]
fn help() {
    both(&["-h"], |_, out| {
        assert_eq!(out.status, 0);
        assert!(out.stdout().starts_with("usage: python3 [option] ... [-c cmd | -m mod | file | -] [arg] ...\n"));
        assert!(out.stdout().contains("-m mod : run library module as a script"));
    });
}

#[test]
fn exit_codes() {
    expect(&["-c", "import sys; sys.exit(3)"], 3, "", "");
    expect(&["-c", "import sys; sys.exit()"], 0, "", "");
    expect(&["-c", "import sys; sys.exit('msg')"], 1, "", "msg\n");
    expect(&["-c", "raise SystemExit(None)"], 0, "", "");
    expect(&["-c", "print('out'); raise SystemExit(7)"], 7, "out\n", "");
}

#[test]
fn uncaught_exception_prints_traceback_and_exits_1() {
    expect(
        &["-c", "1/0"],
        1,
        "",
        "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n    1/0\n    ~^~\nZeroDivisionError: division by zero\n",
    );
}

#[test]
fn traceback_shows_embedded_source_lines() {
    both(&["-c", "import json; json.loads('{')"], |_, out| {
        assert_eq!(out.status, 1);
        let err = out.stderr();
        assert!(
            err.contains(&versioned(
                "  File \"{stdlib}/json/decoder.py\", line 361, in raw_decode\n    obj, end = self.scan_once(s, idx)\n"
            )),
            "{err}"
        );
        assert!(err.ends_with("json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)\n"), "{err}");
    });
}

#[test]
fn syntax_error() {
    expect(
        &["-c", "def f(:"],
        1,
        "",
        "  File \"<string>\", line 1\n    def f(:\n          ^\nSyntaxError: invalid syntax\n",
    );
}

#[test]
fn usage_errors_exit_2_with_cpython_wording() {
    let usage =
        "usage: python3 [option] ... [-c cmd | -m mod | file | -] [arg] ...\nTry `python -h' for more information.\n";
    expect(&["-z"], 2, "", &format!("Unknown option: -z\n{usage}"));
    expect(&["-c"], 2, "", &format!("Argument expected for the -c option\n{usage}"));
    expect(&["--frobnicate"], 2, "", &format!("unknown option --frobnicate\n{usage}"));
}

#[test]
fn missing_script_exits_2() {
    expect(&["/nope.py"], 2, "", "python3: can't open file '/nope.py': [Errno 44] No such file or directory\n");
}

#[test]
fn module_mode() {
    expect(&["-m", "json.tool"], 1, "", "Expecting value: line 1 column 1 (char 0)\n");
    for variant in Variant::ALL {
        let out =
            Run::default().stdin("{\"b\": [1, 2], \"a\": null}").run(variant, &["-m", "json.tool", "--sort-keys"]);
        assert_eq!(
            (out.status, out.stdout().as_str()),
            (0, "{\n    \"a\": null,\n    \"b\": [\n        1,\n        2\n    ]\n}\n"),
            "{variant:?}"
        );
        let out = run(variant, &["-m", "this"]);
        assert_eq!(out.status, 0);
        assert!(out.stdout().starts_with("The Zen of Python, by Tim Peters\n\nBeautiful is better than ugly.\n"));
        let out = run(variant, &["-m", "timeit", "-n", "10", "-r", "1", "pass"]);
        assert_eq!(out.status, 0, "{}", out.stderr());
        assert!(out.stdout().starts_with("10 loops, best of 1: "), "{}", out.stdout());
    }
    expect(&["-m", "nope_no_such_module"], 1, "", "/usr/local/bin/python3: No module named nope_no_such_module\n");
    expect(&["-m", "json.tool_x"], 1, "", "/usr/local/bin/python3: No module named json.tool_x\n");
}

#[test]
fn module_argv() {
    expect(&["-m", "runpy_probe_missing"], 1, "", "/usr/local/bin/python3: No module named runpy_probe_missing\n");
    // sys.argv[0] becomes the module's file, like CPython.
    for variant in Variant::ALL {
        let out = Run::default().stdin("[]").run(variant, &["-m", "json.tool"]);
        assert_eq!((out.status, out.stdout().as_str()), (0, "[]\n"));
    }
}

#[test]
fn program_from_stdin() {
    for variant in Variant::ALL {
        let out = Run::default().stdin("import sys\nprint(sys.argv, 6 * 7)\n").run(variant, &[] as &[&str]);
        assert_eq!((out.status, out.stdout().as_str(), out.stderr().as_str()), (0, "[''] 42\n", ""), "{variant:?}");
        let out = Run::default().stdin("import sys\nprint(sys.argv)\n").run(variant, &["-", "x"]);
        assert_eq!((out.status, out.stdout().as_str()), (0, "['-', 'x']\n"), "{variant:?}");
        let out = Run::default().stdin("x = 1\nraise ValueError('bad')\n").run(variant, &["-"]);
        assert_eq!(out.status, 1);
        assert_eq!(
            out.stderr(),
            "Traceback (most recent call last):\n  File \"<stdin>\", line 2, in <module>\nValueError: bad\n"
        );
    }
}

#[test]
fn script_with_args_and_source_lines() {
    let dir = tempdir("script");
    std::fs::write(
        dir.join("app.py"),
        "import sys\nprint(sys.argv, __file__, __name__)\ndef f():\n    raise KeyError('k')\nf()\n",
    )
    .unwrap();
    for variant in Variant::ALL {
        let out = Run::default().dir(&dir, "/app").run(variant, &["/app/app.py", "one", "two"]);
        out.assert_clean();
        assert_eq!(out.status, 1);
        assert_eq!(out.stdout(), "['/app/app.py', 'one', 'two'] /app/app.py __main__\n");
        assert_eq!(
            out.stderr(),
            "Traceback (most recent call last):\n  File \"/app/app.py\", line 5, in <module>\n    f()\n    ~^^\n  File \"/app/app.py\", line 4, in f\n    raise KeyError('k')\nKeyError: 'k'\n"
        );
    }
}

#[test]
fn script_dir_is_sys_path_0() {
    let dir = tempdir("path0");
    std::fs::write(dir.join("helper_mod.py"), "VALUE = 'from helper'\n").unwrap();
    std::fs::write(dir.join("main.py"), "import sys, helper_mod\nprint(sys.path[0], helper_mod.VALUE)\n").unwrap();
    for variant in Variant::ALL {
        let out = Run::default().dir(&dir, "/work").run(variant, &["/work/main.py"]);
        assert_eq!(
            (out.status, out.stdout().as_str(), out.stderr().as_str()),
            (0, "/work from helper\n", ""),
            "{variant:?}"
        );
        let out = Run::default().dir(&dir, "/work").run(variant, &["-P", "/work/main.py"]);
        assert_eq!(out.status, 1, "{variant:?}: -P keeps the script dir off sys.path");
        assert!(out.stderr().ends_with("ModuleNotFoundError: No module named 'helper_mod'\n"), "{}", out.stderr());
    }
}

#[test]
fn options_are_accepted_and_applied() {
    expect(&["-B", "-E", "-s", "-S", "-O", "-q", "-c", "print('ok')"], 0, "ok\n", "");
    expect(&["-I", "-c", "import sys; print(sys.path[0])"], 0, &versioned("{stdlib}\n"), "");
    expect(
        &["-X", "dev", "-X", "k=v", "-c", "import sys; print(sorted(sys._xoptions.items()))"],
        0,
        "[('dev', True), ('k', 'v')]\n",
        "",
    );
    expect(
        &["-W", "error", "-c", "import warnings; warnings.warn('boom')"],
        1,
        "",
        "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n    import warnings; warnings.warn('boom')\n                     ~~~~~~~~~~~~~^^^^^^^^\nUserWarning: boom\n",
    );
    expect(&["-u", "-c", "import sys; print(sys.stdout.write_through)"], 0, "True\n", "");
}

#[test]
fn python_variables_of_the_run() {
    let dir = tempdir("pythonpath");
    std::fs::write(dir.join("extra_mod.py"), "WHERE = 'extra'\n").unwrap();
    for variant in Variant::ALL {
        let run_opts = Run::default().dir(&dir, "/extra").env("PYTHONPATH", "/extra:/nowhere");
        let out = run_opts.run(variant, &["-c", "import sys, extra_mod; print(extra_mod.WHERE, sys.path[:3])"]);
        assert_eq!(
            (out.status, out.stdout().as_str()),
            (0, "extra ['', '/extra', '/nowhere']\n"),
            "{variant:?}: {}",
            out.stderr()
        );
        let out = run_opts.clone().run(variant, &["-E", "-c", "import extra_mod"]);
        assert_eq!(out.status, 1, "{variant:?}: -E ignores PYTHONPATH");
        let out =
            Run::default().env("PYTHONWARNINGS", "error").run(variant, &["-c", "import warnings; warnings.warn('w')"]);
        assert_eq!(out.status, 1, "{variant:?}");
        assert!(out.stderr().ends_with("UserWarning: w\n"));
        let out = Run::default()
            .env("PYTHONUNBUFFERED", "1")
            .run(variant, &["-c", "import sys; print(sys.stdout.write_through)"]);
        assert_eq!(out.stdout(), "True\n");
    }
}

#[test]
fn stdout_and_stderr_are_flushed_on_every_exit_path() {
    expect(
        &["-c", "import sys; sys.stdout.write('partial'); sys.stderr.write('err'); sys.exit(4)"],
        4,
        "partial",
        "err",
    );
    expect(&["-c", "import sys, atexit; atexit.register(lambda: print('bye')); print('hi', end='')"], 0, "hibye\n", "");
    expect(
        &["-c", "print('x' * 3, end=''); 1/0"],
        1,
        "xxx",
        "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n    print('x' * 3, end=''); 1/0\n                            ~^~\nZeroDivisionError: division by zero\n",
    );
}

#[test]
fn no_host_access_without_a_preopen() {
    both(&["-c", "open('/etc/passwd')"], |_, out| {
        assert_eq!(out.status, 1);
        assert!(
            out.stderr().ends_with("FileNotFoundError: [Errno 44] No such file or directory: '/etc/passwd'\n"),
            "{}",
            out.stderr()
        );
    });
}

/// With a terminal on stdin and no argument: the basic REPL, through a pty
/// made by util-linux's `script`.
#[test]
fn interactive_prompt_on_a_terminal() {
    let module = onepy_host::guest::precompiled(Variant::Snapshot);
    let command = format!("{} run --allow-precompiled {}", onepy_host::guest::wasmtime().display(), module.display());
    let mut child = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("running script(1)");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"x = 6 * 7\nprint(x)\nexit(5)\n").unwrap();
    let out = child.wait_with_output().unwrap();
    // The terminal echoes the input as it arrives, before or after the
    // banner depending on how fast the module starts: left out.
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "").replace("x = 6 * 7\nprint(x)\nexit(5)\n", "");
    assert!(text.contains(&versioned("Python {version} (")), "{text}");
    assert!(
        text.contains(
            "Type \"help\", \"copyright\", \"credits\" or \"license\" for more information.\n>>> >>> 42\n>>> "
        ),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(5), "{text}");
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("onepy-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
