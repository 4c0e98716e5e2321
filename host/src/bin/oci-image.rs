//! `oci-image [--name REF] [--entrypoint /PATH] [--layout file|wasm-layer] MODULE.wasm OUT.tar`:
//! write an OCI image archive of a onepy module for `ctr images import`
//! (`make oci`). The timestamps in the archive are SOURCE_DATE_EPOCH, else 0.

use anyhow::{Context, Result, bail};
use onepy_host::oci::{ImageOptions, Layout, write_image};
use std::path::PathBuf;

const USAGE: &str = "usage: oci-image [--name REF] [--entrypoint /PATH] [--layout file|wasm-layer] MODULE.wasm OUT.tar";

fn main() {
    if let Err(err) = run() {
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut name = None;
    let mut entrypoint = None;
    let mut layout = Layout::File;
    let mut paths = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--name" => name = Some(args.next().context(USAGE)?),
            "--entrypoint" => entrypoint = Some(args.next().context(USAGE)?),
            "--layout" => layout = args.next().context(USAGE)?.parse()?,
            _ if arg.starts_with("--") => bail!("unknown option {arg}\n{USAGE}"),
            _ => paths.push(PathBuf::from(arg)),
        }
    }
    let [module, out] = &paths[..] else { bail!(USAGE) };
    let file_name = module.file_name().context(USAGE)?.to_string_lossy().into_owned();
    let stem = module.file_stem().context(USAGE)?.to_string_lossy().into_owned();
    let mtime = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => s.parse().with_context(|| format!("SOURCE_DATE_EPOCH={s} is not a number"))?,
        Err(_) => 0,
    };
    let options = ImageOptions {
        name: name.unwrap_or_else(|| format!("docker.io/onepy/{stem}:latest")),
        entrypoint: entrypoint.unwrap_or_else(|| format!("/{file_name}")),
        layout,
        mtime,
    };
    let bytes = std::fs::read(module).with_context(|| format!("reading {}", module.display()))?;
    let summary = write_image(&bytes, &options, out)?;
    println!(
        "[oci] {} -> {} ({}, {:?} layout, entrypoint {}, manifest {})",
        module.display(),
        out.display(),
        options.name,
        options.layout,
        options.entrypoint,
        summary.manifest_digest
    );
    Ok(())
}
