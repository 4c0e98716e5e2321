//! C extensions linked into the module (`make build PACKAGES=numpy==...`,
//! scripts/package_builder): registered as builtin modules under their dotted names
//! before the interpreter starts. `BuiltinImporter` comes first on
//! `sys.meta_path` and asks only `_imp.is_builtin(fullname)`, so a package's
//! `from . import _multiarray_umath` finds the linked module.

use pyo3::ffi;

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
