//! Link hygiene of the built modules: nothing but WASI is imported (rustc's
//! `--allow-undefined` would turn a missing symbol into an `env` import that
//! fails only at instantiation).

use onepy_host::guest::{Variant, libpython_dir, repo_root};
use onepy_host::host_paths::{build_dirs, find_in_file};
use onepy_host::imports::{foreign_imports, imports_of};
use std::path::PathBuf;

/// Every module `make test` builds: the plain interpreter with and without
/// the snapshot, the app build and the numpy build, and their raw modules.
fn built_modules() -> Vec<PathBuf> {
    let root = repo_root();
    let mut modules: Vec<_> = Variant::ALL.iter().map(|v| v.module()).collect();
    for name in ["app", "files-app", "numpy"] {
        modules.push(root.join(format!("build/{name}.wasm")));
        modules.push(root.join(format!("build/variants/{name}/{name}-noinit.wasm")));
    }
    for module in &modules {
        assert!(module.is_file(), "{} is missing: run `make test`", module.display());
    }
    modules
}

#[test]
fn no_module_contains_a_build_machine_path() {
    let dirs = build_dirs(&repo_root(), libpython_dir().parent().unwrap());
    for module in built_modules() {
        let found = find_in_file(&module, &dirs).unwrap();
        assert!(found.is_empty(), "{}: host paths {found:#?}", module.display());
    }
}

#[test]
fn modules_import_only_wasi_preview1() {
    for module in built_modules() {
        let imports = imports_of(&module).unwrap();
        assert!(imports.len() > 10, "{}: {} imports", module.display(), imports.len());
        assert_eq!(foreign_imports(&imports, "wasi_snapshot_preview1"), Vec::<String>::new(), "{}", module.display());
    }
}
