//! Our open files and directories, and path resolution over the embedded
//! index. Pure logic over `embedded::index()`: the hooks translate WASI
//! calls into these and the results back.

use super::FD_BASE;
use super::abi::{self, Errno, Stat};
use crate::embedded::{Node, index};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// An open embedded file or directory.
#[derive(Clone)]
pub struct Open {
    /// Its virtual path (`/usr/local/lib/python3.X`, `/` for the root).
    pub path: String,
    pub node: Node,
    /// The read position of a file.
    pub pos: u64,
}

/// Slot `i` is file descriptor `FD_BASE + i`; slot 0, the root, stays open.
static TABLE: Mutex<Vec<Option<Open>>> = Mutex::new(Vec::new());

fn table() -> std::sync::MutexGuard<'static, Vec<Option<Open>>> {
    TABLE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The root (fd `FD_BASE`) and each top-level directory of the tree, open
/// for good: the mount points `vfs::mount` registers. Returns (path, fd).
pub fn mount_points() -> Vec<(String, i32)> {
    let mut t = table();
    if t.is_empty() {
        let root = index().node("/").expect("the bundle has a root");
        t.push(Some(Open { path: "/".to_string(), node: root, pos: 0 }));
        if let Node::Dir(dir) = root {
            for entry in dir.dirs() {
                let Some(name) = entry.path().file_name().and_then(|n| n.to_str()) else { continue };
                let path = format!("/{name}");
                let node = index().node(&path).expect("indexed");
                t.push(Some(Open { path, node, pos: 0 }));
            }
        }
        MOUNT_SLOTS.store(t.len(), Ordering::Relaxed);
    }
    let count = MOUNT_SLOTS.load(Ordering::Relaxed);
    t.iter()
        .take(count)
        .enumerate()
        .filter_map(|(i, o)| Some((o.as_ref()?.path.clone(), (FD_BASE + i as u32) as i32)))
        .collect()
}

/// The first slots hold the mount points, never closed.
static MOUNT_SLOTS: AtomicUsize = AtomicUsize::new(0);

fn slot(fd: i32) -> usize {
    (fd as u32 - FD_BASE) as usize
}

/// Run `f` on the open file `fd`, or EBADF.
pub fn with<R>(fd: i32, f: impl FnOnce(&mut Open) -> Result<R, Errno>) -> Result<R, Errno> {
    let mut t = table();
    match t.get_mut(slot(fd)).and_then(Option::as_mut) {
        Some(open) => f(open),
        None => Err(abi::BADF),
    }
}

pub fn insert(open: Open) -> i32 {
    let mut t = table();
    let fixed = MOUNT_SLOTS.load(Ordering::Relaxed).max(1);
    let i = match t.iter().skip(fixed).position(Option::is_none) {
        Some(free) => free + fixed,
        None => {
            t.push(None);
            t.len() - 1
        }
    };
    t[i] = Some(open);
    (FD_BASE + i as u32) as i32
}

pub fn close(fd: i32) -> Result<(), Errno> {
    let fixed = MOUNT_SLOTS.load(Ordering::Relaxed).max(1);
    let mut t = table();
    let i = slot(fd);
    match t.get(i) {
        Some(Some(_)) if i < fixed => Ok(()), // a mount point (preopen): keep it
        Some(Some(_)) => {
            t[i] = None;
            Ok(())
        }
        _ => Err(abi::BADF),
    }
}

/// `base` (a directory's virtual path) joined with `rel` as wasi-libc passes
/// it (relative to the preopen; may hold `.`, `..`, repeated or trailing
/// slashes), resolved component by component as Linux does: a file in the
/// middle is ENOTDIR, a missing component ENOENT, `..` stops at the root.
pub fn resolve(base: &str, rel: &[u8]) -> Result<(String, Node), Errno> {
    let rel = std::str::from_utf8(rel).map_err(|_| abi::NOENT)?;
    let mut path = if rel.starts_with('/') { String::from("/") } else { base.to_string() };
    let mut node = index().node(&path).ok_or(abi::NOENT)?;
    for part in rel.split('/') {
        if part.is_empty() || part == "." {
            continue;
        }
        if !matches!(node, Node::Dir(_)) {
            return Err(abi::NOTDIR);
        }
        if part == ".." {
            path = parent(&path).to_string();
        } else {
            if !path.ends_with('/') {
                path.push('/');
            }
            path.push_str(part);
        }
        node = index().node(&path).ok_or(abi::NOENT)?;
    }
    if rel.ends_with('/') && !matches!(node, Node::Dir(_)) {
        return Err(abi::NOTDIR);
    }
    Ok((path, node))
}

fn parent(path: &str) -> &str {
    match path.trim_end_matches('/').rsplit_once('/') {
        Some(("", _)) | None => "/",
        Some((head, _)) => head,
    }
}

/// A stable inode number for a virtual path.
pub fn inode(path: &str) -> u64 {
    let mut h = DefaultHasher::new();
    path.hash(&mut h);
    h.finish() | 1
}

/// `/dev/null`: an empty file of the tree (scripts/bundle.py puts it there)
/// that this module serves as Linux's device: it reads as end of file, takes
/// every write and keeps nothing, and opening it to write, truncate or
/// append succeeds.
pub const DEV_NULL: &str = "/dev/null";

pub fn stat(path: &str, node: &Node) -> Stat {
    if path == DEV_NULL {
        return Stat { ino: inode(path), filetype: abi::FILETYPE_CHARACTER_DEVICE, size: 0 };
    }
    match node {
        Node::File(bytes) => Stat { ino: inode(path), filetype: abi::FILETYPE_REGULAR_FILE, size: bytes.len() as u64 },
        Node::Dir(_) => Stat { ino: inode(path), filetype: abi::FILETYPE_DIRECTORY, size: 4096 },
    }
}

/// The `path_open` rules for a read-only tree.
pub fn open(base: &str, rel: &[u8], oflags: i32, rights: u64, fdflags: i32) -> Result<Open, Errno> {
    let found = resolve(base, rel);
    if let Ok((path, node)) = &found
        && path == DEV_NULL
    {
        return match () {
            _ if oflags & abi::OFLAGS_CREAT != 0 && oflags & abi::OFLAGS_EXCL != 0 => Err(abi::EXIST),
            _ if oflags & abi::OFLAGS_DIRECTORY != 0 => Err(abi::NOTDIR),
            _ => Ok(Open { path: path.clone(), node: *node, pos: 0 }),
        };
    }
    if oflags & abi::OFLAGS_CREAT != 0 {
        return Err(match found {
            Ok(_) if oflags & abi::OFLAGS_EXCL != 0 => abi::EXIST,
            Err(abi::NOTDIR) => abi::NOTDIR,
            _ => abi::ROFS,
        });
    }
    let (path, node) = found?;
    match node {
        Node::File(_) if oflags & abi::OFLAGS_DIRECTORY != 0 => Err(abi::NOTDIR),
        Node::Dir(_) if rights & abi::RIGHT_FD_WRITE != 0 => Err(abi::ISDIR),
        _ if oflags & abi::OFLAGS_TRUNC != 0 || rights & abi::RIGHT_FD_WRITE != 0 => Err(abi::ROFS),
        _ if fdflags & abi::FDFLAGS_APPEND != 0 => Err(abi::ROFS),
        _ => Ok(Open { path, node, pos: 0 }),
    }
}

/// Copy from `data` at `offset` into the caller's iovecs; bytes read.
///
/// # Safety
/// `iovs` must point to `iovs_len` (ptr, len) pairs of the caller's memory.
pub unsafe fn read_into(data: &[u8], offset: u64, iovs: i32, iovs_len: i32) -> usize {
    let mut pos = (offset as usize).min(data.len());
    let start = pos;
    for i in 0..iovs_len.max(0) as usize {
        // SAFETY: the caller's iovec array.
        let (buf, len) = unsafe {
            let iov = abi::at(iovs).add(i * 8) as *const u32;
            (iov.read_unaligned(), iov.add(1).read_unaligned())
        };
        let n = (len as usize).min(data.len() - pos);
        // SAFETY: the caller's buffer of `len` bytes.
        unsafe { std::ptr::copy_nonoverlapping(data[pos..].as_ptr(), buf as usize as *mut u8, n) };
        pos += n;
        if n < len as usize {
            break;
        }
    }
    pos - start
}

/// The total length of the caller's iovecs (what a write to `/dev/null` takes).
///
/// # Safety
/// `iovs` must point to `iovs_len` (ptr, len) pairs of the caller's memory.
pub unsafe fn iovecs_len(iovs: i32, iovs_len: i32) -> u32 {
    (0..iovs_len.max(0) as usize)
        // SAFETY: the caller's iovec array.
        .map(|i| unsafe { (abi::at(iovs).add(i * 8 + 4) as *const u32).read_unaligned() })
        .fold(0u32, u32::saturating_add)
}

/// The directory's entries from `cookie` on, as `dirent` records: `.`,
/// `..`, then the children in the bundle's order.
pub fn dirents(path: &str, node: &Node, cookie: u64, limit: usize) -> Vec<u8> {
    let Node::Dir(dir) = node else { return Vec::new() };
    let mut entries: Vec<(String, u8, u64)> = vec![
        (".".into(), abi::FILETYPE_DIRECTORY, inode(path)),
        ("..".into(), abi::FILETYPE_DIRECTORY, inode(parent(path))),
    ];
    for entry in dir.entries() {
        let Some(name) = entry.path().file_name().and_then(|n| n.to_str()) else { continue };
        let child = if path == "/" { format!("/{name}") } else { format!("{path}/{name}") };
        let filetype = match entry.as_dir() {
            Some(_) => abi::FILETYPE_DIRECTORY,
            None if child == DEV_NULL => abi::FILETYPE_CHARACTER_DEVICE,
            None => abi::FILETYPE_REGULAR_FILE,
        };
        entries.push((name.to_string(), filetype, inode(&child)));
    }
    let mut out = Vec::new();
    for (i, (name, filetype, ino)) in entries.iter().enumerate().skip(cookie as usize) {
        if out.len() >= limit {
            break;
        }
        abi::push_dirent(&mut out, i as u64 + 1, *ino, name, *filetype);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIB: &str = crate::embedded::STDLIB_DIR;

    #[test]
    fn resolution_follows_linux() {
        assert_eq!(resolve("/", format!("{}/json/../os.py", &LIB[1..]).as_bytes()).unwrap().0, format!("{LIB}/os.py"));
        assert_eq!(resolve(LIB, b"./json//decoder.py").unwrap().0, format!("{LIB}/json/decoder.py"));
        assert_eq!(resolve("/", b"../../usr").unwrap().0, "/usr");
        assert_eq!(resolve(LIB, b"os.py/x").err(), Some(abi::NOTDIR));
        assert_eq!(resolve(LIB, b"os.py/").err(), Some(abi::NOTDIR));
        assert_eq!(resolve(LIB, b"nope.py").err(), Some(abi::NOENT));
        assert_eq!(resolve("/", b"etc/passwd").err(), Some(abi::NOENT));
        assert_eq!(resolve(LIB, b"json/").unwrap().0, format!("{LIB}/json"));
    }

    #[test]
    fn opening_for_change_is_refused() {
        let open_err = |rel: &[u8], oflags, rights, fdflags| open(LIB, rel, oflags, rights, fdflags).err();
        assert_eq!(open_err(b"os.py", 0, abi::RIGHT_FD_WRITE, 0), Some(abi::ROFS));
        assert_eq!(open_err(b"os.py", abi::OFLAGS_TRUNC, 0, 0), Some(abi::ROFS));
        assert_eq!(open_err(b"new.py", abi::OFLAGS_CREAT, 0, 0), Some(abi::ROFS));
        assert_eq!(open_err(b"os.py", abi::OFLAGS_CREAT | abi::OFLAGS_EXCL, 0, 0), Some(abi::EXIST));
        assert_eq!(open_err(b"json", 0, abi::RIGHT_FD_WRITE, 0), Some(abi::ISDIR));
        assert_eq!(open_err(b"os.py", abi::OFLAGS_DIRECTORY, 0, 0), Some(abi::NOTDIR));
        assert_eq!(open_err(b"os.py", 0, 0, abi::FDFLAGS_APPEND), Some(abi::ROFS));
        assert!(open(LIB, b"json", abi::OFLAGS_DIRECTORY, 0, 0).is_ok());
        assert!(open(LIB, b"os.py", 0, abi::RIGHTS_READ_ONLY, 0).is_ok());
    }

    #[test]
    fn dev_null_opens_for_anything_but_a_new_file_or_a_directory() {
        let all = abi::OFLAGS_CREAT | abi::OFLAGS_TRUNC;
        let null = open("/", b"dev/null", all, abi::RIGHT_FD_WRITE, abi::FDFLAGS_APPEND).unwrap();
        assert_eq!(null.path, DEV_NULL);
        let st = stat(&null.path, &null.node);
        assert_eq!((st.filetype, st.size), (abi::FILETYPE_CHARACTER_DEVICE, 0));
        assert_eq!(open("/dev", b"null", abi::OFLAGS_CREAT | abi::OFLAGS_EXCL, 0, 0).err(), Some(abi::EXIST));
        assert_eq!(open("/dev", b"null", abi::OFLAGS_DIRECTORY, 0, 0).err(), Some(abi::NOTDIR));
        // Its directory stays read-only.
        assert_eq!(open("/dev", b"zero", abi::OFLAGS_CREAT, abi::RIGHT_FD_WRITE, 0).err(), Some(abi::ROFS));
        let (path, node) = resolve("/", b"dev").unwrap();
        let listing = dirents(&path, &node, 0, 4096);
        assert!(listing.windows(4).any(|w| w == b"null"));
    }

    #[test]
    fn directory_entries_fit_the_buffer_and_resume() {
        let (path, node) = resolve("/", format!("{}/json", &LIB[1..]).as_bytes()).unwrap();
        let all = dirents(&path, &node, 0, usize::MAX);
        let names = |buf: &[u8]| {
            let mut out = Vec::new();
            let mut i = 0;
            while i + 24 <= buf.len() {
                let len = u32::from_le_bytes(buf[i + 16..i + 20].try_into().unwrap()) as usize;
                out.push(String::from_utf8(buf[i + 24..i + 24 + len].to_vec()).unwrap());
                i += 24 + len;
            }
            out
        };
        let listed = names(&all);
        assert_eq!(&listed[..2], [".", ".."]);
        assert!(listed.contains(&"decoder.py".to_string()) && listed.contains(&"__pycache__".to_string()));
        // Resuming from the cookie of the third entry gives the rest.
        assert_eq!(names(&dirents(&path, &node, 2, usize::MAX)), listed[2..]);
    }
}
