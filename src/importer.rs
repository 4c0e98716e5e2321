//! The import system over the embedded tree.
//!
//! * [`EmbeddedFinder`] sits on `sys.meta_path` right after CPython's
//!   builtin and frozen importers and answers for every embedded module and
//!   regular package by its dotted name, with one hash lookup.
//! * [`EmbeddedPathEntryFinder`] is a `sys.path_hooks` entry for embedded
//!   directories: it gives `pkgutil.iter_modules` its listing and lets
//!   `PathFinder` find namespace packages (directories without
//!   `__init__.py`), which must not shadow regular packages elsewhere on
//!   `sys.path` and so are left to `PathFinder`'s rules.
//! * [`EmbeddedLoader`] executes modules from embedded bytecode (or source)
//!   and serves `get_source` (tracebacks, `inspect`), `get_data` and
//!   `importlib.resources` (via the `_onepy_resources` helper module).

use crate::embedded::{self, ModuleEntry, Node, index};
use crate::errors::GuestError;
use pyo3::exceptions::PyImportError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList};

/// `_frozen_importlib.ModuleSpec`, looked up once.
fn module_spec_type(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static SPEC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    SPEC.get_or_try_init(py, || Ok::<_, PyErr>(py.import("_frozen_importlib")?.getattr("ModuleSpec")?.unbind()))
        .map(|s| s.bind(py))
}

fn dirname(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// A `ModuleSpec` for an embedded module, with the attributes a
/// `SourceFileLoader` would give it (`origin`, `has_location`, `cached`,
/// `submodule_search_locations`).
fn spec_for<'py>(py: Python<'py>, fullname: &str, entry: ModuleEntry) -> PyResult<Bound<'py, PyAny>> {
    let loader = Py::new(py, EmbeddedLoader { name: fullname.to_string(), entry })?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("origin", entry.path)?;
    kwargs.set_item("is_package", entry.is_package)?;
    let spec = module_spec_type(py)?.call((fullname, loader), Some(&kwargs))?;
    spec.setattr("has_location", true)?;
    if entry.is_package {
        spec.setattr("submodule_search_locations", PyList::new(py, [dirname(entry.path)])?)?;
    }
    Ok(spec)
}

#[pyclass(module = "_onepy", frozen)]
pub struct EmbeddedFinder;

#[pymethods]
impl EmbeddedFinder {
    #[new]
    fn new() -> Self {
        EmbeddedFinder
    }

    #[pyo3(signature = (fullname, path=None, target=None))]
    fn find_spec<'py>(
        &self,
        py: Python<'py>,
        fullname: &str,
        path: Option<Bound<'py, PyAny>>,
        target: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let _ = (path, target);
        match index().module(fullname) {
            Some(entry) => spec_for(py, fullname, *entry).map(Some),
            None => Ok(None),
        }
    }

    fn invalidate_caches(&self) {}

    fn __repr__(&self) -> &'static str {
        "<EmbeddedFinder>"
    }
}

#[pyclass(module = "_onepy", frozen)]
pub struct EmbeddedPathEntryFinder {
    dir: String,
}

#[pymethods]
impl EmbeddedPathEntryFinder {
    /// The path hook: accept embedded directories, refuse anything else so
    /// the next hook (`FileFinder`) gets host paths.
    #[new]
    fn new(path: &str) -> PyResult<Self> {
        let dir = path.trim_end_matches('/');
        if (dir.starts_with(embedded::STDLIB_DIR) || dir.starts_with(embedded::APP_DIR)) && index().is_dir(dir) {
            Ok(EmbeddedPathEntryFinder { dir: dir.to_string() })
        } else {
            Err(PyImportError::new_err("not an embedded directory"))
        }
    }

    #[pyo3(signature = (fullname, target=None))]
    fn find_spec<'py>(
        &self,
        py: Python<'py>,
        fullname: &str,
        target: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let _ = target;
        let tail = fullname.rsplit('.').next().unwrap_or(fullname);
        let candidate = format!("{}/{tail}", self.dir);
        if let Some(entry) = index().module(fullname)
            && (entry.path == format!("{candidate}.py") || entry.path == format!("{candidate}/__init__.py"))
        {
            return spec_for(py, fullname, *entry).map(Some);
        }
        if index().is_dir(&candidate) {
            // A namespace package portion: no loader, one search location.
            let spec = module_spec_type(py)?.call1((fullname, py.None()))?;
            spec.setattr("submodule_search_locations", PyList::new(py, [candidate])?)?;
            return Ok(Some(spec));
        }
        Ok(None)
    }

    /// `(name, ispkg)` pairs for `pkgutil.iter_modules`.
    #[pyo3(signature = (prefix=""))]
    fn iter_modules(&self, prefix: &str) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = Vec::new();
        let names = index().list_dir(&self.dir).unwrap_or_default();
        let cached = index().list_dir(&format!("{}/__pycache__", self.dir)).unwrap_or_default();
        let stems = names
            .iter()
            .filter_map(|n| n.strip_suffix(".py"))
            .chain(cached.iter().filter_map(|n| n.strip_suffix(crate::embedded::PYC_SUFFIX)));
        for stem in stems {
            if stem != "__init__" && !stem.contains('.') {
                out.push((format!("{prefix}{stem}"), false));
            }
        }
        for name in &names {
            let dir = format!("{}/{name}", self.dir);
            let is_pkg = index().has_init(&dir);
            if is_pkg && !name.contains('.') {
                out.push((format!("{prefix}{name}"), true));
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn invalidate_caches(&self) {}

    #[getter]
    fn path(&self) -> &str {
        &self.dir
    }

    fn __repr__(&self) -> String {
        format!("<EmbeddedPathEntryFinder {:?}>", self.dir)
    }
}

#[pyclass(module = "_onepy", frozen)]
pub struct EmbeddedLoader {
    name: String,
    entry: ModuleEntry,
}

impl EmbeddedLoader {
    /// The entry for `fullname`: normally this loader's own module.
    fn entry_for(&self, fullname: Option<&str>) -> Result<ModuleEntry, GuestError> {
        match fullname {
            None => Ok(self.entry),
            Some(name) if name == self.name => Ok(self.entry),
            Some(name) => index().module(name).copied().ok_or_else(|| GuestError::Import {
                module: name.to_string(),
                reason: "not an embedded module".to_string(),
            }),
        }
    }
}

#[pymethods]
impl EmbeddedLoader {
    #[pyo3(signature = (spec))]
    fn create_module<'py>(&self, py: Python<'py>, spec: &Bound<'py, PyAny>) -> Py<PyAny> {
        let _ = spec;
        py.None()
    }

    fn exec_module(&self, py: Python<'_>, module: &Bound<'_, PyAny>) -> PyResult<()> {
        let name: String = module.getattr("__name__")?.extract()?;
        let code = self.get_code(py, Some(&name))?;
        let globals = module.getattr("__dict__")?;
        let builtins = py.import("builtins")?;
        builtins.getattr("exec")?.call1((code, globals))?;
        Ok(())
    }

    /// The module's code object: unmarshalled from the embedded `.pyc`
    /// (compiled at build time by the native build-python, unchecked-hash
    /// mode, so its header is not validated against any mtime), or compiled
    /// from the embedded source.
    #[pyo3(signature = (fullname=None))]
    fn get_code<'py>(&self, py: Python<'py>, fullname: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
        let entry = self.entry_for(fullname)?;
        if let Some(pyc) = entry.bytecode
            && pyc.len() > 16
        {
            let body = &pyc[16..];
            // SAFETY: the pointer and length describe a live 'static slice;
            // the result is a new reference or NULL with an exception set.
            let obj =
                unsafe { ffi::PyMarshal_ReadObjectFromString(body.as_ptr().cast(), body.len() as ffi::Py_ssize_t) };
            return unsafe { Bound::from_owned_ptr_or_err(py, obj) };
        }
        let Some(source) = entry.source else {
            return Err(GuestError::Import {
                module: fullname.unwrap_or(&self.name).to_string(),
                reason: "embedded without source or bytecode".to_string(),
            }
            .into());
        };
        let builtins = py.import("builtins")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("dont_inherit", true)?;
        builtins.getattr("compile")?.call((PyBytes::new(py, source), entry.path, "exec"), Some(&kwargs))
    }

    /// Source text for tracebacks, `inspect` and `linecache`.
    #[pyo3(signature = (fullname=None))]
    fn get_source<'py>(&self, py: Python<'py>, fullname: Option<&str>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let entry = self.entry_for(fullname)?;
        let Some(source) = entry.source else { return Ok(None) };
        let decode = py.import("_frozen_importlib_external")?.getattr("decode_source")?;
        decode.call1((PyBytes::new(py, source),)).map(Some)
    }

    #[pyo3(signature = (fullname=None))]
    fn is_package(&self, fullname: Option<&str>) -> PyResult<bool> {
        Ok(self.entry_for(fullname)?.is_package)
    }

    #[pyo3(signature = (fullname=None))]
    fn get_filename(&self, fullname: Option<&str>) -> PyResult<&'static str> {
        Ok(self.entry_for(fullname)?.path)
    }

    /// Bytes of any embedded file, by virtual path (`pkgutil.get_data`).
    fn get_data<'py>(&self, py: Python<'py>, path: &str) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, read_file(path)?))
    }

    /// `importlib.resources.files()` support for embedded packages.
    #[pyo3(signature = (fullname=None))]
    fn get_resource_reader<'py>(&self, py: Python<'py>, fullname: Option<&str>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let entry = self.entry_for(fullname)?;
        if !entry.is_package {
            return Ok(None);
        }
        let reader = py.import("_onepy_resources")?.getattr("EmbeddedReader")?;
        reader.call1((dirname(entry.path),)).map(Some)
    }

    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    #[getter]
    fn path(&self) -> &'static str {
        self.entry.path
    }

    fn __repr__(&self) -> String {
        format!("<EmbeddedLoader {:?}>", self.name)
    }
}

/// Contents of an embedded file.
pub fn read_file(path: &str) -> Result<&'static [u8], GuestError> {
    match index().node(path) {
        Some(Node::File(bytes)) => Ok(bytes),
        Some(Node::Dir(_)) => Err(GuestError::IsADirectory(path.to_string())),
        None => Err(GuestError::NotFound(path.to_string())),
    }
}

/// Sorted entry names of an embedded directory.
pub fn list_dir(path: &str) -> Result<Vec<String>, GuestError> {
    match index().node(path) {
        Some(Node::Dir(_)) => Ok(index().list_dir(path).unwrap_or_default()),
        Some(Node::File(_)) => Err(GuestError::NotADirectory(path.to_string())),
        None => Err(GuestError::NotFound(path.to_string())),
    }
}

/// Put the finder on `sys.meta_path` (after the builtin and frozen
/// importers, before `PathFinder`) and the path hook first on
/// `sys.path_hooks`. Runs in the core phase of initialization, before
/// `encodings` is imported.
pub fn install(py: Python<'_>) -> PyResult<()> {
    let sys = py.import("sys")?;
    let meta_path = sys.getattr("meta_path")?.cast_into::<PyList>()?;
    let position = meta_path.len().min(2);
    meta_path.insert(position, Py::new(py, EmbeddedFinder)?)?;
    let hooks = sys.getattr("path_hooks")?.cast_into::<PyList>()?;
    hooks.insert(0, py.get_type::<EmbeddedPathEntryFinder>())?;
    Ok(())
}
