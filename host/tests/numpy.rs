//! numpy (its recipe) and markupsafe (no recipe) built from their sdists and linked statically
//! (`make test-numpy` builds build/numpy.wasm), run with no preopens.
//! Expected values come from native numpy of the same version on the native
//! build-python (the same CPython).

use onepy_host::guest::{Output, Run, build_python, compile, repo_root};
use std::path::PathBuf;
use std::process::Command;

/// The version of `name` the numpy test lock pins (tests/numpy/pytest.lock).
fn locked_version(name: &str) -> String {
    let lock = std::fs::read_to_string(repo_root().join("tests/numpy/pytest.lock")).unwrap();
    lock.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}=="))?.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| panic!("tests/numpy/pytest.lock pins no {name}"))
}

fn module() -> PathBuf {
    let module = repo_root().join("build/numpy.wasm");
    assert!(module.is_file(), "{} is missing: run `make test-numpy`", module.display());
    compile(&module).unwrap()
}

fn run(args: &[&str]) -> Output {
    let out = Run::default().run_module(&module(), true, args);
    out.assert_clean();
    out
}

#[test]
fn the_done_when_example() {
    let out = run(&["-c", "import numpy as np; print(np.arange(10).reshape(2,5).sum(axis=0))"]);
    assert_eq!((out.status, out.stdout().as_str(), out.stderr().as_str()), (0, "[ 5  7  9 11 13]\n", ""));
}

#[test]
fn values_match_native_numpy() {
    let script = std::fs::read_to_string(repo_root().join("tests/numpy/values.py")).unwrap();
    let native_dir = std::env::var("ONEPY_NUMPY_NATIVE").expect("ONEPY_NUMPY_NATIVE (set by `make test`)");
    let native = Command::new(build_python())
        .args([
            "-I",
            "-c",
            &format!(
                "import sys; sys.path.insert(0, {native_dir:?}); exec(open({:?}).read())",
                repo_root().join("tests/numpy/values.py")
            ),
        ])
        .output()
        .expect("running native numpy");
    let native_out = String::from_utf8_lossy(&native.stdout).into_owned();
    assert!(native.status.success(), "native: {}", String::from_utf8_lossy(&native.stderr));
    let ours = run(&["-c", &script]);
    assert_eq!(ours.status, 0, "{}", ours.stderr());
    assert_eq!(ours.stdout(), native_out);
}

/// On wasm32 numpy's intp is 32 bits: `np.ones(10**12)` is refused with a
/// ValueError before any allocation (as on every 32-bit platform); an array
/// larger than the memory the host allows is a MemoryError. Never a trap.
#[test]
fn huge_arrays_are_python_errors() {
    let out = run(&["-c", "import numpy as np; np.ones(10**12)"]);
    assert_eq!(out.status, 1);
    assert!(out.stderr().ends_with("ValueError: Maximum allowed dimension exceeded\n"), "{}", out.stderr());
    let capped = Run::default().max_memory(256 << 20);
    let out = capped.run_module(&module(), true, &["-c", "import numpy as np; np.ones(2**26)"]);
    out.assert_clean();
    assert_eq!(out.status, 1);
    assert!(
        out.stderr().contains("numpy._core._exceptions._ArrayMemoryError: Unable to allocate 512. MiB"),
        "{}",
        out.stderr()
    );
}

#[test]
fn markupsafe_uses_its_c_speedups() {
    let code = "import markupsafe, markupsafe._speedups as s; print(markupsafe.escape('<a>&'), s.__spec__.origin, markupsafe.escape is s._escape_inner or markupsafe._escape_inner is s._escape_inner)";
    let out = run(&["-c", code]);
    assert_eq!((out.status, out.stdout().as_str()), (0, "&lt;a&gt;&amp; built-in True\n"), "{}", out.stderr());
}

#[test]
fn numpy_extension_modules_are_builtins() {
    let code = "import numpy, sys; print(sorted(m for m in sys.builtin_module_names if m.startswith('numpy')))";
    let out = run(&["-c", code]);
    assert!(
        out.stdout().contains("'numpy._core._multiarray_umath'") && out.stdout().contains("'numpy.random.mtrand'"),
        "{}",
        out.stdout()
    );
    let out = run(&["-c", "import importlib.metadata as m; print(m.version('numpy'), m.version('markupsafe'))"]);
    assert_eq!(
        out.stdout(),
        format!("{} {}\n", locked_version("numpy"), locked_version("MarkupSafe")),
        "{}",
        out.stderr()
    );
}

/// numpy is imported into the snapshot (its recipe asks for it); its legacy
/// global random state must still differ between runs.
#[test]
fn numpy_is_preimported_and_reseeded_per_run() {
    let code = "import sys; print('numpy' in sys.modules); import numpy as np; print(np.random.rand(), np.random.default_rng().random())";
    let a = run(&["-c", code]).stdout();
    let b = run(&["-c", code]).stdout();
    assert!(a.starts_with("True\n"), "{a}");
    let (fa, fb): (Vec<&str>, Vec<&str>) = (a.split_whitespace().collect(), b.split_whitespace().collect());
    assert_ne!(fa[1], fb[1], "np.random.rand repeats between runs");
    assert_ne!(fa[2], fb[2], "default_rng repeats between runs");
}

/// numpy's own test suite, a subset: linalg, fft and random's Generator,
/// run with pytest inside the module (the tests mapped from the sdist).
#[test]
fn numpy_test_suite_subset() {
    let tests = std::env::var("ONEPY_NUMPY_TESTS").expect("ONEPY_NUMPY_TESTS (set by `make test`)");
    let root = std::env::temp_dir().join(format!("onepy-numpy-root-{}", std::process::id()));
    std::fs::create_dir_all(root.join("tmp")).unwrap();
    std::fs::create_dir_all(root.join("dev")).unwrap();
    std::fs::write(root.join("dev/null"), b"").unwrap(); // pytest opens /dev/null
    let opts = Run::default().dir(&tests, "/numpy-tests").dir(&root, "/").env("TMPDIR", "/tmp");
    let out = opts.run_module(
        &module(),
        true,
        &[
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:faulthandler",
            "--capture=sys",
            "--import-mode=importlib",
            "-q",
            "/numpy-tests/linalg/tests",
            "/numpy-tests/fft/tests",
            "/numpy-tests/random/tests/test_generator_mt19937.py",
        ],
    );
    out.assert_clean();
    let stdout = out.stdout();
    let summary = stdout.lines().last().unwrap_or_default();
    let expected = std::fs::read_to_string(repo_root().join("tests/numpy/pytest-expected.txt")).unwrap();
    let want = expected.lines().find_map(|l| l.strip_prefix("ours: ")).unwrap();
    assert!(
        summary.starts_with(want),
        "expected `{want}`, got `{summary}`\n{}",
        &stdout[stdout.len().saturating_sub(3000)..]
    );
    assert_eq!(out.status, 0);
}
