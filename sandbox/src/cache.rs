//! The on-disk cache of compiled modules.
//!
//! An entry is named by the sha256 of the module's bytes and a hash of the
//! engine's compatibility settings (wasmtime version, target, tunables).
//! Its file is `MAGIC`, the sha256 of the payload, then the payload
//! (`Module::serialize`). On load the magic and the payload's hash are
//! checked before `Module::deserialize` sees a byte; an entry that fails the
//! check, or that wasmtime refuses, is compiled again and replaced
//! (written to a temporary file, then renamed).

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Result;
use wasmtime::error::Context;
use wasmtime::{Engine, Module};

const MAGIC: &[u8; 16] = b"onepy-sandbox-1\n";

/// `$ONEPY_SANDBOX_CACHE`, else `$XDG_CACHE_HOME/onepy/sandbox`, else
/// `~/.cache/onepy/sandbox`, else a directory in the temporary directory.
pub fn default_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("ONEPY_SANDBOX_CACHE") {
        return d.into();
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return Path::new(&d).join("onepy/sandbox");
    }
    if let Some(d) = std::env::var_os("HOME") {
        return Path::new(&d).join(".cache/onepy/sandbox");
    }
    std::env::temp_dir().join("onepy-sandbox-cache")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The path of the entry for `wasm` compiled by `engine`.
pub fn entry_path(engine: &Engine, wasm: &[u8], dir: &Path) -> PathBuf {
    let mut h = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    let module = hex(&Sha256::digest(wasm));
    dir.join(format!("{module}-{:016x}.cwasm", h.finish()))
}

/// The payload of a well-formed entry.
fn payload(entry: &[u8]) -> Option<&[u8]> {
    let rest = entry.strip_prefix(MAGIC.as_slice())?;
    if rest.len() < 32 {
        return None;
    }
    let (sum, payload) = rest.split_at(32);
    (Sha256::digest(payload).as_slice() == sum).then_some(payload)
}

/// The module, from the cache when a valid entry exists, else compiled and
/// stored (a cache that cannot be written is not an error).
pub fn load_or_compile(engine: &Engine, wasm: &[u8], dir: &Path) -> Result<Module> {
    let path = entry_path(engine, wasm, dir);
    if let Ok(entry) = std::fs::read(&path) {
        if let Some(p) = payload(&entry) {
            // SAFETY: the payload is exactly what `Module::serialize` wrote
            // for this module and engine settings (its sha256 matched), and
            // `deserialize` still checks the engine's compatibility.
            if let Ok(module) = unsafe { Module::deserialize(engine, p) } {
                return Ok(module);
            }
        }
    }
    let module = Module::new(engine, wasm).context("compiling the module")?;
    if let Err(e) = store(&module, &path) {
        eprintln!("onepy-sandbox: not caching {}: {e:#}", path.display());
    }
    Ok(module)
}

fn store(module: &Module, path: &Path) -> Result<()> {
    let payload = module.serialize()?;
    let dir = path.parent().context("cache path has no parent")?;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".tmp-{}-{:?}", std::process::id(), std::thread::current().id()));
    let mut data = Vec::with_capacity(MAGIC.len() + 32 + payload.len());
    data.extend_from_slice(MAGIC);
    data.extend_from_slice(&Sha256::digest(&payload));
    data.extend_from_slice(&payload);
    std::fs::write(&tmp, &data)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_checks_magic_and_hash() {
        let body = b"compiled";
        let mut entry = MAGIC.to_vec();
        entry.extend_from_slice(&Sha256::digest(body));
        entry.extend_from_slice(body);
        assert_eq!(payload(&entry), Some(&body[..]));
        let last = entry.len() - 1;
        entry[last] ^= 1;
        assert_eq!(payload(&entry), None);
        assert_eq!(payload(b"garbage"), None);
    }
}
