//! `wasm-imports [--only MODULE] FILE.wasm`: list a module's imports; with
//! `--only`, fail (exit 1) if any import comes from another module. The
//! Makefile runs it after every link: rustc's `--allow-undefined` turns a
//! missing symbol into an `env` import that fails only at instantiation.

use anyhow::{Result, bail};
use onepy_host::imports::{foreign_imports, imports_of};
use std::path::PathBuf;

fn main() {
    onepy_host::tool_main(run);
}

fn run() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut only = None;
    let mut file = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--only" => only = args.next(),
            _ => file = Some(PathBuf::from(arg)),
        }
    }
    let Some(file) = file else { bail!("usage: wasm-imports [--only MODULE] FILE.wasm") };
    let imports = imports_of(&file)?;
    match only {
        Some(allowed) => {
            let foreign = foreign_imports(&imports, &allowed);
            if !foreign.is_empty() {
                bail!("{} imports from outside {allowed}: {}", file.display(), foreign.join(", "));
            }
            println!("[imports] {}: {} imports, all from {allowed}", file.display(), imports.len());
        }
        None => imports.iter().for_each(|(m, n)| println!("{m}::{n}")),
    }
    Ok(())
}
