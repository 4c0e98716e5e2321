//! wasi-libc's entry points to the host, defined here (see `vfs`): each one
//! serves our file descriptors from the embedded tree and passes every other
//! call to the host's import, declared below under the same WASI name.
//! `fd_write`/`fd_pwrite` serve only `/dev/null` among our descriptors (it
//! takes every write); on any other of ours they fail with EBADF, as Linux
//! does for a file opened read-only.

use super::abi::{self, Errno};
use super::{MTIME_NS, is_ours, table};
use crate::embedded::Node;

#[link(wasm_import_module = "wasi_snapshot_preview1")]
unsafe extern "C" {
    #[link_name = "path_open"]
    fn host_path_open(
        fd: i32,
        dirflags: i32,
        path: i32,
        len: i32,
        oflags: i32,
        base: i64,
        inh: i64,
        fdflags: i32,
        out: i32,
    ) -> i32;
    #[link_name = "fd_write"]
    fn host_fd_write(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32) -> i32;
    #[link_name = "fd_pwrite"]
    fn host_fd_pwrite(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nwritten: i32) -> i32;
    #[link_name = "fd_read"]
    fn host_fd_read(fd: i32, iovs: i32, iovs_len: i32, nread: i32) -> i32;
    #[link_name = "fd_pread"]
    fn host_fd_pread(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nread: i32) -> i32;
    #[link_name = "fd_seek"]
    fn host_fd_seek(fd: i32, offset: i64, whence: i32, out: i32) -> i32;
    #[link_name = "fd_tell"]
    fn host_fd_tell(fd: i32, out: i32) -> i32;
    #[link_name = "fd_close"]
    fn host_fd_close(fd: i32) -> i32;
    #[link_name = "fd_filestat_get"]
    fn host_fd_filestat_get(fd: i32, out: i32) -> i32;
    #[link_name = "fd_fdstat_get"]
    fn host_fd_fdstat_get(fd: i32, out: i32) -> i32;
    #[link_name = "fd_fdstat_set_flags"]
    fn host_fd_fdstat_set_flags(fd: i32, flags: i32) -> i32;
    #[link_name = "fd_advise"]
    fn host_fd_advise(fd: i32, offset: i64, len: i64, advice: i32) -> i32;
    #[link_name = "fd_readdir"]
    fn host_fd_readdir(fd: i32, buf: i32, len: i32, cookie: i64, used: i32) -> i32;
    #[link_name = "fd_filestat_set_size"]
    fn host_fd_filestat_set_size(fd: i32, size: i64) -> i32;
    #[link_name = "fd_filestat_set_times"]
    fn host_fd_filestat_set_times(fd: i32, atim: i64, mtim: i64, flags: i32) -> i32;
    #[link_name = "fd_sync"]
    fn host_fd_sync(fd: i32) -> i32;
    #[link_name = "fd_datasync"]
    fn host_fd_datasync(fd: i32) -> i32;
    #[link_name = "path_filestat_get"]
    fn host_path_filestat_get(fd: i32, flags: i32, path: i32, len: i32, out: i32) -> i32;
    #[link_name = "path_filestat_set_times"]
    fn host_path_filestat_set_times(fd: i32, flags: i32, path: i32, len: i32, atim: i64, mtim: i64, fst: i32) -> i32;
    #[link_name = "path_readlink"]
    fn host_path_readlink(fd: i32, path: i32, len: i32, buf: i32, buf_len: i32, used: i32) -> i32;
    #[link_name = "path_create_directory"]
    fn host_path_create_directory(fd: i32, path: i32, len: i32) -> i32;
    #[link_name = "path_remove_directory"]
    fn host_path_remove_directory(fd: i32, path: i32, len: i32) -> i32;
    #[link_name = "path_unlink_file"]
    fn host_path_unlink_file(fd: i32, path: i32, len: i32) -> i32;
    #[link_name = "path_rename"]
    fn host_path_rename(fd: i32, old: i32, old_len: i32, new_fd: i32, new: i32, new_len: i32) -> i32;
    #[link_name = "path_link"]
    fn host_path_link(fd: i32, flags: i32, old: i32, old_len: i32, new_fd: i32, new: i32, new_len: i32) -> i32;
    #[link_name = "path_symlink"]
    fn host_path_symlink(old: i32, old_len: i32, fd: i32, new: i32, new_len: i32) -> i32;
    #[link_name = "fd_prestat_get"]
    fn host_fd_prestat_get(fd: i32, out: i32) -> i32;
    #[link_name = "fd_prestat_dir_name"]
    fn host_fd_prestat_dir_name(fd: i32, buf: i32, len: i32) -> i32;
}

/// The host's preopens that are mapped at one of our mount points
/// (`--dir X::/`, `--dir X::/app`): (fd, guest path). Found by [`super::mount`].
static HOST_OVER_MOUNTS: std::sync::Mutex<Vec<(i32, String)>> = std::sync::Mutex::new(Vec::new());

/// Scan the host's preopens (fds 3, 4, ... until EBADF, as wasi-libc does)
/// and keep those mapped at one of `points`.
pub fn find_host_preopens(points: &[(String, i32)]) -> Vec<(i32, String)> {
    let mut found = Vec::new();
    for fd in 3.. {
        let mut prestat = [0u32; 2];
        // SAFETY: an 8-byte prestat buffer.
        if unsafe { host_fd_prestat_get(fd, prestat.as_mut_ptr() as usize as i32) } != abi::SUCCESS {
            break;
        }
        let mut name = vec![0u8; prestat[1] as usize];
        // SAFETY: a buffer of the name's length.
        let got = unsafe { host_fd_prestat_dir_name(fd, name.as_mut_ptr() as usize as i32, name.len() as i32) };
        let name = String::from_utf8_lossy(name.strip_suffix(b"\0").unwrap_or(&name)).into_owned();
        let name = if name.len() > 1 { name.trim_end_matches('/').to_string() } else { name };
        if prestat[0] & 0xff == 0 && got == abi::SUCCESS && points.iter().any(|(p, _)| *p == name) {
            found.push((fd, name));
        }
    }
    *HOST_OVER_MOUNTS.lock().unwrap_or_else(|e| e.into_inner()) = found.clone();
    found
}

/// A host directory mapped at one of our mount points did not have the
/// path: the embedded directory it covers, to look there instead.
fn fallback_base(fd: i32, host_errno: i32) -> Option<String> {
    if host_errno != abi::NOENT {
        return None;
    }
    let over = HOST_OVER_MOUNTS.lock().ok()?;
    over.iter().find(|(host_fd, _)| *host_fd == fd).map(|(_, path)| path.clone())
}

fn errno(result: Result<(), Errno>) -> i32 {
    match result {
        Ok(()) => abi::SUCCESS,
        Err(e) => e,
    }
}

/// The open directory `fd` and the path the caller passed.
fn dir_and_path(fd: i32, path: i32, len: i32) -> Result<(String, &'static [u8]), Errno> {
    let base = table::with(fd, |open| Ok(open.path.clone()))?;
    // SAFETY: wasi-libc passes a path buffer of `len` bytes.
    Ok((base, unsafe { abi::bytes(path, len) }))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_path_open(
    fd: i32,
    dirflags: i32,
    path: i32,
    len: i32,
    oflags: i32,
    base: i64,
    inh: i64,
    fdflags: i32,
    out: i32,
) -> i32 {
    if !is_ours(fd) {
        let host = unsafe { host_path_open(fd, dirflags, path, len, oflags, base, inh, fdflags, out) };
        let Some(dir) = fallback_base(fd, host) else { return host };
        // SAFETY: wasi-libc passes a path buffer of `len` bytes.
        let rel = unsafe { abi::bytes(path, len) };
        return match table::open(&dir, rel, oflags, base as u64, fdflags) {
            Ok(open) => {
                unsafe { abi::put(out, table::insert(open)) };
                abi::SUCCESS
            }
            Err(_) => host,
        };
    }
    errno(dir_and_path(fd, path, len).and_then(|(dir, rel)| {
        let open = table::open(&dir, rel, oflags, base as u64, fdflags)?;
        // SAFETY: wasi-libc passes a pointer to the new fd.
        unsafe { abi::put(out, table::insert(open)) };
        Ok(())
    }))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_read(
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nread: i32,
) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_fd_read(fd, iovs, iovs_len, nread) };
    }
    errno(table::with(fd, |open| match open.node {
        Node::Dir(_) => Err(abi::ISDIR),
        Node::File(data) => {
            // SAFETY: wasi-libc's iovecs and result pointer.
            let n = unsafe { table::read_into(data, open.pos, iovs, iovs_len) };
            open.pos += n as u64;
            unsafe { abi::put(nread, n as u32) };
            Ok(())
        }
    }))
}

/// A write to one of ours: all of it to `/dev/null`, EBADF elsewhere.
fn write_ours(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32) -> i32 {
    errno(table::with(fd, |open| {
        if open.path != table::DEV_NULL {
            return Err(abi::BADF);
        }
        // SAFETY: wasi-libc's iovecs and result pointer.
        unsafe { abi::put(nwritten, table::iovecs_len(iovs, iovs_len)) };
        Ok(())
    }))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_write(
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nwritten: i32,
) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_fd_write(fd, iovs, iovs_len, nwritten) };
    }
    write_ours(fd, iovs, iovs_len, nwritten)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_pwrite(
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    offset: i64,
    nwritten: i32,
) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_fd_pwrite(fd, iovs, iovs_len, offset, nwritten) };
    }
    write_ours(fd, iovs, iovs_len, nwritten)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_pread(
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    offset: i64,
    nread: i32,
) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_fd_pread(fd, iovs, iovs_len, offset, nread) };
    }
    errno(table::with(fd, |open| match open.node {
        Node::Dir(_) => Err(abi::ISDIR),
        Node::File(data) => {
            // SAFETY: wasi-libc's iovecs and result pointer.
            let n = unsafe { table::read_into(data, offset as u64, iovs, iovs_len) };
            unsafe { abi::put(nread, n as u32) };
            Ok(())
        }
    }))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_seek(fd: i32, offset: i64, whence: i32, out: i32) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_fd_seek(fd, offset, whence, out) };
    }
    errno(table::with(fd, |open| {
        let size = match open.node {
            Node::File(data) => data.len() as i64,
            Node::Dir(_) => 0,
        };
        let from = match whence {
            abi::WHENCE_SET => 0,
            abi::WHENCE_CUR => open.pos as i64,
            abi::WHENCE_END => size,
            _ => return Err(abi::INVAL),
        };
        let pos = from.checked_add(offset).filter(|p| *p >= 0).ok_or(abi::INVAL)?;
        open.pos = pos as u64;
        // SAFETY: wasi-libc passes a pointer to the new offset.
        unsafe { abi::put(out, open.pos) };
        Ok(())
    }))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_tell(fd: i32, out: i32) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_fd_tell(fd, out) };
    }
    // SAFETY: wasi-libc passes a pointer to the offset.
    errno(table::with(fd, |open| Ok(unsafe { abi::put(out, open.pos) })))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_close(fd: i32) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_fd_close(fd) };
    }
    errno(table::close(fd))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_filestat_get(fd: i32, out: i32) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_fd_filestat_get(fd, out) };
    }
    // SAFETY: wasi-libc passes a filestat buffer.
    errno(table::with(fd, |open| {
        Ok(unsafe { abi::write_filestat(out, &table::stat(&open.path, &open.node), MTIME_NS) })
    }))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_fdstat_get(fd: i32, out: i32) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_fd_fdstat_get(fd, out) };
    }
    errno(table::with(fd, |open| {
        let filetype = table::stat(&open.path, &open.node).filetype;
        let rights = abi::RIGHTS_READ_ONLY | if open.path == table::DEV_NULL { abi::RIGHT_FD_WRITE } else { 0 };
        // SAFETY: wasi-libc passes an fdstat buffer.
        unsafe { abi::write_fdstat(out, filetype, rights, abi::RIGHTS_INHERITED) };
        Ok(())
    }))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_fdstat_set_flags(fd: i32, flags: i32) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_fd_fdstat_set_flags(fd, flags) };
    }
    errno(table::with(fd, |open| match flags & abi::FDFLAGS_APPEND {
        0 => Ok(()),
        _ if open.path == table::DEV_NULL => Ok(()),
        _ => Err(abi::ROFS),
    }))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_advise(
    fd: i32,
    offset: i64,
    len: i64,
    advice: i32,
) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_fd_advise(fd, offset, len, advice) };
    }
    errno(table::with(fd, |_| Ok(())))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_sync(fd: i32) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_fd_sync(fd) };
    }
    errno(table::with(fd, |_| Ok(())))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_datasync(fd: i32) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_fd_datasync(fd) };
    }
    errno(table::with(fd, |_| Ok(())))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_readdir(
    fd: i32,
    buf: i32,
    len: i32,
    cookie: i64,
    used: i32,
) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_fd_readdir(fd, buf, len, cookie, used) };
    }
    errno(table::with(fd, |open| {
        if !matches!(open.node, Node::Dir(_)) {
            return Err(abi::NOTDIR);
        }
        let limit = len.max(0) as usize;
        let entries = table::dirents(&open.path, &open.node, cookie as u64, limit);
        // A full buffer tells wasi-libc there may be more (it asks again
        // from the last whole entry's cookie, with a larger buffer if needed).
        let n = entries.len().min(limit);
        // SAFETY: wasi-libc passes a buffer of `len` bytes and a result pointer.
        unsafe {
            std::ptr::copy_nonoverlapping(entries.as_ptr(), abi::at(buf), n);
            abi::put(used, n as u32);
        }
        Ok(())
    }))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_path_filestat_get(
    fd: i32,
    flags: i32,
    path: i32,
    len: i32,
    out: i32,
) -> i32 {
    if !is_ours(fd) {
        let host = unsafe { host_path_filestat_get(fd, flags, path, len, out) };
        let Some(dir) = fallback_base(fd, host) else { return host };
        // SAFETY: wasi-libc passes a path buffer of `len` bytes and a filestat buffer.
        return match table::resolve(&dir, unsafe { abi::bytes(path, len) }) {
            Ok((path, node)) => {
                unsafe { abi::write_filestat(out, &table::stat(&path, &node), MTIME_NS) };
                abi::SUCCESS
            }
            Err(_) => host,
        };
    }
    errno(dir_and_path(fd, path, len).and_then(|(dir, rel)| {
        let (path, node) = table::resolve(&dir, rel)?;
        // SAFETY: wasi-libc passes a filestat buffer.
        unsafe { abi::write_filestat(out, &table::stat(&path, &node), MTIME_NS) };
        Ok(())
    }))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_path_readlink(
    fd: i32,
    path: i32,
    len: i32,
    buf: i32,
    buf_len: i32,
    used: i32,
) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_path_readlink(fd, path, len, buf, buf_len, used) };
    }
    // No symbolic links here: an existing path is not one (EINVAL).
    errno(dir_and_path(fd, path, len).and_then(|(dir, rel)| table::resolve(&dir, rel)).and(Err(abi::INVAL)))
}

/// Changes to the tree: EROFS, once the descriptor is known to be ours.
fn read_only(fd: i32) -> i32 {
    errno(table::with(fd, |_| Err(abi::ROFS)))
}

/// Removing a name: ENOENT (or ENOTDIR) when it does not exist, else EROFS.
/// Code that cleans up "whether or not it exists" (test.support's unlink,
/// `Path.unlink(missing_ok=True)`, importlib's stale-bytecode cleanup)
/// catches only FileNotFoundError, so a missing name inside the embedded
/// tree must say so rather than EROFS (regrtest's test_bdb and test_runpy).
fn read_only_if_exists(fd: i32, path: i32, len: i32) -> i32 {
    match dir_and_path(fd, path, len).and_then(|(dir, rel)| table::resolve(&dir, rel)) {
        Ok(_) => read_only(fd),
        Err(e) => e,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_filestat_set_size(fd: i32, size: i64) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_fd_filestat_set_size(fd, size) };
    }
    read_only(fd)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_filestat_set_times(
    fd: i32,
    atim: i64,
    mtim: i64,
    flags: i32,
) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_fd_filestat_set_times(fd, atim, mtim, flags) };
    }
    read_only(fd)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_path_filestat_set_times(
    fd: i32,
    flags: i32,
    path: i32,
    len: i32,
    atim: i64,
    mtim: i64,
    fst: i32,
) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_path_filestat_set_times(fd, flags, path, len, atim, mtim, fst) };
    }
    read_only(fd)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_path_create_directory(fd: i32, path: i32, len: i32) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_path_create_directory(fd, path, len) };
    }
    // mkdir of an existing path is EEXIST on Linux even on a read-only mount.
    match dir_and_path(fd, path, len).and_then(|(dir, rel)| table::resolve(&dir, rel)) {
        Ok(_) => abi::EXIST,
        Err(_) => read_only(fd),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_path_remove_directory(fd: i32, path: i32, len: i32) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_path_remove_directory(fd, path, len) };
    }
    read_only_if_exists(fd, path, len)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_path_unlink_file(fd: i32, path: i32, len: i32) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_path_unlink_file(fd, path, len) };
    }
    read_only_if_exists(fd, path, len)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_path_rename(
    fd: i32,
    old: i32,
    old_len: i32,
    new_fd: i32,
    new: i32,
    new_len: i32,
) -> i32 {
    if !is_ours(fd) && !is_ours(new_fd) {
        return unsafe { host_path_rename(fd, old, old_len, new_fd, new, new_len) };
    }
    // A missing source is ENOENT wherever it is (the rename could not happen
    // on any filesystem); otherwise the embedded side makes it EROFS.
    if is_ours(fd) {
        return read_only_if_exists(fd, old, old_len);
    }
    abi::ROFS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_path_link(
    fd: i32,
    flags: i32,
    old: i32,
    old_len: i32,
    new_fd: i32,
    new: i32,
    new_len: i32,
) -> i32 {
    if !is_ours(fd) && !is_ours(new_fd) {
        return unsafe { host_path_link(fd, flags, old, old_len, new_fd, new, new_len) };
    }
    abi::ROFS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_path_symlink(
    old: i32,
    old_len: i32,
    fd: i32,
    new: i32,
    new_len: i32,
) -> i32 {
    if !is_ours(fd) {
        return unsafe { host_path_symlink(old, old_len, fd, new, new_len) };
    }
    read_only(fd)
}
