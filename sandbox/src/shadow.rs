//! Replacing WASI preview 1 functions in the linker while still calling
//! wasmtime-wasi's own: `poll_oneoff` ([`crate::deadline`]) and `fd_pwrite`
//! / `fd_pread` ([`crate::callbacks`]). The replacements call the original
//! through a copy of the linker made before any replacement, looked up once
//! per store.

use std::sync::Arc;

use wasmtime::error::Context;
use wasmtime::{Caller, Linker, Result, WasmParams, WasmResults};

use crate::CallState;

pub(crate) const MODULE: &str = "wasi_snapshot_preview1";

/// wasmtime-wasi's preview 1 functions (a linker with nothing else).
#[derive(Clone)]
pub(crate) struct Wasi(Arc<Linker<CallState>>);

impl Wasi {
    pub fn new(linker: &Linker<CallState>) -> Wasi {
        Wasi(Arc::new(linker.clone()))
    }

    /// Calls wasmtime-wasi's `name` with `params`.
    pub fn call<P: WasmParams, R: WasmResults>(
        &self,
        caller: &mut Caller<'_, CallState>,
        name: &'static str,
        params: P,
    ) -> Result<R> {
        let cached = caller.data().wasi_funcs.iter().find(|(n, _)| *n == name).map(|(_, f)| *f);
        let func = match cached {
            Some(f) => f,
            None => {
                let f = self
                    .0
                    .get(&mut *caller, MODULE, name)?
                    .into_func()
                    .with_context(|| format!("{name} is not a function"))?;
                caller.data_mut().wasi_funcs.push((name, f));
                f
            }
        };
        func.typed::<P, R>(&*caller)?.call(caller, params)
    }
}
