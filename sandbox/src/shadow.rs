//! Replacing WASI preview 1 functions in the linker while still running
//! wasmtime-wasi's own: `poll_oneoff` ([`crate::deadline`]) and `fd_pwrite`
//! / `fd_pread` ([`crate::callbacks`]). A replacement calls wasmtime-wasi's
//! ABI function (`wasmtime_wasi::p1::wasi_snapshot_preview1::NAME`) on the
//! calling instance's memory, as wasmtime-wasi's own linker entry does.
//! (Calling the original through `Func::call` does not work: a host
//! function called from the host sees no calling instance, so no memory.)

use wasmtime::error::Context;
use wasmtime::{AsContextMut, Caller, Extern, Result};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p1::wasi_snapshot_preview1::WasiSnapshotPreview1;
use wiggle::GuestMemory;

use crate::CallState;

pub(crate) const MODULE: &str = "wasi_snapshot_preview1";

/// Runs `f` with the call's WASI context and the calling instance's memory
/// (`f` calls a wasmtime-wasi preview 1 function; async ones run with
/// [`wasmtime_wasi::runtime::in_tokio`], as in wasmtime-wasi's sync linker).
pub(crate) fn with_wasi<R>(
    caller: &mut Caller<'_, CallState>,
    f: impl FnOnce(&mut WasiP1Ctx, &mut GuestMemory<'_>) -> R,
) -> Result<R> {
    let fuel = caller.as_context_mut().hostcall_fuel();
    let memory = caller.get_export("memory").and_then(Extern::into_memory).context("missing required memory export")?;
    let (data, state) = memory.data_and_store_mut(caller);
    state.wasi.set_hostcall_fuel(fuel);
    Ok(f(&mut state.wasi, &mut GuestMemory::Unshared(data)))
}
