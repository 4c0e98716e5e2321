//! The import section of a wasm module.

use anyhow::{Context, Result};
use std::path::Path;

/// `(module, name)` of every import of the module at `path`.
pub fn imports_of(path: &Path) -> Result<Vec<(String, String)>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    imports_of_bytes(&bytes).with_context(|| format!("parsing {}", path.display()))
}

pub fn imports_of_bytes(bytes: &[u8]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let wasmparser::Payload::ImportSection(reader) = payload? {
            for import in reader {
                let import = import?;
                out.push((import.module.to_string(), import.name.to_string()));
            }
        }
    }
    Ok(out)
}

/// Imports whose module is not `allowed`.
pub fn foreign_imports(imports: &[(String, String)], allowed: &str) -> Vec<String> {
    imports.iter().filter(|(m, _)| m != allowed).map(|(m, n)| format!("{m}::{n}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (module (import "env" "dlopen" (func)) (import "wasi_snapshot_preview1" "fd_write" (func)))
    const TWO_IMPORTS: &[u8] = &[
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: one func type () -> ()
        0x02, 0x30, 0x02, // import section, 48 bytes, 2 imports
        0x03, b'e', b'n', b'v', 0x06, b'd', b'l', b'o', b'p', b'e', b'n', 0x00, 0x00, 0x16, b'w', b'a', b's', b'i',
        b'_', b's', b'n', b'a', b'p', b's', b'h', b'o', b't', b'_', b'p', b'r', b'e', b'v', b'i', b'e', b'w', b'1',
        0x08, b'f', b'd', b'_', b'w', b'r', b'i', b't', b'e', 0x00, 0x00,
    ];

    #[test]
    fn finds_foreign_imports() {
        let imports = imports_of_bytes(TWO_IMPORTS).unwrap();
        assert_eq!(imports.len(), 2);
        assert_eq!(foreign_imports(&imports, "wasi_snapshot_preview1"), vec!["env::dlopen"]);
    }
}
