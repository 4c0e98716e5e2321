//! Starting CPython without a filesystem, and the per-run reset that a
//! wizer snapshot needs.
//!
//! Init order (each step depends on the one before):
//! 1. register `_onepy` in the inittab (must precede any initialization);
//! 2. pre-initialize in UTF-8 mode with an isolated pre-config, so no
//!    locale or `PYTHON*` variable of the build machine is consulted;
//! 3. initialize the *core* only (`_init_main = 0`) from an isolated config
//!    whose paths are set explicitly (`home`, `module_search_paths_set`),
//!    so `getpath` searches for no landmark, `pyvenv.cfg` or `._pth` file;
//! 4. install the embedded importer: the core has `sys.meta_path` with the
//!    builtin and frozen importers, but `encodings` (not frozen) is only
//!    imported by the main phase;
//! 5. finish the main phase (`encodings`, stdio, `site`): CPython 3.14
//!    removed `_Py_InitializeMain()`; calling `Py_InitializeFromConfig`
//!    again with `_init_main = 1` reconfigures the initialized core from the
//!    same config and runs the main phase (`pyinit_core_reconfigure`, then
//!    `pyinit_main` in Python/pylifecycle.c).

use crate::embedded::{PREFIX, SITE_PACKAGES_DIR, STDLIB_DIR};
use crate::importer;
use anyhow::{Result, bail};
use pyo3::ffi;
use pyo3::prelude::*;
use std::ffi::{CStr, CString};

/// Turn a failed `PyStatus` into an error naming the CPython function.
fn check(status: ffi::PyStatus, what: &str) -> Result<()> {
    // SAFETY: PyStatus is a plain value; its strings are static C strings.
    unsafe {
        if ffi::PyStatus_Exception(status) == 0 {
            return Ok(());
        }
        let text = |p: *const std::ffi::c_char| {
            if p.is_null() { String::new() } else { CStr::from_ptr(p).to_string_lossy().into_owned() }
        };
        if ffi::PyStatus_IsExit(status) != 0 {
            bail!("{what}: Python asked to exit with status {}", status.exitcode);
        }
        bail!("{what}: {} {}", text(status.func), text(status.err_msg));
    }
}

/// `wchar_t` is 32 bits on wasm32-wasi.
type WChar = i32;

/// Set a `wchar_t*` field of the config from UTF-8.
unsafe fn set_string(config: *mut ffi::PyConfig, field: *mut *mut WChar, value: &str) -> Result<()> {
    let c = CString::new(value)?;
    check(unsafe { ffi::PyConfig_SetBytesString(config, field.cast(), c.as_ptr()) }, "PyConfig_SetBytesString")
}

fn wide(value: &str) -> Vec<WChar> {
    value.chars().map(|c| c as WChar).chain(std::iter::once(0)).collect()
}

/// Steps 1-5 above. Afterwards the calling thread holds the GIL.
pub fn initialize() -> Result<()> {
    use crate::guest_module::_onepy;
    pyo3::append_to_inittab!(_onepy);
    crate::extensions::register();
    // SAFETY: single-threaded start; every pointer handed to CPython points
    // into `config` or into buffers that outlive the call.
    unsafe {
        let mut pre: ffi::PyPreConfig = std::mem::zeroed();
        ffi::PyPreConfig_InitIsolatedConfig(&mut pre);
        pre.utf8_mode = 1;
        check(ffi::Py_PreInitialize(&pre), "Py_PreInitialize")?;

        let mut config: ffi::PyConfig = std::mem::zeroed();
        ffi::PyConfig_InitIsolatedConfig(&mut config);
        let result = configure_and_start(&mut config);
        ffi::PyConfig_Clear(&mut config);
        result?;
    }
    Ok(())
}

unsafe fn configure_and_start(config: &mut ffi::PyConfig) -> Result<()> {
    let c: *mut ffi::PyConfig = config;
    unsafe {
        set_string(c, (&raw mut (*c).program_name).cast(), "python3")?;
        set_string(c, (&raw mut (*c).executable).cast(), &format!("{PREFIX}/bin/python3"))?;
        set_string(c, (&raw mut (*c).home).cast(), PREFIX)?;
        set_string(c, (&raw mut (*c).prefix).cast(), PREFIX)?;
        set_string(c, (&raw mut (*c).base_prefix).cast(), PREFIX)?;
        set_string(c, (&raw mut (*c).exec_prefix).cast(), PREFIX)?;
        set_string(c, (&raw mut (*c).base_exec_prefix).cast(), PREFIX)?;
        set_string(c, (&raw mut (*c).stdlib_dir).cast(), STDLIB_DIR)?;
        let config = &mut *c;
        config.module_search_paths_set = 1;
        for dir in [STDLIB_DIR, SITE_PACKAGES_DIR] {
            let w = wide(dir);
            check(
                ffi::PyWideStringList_Append(&mut config.module_search_paths, w.as_ptr().cast()),
                "module_search_paths",
            )?;
        }
        config.pathconfig_warnings = 0;
        config.write_bytecode = 0;
        config.user_site_directory = 0;
        config.parse_argv = 0;
        config.install_signal_handlers = 0;
        // `site` runs in the main phase; it adds nothing on this layout but
        // provides `exit`, `quit`, `help` and the REPL's interactive hook.
        config.site_import = 1;
        config._init_main = 0;
        check(ffi::Py_InitializeFromConfig(config), "Py_InitializeFromConfig")?;
    }
    // SAFETY: the core is initialized and this thread holds the GIL;
    // `Python::attach` would refuse because `Py_IsInitialized()` stays 0
    // until the main phase is done.
    unsafe { Python::attach_unchecked(importer::install) }
        .map_err(|e| anyhow::anyhow!("installing the embedded importer: {e}"))?;
    // SAFETY: `c` still points at the caller's config (see above).
    unsafe {
        (*c)._init_main = 1;
        check(ffi::Py_InitializeFromConfig(c), "Py_InitializeFromConfig (main phase)")?;
    }
    Ok(())
}
