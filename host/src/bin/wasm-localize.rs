//! `wasm-localize --keep SYMBOL [--keep ...] [--keep-if-defined SYMBOL ...] OBJECT.o`:
//! make every other defined global symbol of a relocatable wasm object local
//! (in place). A `--keep` symbol must be defined; a `--keep-if-defined` one
//! stays global where the object defines it (the exception tags every
//! object that throws or longjmps defines, weak, and must share). The COMDAT
//! groups of the symbols made local are dropped (host/src/localize.rs).

use anyhow::{Context, Result, bail};

fn main() {
    onepy_host::tool_main(run);
}

fn run() -> Result<()> {
    let mut keep = Vec::new();
    let mut optional = Vec::new();
    let mut file = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--keep" => keep.push(args.next().context("--keep needs a symbol")?),
            "--keep-if-defined" => optional.push(args.next().context("--keep-if-defined needs a symbol")?),
            _ => file = Some(arg),
        }
    }
    let Some(file) = file else { bail!("usage: wasm-localize --keep SYMBOL OBJECT.o") };
    let mut bytes = std::fs::read(&file).with_context(|| format!("reading {file}"))?;
    let all: Vec<String> = keep.iter().chain(&optional).cloned().collect();
    let done = onepy_host::localize::localize(&mut bytes, &all).with_context(|| format!("in {file}"))?;
    if !keep.iter().all(|k| done.kept.contains(k)) {
        bail!("{file}: does not define {:?} (found {:?})", keep, done.kept);
    }
    std::fs::write(&file, &bytes).with_context(|| format!("writing {file}"))?;
    println!(
        "[localize] {file}: kept {}, made {} symbols local, dropped {} COMDAT groups",
        done.kept.join(", "),
        done.localized.len(),
        done.comdats_dropped
    );
    Ok(())
}
