//! The start-up check that a memory slot comes back clean: what one call
//! writes to linear memory must not be visible to the next call in the slot.
//!
//! The pooling allocator resets a slot when an instance is dropped: with
//! `PAGEMAP_SCAN` (Linux 6.7+) it finds the pages the call wrote and copies
//! them back from the module's image, up to `linear_memory_keep_resident`
//! bytes, and releases the rest with `madvise`. wasmtime 48.0.8 got this
//! wrong in two ways the sandbox's patched copy fixes (sandbox/vendor): it
//! stopped scanning after 32 dirty runs of pages (slow, not unsafe) and it
//! skipped dirty pages that were swapped out (unsafe: the next instance read
//! them). [`check`] runs after the sandbox's probe call: it inverts every
//! byte of the pages that call left private in its slot (the pages a real
//! call dirties, ~100 separate runs: more than one scan's 32; or, when the
//! slot holds none, 128 pages spread over linear memory), drops the
//! instance, instantiates again in the same slot and compares those pages
//! with the image. Reusing the probe's pages keeps the check from adding to
//! what every later reset of the slot copies back. A swapped-out page cannot
//! be forced here (that needs swap and memory pressure); docs/sandbox.md says
//! what covers that case.

use std::time::Instant;

use wasmtime::error::Context;
use wasmtime::{Result, bail};
use wasmtime_wasi::WasiCtxBuilder;

use crate::{PROBE_TIMEOUT, Sandbox, TICK};

/// Host page size on the Linux targets the sandbox runs on.
const PAGE: usize = 4096;

/// How many pages the check writes when the slot holds no private page
/// (`PAGEMAP_SCAN` unavailable: slots are released after each call), each
/// its own run: four scans' worth of wasmtime's 32-region buffer.
const RUNS: usize = 128;

/// Fails unless pages written by one instance read back as the image's
/// contents in the next instance of the same slot.
pub(crate) fn check(sandbox: &Sandbox) -> Result<()> {
    let new_store = || {
        let mut store = sandbox.store(WasiCtxBuilder::new().build_p1(), Instant::now(), PROBE_TIMEOUT);
        // Instantiating may enter wasm (table initialisation), which checks the epoch.
        store.set_epoch_deadline((PROBE_TIMEOUT.as_nanos() / TICK.as_nanos()) as u64 + 1);
        store
    };

    let mut store = new_store();
    let instance = sandbox.pre.instantiate(&mut store).context("reset check: instantiating the module")?;
    let memory = instance.get_memory(&mut store, "memory").context("reset check: the module exports no memory")?;
    let base = memory.data_ptr(&store) as usize;
    let len = memory.data_size(&store);
    let offsets = match private_pages(base, len) {
        Some(pages) if !pages.is_empty() => pages.into_iter().map(|p| p * PAGE).collect(),
        // Every `stride`-th page, with clean pages between, so each is its own run.
        _ => {
            let stride = (len / PAGE / RUNS).max(2);
            (0..RUNS).map(|i| i * stride * PAGE).filter(|o| o + PAGE <= len).collect::<Vec<_>>()
        }
    };
    let data = memory.data_mut(&mut store);
    let mut image = Vec::with_capacity(offsets.len());
    for &o in &offsets {
        let page = &mut data[o..o + PAGE];
        image.push(page.to_vec());
        // Every byte differs from the image's.
        page.iter_mut().for_each(|b| *b = !*b);
    }
    drop(store);

    let mut store = new_store();
    let instance = sandbox.pre.instantiate(&mut store).context("reset check: instantiating the module again")?;
    let memory = instance.get_memory(&mut store, "memory").context("reset check: the module exports no memory")?;
    if memory.data_ptr(&store) as usize != base {
        bail!("reset check: the second instance did not get the first one's memory slot, nothing was checked");
    }
    let data = memory.data(&store);
    for (&o, want) in offsets.iter().zip(&image) {
        if &data[o..o + PAGE] != want.as_slice() {
            bail!(
                "reset check failed: linear memory page at offset {o:#x}, written by one instance, was not reset \
                 for the next instance in the same slot; the sandbox would let a call read the previous call's \
                 data, so it refuses to start (see docs/sandbox.md, \"Fresh memory\")"
            );
        }
    }
    Ok(())
}

/// The pages of `[start, start + len)` this process holds as private pages
/// (copied from the image or zero-filled on write), as page indices from
/// `start`, from /proc/self/pagemap: present, exclusively mapped and not
/// file-backed. None where pagemap cannot be read (not Linux).
pub(crate) fn private_pages(start: usize, len: usize) -> Option<Vec<usize>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut pagemap = std::fs::File::open("/proc/self/pagemap").ok()?;
    pagemap.seek(SeekFrom::Start((start / PAGE * 8) as u64)).ok()?;
    let mut entries = vec![0u8; len.div_ceil(PAGE) * 8];
    pagemap.read_exact(&mut entries).ok()?;
    let private = |e: u64| e >> 63 & 1 == 1 && e >> 56 & 1 == 1 && e >> 61 & 1 == 0;
    let pages = entries.chunks_exact(8).map(|e| u64::from_le_bytes(e.try_into().unwrap()));
    Some(pages.enumerate().filter(|&(_, e)| private(e)).map(|(i, _)| i).collect())
}
