//! Differential tests: every script of tests/corpus/ runs in the native
//! build-python (CPython from the same sources) and in python.wasm,
//! snapshot and plain; stdout and the exit status must be identical.
//! The program is fed on stdin, so the module runs with no preopen.

use onepy_host::guest::{Run, Variant, repo_root, run_native};
use std::path::PathBuf;

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join("tests/corpus"))
        .expect("tests/corpus")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "the corpus has {} scripts", files.len());
    files
}

#[test]
fn corpus_matches_native_cpython() {
    let mut mismatches = Vec::new();
    for script in corpus() {
        let source = std::fs::read(&script).unwrap();
        let native = run_native(&["-"], Some(&source), &repo_root());
        for variant in Variant::ALL {
            let ours = Run::default().stdin(source.clone()).run(variant, &["-"]);
            ours.assert_clean();
            if (ours.status, ours.stdout()) != (native.status, native.stdout()) {
                mismatches.push(format!(
                    "{} ({variant:?}): status {} vs native {}\n--- ours\n{}{}\n--- native\n{}",
                    script.file_name().unwrap().to_string_lossy(),
                    ours.status,
                    native.status,
                    ours.stdout(),
                    ours.stderr(),
                    native.stdout()
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}
