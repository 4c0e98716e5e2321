//! Reproducible builds: the same inputs and the same `HASH_SEED` give a
//! byte-identical python.wasm, whatever directory the clone is in and
//! whenever it is built. Two copies of the repository's tracked files, at
//! paths of different lengths, each run `make build`, one after the other;
//! they share the libpython cache (its key names the same inputs) and build
//! everything else from scratch.

use onepy_host::guest::{libpython_dir, repo_root};
use std::path::Path;
use std::process::Command;

/// The tracked files of the repository as they are in the working tree.
fn copy_tracked_files(to: &Path) {
    let root = repo_root();
    let files = Command::new("git").args(["ls-files", "-z"]).current_dir(&root).output().expect("git ls-files");
    assert!(files.status.success());
    for name in files.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = std::str::from_utf8(name).unwrap();
        let (src, dst) = (root.join(name), to.join(name));
        if !src.exists() {
            continue; // deleted in the working tree
        }
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("copying {}: {e}", src.display()));
    }
}

fn build(clone: &Path) -> Vec<u8> {
    let mut make = Command::new("make");
    make.args(["--no-print-directory", "build", "HASH_SEED=0123456789abcdef0123456789abcdef"]).current_dir(clone);
    for var in ["MAKEFLAGS", "MAKELEVEL", "MFLAGS", "ONEPY_BUNDLE_DIR", "ONEPY_CEXT_DIRS", "CARGO_TARGET_DIR"] {
        make.env_remove(var);
    }
    // The same libpython as the main build (its key depends only on inputs).
    make.env("ONEPY_CACHE_DIR", libpython_dir().parent().unwrap());
    let out = make.output().expect("running make build");
    assert!(
        out.status.success(),
        "make build in {} failed:\n{}\n{}",
        clone.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(clone.join("python.wasm")).unwrap()
}

#[test]
fn two_clones_build_the_same_module() {
    let base = std::env::temp_dir().join(format!("onepy-repro-{}", std::process::id()));
    let clones = [base.join("a"), base.join("second-clone/of/onepy")];
    let mut modules = Vec::new();
    for clone in &clones {
        copy_tracked_files(clone);
        modules.push(build(clone));
    }
    let differ = modules[0].iter().zip(&modules[1]).position(|(a, b)| a != b);
    let (len_a, len_b) = (modules[0].len(), modules[1].len());
    if differ.is_none() && len_a == len_b {
        std::fs::remove_dir_all(&base).unwrap();
    }
    assert!(
        differ.is_none() && len_a == len_b,
        "python.wasm differs between {} and {} (sizes {len_a} and {len_b}, first difference at {differ:?}); \
         the clones are kept for inspection",
        clones[0].display(),
        clones[1].display()
    );
}
