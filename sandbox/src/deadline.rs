//! The wall-clock timeout while the guest waits in the host.
//!
//! Epoch interruption (see `lib.rs`) ends a call only while wasm code runs.
//! `time.sleep`, `select.select` and `poll` become one WASI `poll_oneoff`
//! call, and wasmtime-wasi's synchronous `poll_oneoff` holds the host thread
//! until the earliest subscription fires: `time.sleep(10**9)` would hold it
//! for good. This module replaces `wasi_snapshot_preview1::poll_oneoff` in
//! the linker (`allow_shadowing`) with a wrapper that rewrites every clock
//! subscription due after the call's deadline into a wait that ends at the
//! deadline, runs wasmtime-wasi's own `poll_oneoff`, puts the guest's
//! subscriptions back, and ends the call as a timeout ([`DeadlineExceeded`])
//! once the deadline has passed.
//!
//! Why this and not wasmtime's async API (`call_async` under a timeout):
//! `poll_oneoff` is the only WASI call that can wait without bound in this
//! sandbox. stdin is an in-memory buffer (reads return its bytes, then end
//! of file, never wait), stdout and stderr are in-memory pipes that never
//! apply back-pressure, files are local and there are no sockets; so all
//! its fd subscriptions are ready at once and only clocks can wait. (The
//! exception is a FIFO or device file in a host directory the host mounts:
//! opening or reading one can block; the guest cannot create them.) One
//! wrapped function covers that while every call keeps the synchronous path
//! (no fiber stack per instance, no async runtime entered per call), which
//! matters for the per-call latency goal, and the guest's own semantics stay
//! wasmtime-wasi's (the wrapper only shortens waits). A future host call
//! that can wait must stop at the call's deadline too (`CallState::deadline`).

use std::time::{Duration, Instant, SystemTime};

use wasmtime::{Caller, Extern, Linker, Result};
use wasmtime_wasi::HostMonotonicClock;
use wasmtime_wasi::p1::wasi_snapshot_preview1 as p1;
use wasmtime_wasi::runtime::in_tokio;

use crate::CallState;
use crate::shadow::{MODULE, with_wasi};

/// `__wasi_subscription_t`: userdata u64 at 0, tag u8 at 8, then for a clock
/// the clock id u32 at 16, timeout u64 at 24, precision u64 at 32 and flags
/// u16 at 40.
const SUBSCRIPTION_SIZE: usize = 48;
const EVENTTYPE_CLOCK: u8 = 0;
const CLOCKID_REALTIME: u32 = 0;
const CLOCKID_MONOTONIC: u32 = 1;
const SUBSCRIPTION_CLOCK_ABSTIME: u16 = 1;

/// The error a call ends with when its deadline passes in `poll_oneoff`.
#[derive(Debug)]
pub struct DeadlineExceeded;

impl std::fmt::Display for DeadlineExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the call's time ran out while it waited in poll_oneoff (sleep, select or poll)")
    }
}

impl std::error::Error for DeadlineExceeded {}

/// The guest's monotonic clock: nanoseconds since the call began, as
/// wasmtime-wasi's default clock, but with an origin the wrapper knows (it
/// needs it to turn absolute monotonic deadlines into waits).
pub(crate) struct CallClock(pub Instant);

impl HostMonotonicClock for CallClock {
    fn resolution(&self) -> u64 {
        1
    }
    fn now(&self) -> u64 {
        self.0.elapsed().as_nanos().try_into().unwrap_or(u64::MAX)
    }
}

/// Replaces `poll_oneoff` in `linker` with the deadline-keeping wrapper.
pub(crate) fn add_to_linker(linker: &mut Linker<CallState>) -> Result<()> {
    linker.func_wrap(
        MODULE,
        "poll_oneoff",
        move |mut caller: Caller<'_, CallState>, subs: i32, events: i32, n: i32, nevents: i32| -> Result<i32> {
            let deadline = caller.data().deadline;
            let now = Instant::now();
            if now >= deadline {
                return Err(DeadlineExceeded.into());
            }
            let memory = caller.get_export("memory").and_then(Extern::into_memory);
            let mut saved = Vec::new();
            if let Some(m) = memory {
                let origin = caller.data().clock_origin;
                let clocks = Clocks { monotonic: CallClock(origin).now(), realtime: realtime_now() };
                saved = clamp(m.data_mut(&mut caller), subs as u32 as usize, n as u32 as usize, deadline - now, clocks);
            }
            let ret = with_wasi(&mut caller, |cx, mem| in_tokio(p1::poll_oneoff(cx, mem, subs, events, n, nevents)));
            if let Some(m) = memory {
                restore(m.data_mut(&mut caller), &saved);
            }
            let ret = ret??;
            if Instant::now() >= deadline {
                return Err(DeadlineExceeded.into());
            }
            Ok(ret)
        },
    )?;
    Ok(())
}

pub(crate) type Saved = Vec<(usize, [u8; SUBSCRIPTION_SIZE])>;

/// The guest's clocks when `poll_oneoff` was called, in nanoseconds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clocks {
    pub monotonic: u64,
    pub realtime: u64,
}

fn realtime_now() -> u64 {
    let since_epoch = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    since_epoch.as_nanos().try_into().unwrap_or(u64::MAX)
}

/// Rewrites each clock subscription among the `n` at `ptr` in `memory` that
/// would wait longer than `remaining` into a relative monotonic wait of
/// `remaining`, and returns the original bytes of those it rewrote.
/// Subscriptions out of bounds or with clocks wasmtime-wasi refuses are left
/// alone: its `poll_oneoff` returns the error.
pub(crate) fn clamp(memory: &mut [u8], ptr: usize, n: usize, remaining: Duration, now: Clocks) -> Saved {
    let mut saved = Vec::new();
    let limit: u64 = remaining.as_nanos().try_into().unwrap_or(u64::MAX);
    let Some(end) = n.checked_mul(SUBSCRIPTION_SIZE).and_then(|len| ptr.checked_add(len)) else {
        return saved;
    };
    let Some(subs) = memory.get_mut(ptr..end) else {
        return saved;
    };
    for (i, sub) in subs.chunks_exact_mut(SUBSCRIPTION_SIZE).enumerate() {
        if sub[8] != EVENTTYPE_CLOCK {
            continue;
        }
        let id = u32::from_le_bytes(sub[16..20].try_into().unwrap());
        let timeout = u64::from_le_bytes(sub[24..32].try_into().unwrap());
        let absolute = u16::from_le_bytes(sub[40..42].try_into().unwrap()) & SUBSCRIPTION_CLOCK_ABSTIME != 0;
        let wait = match (id, absolute) {
            (CLOCKID_REALTIME | CLOCKID_MONOTONIC, false) => timeout,
            (CLOCKID_MONOTONIC, true) => timeout.saturating_sub(now.monotonic),
            (CLOCKID_REALTIME, true) => timeout.saturating_sub(now.realtime),
            _ => continue,
        };
        if wait <= limit {
            continue;
        }
        saved.push((ptr + i * SUBSCRIPTION_SIZE, sub.try_into().unwrap()));
        sub[16..20].copy_from_slice(&CLOCKID_MONOTONIC.to_le_bytes());
        sub[24..32].copy_from_slice(&limit.to_le_bytes());
        sub[40..42].copy_from_slice(&0u16.to_le_bytes());
    }
    saved
}

/// Puts back what [`clamp`] rewrote.
pub(crate) fn restore(memory: &mut [u8], saved: &Saved) {
    for (at, bytes) in saved {
        if let Some(sub) = memory.get_mut(*at..*at + SUBSCRIPTION_SIZE) {
            sub.copy_from_slice(bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(id: u32, timeout: u64, flags: u16) -> [u8; SUBSCRIPTION_SIZE] {
        let mut s = [0u8; SUBSCRIPTION_SIZE];
        s[0..8].copy_from_slice(&0xfeed_u64.to_le_bytes());
        s[8] = EVENTTYPE_CLOCK;
        s[16..20].copy_from_slice(&id.to_le_bytes());
        s[24..32].copy_from_slice(&timeout.to_le_bytes());
        s[32..40].copy_from_slice(&1000u64.to_le_bytes());
        s[40..42].copy_from_slice(&flags.to_le_bytes());
        s
    }

    fn fd_read(fd: u32) -> [u8; SUBSCRIPTION_SIZE] {
        let mut s = [0u8; SUBSCRIPTION_SIZE];
        s[8] = 1;
        s[16..20].copy_from_slice(&fd.to_le_bytes());
        s
    }

    const SEC: u64 = 1_000_000_000;
    const NOW: Clocks = Clocks { monotonic: 5 * SEC, realtime: 1_700_000_000 * SEC };

    #[test]
    fn long_waits_end_at_the_deadline_and_are_put_back() {
        let subs = [
            clock(CLOCKID_MONOTONIC, 30 * SEC, 0),                 // relative, too long
            clock(CLOCKID_REALTIME, SEC / 10, 0),                  // relative, short
            clock(CLOCKID_MONOTONIC, NOW.monotonic + 30 * SEC, 1), // absolute, too long
            clock(CLOCKID_MONOTONIC, NOW.monotonic + SEC / 10, 1), // absolute, short
            clock(CLOCKID_REALTIME, NOW.realtime + 30 * SEC, 1),   // absolute wall clock
            fd_read(0),                                            // not a clock
            clock(2, u64::MAX, 0),                                 // a CPU-time clock: refused later
        ];
        let mut memory = vec![0xaau8; 16];
        let original: Vec<u8> = subs.concat();
        memory.extend_from_slice(&original);
        let saved = clamp(&mut memory, 16, subs.len(), Duration::from_millis(500), NOW);
        assert_eq!(saved.iter().map(|(at, _)| (at - 16) / SUBSCRIPTION_SIZE).collect::<Vec<_>>(), [0, 2, 4]);
        for i in [0, 2, 4] {
            let rewritten = &memory[16 + i * SUBSCRIPTION_SIZE..][..SUBSCRIPTION_SIZE];
            assert_eq!(rewritten, &clock(CLOCKID_MONOTONIC, SEC / 2, 0)[..], "subscription {i}");
        }
        for i in [1, 3, 5, 6] {
            assert_eq!(&memory[16 + i * SUBSCRIPTION_SIZE..][..SUBSCRIPTION_SIZE], &subs[i][..], "subscription {i}");
        }
        restore(&mut memory, &saved);
        assert_eq!(&memory[16..], &original[..]);
        assert_eq!(&memory[..16], &[0xaa; 16]);
    }

    #[test]
    fn out_of_bounds_is_left_to_wasi() {
        let mut memory = clock(CLOCKID_MONOTONIC, 30 * SEC, 0).to_vec();
        assert!(clamp(&mut memory, 8, 1, Duration::ZERO, NOW).is_empty());
        assert!(clamp(&mut memory, 0, usize::MAX, Duration::ZERO, NOW).is_empty());
        assert!(clamp(&mut memory, usize::MAX, 1, Duration::ZERO, NOW).is_empty());
        assert_eq!(clamp(&mut memory, 0, 1, Duration::ZERO, NOW).len(), 1);
    }
}
