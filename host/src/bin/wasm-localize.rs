//! `wasm-localize --keep SYMBOL [--keep ...] [--keep-if-defined SYMBOL ...] OBJECT.o`:
//! make every other defined global symbol of a relocatable wasm object local
//! (in place). A `--keep` symbol must be defined; a `--keep-if-defined` one
//! stays global where the object defines it (the exception tags every
//! object that throws or longjmps defines, weak, and must share).

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
    let (localized, kept) = onepy_host::localize::localize(&mut bytes, &all).with_context(|| format!("in {file}"))?;
    if !keep.iter().all(|k| kept.contains(k)) {
        bail!("{file}: does not define {:?} (found {:?})", keep, kept);
    }
    std::fs::write(&file, &bytes).with_context(|| format!("writing {file}"))?;
    println!("[localize] {file}: kept {}, made {} symbols local", kept.join(", "), localized.len());
    Ok(())
}
