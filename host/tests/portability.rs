//! The same smoke cases (tests/portability/cases.json) pass under Node's
//! built-in `node:wasi` and under the PyPI `wasmtime` package, not only the
//! wasmtime CLI: the module needs nothing but WASI preview 1.

use onepy_host::guest::{Variant, repo_root, versioned};
use serde_json::Value;
use std::process::Command;

/// The cases, with `{version}` in an expected output replaced by this build's.
fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(repo_root().join("tests/portability/cases.json")).unwrap();
    serde_json::from_str(&versioned(&text)).expect("cases.json")
}

/// Run a runner that prints one JSON object per case, and compare.
fn check_runner(name: &str, mut cmd: Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{name}: cannot start: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{name} failed: {}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    let cases = cases();
    let results: Vec<Value> = stdout.lines().map(|l| serde_json::from_str(l).expect("runner JSON")).collect();
    assert_eq!(results.len(), cases.len(), "{name}: {stdout}");
    for (case, got) in cases.iter().zip(&results) {
        let stderr = got["stderr"].as_str().unwrap_or_default();
        assert!(!got["status"].is_string() && !stderr.contains("wasm trap"), "{name}: trap in {case}: {got}");
        assert_eq!(got["status"], case["status"], "{name}: {case}: {got}");
        assert_eq!(got["stdout"], case["stdout"], "{name}: {case}: {got}");
        if let Some(e) = case.get("stderr") {
            assert_eq!(&got["stderr"], e, "{name}: {case}: {got}");
        }
        if let Some(e) = case.get("stderr_ends").and_then(Value::as_str) {
            assert!(stderr.ends_with(e), "{name}: {case}: {got}");
        }
    }
}

#[test]
fn node_wasi_runs_the_module() {
    let mut cmd = Command::new("node");
    cmd.arg("--no-warnings")
        .arg(repo_root().join("tests/portability/node-run.mjs"))
        .arg(Variant::Snapshot.module())
        .arg(repo_root().join("tests/portability/cases.json"));
    check_runner("node:wasi", cmd);
}

#[test]
fn pypi_wasmtime_runs_the_module() {
    let dir = Command::new("bash").arg(repo_root().join("scripts/deps.sh")).arg("wasmtime-py").output().unwrap();
    let dir = String::from_utf8(dir.stdout).unwrap().trim().to_string();
    assert!(
        std::path::Path::new(&dir).join(".done").is_file(),
        "PyPI wasmtime not installed in {dir}: run `make deps`"
    );
    let mut cmd = Command::new("python3");
    cmd.env("PYTHONPATH", &dir)
        .arg(repo_root().join("tests/portability/wasmtime-py-run.py"))
        .arg(Variant::Snapshot.module())
        .arg(repo_root().join("tests/portability/cases.json"));
    check_runner("PyPI wasmtime", cmd);
}
