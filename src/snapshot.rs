//! Pre-initialization. `wasmtime wizer` (settings in `wizer.toml`) calls
//! the `wizer.initialize` export once at build time: it starts CPython,
//! installs the importer and imports [`PREIMPORT`]; wizer then saves the
//! memory as the module's data. Every later run enters `_start` with that
//! memory, finds the interpreter initialized and only refreshes the
//! per-run state (`run_state`).
//!
//! wizer runs the init with no environment variables, no preopened
//! directories and no arguments, so nothing of the build machine can reach
//! the snapshot (a test checks the bytes of the module for that).

use crate::interpreter;
use anyhow::{Context, Result};
use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

static INITIALIZED: AtomicBool = AtomicBool::new(false);

/// Modules imported into the snapshot: chosen by measurement (README,
/// "Startup"): what `site` and common programs import first.
pub const PREIMPORT: &[&str] = include!("preimport.in");

/// Start the interpreter unless the snapshot already did.
pub fn ensure_initialized() -> Result<()> {
    if INITIALIZED.load(Ordering::Relaxed) {
        return Ok(());
    }
    interpreter::initialize()?;
    INITIALIZED.store(true, Ordering::Relaxed);
    Ok(())
}

pub fn was_preinitialized() -> bool {
    INITIALIZED.load(Ordering::Relaxed)
}

fn preinitialize() -> Result<()> {
    ensure_initialized()?;
    Python::attach(|py| -> PyResult<()> {
        for name in PREIMPORT {
            py.import(*name)?;
        }
        // The app's own choice (`make build PREIMPORT=...`), from the bundle.
        for name in crate::embedded::setting("preimport").unwrap_or_default().split_whitespace() {
            py.import(name)?;
        }
        // Warm the paths every run takes (compiler, exec, atexit, flush) so
        // their lazy one-time setup is part of the snapshot.
        py.run(c"exec(compile('pass', '<string>', 'exec', dont_inherit=True), {})\nimport atexit", None, None)?;
        // Leave nothing buffered in the snapshot.
        for stream in ["stdout", "stderr"] {
            py.import("sys")?.getattr(stream)?.call_method0("flush")?;
        }
        // Move everything allocated so far to the permanent generation: a
        // collection during a run then never walks (and so never faults in
        // and copies) the snapshot's pages, as CPython advises before fork.
        let gc = py.import("gc")?;
        gc.call_method0("collect")?;
        gc.call_method0("freeze")?;
        Ok(())
    })
    .context("pre-importing modules for the snapshot")?;
    Ok(())
}

#[unsafe(export_name = "wizer.initialize")]
pub extern "C" fn wizer_initialize() {
    if let Err(err) = preinitialize() {
        eprintln!("onepy: pre-initialization failed: {err:#}");
        std::process::exit(1);
    }
}
