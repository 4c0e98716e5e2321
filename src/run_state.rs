//! What is per-run. After a wizer snapshot, memory holds the state of the
//! build-time initialization; before the program runs, everything that must
//! come from *this* run is rebuilt here:
//!
//! * wasi-libc's caches: the environment (`environ`) and the preopen table
//!   (a later `--dir` must be visible);
//! * `os.environ` (built by `posix` at import, i.e. during the snapshot);
//! * `random`'s Mersenne Twister, seeded at import from the snapshot's
//!   entropy, `tempfile`'s name generator, numpy's legacy global
//!   RandomState when numpy is in the snapshot;
//! * stdout/stderr line buffering, which CPython decides at init from
//!   `isatty`.
//!
//! `sys.argv`/`sys.orig_argv` are set by `run`. Without a snapshot all of
//! this is already fresh, and doing it again is cheap.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use std::os::wasi::ffi::OsStrExt;

unsafe extern "C" {
    fn __wasilibc_deinitialize_environ();
    fn __wasilibc_ensure_environ();
    fn __wasilibc_reset_preopens();
}

/// Drop wasi-libc's cached environment and preopens so they are read
/// again from this run's WASI host.
pub fn refresh_libc() {
    reread_environ();
    // SAFETY: single-threaded; no pointer into the old preopen table is held.
    unsafe { __wasilibc_reset_preopens() };
}

/// Read the environment from the WASI host again. Also needed before the
/// snapshot's own init reads its seed: by then wasi-libc may already hold an
/// environment read earlier (an empty one).
pub fn reread_environ() {
    // SAFETY: single-threaded; no pointer into the old environ is held at
    // this point (the interpreter copied what it needed).
    unsafe {
        __wasilibc_deinitialize_environ();
        __wasilibc_ensure_environ();
    }
}

pub fn refresh_python(py: Python<'_>) -> PyResult<()> {
    crate::timing::mark("attach");
    refresh_environ(py)?;
    crate::timing::mark("environ");
    let sys = imported(py, "sys")?;
    // Looked up without raising: a KeyError taken by pyo3 is not free (and
    // these modules are often absent).
    let modules = sys.getattr("modules")?.cast_into::<PyDict>()?;
    if let Some(random) = modules.get_item("random")? {
        // `random.seed()` with no argument draws from os.urandom.
        random.call_method0("seed")?;
    }
    if let Some(tempfile) = modules.get_item("tempfile")? {
        tempfile.setattr("_name_sequence", py.None())?;
    }
    if let Some(np_random) = modules.get_item("numpy.random")? {
        // The legacy global RandomState (np.random.rand) was seeded at import.
        np_random.call_method0("seed")?;
    }
    if crate::run::stdout_is_terminal() {
        let kwargs = PyDict::new(py);
        kwargs.set_item("line_buffering", true)?;
        sys.getattr("stdout")?.call_method("reconfigure", (), Some(&kwargs))?;
    }
    Ok(())
}

/// The module `name` as `sys.modules` holds it (a dict look-up), imported
/// only when it is not there: `py.import` goes through `__import__` and the
/// import machinery, which cost more than the rest of a sandbox call's
/// refresh (measured with perf, docs/sandbox.md).
pub fn imported<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    let key = PyString::new(py, name);
    // SAFETY: the GIL is held and `key` is a live str; the result is a new
    // reference, or NULL with an error set only if the look-up failed.
    let found = unsafe { ffi::PyImport_GetModule(key.as_ptr()) };
    if found.is_null() {
        return match PyErr::take(py) {
            Some(err) => Err(err),
            None => Ok(py.import(name)?.into_any()),
        };
    }
    // SAFETY: a new, non-NULL reference.
    Ok(unsafe { Bound::from_owned_ptr(py, found) })
}

/// Replace the contents of `os.environ` (and `posix.environ`, which it was
/// copied from) with this run's environment, as bytes like posix keeps it.
fn refresh_environ(py: Python<'_>) -> PyResult<()> {
    let fresh = PyDict::new(py);
    for (key, value) in std::env::vars_os() {
        fresh.set_item(PyBytes::new(py, key.as_bytes()), PyBytes::new(py, value.as_bytes()))?;
    }
    let posix_environ = imported(py, "posix")?.getattr("environ")?;
    if fresh.is_empty() && posix_environ.len()? == 0 {
        // The snapshot was taken with no environment and this run has none
        // either (wasmtime's default): nothing to rebuild.
        return Ok(());
    }
    posix_environ.call_method0("clear")?;
    posix_environ.call_method1("update", (&fresh,))?;
    let data = imported(py, "os")?.getattr("environ")?.getattr("_data")?;
    data.call_method0("clear")?;
    data.call_method1("update", (&fresh,))?;
    Ok(())
}
