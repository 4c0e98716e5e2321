//! Helpers shared by the end-to-end tests: the module under test
//! (`ONEPY_SANDBOX_MODULE`, default: the workspace's python.wasm from
//! `make build`) and ways to run code in it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use onepy_sandbox::{Call, Options, Outcome, Sandbox};
use serde_json::Value;

pub fn module() -> PathBuf {
    match std::env::var_os("ONEPY_SANDBOX_MODULE") {
        Some(p) => p.into(),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../python.wasm"),
    }
}

pub fn sandbox_with(options: Options) -> Sandbox {
    let path = module();
    Sandbox::from_file(&path, options).unwrap_or_else(|e| panic!("sandbox for {}: {e:#}", path.display()))
}

/// One sandbox with default options, shared by the tests that need no others.
pub fn shared() -> &'static Sandbox {
    static S: OnceLock<Sandbox> = OnceLock::new();
    S.get_or_init(|| sandbox_with(Options::default()))
}

pub fn run(s: &Sandbox, code: &str) -> Outcome {
    s.run(&Call { code, ..Call::default() }).unwrap()
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The decoded `result` of a call that must have ended normally.
pub fn result(o: &Outcome) -> Value {
    assert_eq!(o.error, None, "stderr: {}\ndetail: {:?}", text(&o.stderr), o.error_detail);
    assert_eq!(o.exit_code, Some(0), "stderr: {}", text(&o.stderr));
    serde_json::from_str(o.result_json.as_deref().expect("no result")).unwrap()
}
