//! Link hygiene of the built modules: nothing but WASI is imported (rustc's
//! `--allow-undefined` would turn a missing symbol into an `env` import that
//! fails only at instantiation).

use onepy_host::guest::{Variant, repo_root};
use onepy_host::imports::{foreign_imports, imports_of};

#[test]
fn modules_import_only_wasi_preview1() {
    let mut modules: Vec<_> = Variant::ALL.iter().map(|v| v.module()).collect();
    modules.push(repo_root().join("build/app.wasm"));
    for module in modules {
        let imports = imports_of(&module).unwrap();
        assert!(imports.len() > 10, "{}: {} imports", module.display(), imports.len());
        assert_eq!(foreign_imports(&imports, "wasi_snapshot_preview1"), Vec::<String>::new(), "{}", module.display());
    }
}
