//! `onepy_sandbox._native`: the Python binding (feature `python`). The
//! public API, defaults and JSON handling live in
//! `python/onepy_sandbox/__init__.py`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::{Call, Callback, DirMapping, Options, Outcome, Sandbox, Session};

/// The callbacks named `names`, each calling the package's
/// `dispatch(name, request_json) -> (ok, json_or_message)` (the Python side
/// decodes the arguments, calls the function and encodes its result).
fn callbacks(names: Vec<String>, dispatch: Option<Py<PyAny>>) -> BTreeMap<String, Callback> {
    let Some(dispatch) = dispatch.map(Arc::new) else { return BTreeMap::new() };
    let callback = |name: String| {
        let dispatch = dispatch.clone();
        Callback::new(move |args, kwargs| {
            let request = serde_json::json!({"args": args, "kwargs": kwargs}).to_string();
            Python::attach(|py| {
                let reply = dispatch.call1(py, (name.as_str(), request)).map_err(|e| e.to_string())?;
                let (ok, text) = reply.bind(py).extract::<(bool, String)>().map_err(|e| e.to_string())?;
                match ok {
                    true => serde_json::from_str(&text).map_err(|e| format!("the callback's result is not JSON: {e}")),
                    false => Err(text),
                }
            })
        })
    };
    names.into_iter().map(|n| (n.clone(), callback(n))).collect()
}

#[pyclass(frozen, module = "onepy_sandbox._native")]
struct NativeSandbox {
    inner: Arc<Sandbox>,
}

#[pyclass(frozen, module = "onepy_sandbox._native")]
struct NativeSession {
    inner: Session,
}

fn seconds(value: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The outcome as the dict the package turns into a `Result`.
fn outcome_dict<'py>(py: Python<'py>, o: Outcome) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("stdout", String::from_utf8_lossy(&o.stdout))?;
    d.set_item("stderr", String::from_utf8_lossy(&o.stderr))?;
    d.set_item("stdout_truncated", o.stdout_truncated)?;
    d.set_item("stderr_truncated", o.stderr_truncated)?;
    d.set_item("exit_code", o.exit_code)?;
    d.set_item("result_json", o.result_json)?;
    d.set_item("error", o.error.map(|e| e.as_str()))?;
    d.set_item("error_detail", o.error_detail)?;
    d.set_item("duration", o.duration.as_secs_f64())?;
    Ok(d)
}

#[pymethods]
impl NativeSandbox {
    #[new]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (module, timeout, memory_limit, output_limit, result_limit, env, dirs, scratch, fuel, max_wasm_stack, max_concurrency, cache_dir, callback_names=Vec::new(), dispatch=None))]
    fn new(
        py: Python<'_>,
        module: PathBuf,
        timeout: f64,
        memory_limit: usize,
        output_limit: usize,
        result_limit: usize,
        env: Vec<(String, String)>,
        dirs: Vec<(PathBuf, String, bool)>,
        scratch: bool,
        fuel: Option<u64>,
        max_wasm_stack: Option<usize>,
        max_concurrency: u32,
        cache_dir: Option<PathBuf>,
        callback_names: Vec<String>,
        dispatch: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let timeout = seconds(timeout)?;
        let options = Options {
            timeout,
            memory_limit,
            output_limit,
            result_limit,
            fuel,
            env,
            dirs: dirs.into_iter().map(|(host, guest, read_only)| DirMapping { host, guest, read_only }).collect(),
            scratch,
            max_wasm_stack,
            max_concurrency,
            cache_dir,
            callbacks: callbacks(callback_names, dispatch),
            ..Options::default()
        };
        let inner = py
            .detach(|| Sandbox::from_file(&module, options))
            .map_err(|e| PyRuntimeError::new_err(format!("{e:#}")))?;
        Ok(NativeSandbox { inner: Arc::new(inner) })
    }

    #[pyo3(signature = (code, inputs_json=None, stdin=None))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        code: String,
        inputs_json: Option<String>,
        stdin: Option<Vec<u8>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let call = Call { code: &code, inputs_json: inputs_json.as_deref(), stdin };
        let o = py.detach(|| self.inner.run(&call)).map_err(|e| PyValueError::new_err(format!("{e:#}")))?;
        outcome_dict(py, o)
    }

    fn session(&self, py: Python<'_>, idle_timeout: f64) -> PyResult<NativeSession> {
        let idle = seconds(idle_timeout)?;
        let inner = py
            .detach(|| self.inner.session_with_idle_timeout(idle))
            .map_err(|e| PyRuntimeError::new_err(format!("{e:#}")))?;
        Ok(NativeSession { inner })
    }
}

#[pymethods]
impl NativeSession {
    #[pyo3(signature = (code, inputs_json=None, stdin=None, timeout=None, output_limit=None))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        code: String,
        inputs_json: Option<String>,
        stdin: Option<Vec<u8>>,
        timeout: Option<f64>,
        output_limit: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let timeout = timeout.map(seconds).transpose()?;
        let call = Call { code: &code, inputs_json: inputs_json.as_deref(), stdin };
        let o = py
            .detach(|| self.inner.run_limited(&call, timeout, output_limit))
            .map_err(|e| PyValueError::new_err(format!("{e:#}")))?;
        outcome_dict(py, o)
    }

    fn fork(&self, py: Python<'_>) -> PyResult<NativeSession> {
        let inner = py.detach(|| self.inner.fork()).map_err(|e| PyRuntimeError::new_err(format!("{e:#}")))?;
        Ok(NativeSession { inner })
    }

    fn close(&self, py: Python<'_>) {
        py.detach(|| self.inner.close())
    }

    #[getter]
    fn alive(&self, py: Python<'_>) -> bool {
        // Waits for a running call: without the GIL, which its callbacks need.
        py.detach(|| self.inner.is_alive())
    }

    #[getter]
    fn calls(&self, py: Python<'_>) -> u64 {
        py.detach(|| self.inner.calls())
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeSandbox>()?;
    m.add_class::<NativeSession>()?;
    Ok(())
}
