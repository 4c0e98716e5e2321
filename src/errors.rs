//! The one place where Rust errors become Python exceptions.
//!
//! Host-side logic (the embedded tree, argument parsing) returns
//! [`GuestError`]; everything exposed to Python converts it with `?`
//! through the `From` impl below, so each kind maps to one exception type.

use pyo3::PyErr;
use pyo3::exceptions::{PyFileNotFoundError, PyImportError, PyIsADirectoryError, PyNotADirectoryError, PyRuntimeError};
use pyo3::types::PyAnyMethods;
use std::fmt;

#[derive(Debug)]
pub enum GuestError {
    /// No embedded file or directory at this virtual path.
    NotFound(String),
    /// A file was expected but the path is a directory.
    IsADirectory(String),
    /// A directory was expected but the path is a file.
    NotADirectory(String),
    /// The embedded importer cannot load this module.
    Import { module: String, reason: String },
    /// Anything else from the Rust side (with its context chain).
    Other(anyhow::Error),
}

impl fmt::Display for GuestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuestError::NotFound(p) => write!(f, "no such embedded file or directory: '{p}'"),
            GuestError::IsADirectory(p) => write!(f, "is a directory: '{p}'"),
            GuestError::NotADirectory(p) => write!(f, "not a directory: '{p}'"),
            GuestError::Import { module, reason } => write!(f, "cannot import {module}: {reason}"),
            GuestError::Other(e) => write!(f, "{e:#}"),
        }
    }
}

impl From<anyhow::Error> for GuestError {
    fn from(e: anyhow::Error) -> Self {
        GuestError::Other(e)
    }
}

impl From<GuestError> for PyErr {
    fn from(e: GuestError) -> PyErr {
        // errno values as the `OSError` subclasses expect them (WASI's are
        // different from Linux's, but `errno` maps names for Python code).
        match &e {
            GuestError::NotFound(p) => {
                PyFileNotFoundError::new_err((libc_errno::ENOENT, "No such file or directory", p.clone()))
            }
            GuestError::IsADirectory(p) => {
                PyIsADirectoryError::new_err((libc_errno::EISDIR, "Is a directory", p.clone()))
            }
            GuestError::NotADirectory(p) => {
                PyNotADirectoryError::new_err((libc_errno::ENOTDIR, "Not a directory", p.clone()))
            }
            GuestError::Import { module, .. } => {
                let err = PyImportError::new_err(e.to_string());
                pyo3::Python::attach(|py| {
                    let _ = err.value(py).setattr("name", module.as_str());
                });
                err
            }
            GuestError::Other(_) => PyRuntimeError::new_err(e.to_string()),
        }
    }
}

/// The errno values of wasi-libc (`<errno.h>` for wasm32-wasi).
mod libc_errno {
    pub const EISDIR: i32 = 31;
    pub const ENOENT: i32 = 44;
    pub const ENOTDIR: i32 = 54;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_path() {
        assert_eq!(
            GuestError::NotFound("/usr/local/lib/python3.X/x".into()).to_string(),
            "no such embedded file or directory: '/usr/local/lib/python3.X/x'"
        );
        let e = GuestError::from(anyhow::anyhow!("inner").context("outer"));
        assert_eq!(e.to_string(), "outer: inner");
    }
}
