//! A capped in-memory stdout/stderr for one call.
//!
//! Bytes past the cap are dropped, the `truncated` flag is set and the write
//! traps with [`OutputLimitExceeded`], which ends the call (`output_limit`).
//! The stdout pipe also carries the call's `result`: once the guest writes
//! the call's nonce as one write, everything after it goes to a separate
//! buffer with its own cap (the wrapper writes it last, then exits). A
//! result past its cap is dropped whole and the write traps with
//! [`ResultLimitExceeded`] (`result_limit`): a cut JSON text is never kept.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use bytes::Bytes;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError, StreamResult};

/// The error a write past the cap traps with.
#[derive(Debug)]
pub struct OutputLimitExceeded;

impl std::fmt::Display for OutputLimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("output limit exceeded")
    }
}

impl std::error::Error for OutputLimitExceeded {}

/// The error a write of the result past its cap traps with.
#[derive(Debug)]
pub struct ResultLimitExceeded(pub usize);

impl std::fmt::Display for ResultLimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the JSON text of `result` is over the result limit of {} bytes", self.0)
    }
}

impl std::error::Error for ResultLimitExceeded {}

#[derive(Debug, Default)]
struct State {
    buf: Vec<u8>,
    cap: usize,
    truncated: bool,
    /// The bytes that switch the stream to the result buffer (stdout only).
    marker: Option<Vec<u8>>,
    result: Option<Vec<u8>>,
    result_cap: usize,
    result_over: bool,
}

/// What a pipe holds after the call.
#[derive(Debug, Default)]
pub struct Captured {
    pub bytes: Vec<u8>,
    pub truncated: bool,
    /// The bytes written after the marker (None past the result cap).
    pub result: Option<Vec<u8>>,
    /// The result went past its cap (and was dropped).
    pub result_over: bool,
}

#[derive(Clone, Debug)]
pub struct CappedPipe(Arc<Mutex<State>>);

impl CappedPipe {
    pub fn new(cap: usize, marker: Option<Vec<u8>>, result_cap: usize) -> Self {
        CappedPipe(Arc::new(Mutex::new(State { cap, marker, result_cap, ..State::default() })))
    }

    /// Empties the pipe for the next call of a session, with that call's
    /// caps and marker.
    pub fn reset(&self, cap: usize, marker: Option<Vec<u8>>, result_cap: usize) {
        *self.lock() = State { cap, marker, result_cap, ..State::default() };
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the buffer inconsistent.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn take(&self) -> Captured {
        let mut s = self.lock();
        Captured {
            bytes: std::mem::take(&mut s.buf),
            truncated: s.truncated,
            result: s.result.take(),
            result_over: s.result_over,
        }
    }

    /// Appends `bytes`, or keeps what fits and fails.
    fn push(&self, bytes: &[u8]) -> wasmtime::Result<()> {
        let mut s = self.lock();
        let s = &mut *s;
        if s.result_over {
            return Err(ResultLimitExceeded(s.result_cap).into());
        }
        if let Some(result) = &mut s.result {
            if result.len() + bytes.len() > s.result_cap {
                s.result = None;
                s.result_over = true;
                return Err(ResultLimitExceeded(s.result_cap).into());
            }
            result.extend_from_slice(bytes);
            return Ok(());
        }
        if s.marker.as_deref() == Some(bytes) {
            s.result = Some(Vec::new());
            return Ok(());
        }
        let room = s.cap - s.buf.len();
        if bytes.len() > room {
            s.buf.extend_from_slice(&bytes[..room]);
            s.truncated = true;
            return Err(OutputLimitExceeded.into());
        }
        s.buf.extend_from_slice(bytes);
        Ok(())
    }
}

#[async_trait::async_trait]
impl Pollable for CappedPipe {
    async fn ready(&mut self) {}
}

impl OutputStream for CappedPipe {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.push(&bytes).map_err(StreamError::Trap)
    }
    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }
    fn check_write(&mut self) -> StreamResult<usize> {
        // Always accept a full chunk: the cap is enforced in `write`, so a
        // program writing past it traps instead of blocking forever.
        Ok(1 << 16)
    }
}

impl tokio::io::AsyncWrite for CappedPipe {
    fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(self.push(buf).map(|()| buf.len()).map_err(io::Error::other))
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl IsTerminal for CappedPipe {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CappedPipe {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_truncates_and_fails() {
        let p = CappedPipe::new(4, None, 0);
        assert!(p.push(b"ab").is_ok());
        assert!(p.push(b"cdef").is_err());
        let c = p.take();
        assert_eq!(c.bytes, b"abcd");
        assert!(c.truncated);
    }

    #[test]
    fn marker_switches_to_result() {
        let p = CappedPipe::new(100, Some(b"NONCE".to_vec()), 3);
        p.push(b"out").unwrap();
        p.push(b"NONCE").unwrap();
        p.push(b"[1]").unwrap();
        let c = p.take();
        assert_eq!(c.bytes, b"out");
        assert_eq!(c.result.as_deref(), Some(&b"[1]"[..]));
        assert!(!c.truncated && !c.result_over);
    }

    #[test]
    fn result_past_its_cap_is_dropped() {
        let p = CappedPipe::new(100, Some(b"NONCE".to_vec()), 3);
        p.push(b"NONCE").unwrap();
        p.push(b"[1,").unwrap();
        let e = p.push(b"2]").unwrap_err();
        assert!(e.downcast_ref::<ResultLimitExceeded>().is_some(), "{e:#}");
        assert!(p.push(b"").is_err());
        let c = p.take();
        assert_eq!(c.result, None);
        assert!(c.result_over && !c.truncated);
    }
}
