//! Finding build-machine paths in a built module. A path of this machine in
//! the module (a compiler's `__FILE__`, a recorded build variable, a panic
//! location) tells every user where and by whom it was built, and makes two
//! builds from different directories differ. Each is fixed where it comes
//! from (`-ffile-prefix-map`, `--remap-path-prefix`, libpython.sh renaming its
//! build paths in the sysconfigdata); this is the check that fails the build
//! when one gets through.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// One occurrence of a host path in a file.
#[derive(Debug, PartialEq, Eq)]
pub struct Found {
    pub path: String,
    pub offset: usize,
    /// The bytes around it, printable, for the error message.
    pub context: String,
}

/// A byte that can be part of a path component.
fn in_name(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-' | b'/')
}

/// Every place where one of `paths` appears as a whole path or a path prefix:
/// `/work/main` matches `/work/main`, `-I/work/main/src`, never
/// `/work/mainline`. (What comes before is not checked: `-I/x` must match;
/// the paths searched for are specific build directories, not `$HOME`.)
pub fn find(bytes: &[u8], paths: &[String]) -> Vec<Found> {
    let mut found = Vec::new();
    for path in paths {
        let needle = path.trim_end_matches('/').as_bytes();
        if needle.len() < 2 {
            continue;
        }
        let mut start = 0;
        while let Some(pos) = memchr_find(&bytes[start..], needle) {
            let at = start + pos;
            let end = at + needle.len();
            if end == bytes.len() || bytes[end] == b'/' || !in_name(bytes[end]) {
                let lo = at.saturating_sub(40);
                let hi = (end + 40).min(bytes.len());
                let context =
                    bytes[lo..hi].iter().map(|&b| if (32..127).contains(&b) { b as char } else { '.' }).collect();
                found.push(Found { path: path.clone(), offset: at, context });
            }
            start = at + 1;
        }
    }
    found.sort_by_key(|f| f.offset);
    found
}

fn memchr_find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The directories of this machine a build reads from: the repository, the
/// cache, cargo's and rustup's homes (`$HOME` itself is not one: a package may
/// mention `/root` or `/home` in its text for its own reasons).
pub fn build_dirs(repo: &Path, cache: &Path) -> Vec<String> {
    let home = std::env::var("HOME").unwrap_or_default();
    let mut dirs = vec![repo.to_path_buf(), cache.to_path_buf()];
    for (var, default) in [("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")] {
        dirs.push(std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| Path::new(&home).join(default)));
    }
    let mut out: Vec<String> = Vec::new();
    for dir in dirs {
        for d in [dir.clone(), dir.canonicalize().unwrap_or(dir)] {
            let s = d.to_string_lossy().trim_end_matches('/').to_string();
            if !s.is_empty() && !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

pub fn find_in_file(file: &Path, paths: &[String]) -> Result<Vec<Found>> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    Ok(find(&bytes, paths))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offsets(text: &str, path: &str) -> Vec<usize> {
        find(text.as_bytes(), &[path.to_string()]).iter().map(|f| f.offset).collect()
    }

    #[test]
    fn whole_paths_and_prefixes_only() {
        assert_eq!(offsets("x /work/main/src y", "/work/main"), vec![2]);
        assert_eq!(offsets("/work/main\0", "/work/main/"), vec![0]);
        assert_eq!(offsets("'/work/main'", "/work/main"), vec![1]);
        assert_eq!(offsets("/work/mainline", "/work/main"), Vec::<usize>::new());
        assert_eq!(offsets("-I/root/.cache/x", "/root/.cache"), vec![2]);
    }

    #[test]
    fn context_is_printable() {
        let found = find(b"\x00\x01-I/root/.cache/onepy/include\xff", &["/root/.cache/onepy".to_string()]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].context, "..-I/root/.cache/onepy/include.");
    }
}
