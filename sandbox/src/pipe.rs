//! A capped in-memory stdout/stderr for one call.
//!
//! Bytes past the cap are dropped, the `truncated` flag is set and the write
//! traps with [`OutputLimitExceeded`], which ends the call (`output_limit`).
//! The stdout pipe also carries the call's `result`: once the guest writes
//! the call's nonce as one write, everything after it goes to a separate
//! buffer with its own cap (the wrapper writes it last, then exits).

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

#[derive(Debug, Default)]
struct State {
    buf: Vec<u8>,
    cap: usize,
    truncated: bool,
    /// The bytes that switch the stream to the result buffer (stdout only).
    marker: Option<Vec<u8>>,
    result: Option<Vec<u8>>,
    result_cap: usize,
}

/// What a pipe holds after the call.
#[derive(Debug, Default)]
pub struct Captured {
    pub bytes: Vec<u8>,
    pub truncated: bool,
    pub result: Option<Vec<u8>>,
}

#[derive(Clone, Debug)]
pub struct CappedPipe(Arc<Mutex<State>>);

impl CappedPipe {
    pub fn new(cap: usize, marker: Option<Vec<u8>>, result_cap: usize) -> Self {
        CappedPipe(Arc::new(Mutex::new(State { cap, marker, result_cap, ..State::default() })))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the buffer inconsistent.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn take(&self) -> Captured {
        let mut s = self.lock();
        Captured { bytes: std::mem::take(&mut s.buf), truncated: s.truncated, result: s.result.take() }
    }

    /// Appends `bytes`, or keeps what fits and fails.
    fn push(&self, bytes: &[u8]) -> Result<(), OutputLimitExceeded> {
        let mut s = self.lock();
        let s = &mut *s;
        if let Some(result) = &mut s.result {
            if result.len() + bytes.len() > s.result_cap {
                return Err(OutputLimitExceeded);
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
            return Err(OutputLimitExceeded);
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
        self.push(&bytes).map_err(|e| StreamError::Trap(e.into()))
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
        assert!(p.push(b"x").is_err());
        let c = p.take();
        assert_eq!(c.bytes, b"out");
        assert_eq!(c.result.as_deref(), Some(&b"[1]"[..]));
        assert!(!c.truncated);
    }
}
