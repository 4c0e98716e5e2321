//! What must be per-run in a pre-initialized module: randomness, the
//! environment, preopened directories; and what must never be in it: the
//! build machine's environment and paths.

use onepy_host::guest::{Run, Variant, repo_root, run};
use std::process::Command;

fn output_of(variant: Variant, run_opts: &Run, code: &str) -> String {
    let out = run_opts.run(variant, &["-c", code]);
    out.assert_clean();
    assert_eq!(out.status, 0, "{variant:?}: {}", out.stderr());
    out.stdout()
}

#[test]
fn randomness_differs_between_runs() {
    let code = "import random, os, uuid, tempfile; print(random.random(), os.urandom(8).hex(), uuid.uuid4(), tempfile.mktemp(dir='/tmp'))";
    // Also with `random` and `tempfile` imported into the snapshot by the code
    // path that reseeds them: run each variant three times.
    for variant in Variant::ALL {
        let runs: Vec<String> = (0..3).map(|_| output_of(variant, &Run::default(), code)).collect();
        let fields: Vec<Vec<&str>> = runs.iter().map(|r| r.split_whitespace().collect()).collect();
        for (i, ((a, b), c)) in fields[0].iter().zip(&fields[1]).zip(&fields[2]).enumerate() {
            assert!(a != b && b != c, "{variant:?}: field {i} repeats: {runs:?}");
        }
    }
}

#[test]
fn tempfile_names_differ_with_a_mapped_tmp() {
    let tmp = std::env::temp_dir().join(format!("onepy-tmp-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let code = "import tempfile; print(tempfile.gettempdir(), tempfile.mktemp())";
    let opts = Run::default().dir(&tmp, "/tmp");
    let a = output_of(Variant::Snapshot, &opts, code);
    let b = output_of(Variant::Snapshot, &opts, code);
    assert!(a.starts_with("/tmp /tmp/tmp"), "{a}");
    assert_ne!(a, b);
}

#[test]
fn environment_comes_from_this_run() {
    let code = "import os; print(os.environ.get('FOO'), os.getenv('ONEPY_X'), sorted(os.environ))";
    for variant in Variant::ALL {
        let out = output_of(variant, &Run::default().env("FOO", "bar").env("ONEPY_X", "1"), code);
        assert_eq!(out, "bar 1 ['FOO', 'ONEPY_X']\n", "{variant:?}");
        let out = output_of(variant, &Run::default(), code);
        assert_eq!(out, "None None []\n", "{variant:?}");
    }
    let out = output_of(
        Variant::Snapshot,
        &Run::default().env("A", "1"),
        "import os; os.environ['B'] = '2'; print(os.environ.copy(), os.environb[b'A'])",
    );
    assert_eq!(out, "{'A': '1', 'B': '2'} b'1'\n");
}

#[test]
fn preopens_given_at_run_time_work_after_the_snapshot() {
    let dir = std::env::temp_dir().join(format!("onepy-preopen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("script.py"), "import os, sys\nwith open('/data/out.txt', 'w') as f:\n    f.write('written ' + sys.argv[1])\nprint(sorted(os.listdir('/data')))\n").unwrap();
    for variant in Variant::ALL {
        let _ = std::fs::remove_file(dir.join("out.txt"));
        let out = Run::default().dir(&dir, "/data").run(variant, &["/data/script.py", "arg"]);
        out.assert_clean();
        assert_eq!(
            (out.status, out.stdout().as_str(), out.stderr().as_str()),
            (0, "['out.txt', 'script.py']\n", ""),
            "{variant:?}"
        );
        assert_eq!(std::fs::read_to_string(dir.join("out.txt")).unwrap(), "written arg");
    }
}

/// Snapshot the plain module again with a canary variable in the
/// environment of the snapshot step; neither its name nor its value may
/// reach the module's bytes or the run's `os.environ`.
#[test]
fn build_environment_never_reaches_the_snapshot() {
    let canary_value = format!("canary-value-{}", std::process::id());
    let out_dir = repo_root().join("target/e2e");
    std::fs::create_dir_all(&out_dir).unwrap();
    let module = out_dir.join(format!("canary-{}.wasm", std::process::id()));
    let status = Command::new("bash")
        .arg(repo_root().join("scripts/snapshot.sh"))
        .arg(Variant::NoInit.module())
        .arg(&module)
        .env("ONEPY_CANARY_VARIABLE", &canary_value)
        .status()
        .expect("running scripts/snapshot.sh");
    assert!(status.success());
    let bytes = std::fs::read(&module).unwrap();
    for needle in ["ONEPY_CANARY_VARIABLE", canary_value.as_str()] {
        assert!(!contains(&bytes, needle.as_bytes()), "{needle} is in the snapshot");
    }
    let out = Run::default().run_module(&module, false, &["-c", "import os; print(dict(os.environ))"]);
    assert_eq!((out.status, out.stdout().as_str()), (0, "{}\n"), "{}", out.stderr());
    let _ = std::fs::remove_file(&module);
}

/// Clocks come from this run: wall time is now (not the snapshot's), and
/// monotonic/perf_counter advance.
#[test]
fn clocks_are_live() {
    let code = "import time; a, p = time.monotonic(), time.perf_counter(); sum(range(200000)); print(int(time.time()), time.monotonic() > a, time.perf_counter() > p)";
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    for variant in Variant::ALL {
        let out = output_of(variant, &Run::default(), code);
        let fields: Vec<&str> = out.split_whitespace().collect();
        let guest_now: i64 = fields[0].parse().unwrap();
        assert!((guest_now - now).abs() < 60, "{variant:?}: guest time {guest_now}, host {now}");
        assert_eq!(&fields[1..], ["True", "True"], "{variant:?}");
    }
}

#[test]
fn snapshot_starts_with_the_interpreter_already_up() {
    // `sys.modules` holds the pre-imported modules before any user code.
    let code = "import sys; print('runpy' in sys.modules, 'encodings.utf_8' in sys.modules)";
    assert_eq!(output_of(Variant::Snapshot, &Run::default(), code), "True True\n");
    assert_eq!(run(Variant::NoInit, &["-c", code]).stdout(), "False True\n");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// SipHash-1-3, as on native CPython, in every module the tests build (not
/// the FNV fallback configure picks when cross-compiling); the secret is the
/// snapshot's (one per build), and drawn at every start without a snapshot.
#[test]
fn str_hash_is_siphash13_with_a_secret_per_build() {
    let code = "import sys; print(sys.hash_info.algorithm, sys.hash_info.hash_bits, hash('onepy'))";
    let root = repo_root();
    let modules = [
        root.join("python.wasm"),
        root.join("build/python-noinit.wasm"),
        root.join("build/app.wasm"),
        root.join("build/numpy.wasm"),
    ];
    for module in &modules {
        let runs: Vec<String> = (0..2)
            .map(|_| {
                let out = Run::default().argv0("python3").run_module(module, false, &["-c", code]);
                out.assert_clean();
                assert_eq!(out.status, 0, "{}: {}", module.display(), out.stderr());
                out.stdout()
            })
            .collect();
        assert!(runs[0].starts_with("siphash13 64 "), "{}: {}", module.display(), runs[0]);
        let fixed = !module.ends_with("python-noinit.wasm");
        assert_eq!(runs[0] == runs[1], fixed, "{}: hash('onepy') over two runs: {runs:?}", module.display());
    }
}
