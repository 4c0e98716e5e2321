//! Randomness and clocks while the snapshot is taken.
//!
//! Whatever the interpreter draws from WASI during pre-initialization ends up
//! in the module's memory image: the `str`/`bytes` hash secret, `random`'s
//! initial state, timestamps taken at import (`logging._startTime`). Drawn
//! from the build machine, they would make every build different. So while
//! [`begin`] is in effect, wasi-libc's `random_get` returns a stream derived
//! from the build's snapshot seed, and `clock_time_get` a clock that starts at
//! zero and advances one microsecond per reading. Two builds with the same
//! inputs and the same seed therefore produce the same bytes.
//!
//! The seed is the build setting `HASH_SEED` (`scripts/snapshot.sh`; drawn
//! fresh from the build machine's entropy when not set). The hash secret is
//! the first 24 bytes of the stream, so it is as fixed as the module itself
//! (README, "Hash randomization"). Everything else drawn from this stream is
//! redrawn at the start of every run (`run_state`), from the real host.
//!
//! How: wasi-libc calls each WASI function through a symbol
//! `__imported_wasi_snapshot_preview1_<name>`; defining it here makes libc's
//! callers (CPython's `getentropy`, `clock_gettime`) call us, and we forward to
//! the host's import, declared below under its own name, whenever no snapshot
//! is being taken. Rust's std calls WASI directly, around these hooks, for
//! one thing: the keys of `HashMap`'s default `RandomState`. So nothing that
//! runs before the snapshot may create one: the embedded index uses a fixed
//! hasher, and pyo3 is built with its `hashbrown` feature, whose maps (made
//! while pyo3 creates our classes) hash with foldhash, seeded without any
//! WASI call. `host/tests/reproducible.rs` catches a new source.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

#[link(wasm_import_module = "wasi_snapshot_preview1")]
unsafe extern "C" {
    #[link_name = "random_get"]
    fn host_random_get(buf: i32, len: i32) -> i32;
    #[link_name = "clock_time_get"]
    fn host_clock_time_get(clock: i32, precision: i64, time: i32) -> i32;
}

/// Set only during `wizer.initialize`.
static DETERMINISTIC: AtomicBool = AtomicBool::new(false);
/// SplitMix64 state of the stream.
static STREAM: AtomicU64 = AtomicU64::new(0);
/// The deterministic clock, in nanoseconds.
static CLOCK: AtomicU64 = AtomicU64::new(0);

/// The environment variable `scripts/snapshot.sh` passes the seed in (hex).
pub const SEED_VARIABLE: &str = "ONEPY_SNAPSHOT_SEED";

/// Serve randomness and time from `seed` until [`end`].
pub fn begin(seed: &[u8]) {
    // Fold the seed (any length) into the 64-bit state with the same mixer.
    let mut state = 0x6f6e_6570_795f_7365u64; // "onepy_se"
    for chunk in seed.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        state = mix(state ^ u64::from_le_bytes(word));
    }
    STREAM.store(state, Ordering::Relaxed);
    CLOCK.store(0, Ordering::Relaxed);
    DETERMINISTIC.store(true, Ordering::Relaxed);
}

/// Back to the host's randomness and clocks (before the snapshot is saved,
/// so every run after it uses the host's).
pub fn end() {
    DETERMINISTIC.store(false, Ordering::Relaxed);
    STREAM.store(0, Ordering::Relaxed);
}

/// Parse the seed's hex text; `None` if it is not hex.
pub fn parse_seed(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.is_empty() || text.len() % 2 != 0 {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn next_word() -> u64 {
    let state = STREAM.load(Ordering::Relaxed).wrapping_add(0x9e37_79b9_7f4a_7c15);
    STREAM.store(state, Ordering::Relaxed);
    mix(state)
}

/// wasi-libc's `random_get` (`getentropy`, `os.urandom`, CPython's hash
/// secret and `random` seeding).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_random_get(buf: i32, len: i32) -> i32 {
    if !DETERMINISTIC.load(Ordering::Relaxed) {
        // SAFETY: the arguments are libc's, passed through unchanged.
        return unsafe { host_random_get(buf, len) };
    }
    // SAFETY: wasi-libc passes a buffer of `len` bytes in linear memory.
    let out = unsafe { std::slice::from_raw_parts_mut(buf as usize as *mut u8, len as usize) };
    for chunk in out.chunks_mut(8) {
        chunk.copy_from_slice(&next_word().to_le_bytes()[..chunk.len()]);
    }
    0
}

/// wasi-libc's `clock_time_get` (`clock_gettime`, `time.time()`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_clock_time_get(
    clock: i32,
    precision: i64,
    time: i32,
) -> i32 {
    if !DETERMINISTIC.load(Ordering::Relaxed) {
        // SAFETY: the arguments are libc's, passed through unchanged.
        return unsafe { host_clock_time_get(clock, precision, time) };
    }
    // Every clock reads the same counter: it never goes backwards, and two
    // readings differ, as code that measures intervals expects.
    let now = CLOCK.fetch_add(1_000, Ordering::Relaxed) + 1_000;
    // SAFETY: wasi-libc passes a pointer to a u64 in linear memory.
    unsafe { (time as usize as *mut u64).write_unaligned(now) };
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_text_is_hex() {
        assert_eq!(parse_seed("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(parse_seed(" 0a\n"), Some(vec![10]));
        assert_eq!(parse_seed(""), None);
        assert_eq!(parse_seed("abc"), None);
        assert_eq!(parse_seed("zz"), None);
    }

    #[test]
    fn the_stream_depends_only_on_the_seed() {
        let draw = |seed: &[u8]| {
            begin(seed);
            let mut buf = [0u8; 40];
            // SAFETY: a local buffer of the given length.
            unsafe { __imported_wasi_snapshot_preview1_random_get(buf.as_mut_ptr() as usize as i32, 40) };
            end();
            buf
        };
        assert_eq!(draw(b"seed-a"), draw(b"seed-a"));
        assert_ne!(draw(b"seed-a"), draw(b"seed-b"));
        assert_ne!(draw(b"seed-a")[..8], draw(b"seed-a")[8..16]);
    }
}
