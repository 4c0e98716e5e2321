//! A pyo3 extension whose function panics: what a Rust panic does inside
//! python.wasm (host/tests/compiled.rs).
use pyo3::prelude::*;

#[pyfunction]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[pyfunction]
fn boom(message: &str) {
    panic!("{message}");
}

#[pymodule]
fn onepy_rust_panic(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(add, m)?)?;
    m.add_function(wrap_pyfunction!(boom, m)?)?;
    Ok(())
}
