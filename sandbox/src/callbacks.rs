//! Host callbacks: functions of the host the code calls as
//! `onepy_host.NAME(*args, **kwargs)` (src/python/onepy_host.py), with JSON
//! arguments and a JSON result, or an exception carrying the host's message.
//!
//! The calls travel through a reserved WASI descriptor, [`HOST_FD`], so
//! python.wasm keeps importing only `wasi_snapshot_preview1` (and still runs
//! under plain `wasmtime run`, where the descriptor does not exist and a
//! callback raises a clear error). The guest writes the request with
//! `os.pwrite(HOST_FD, ...)`, during which the host runs the callback on
//! the call's thread, and reads the reply with `os.pread(HOST_FD, ...)`.
//! `fd_pwrite` and `fd_pread` are replaced in the linker (not `fd_write` and
//! `fd_read`, which every `print` goes through); every other descriptor goes
//! to wasmtime-wasi's functions. The callback's time counts toward the
//! call's timeout: a call whose deadline passed during a callback ends as
//! `timeout` when the callback returns.

use std::collections::BTreeMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Instant;

use serde::Deserialize;
use serde_json::{Map, Value, json};
use wasmtime::{Caller, Extern, Linker, Result};
use wasmtime_wasi::p1::wasi_snapshot_preview1 as p1;
use wasmtime_wasi::runtime::in_tokio;

use crate::CallState;
use crate::deadline::DeadlineExceeded;
use crate::shadow::{MODULE, with_wasi};

/// The descriptor the guest's `onepy_host` module writes requests to and
/// reads replies from: far above any descriptor a WASI host hands out
/// (wasmtime-wasi numbers them upward from 3) and below the guest's own
/// embedded filesystem, whose descriptors start at 0x4000_0000 and never
/// reach the host (src/vfs/mod.rs, `FD_BASE`).
pub const HOST_FD: u32 = 0x3fff_0000;

const ERRNO_SUCCESS: i32 = 0;
const ERRNO_FAULT: i32 = 21;
const ERRNO_INVAL: i32 = 28;

/// The host's side of `onepy_host.NAME(*args, **kwargs)`: takes the
/// positional and keyword arguments and returns the result, or a message
/// the code gets as `onepy_host.HostError`.
pub type CallbackFn = dyn Fn(Vec<Value>, Map<String, Value>) -> std::result::Result<Value, String> + Send + Sync;

/// A host callback (see [`CallbackFn`]).
#[derive(Clone)]
pub struct Callback(pub Arc<CallbackFn>);

impl Callback {
    pub fn new(
        f: impl Fn(Vec<Value>, Map<String, Value>) -> std::result::Result<Value, String> + Send + Sync + 'static,
    ) -> Callback {
        Callback(Arc::new(f))
    }
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Callback")
    }
}

/// Callbacks by name.
pub type Callbacks = Arc<BTreeMap<String, Callback>>;

#[derive(Deserialize)]
struct Request {
    name: String,
    #[serde(default)]
    args: Vec<Value>,
    #[serde(default)]
    kwargs: Map<String, Value>,
}

/// Runs the request `bytes` and returns the reply's JSON text.
fn answer(callbacks: &BTreeMap<String, Callback>, bytes: &[u8]) -> Vec<u8> {
    let reply = match serde_json::from_slice::<Request>(bytes) {
        Err(e) => Err(format!("a malformed callback request: {e}")),
        Ok(r) => match callbacks.get(&r.name) {
            None => Err(format!("the host has no callback named {:?}", r.name)),
            Some(cb) => catch_unwind(AssertUnwindSafe(|| (cb.0)(r.args, r.kwargs)))
                .unwrap_or_else(|_| Err(format!("the host callback {:?} panicked", r.name))),
        },
    };
    let reply = match reply {
        Ok(result) => json!({ "result": result }),
        Err(message) => json!({ "error": message }),
    };
    serde_json::to_vec(&reply).expect("a JSON value serializes")
}

/// The `(address, length)` pairs of the `n` iovecs at `ptr`, if in bounds.
fn iovecs(memory: &[u8], ptr: u32, n: u32) -> Option<Vec<(usize, usize)>> {
    let start = ptr as usize;
    let table = memory.get(start..start.checked_add((n as usize).checked_mul(8)?)?)?;
    let pairs: Vec<_> = table
        .chunks_exact(8)
        .map(|e| {
            let at = u32::from_le_bytes(e[0..4].try_into().unwrap()) as usize;
            (at, u32::from_le_bytes(e[4..8].try_into().unwrap()) as usize)
        })
        .collect();
    pairs.iter().all(|&(at, len)| at.checked_add(len).is_some_and(|end| end <= memory.len())).then_some(pairs)
}

fn write_u32(memory: &mut [u8], at: u32, value: usize) -> bool {
    let Ok(value) = u32::try_from(value) else { return false };
    match memory.get_mut(at as usize..(at as usize).saturating_add(4)) {
        Some(slot) if slot.len() == 4 => {
            slot.copy_from_slice(&value.to_le_bytes());
            true
        }
        _ => false,
    }
}

/// Replaces `fd_pwrite` and `fd_pread` in `linker`: [`HOST_FD`] carries
/// callbacks, every other descriptor goes to wasmtime-wasi.
pub(crate) fn add_to_linker(linker: &mut Linker<CallState>) -> Result<()> {
    linker.func_wrap(
        MODULE,
        "fd_pwrite",
        move |mut caller: Caller<'_, CallState>,
              fd: i32,
              iovs: i32,
              n: i32,
              offset: i64,
              written: i32|
              -> Result<i32> {
            if fd as u32 != HOST_FD {
                return with_wasi(&mut caller, |cx, mem| {
                    in_tokio(p1::fd_pwrite(cx, mem, fd, iovs, n, offset, written))
                })?;
            }
            let Some(memory) = caller.get_export("memory").and_then(Extern::into_memory) else {
                return Ok(ERRNO_FAULT);
            };
            let data = memory.data(&caller);
            let Some(parts) = iovecs(data, iovs as u32, n as u32) else { return Ok(ERRNO_FAULT) };
            let total: usize = parts.iter().map(|p| p.1).sum();
            if total > caller.data().request_limit {
                return Ok(ERRNO_INVAL);
            }
            let mut request = Vec::with_capacity(total);
            for (at, len) in parts {
                request.extend_from_slice(&data[at..at + len]);
            }
            if Instant::now() >= caller.data().deadline {
                return Err(DeadlineExceeded.into());
            }
            let callbacks = caller.data().callbacks.clone();
            let reply = answer(&callbacks, &request);
            if Instant::now() >= caller.data().deadline {
                return Err(DeadlineExceeded.into());
            }
            caller.data_mut().reply = reply;
            Ok(if write_u32(memory.data_mut(&mut caller), written as u32, total) { ERRNO_SUCCESS } else { ERRNO_FAULT })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_pread",
        move |mut caller: Caller<'_, CallState>, fd: i32, iovs: i32, n: i32, offset: i64, read: i32| -> Result<i32> {
            if fd as u32 != HOST_FD {
                return with_wasi(&mut caller, |cx, mem| in_tokio(p1::fd_pread(cx, mem, fd, iovs, n, offset, read)))?;
            }
            let Some(memory) = caller.get_export("memory").and_then(Extern::into_memory) else {
                return Ok(ERRNO_FAULT);
            };
            let (data, state) = memory.data_and_store_mut(&mut caller);
            let Some(parts) = iovecs(data, iovs as u32, n as u32) else { return Ok(ERRNO_FAULT) };
            let Ok(offset) = usize::try_from(offset) else { return Ok(ERRNO_INVAL) };
            let mut rest = state.reply.get(offset..).unwrap_or_default();
            let mut copied = 0;
            for (at, len) in parts {
                let take = len.min(rest.len());
                data[at..at + take].copy_from_slice(&rest[..take]);
                rest = &rest[take..];
                copied += take;
            }
            Ok(if write_u32(data, read as u32, copied) { ERRNO_SUCCESS } else { ERRNO_FAULT })
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callbacks() -> BTreeMap<String, Callback> {
        let mut m = BTreeMap::new();
        m.insert("echo".to_string(), Callback::new(|args, kwargs| Ok(json!({"args": args, "kwargs": kwargs}))));
        m.insert("fail".to_string(), Callback::new(|_, _| Err("no such row".to_string())));
        m.insert("panic".to_string(), Callback::new(|_, _| panic!("a bug in the host")));
        m
    }

    fn reply(request: &str) -> Value {
        serde_json::from_slice(&answer(&callbacks(), request.as_bytes())).unwrap()
    }

    #[test]
    fn requests_get_replies() {
        assert_eq!(
            reply(r#"{"name": "echo", "args": [1, [2, {"a": null}]], "kwargs": {"k": "v"}}"#),
            json!({"result": {"args": [1, [2, {"a": null}]], "kwargs": {"k": "v"}}})
        );
        assert_eq!(reply(r#"{"name": "echo"}"#), json!({"result": {"args": [], "kwargs": {}}}));
        assert_eq!(reply(r#"{"name": "fail", "args": []}"#), json!({"error": "no such row"}));
        assert_eq!(reply(r#"{"name": "nope"}"#), json!({"error": "the host has no callback named \"nope\""}));
        assert!(reply(r#"{"name": "panic"}"#)["error"].as_str().unwrap().contains("panicked"));
        assert!(reply("[1").get("error").is_some());
    }

    #[test]
    fn iovecs_are_bounds_checked() {
        let mut memory = vec![0u8; 64];
        memory[0..8].copy_from_slice(&[16, 0, 0, 0, 8, 0, 0, 0]);
        memory[8..16].copy_from_slice(&[60, 0, 0, 0, 4, 0, 0, 0]);
        assert_eq!(iovecs(&memory, 0, 2), Some(vec![(16, 8), (60, 4)]));
        memory[12] = 5; // 60 + 5 > 64
        assert_eq!(iovecs(&memory, 0, 2), None);
        assert_eq!(iovecs(&memory, 60, 1), None);
        assert_eq!(iovecs(&memory, u32::MAX, 1), None);
        assert!(write_u32(&mut memory, 60, 7) && !write_u32(&mut memory, 61, 7));
    }
}
