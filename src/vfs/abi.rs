//! WASI preview 1 values and the layouts of the structs we write into the
//! caller's memory (wasi_snapshot_preview1's witx: little-endian, natural
//! alignment).

pub type Errno = i32;
pub const SUCCESS: Errno = 0;
pub const BADF: Errno = 8;
pub const EXIST: Errno = 20;
pub const INVAL: Errno = 28;
pub const ISDIR: Errno = 31;
pub const NOENT: Errno = 44;
pub const NOTDIR: Errno = 54;
pub const ROFS: Errno = 69;

pub const FILETYPE_CHARACTER_DEVICE: u8 = 2;
pub const FILETYPE_DIRECTORY: u8 = 3;
pub const FILETYPE_REGULAR_FILE: u8 = 4;

pub const OFLAGS_CREAT: i32 = 1;
pub const OFLAGS_DIRECTORY: i32 = 2;
pub const OFLAGS_EXCL: i32 = 4;
pub const OFLAGS_TRUNC: i32 = 8;
pub const FDFLAGS_APPEND: i32 = 1;

pub const RIGHT_FD_WRITE: u64 = 1 << 6;
/// What can be done on a read-only tree: read, seek, tell, advise, set the
/// fd's flags, sync, open, readdir, readlink, stat, poll.
pub const RIGHTS_READ_ONLY: u64 = (1 << 0)
    | (1 << 1)
    | (1 << 2)
    | (1 << 3)
    | (1 << 4)
    | (1 << 5)
    | (1 << 7)
    | (1 << 13)
    | (1 << 14)
    | (1 << 15)
    | (1 << 18)
    | (1 << 21)
    | (1 << 27);
/// What a directory lets files opened below it ask for: also writing
/// (fd_write, allocate, truncate). wasi-libc masks an open's rights with
/// these, so without them `open(path, 'r+')` would quietly open read-only and
/// fail only at the first write (EBADF); with them the open itself reaches
/// `path_open`, which refuses it with EROFS. The cost: `access(W_OK)`, which
/// wasi-libc answers from these rights, reports embedded files writable.
pub const RIGHTS_INHERITED: u64 = RIGHTS_READ_ONLY | RIGHT_FD_WRITE | (1 << 8) | (1 << 22);

pub const WHENCE_SET: i32 = 0;
pub const WHENCE_CUR: i32 = 1;
pub const WHENCE_END: i32 = 2;

/// `st_dev` of every embedded file ("onep").
pub const DEVICE: u64 = 0x6f6e_6570;

/// A pointer the caller passed, into linear memory.
pub fn at(ptr: i32) -> *mut u8 {
    ptr as u32 as usize as *mut u8
}

/// # Safety
/// `ptr` must point to `len` bytes of the caller's memory.
pub unsafe fn bytes<'a>(ptr: i32, len: i32) -> &'a [u8] {
    unsafe { std::slice::from_raw_parts(at(ptr), len as u32 as usize) }
}

/// # Safety
/// `ptr` must point to writable memory for a `T`.
pub unsafe fn put<T>(ptr: i32, value: T) {
    unsafe { (at(ptr) as *mut T).write_unaligned(value) }
}

pub struct Stat {
    pub ino: u64,
    pub filetype: u8,
    pub size: u64,
}

/// `filestat`: dev, ino, filetype, nlink, size, atim, mtim, ctim (64 bytes).
///
/// # Safety
/// `ptr` must point to 64 writable bytes.
pub unsafe fn write_filestat(ptr: i32, stat: &Stat, mtime: u64) {
    let mut out = [0u8; 64];
    out[0..8].copy_from_slice(&DEVICE.to_le_bytes());
    out[8..16].copy_from_slice(&stat.ino.to_le_bytes());
    out[16] = stat.filetype;
    out[24..32].copy_from_slice(&1u64.to_le_bytes());
    out[32..40].copy_from_slice(&stat.size.to_le_bytes());
    for field in [40, 48, 56] {
        out[field..field + 8].copy_from_slice(&mtime.to_le_bytes());
    }
    unsafe { std::ptr::copy_nonoverlapping(out.as_ptr(), at(ptr), 64) };
}

/// `fdstat`: filetype, flags, rights base and inheriting (24 bytes).
///
/// # Safety
/// `ptr` must point to 24 writable bytes.
pub unsafe fn write_fdstat(ptr: i32, filetype: u8, rights: u64, inherited: u64) {
    let mut out = [0u8; 24];
    out[0] = filetype;
    out[8..16].copy_from_slice(&rights.to_le_bytes());
    out[16..24].copy_from_slice(&inherited.to_le_bytes());
    unsafe { std::ptr::copy_nonoverlapping(out.as_ptr(), at(ptr), 24) };
}

/// One `dirent` header (24 bytes: next cookie, inode, name length, type)
/// followed by the name, appended to `out`.
pub fn push_dirent(out: &mut Vec<u8>, next: u64, ino: u64, name: &str, filetype: u8) {
    let mut header = [0u8; 24];
    header[0..8].copy_from_slice(&next.to_le_bytes());
    header[8..16].copy_from_slice(&ino.to_le_bytes());
    header[16..20].copy_from_slice(&(name.len() as u32).to_le_bytes());
    header[20] = filetype;
    out.extend_from_slice(&header);
    out.extend_from_slice(name.as_bytes());
}
