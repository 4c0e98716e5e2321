//! The embedded tree as a read-only filesystem for everything below Python
//! that goes through wasi-libc: `os.stat`, `os.listdir`, `open()`, SQLite,
//! expat, C extensions.
//!
//! How: wasi-libc reaches the host only through symbols named
//! `__imported_wasi_snapshot_preview1_<name>`; `hooks.rs` defines them, so
//! libc's calls land here. A call on one of our file descriptors (numbered
//! from [`FD_BASE`], far above the host's preopens, which wasi-libc finds by
//! scanning upward from 3) is served from the embedded bytes in place, in
//! the module's data, never copied; every other call goes to the host's
//! import unchanged.
//!
//! Where: the tree's root is registered with wasi-libc as a preopen for `/`.
//! wasi-libc resolves an absolute path against the preopen with the longest
//! matching prefix, so a host directory mapped with `--dir HOST::/data` keeps
//! serving `/data/...`, and one mapped over an embedded directory
//! (`--dir X::/app`) hides the embedded files below it from libc (imports
//! still come from the embedded importer). The preopen table is cleared for
//! every run after the snapshot (`run_state::refresh_libc`), so [`mount`]
//! runs again at every start.
//!
//! What: POSIX read semantics (sizes, `..`, ENOENT/ENOTDIR/EISDIR as Linux
//! gives them); every file and directory has mode read-only, one link, the
//! fixed modification time [`MTIME_NS`], and an inode number derived from
//! its path. Anything that would change the tree fails with EROFS.

mod abi;
mod hooks;
mod table;

/// The first of our file descriptors; the root directory is this one.
pub const FD_BASE: u32 = 0x4000_0000;

/// Modification time of every embedded file: CPython 3.13.5's release day
/// (the SOURCE_DATE_EPOCH of the build), in nanoseconds.
pub const MTIME_NS: u64 = 1_749_600_000 * 1_000_000_000;

unsafe extern "C" {
    fn __wasilibc_register_preopened_fd(fd: i32, prefix: *const std::ffi::c_char) -> i32;
}

/// Register the embedded tree's root as wasi-libc's preopen for `/`. Call at
/// every start, after wasi-libc's preopen table was reset.
pub fn mount() {
    table::ensure_root();
    // SAFETY: a static C string; wasi-libc copies the prefix.
    unsafe { __wasilibc_register_preopened_fd(FD_BASE as i32, c"/".as_ptr()) };
}

pub fn is_ours(fd: i32) -> bool {
    fd as u32 >= FD_BASE
}
