//! `_onepy`: the built-in module that exposes the embedded tree to the
//! Python helpers (`_onepy_resources`, `_onepy_metadata`) and to tests.

use crate::embedded::{self, Node, index};
use crate::importer::{self, EmbeddedFinder, EmbeddedLoader, EmbeddedPathEntryFinder};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyBytes;

/// The original `_io.open`, taken before `_onepy.open` replaces it.
static REAL_OPEN: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn real_open(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    REAL_OPEN.get_or_try_init(py, || Ok::<_, PyErr>(py.import("_io")?.getattr("open")?.unbind())).map(|f| f.bind(py))
}

/// Make `_onepy.open` the `open` of `builtins`, `io` and `_io` (so pickle
/// and `io.__all__` checks find the same object under `_io.open`).
pub fn install_open(py: Python<'_>) -> PyResult<()> {
    real_open(py)?;
    let open = py.import("_onepy")?.getattr("open")?;
    open.setattr("__module__", "_io")?;
    for module in ["builtins", "io", "_io"] {
        py.import(module)?.setattr("open", &open)?;
    }
    Ok(())
}

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

    /// Virtual paths of the embedded `*.dist-info` directories.
    #[pyfunction]
    fn dist_infos() -> Vec<String> {
        index().dist_infos().to_vec()
    }

    /// `open()` that also reads embedded files: the real `_io.open` first;
    /// if it finds nothing and the mode is read-only, the embedded file at
    /// that (absolute) path. Installed as `builtins.open` and `io.open` at
    /// start. Being native, it adds no frame to tracebacks.
    #[pyfunction]
    #[pyo3(signature = (file, mode="r", buffering=-1, encoding=None, errors=None, newline=None, closefd=true, opener=None))]
    #[allow(clippy::too_many_arguments)]
    fn open<'py>(
        py: Python<'py>,
        file: Bound<'py, PyAny>,
        mode: &str,
        buffering: i64,
        encoding: Option<Bound<'py, PyAny>>,
        errors: Option<Bound<'py, PyAny>>,
        newline: Option<Bound<'py, PyAny>>,
        closefd: bool,
        opener: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let real = real_open(py)?.call1((&file, mode, buffering, &encoding, &errors, &newline, closefd, &opener));
        let err = match real {
            Ok(f) => return Ok(f),
            Err(err) => err,
        };
        if !err.is_instance_of::<pyo3::exceptions::PyFileNotFoundError>(py)
            || opener.is_some()
            || !mode.chars().all(|c| matches!(c, 'r' | 'b' | 't'))
        {
            return Err(err);
        }
        let os = py.import("os")?;
        let Ok(path) = os.getattr("fsdecode")?.call1((&file,)) else { return Err(err) };
        let path: String = os.getattr("path")?.call_method1("abspath", (path,))?.extract()?;
        let Ok(bytes) = importer::read_file(&path) else { return Err(err) };
        let io = py.import("_io")?;
        let data = io.getattr("BytesIO")?.call1((PyBytes::new(py, bytes),))?;
        data.setattr("name", &path)?;
        if mode.contains('b') {
            return Ok(data);
        }
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("encoding", encoding.map_or_else(|| "utf-8".into_pyobject(py).map(|s| s.into_any()), Ok)?)?;
        kwargs.set_item("errors", errors)?;
        kwargs.set_item("newline", newline)?;
        let text = io.getattr("TextIOWrapper")?.call((data,), Some(&kwargs))?;
        text.setattr("mode", mode)?;
        Ok(text)
    }

    /// Every embedded module name, sorted.
    #[pyfunction]
    fn module_names() -> Vec<String> {
        let mut names: Vec<String> = index().module_names().map(str::to_string).collect();
        names.sort();
        names
    }
}
