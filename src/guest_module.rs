//! `_onepy`: the built-in module that exposes the embedded tree to the
//! Python helpers (`_onepy_resources`) and to tests.

use crate::embedded::{self, Node, index};
use crate::importer::{self, EmbeddedFinder, EmbeddedLoader, EmbeddedPathEntryFinder};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

#[pymodule]
pub mod _onepy {
    use super::*;

    #[pymodule_export]
    use super::{EmbeddedFinder, EmbeddedLoader, EmbeddedPathEntryFinder};

    #[pymodule_export]
    const STDLIB_DIR: &str = embedded::STDLIB_DIR;

    #[pymodule_export]
    const SITE_PACKAGES_DIR: &str = embedded::SITE_PACKAGES_DIR;

    /// Bytes of an embedded file (FileNotFoundError / IsADirectoryError).
    #[pyfunction]
    fn read<'py>(py: Python<'py>, path: &str) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, importer::read_file(path)?))
    }

    /// Sorted names in an embedded directory (FileNotFoundError / NotADirectoryError).
    #[pyfunction]
    fn listdir(path: &str) -> PyResult<Vec<String>> {
        Ok(importer::list_dir(path)?)
    }

    #[pyfunction]
    fn isdir(path: &str) -> bool {
        matches!(index().node(path), Some(Node::Dir(_)))
    }

    #[pyfunction]
    fn isfile(path: &str) -> bool {
        matches!(index().node(path), Some(Node::File(_)))
    }

    /// Every embedded module name, sorted.
    #[pyfunction]
    fn module_names() -> Vec<String> {
        let mut names: Vec<String> = index().module_names().map(str::to_string).collect();
        names.sort();
        names
    }
}
