//! Memory held back for reporting a MemoryError.
//!
//! When a program has filled the memory it may use, the MemoryError that
//! ends it has to be printed, and `atexit` handlers run, with whatever is
//! left, often nothing. So a block is allocated when the interpreter starts
//! (in the snapshot: its pages are never touched, so they cost neither a copy
//! nor a page fault) and freed only when a MemoryError reaches the top level
//! (`run::release_memory_for_report`). Python's allocators then find it free.

use std::sync::Mutex;

/// Enough for a pymalloc arena (1 MiB) and the report's own allocations.
const RESERVE_BYTES: usize = 2 << 20;

static RESERVE: Mutex<Option<Vec<u8>>> = Mutex::new(None);

/// Hold the reserve (once; after a release, again on the next start).
pub fn hold() {
    let mut reserve = RESERVE.lock().unwrap_or_else(|e| e.into_inner());
    if reserve.is_none() {
        // Allocated, never written: the pages stay zero (not in the snapshot's
        // data, never faulted in).
        *reserve = Some(Vec::with_capacity(RESERVE_BYTES));
    }
}

/// Give the reserve back to the allocator.
pub fn release() {
    RESERVE.lock().unwrap_or_else(|e| e.into_inner()).take();
}
