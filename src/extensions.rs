//! C extensions linked into the module (`make build PACKAGES=numpy==...`,
//! scripts/package_builder): registered as builtin modules under their dotted names
//! before the interpreter starts. `BuiltinImporter` comes first on
//! `sys.meta_path` and asks only `_imp.is_builtin(fullname)`, so a package's
//! `from . import _multiarray_umath` finds the linked module.

//!
//! Each init function runs with its dotted name as the package context, as
//! CPython's loader of a shared extension runs it: a single-phase module
//! created as `_regex` is then named `regex._regex`, as natively (its
//! functions' `__module__` says where pickle finds them). CPython gives a
//! builtin no context (`create_builtin`), so the module would be `_regex`.

use std::ffi::{CStr, c_char};

use pyo3::ffi;

unsafe extern "C" {
    /// Python/import.c: sets the name `PyModule_Create` gives a module whose
    /// `m_name` is its last component (used once); returns the previous one.
    fn _PyImport_SwapPackageContext(newcontext: *const c_char) -> *const c_char;
}

/// `init()` with `name` as the package context (CPython's importdl.c does
/// the same around a shared extension's init), the previous one restored.
///
/// # Safety
/// Called by the import machinery with the GIL held; `init` is a module's
/// PyInit function.
#[allow(dead_code)] // when no C extension is linked
unsafe fn in_package_context(
    name: &'static CStr,
    init: unsafe extern "C" fn() -> *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: the GIL is held; `name` outlives the interpreter.
    unsafe {
        let previous = _PyImport_SwapPackageContext(name.as_ptr());
        let module = init();
        _PyImport_SwapPackageContext(previous);
        module
    }
}

include!(concat!(env!("OUT_DIR"), "/cext_inittab.rs"));

pub fn register() {
    for (name, init) in EXTENSIONS {
        // SAFETY: called before initialization; `name` is a 'static C string
        // and `init` the module's PyInit function (same ABI as CPython's).
        unsafe {
            ffi::PyImport_AppendInittab(name.as_ptr(), Some(*init));
        }
    }
}
