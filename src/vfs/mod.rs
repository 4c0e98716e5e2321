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
//! Where: the tree's root and each of its top-level directories (`/usr`,
//! `/etc`, `/app`) are registered with wasi-libc as preopens. wasi-libc
//! resolves an absolute path against the preopen with the longest matching
//! prefix, the last registered among equals, so:
//! - a host directory mapped with `--dir HOST::/data` serves `/data/...`;
//! - one mapped over an embedded directory (`--dir X::/usr/local/lib/python3.X/json`)
//!   replaces it for the filesystem (imports still come from the importer);
//! - one mapped at `/` or at a top-level mount point (`--dir X::/app`) takes
//!   that place (ours is then not registered), and whatever it does not have
//!   is looked up in the embedded tree (`hooks.rs`), so the stdlib's files
//!   stay visible under a host `/`.
//! The preopen table is cleared for every run after the snapshot
//! (`run_state::refresh_libc`), so [`mount`] runs again at every start.
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

/// Modification time of every embedded file: a fixed date (2025-06-11)
/// (the SOURCE_DATE_EPOCH of the build), in nanoseconds.
pub const MTIME_NS: u64 = 1_749_600_000 * 1_000_000_000;

unsafe extern "C" {
    fn __wasilibc_register_preopened_fd(fd: i32, prefix: *const std::ffi::c_char) -> i32;
    fn __wasilibc_populate_preopens();
}

/// Register the tree's mount points with wasi-libc, after the host's own
/// preopens and except where the host maps the same path. Call at every
/// start, after wasi-libc's preopen table was reset.
pub fn mount() {
    let points = table::mount_points();
    // SAFETY: wasi-libc's own start-up step, then C strings it copies.
    unsafe { __wasilibc_populate_preopens() };
    let host = hooks::find_host_preopens(&points);
    for (path, fd) in points {
        if host.iter().any(|(_, name)| *name == path) {
            continue;
        }
        let prefix = std::ffi::CString::new(path).expect("no NUL in embedded paths");
        unsafe { __wasilibc_register_preopened_fd(fd, prefix.as_ptr()) };
    }
}

pub fn is_ours(fd: i32) -> bool {
    fd as u32 >= FD_BASE
}
