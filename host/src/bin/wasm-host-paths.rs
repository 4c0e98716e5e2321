//! `wasm-host-paths --cache DIR FILE...`: fail (exit 1) if a file contains a
//! directory of this build machine (the repository, the cache, cargo's or
//! rustup's home), naming the file, the path and its offset. The Makefile runs
//! it on every module it builds.

use anyhow::{Result, bail};
use onepy_host::guest::repo_root;
use onepy_host::host_paths::{build_dirs, find_in_file};
use std::path::PathBuf;

fn main() {
    onepy_host::tool_main(run);
}

fn run() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut cache = None;
    let mut files = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--cache" => cache = args.next().map(PathBuf::from),
            _ => files.push(PathBuf::from(arg)),
        }
    }
    let Some(cache) = cache else { bail!("usage: wasm-host-paths --cache DIR FILE...") };
    let dirs = build_dirs(&repo_root(), &cache);
    let mut problems = Vec::new();
    for file in &files {
        for found in find_in_file(file, &dirs)? {
            problems.push(format!(
                "{}: offset {}: host path {} in \"{}\"",
                file.display(),
                found.offset,
                found.path,
                found.context
            ));
        }
    }
    if !problems.is_empty() {
        bail!("build-machine paths in the module:\n  {}", problems.join("\n  "));
    }
    println!("[host-paths] {} file(s): no path of {}", files.len(), dirs.join(", "));
    Ok(())
}
