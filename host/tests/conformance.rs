//! The fast subset of CPython's regression tests runs inside python.wasm and
//! matches tests/conformance-expected.tsv (`make conformance` runs the full
//! list, next to the stock WASI build).

use onepy_host::guest::repo_root;
use std::process::Command;

#[test]
fn regrtest_fast_subset_matches_expectations() {
    let out = Command::new("python3")
        .arg(repo_root().join("scripts/conformance.py"))
        .args(["--subset", "fast", "--check", "--no-stock", "--jobs", "2"])
        .current_dir(repo_root())
        .output()
        .expect("running scripts/conformance.py");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("modules match tests/conformance-expected.tsv"), "{text}");
}
