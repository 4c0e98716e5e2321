//! `wasm-localize --keep SYMBOL [--keep ...] OBJECT.o`: make every other
//! defined global symbol of a relocatable wasm object local (in place).

use anyhow::{Context, Result, bail};

fn main() {
    onepy_host::tool_main(run);
}

fn run() -> Result<()> {
    let mut keep = Vec::new();
    let mut file = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--keep" => keep.push(args.next().context("--keep needs a symbol")?),
            _ => file = Some(arg),
        }
    }
    let Some(file) = file else { bail!("usage: wasm-localize --keep SYMBOL OBJECT.o") };
    let mut bytes = std::fs::read(&file).with_context(|| format!("reading {file}"))?;
    let (localized, kept) = onepy_host::localize::localize(&mut bytes, &keep).with_context(|| format!("in {file}"))?;
    if kept.len() != keep.len() {
        bail!("{file}: does not define {:?} (found {:?})", keep, kept);
    }
    std::fs::write(&file, &bytes).with_context(|| format!("writing {file}"))?;
    println!("[localize] {file}: kept {}, made {} symbols local", kept.join(", "), localized.len());
    Ok(())
}
