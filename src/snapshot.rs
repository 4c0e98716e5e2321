//! Pre-initialization. `wasmtime wizer` (settings in `wizer.toml`) calls
//! the `wizer.initialize` export once at build time: it starts CPython,
//! installs the importer and imports [`PREIMPORT`]; wizer then saves the
//! memory as the module's data. Every later run enters `_start` with that
//! memory, finds the interpreter initialized and only refreshes the
//! per-run state (`run_state`).
//!
//! wizer runs the init with no environment variables, no preopened
//! directories and no arguments, so nothing of the build machine can reach
//! the snapshot (a test checks the bytes of the module for that). The one
//! variable it is given is the snapshot seed (`snapshot_entropy`), which is
//! read and wiped before the interpreter starts: randomness and clocks during
//! the init come from it, so the same inputs and seed give the same module.

use crate::{interpreter, openssl, snapshot_entropy};
use anyhow::{Context, Result};
use pyo3::PyTypeInfo;
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
    crate::memory_reserve::hold();
    INITIALIZED.store(true, Ordering::Relaxed);
    Ok(())
}

pub fn was_preinitialized() -> bool {
    INITIALIZED.load(Ordering::Relaxed)
}

/// The seed `scripts/snapshot.sh` passes, removed from the environment and
/// overwritten in place, so neither `os.environ` nor the memory image holds it.
fn take_seed() -> Result<Option<Vec<u8>>> {
    unsafe extern "C" {
        fn getenv(name: *const std::ffi::c_char) -> *mut std::ffi::c_char;
        fn unsetenv(name: *const std::ffi::c_char) -> i32;
    }
    crate::run_state::reread_environ();
    let name = c"ONEPY_SNAPSHOT_SEED";
    debug_assert_eq!(name.to_str(), Ok(snapshot_entropy::SEED_VARIABLE));
    // SAFETY: single-threaded init; getenv's result points into wasi-libc's
    // environment block, which stays allocated until unsetenv below.
    unsafe {
        let value = getenv(name.as_ptr());
        if value.is_null() {
            return Ok(None);
        }
        let len = std::ffi::CStr::from_ptr(value).to_bytes().len();
        let bytes = std::slice::from_raw_parts_mut(value.cast::<u8>(), len);
        let seed = std::str::from_utf8(bytes).ok().and_then(snapshot_entropy::parse_seed);
        bytes.fill(0);
        unsetenv(name.as_ptr());
        seed.map(Some).with_context(|| format!("{} is not a hex string", snapshot_entropy::SEED_VARIABLE))
    }
}

fn preinitialize() -> Result<()> {
    if let Some(seed) = take_seed()? {
        snapshot_entropy::begin(&seed);
    }
    // SAFETY: once, before the interpreter starts, as wasi-libc's `_start`
    // would; after the seed is in place, since mimalloc's start-up draws
    // random bytes (the same inputs and seed give the same module).
    unsafe { __wasm_call_ctors() };
    crate::vfs::mount();
    let result = preinitialize_interpreter().and_then(|()| {
        // OpenSSL's DRBGs must not keep a seed from the fixed stream.
        openssl::forget_snapshot_seed().context("clearing OpenSSL's random generators for the snapshot")
    });
    // Every run after the snapshot draws from the host again.
    snapshot_entropy::end();
    result
}

fn preinitialize_interpreter() -> Result<()> {
    ensure_initialized()?;
    Python::attach(|py| -> PyResult<()> {
        for name in PREIMPORT {
            py.import(*name)?;
        }
        // The app's own choice (`make build PREIMPORT=...`), from the bundle.
        for name in crate::embedded::setting("preimport").unwrap_or_default().split_whitespace() {
            py.import(name)?;
        }
        // pyo3 makes its PanicException type the first time it takes a
        // Python error (to tell a panic from other exceptions): make it
        // here, once, not in every run that sees an error.
        pyo3::panic::PanicException::type_object(py);
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
    leave_heap_headroom();
    Ok(())
}

/// Free heap the snapshot leaves above what it uses: a run's first
/// allocations then come from memory the module already has instead of
/// `memory.grow`. A `print(1)` sandbox call that grew the memory by a few
/// pages cost two `mprotect` calls more per call (one to grow, one when the
/// slot is reset), measured with strace; whether it grew depended on how
/// close to the end of its memory the snapshot happened to stop. The pages
/// are zero, so they add nothing to the module's data.
const HEAP_HEADROOM: usize = 4 << 20;

fn leave_heap_headroom() {
    unsafe extern "C" {
        fn malloc(size: usize) -> *mut std::ffi::c_void;
        fn free(ptr: *mut std::ffi::c_void);
    }
    // SAFETY: a block from malloc, freed once. wasi-libc's dlmalloc grows
    // the memory for it and cannot give memory back, so after `free` the
    // block is free heap at the top of the snapshot's memory.
    unsafe {
        let block = std::hint::black_box(malloc(HEAP_HEADROOM));
        if !block.is_null() {
            free(block);
        }
    }
}

unsafe extern "C" {
    /// The static constructors (C++ packages' globals, mimalloc's and
    /// wasi-libc's start-up), which wasm-ld gathers; wasi-libc's `_start`
    /// calls it before `main`.
    fn __wasm_call_ctors();
    fn __wasm_call_dtors();
    fn __main_void() -> i32;
    fn __wasi_proc_exit(code: i32) -> !;
}

/// The snapshot's `_start` (scripts/snapshot.sh renames this export to
/// `_start`): wasi-libc's own `_start`, except that the static constructors
/// do not run again. They ran once, in `wizer.initialize`, before the
/// interpreter started, as they would before `main`; run at every start on
/// the snapshot's memory, they would reset the globals of C++ extensions
/// imported into the snapshot (pybind11's registered types and exception
/// translators: matplotlib).
#[unsafe(export_name = "onepy.start")]
pub extern "C" fn start_after_snapshot() {
    // SAFETY: wasi-libc's command start-up, in its order.
    unsafe {
        let code = __main_void();
        __wasm_call_dtors();
        if code != 0 {
            __wasi_proc_exit(code);
        }
    }
}

#[unsafe(export_name = "wizer.initialize")]
pub extern "C" fn wizer_initialize() {
    if let Err(err) = preinitialize() {
        eprintln!("onepy: pre-initialization failed: {err:#}");
        std::process::exit(1);
    }
}
