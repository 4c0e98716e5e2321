//! The guest side of a sandbox session (sandbox/src/session.rs): the export
//! `onepy_sandbox_call` runs one call in an instance that stays alive
//! between calls, so the code sees the globals, imports and files of the
//! session's earlier calls.
//!
//! Unlike `_start`, it returns (never `proc_exit`s): the wasm stack unwinds
//! and the stack pointer is back at its initial value after every call, so
//! the host may call it again, or copy the memory into a new instance (a
//! fork). The first call of an instance does what `_start` does before the
//! program (`prepare_run`); every call then runs
//! `_onepy_sandbox.session_call()`, which reads the call from the host and
//! returns the exit status.

use pyo3::prelude::*;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set in the instance's memory by its first call (and so copied into a
/// fork); false in the snapshot.
static PREPARED: AtomicBool = AtomicBool::new(false);

#[unsafe(export_name = "onepy_sandbox_call")]
pub extern "C" fn onepy_sandbox_call() -> i32 {
    if !PREPARED.load(Ordering::Relaxed) {
        crate::set_panic_hook();
        if let Err(status) = crate::prepare_run() {
            return status;
        }
        PREPARED.store(true, Ordering::Relaxed);
    }
    let status = Python::attach(|py| -> i32 {
        let ran = py.import("_onepy_sandbox").and_then(|m| m.call_method0("session_call")).and_then(|s| s.extract());
        match ran {
            Ok(status) => status,
            Err(err) => {
                err.print(py);
                1
            }
        }
    });
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    status
}
