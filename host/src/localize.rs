//! Make the global symbols of a relocatable wasm object local, except the
//! ones to keep: what `objcopy --localize-hidden` does for ELF, which
//! llvm-objcopy cannot do for wasm. Used on each C-extension module after
//! `wasm-ld -r` (scripts/package_builder), so only its init symbol can bind.
//!
//! The symbol table is in the `linking` custom section (tool-conventions,
//! Linking.md); only the flags of defined symbols change, rewritten in the
//! same number of LEB128 bytes, so no offset in the file moves.

use anyhow::{Context, Result, bail};

const SYMBOL_TABLE: u8 = 8;
const BINDING_WEAK: u32 = 0x1;
const BINDING_LOCAL: u32 = 0x2;
const UNDEFINED: u32 = 0x10;
const EXPLICIT_NAME: u32 = 0x40;

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn u8(&mut self) -> Result<u8> {
        let b = *self.bytes.get(self.pos).context("truncated")?;
        self.pos += 1;
        Ok(b)
    }

    /// (value, start, length in bytes)
    fn leb(&mut self) -> Result<(u32, usize, usize)> {
        let start = self.pos;
        let (mut value, mut shift) = (0u32, 0);
        loop {
            let b = self.u8()?;
            value |= u32::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok((value, start, self.pos - start));
            }
            shift += 7;
            if shift > 28 {
                bail!("LEB128 too long at {start}");
            }
        }
    }

    fn name(&mut self) -> Result<&'a str> {
        let (len, _, _) = self.leb()?;
        let end = self.pos + len as usize;
        let s = std::str::from_utf8(self.bytes.get(self.pos..end).context("truncated name")?)?;
        self.pos = end;
        Ok(s)
    }
}

/// Encode `value` in exactly `len` bytes (padded LEB128).
fn leb_fixed(value: u32, len: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(len);
    let mut v = value;
    for i in 0..len {
        let mut b = (v & 0x7f) as u8;
        v >>= 7;
        if i + 1 < len {
            b |= 0x80;
        }
        out.push(b);
    }
    if v != 0 {
        bail!("{value:#x} does not fit {len} LEB128 bytes");
    }
    Ok(out)
}

/// Localize in place; returns (localized, kept) symbol names.
pub fn localize(module: &mut [u8], keep: &[String]) -> Result<(Vec<String>, Vec<String>)> {
    let (start, end) = linking_section(module)?;
    let mut r = Reader { bytes: &module[..end], pos: start };
    let _version = r.leb()?;
    let mut patches: Vec<(usize, Vec<u8>)> = Vec::new();
    let (mut localized, mut kept) = (Vec::new(), Vec::new());
    while r.pos < end {
        let kind = r.u8()?;
        let (len, _, _) = r.leb()?;
        let next = r.pos + len as usize;
        if kind == SYMBOL_TABLE {
            let (count, _, _) = r.leb()?;
            for _ in 0..count {
                let sym_kind = r.u8()?;
                let (flags, at, width) = r.leb()?;
                let name = match sym_kind {
                    0 | 2 | 4 | 5 => {
                        r.leb()?;
                        if flags & UNDEFINED == 0 || flags & EXPLICIT_NAME != 0 { Some(r.name()?) } else { None }
                    }
                    1 => {
                        let name = r.name()?;
                        if flags & UNDEFINED == 0 {
                            r.leb()?;
                            r.leb()?;
                            r.leb()?;
                        }
                        Some(name)
                    }
                    3 => {
                        r.leb()?;
                        None
                    }
                    other => bail!("unknown symbol kind {other}"),
                };
                let defined_global = flags & UNDEFINED == 0 && flags & BINDING_LOCAL == 0 && sym_kind != 3;
                if let (true, Some(name)) = (defined_global, name) {
                    if keep.iter().any(|k| k == name) {
                        kept.push(name.to_string());
                    } else {
                        patches.push((at, leb_fixed((flags & !BINDING_WEAK) | BINDING_LOCAL, width)?));
                        localized.push(name.to_string());
                    }
                }
            }
        }
        r.pos = next;
    }
    for (at, bytes) in patches {
        module[at..at + bytes.len()].copy_from_slice(&bytes);
    }
    Ok((localized, kept))
}

/// Byte range of the `linking` custom section's payload (after its name).
fn linking_section(module: &[u8]) -> Result<(usize, usize)> {
    if module.get(..8) != Some(b"\0asm\x01\0\0\0") {
        bail!("not a wasm module");
    }
    let mut r = Reader { bytes: module, pos: 8 };
    while r.pos < module.len() {
        let id = r.u8()?;
        let (len, _, _) = r.leb()?;
        let next = r.pos + len as usize;
        if id == 0 && r.name()? == "linking" {
            return Ok((r.pos, next));
        }
        r.pos = next;
    }
    bail!("no linking section: not a relocatable object")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with only a `linking` section: symbol table of a defined
    /// function `PyInit_x`, a defined data `helper` and an undefined `malloc`.
    fn object() -> Vec<u8> {
        // count 3; function, flags 0, index 0, name "PyInit_x"
        let mut table = vec![3u8, 0, 0x00, 0, 8];
        table.extend(b"PyInit_x");
        table.extend([1, 0x04, 6]); // data, hidden, name len 6
        table.extend(b"helper");
        table.extend([0, 0, 4]); // segment 0, offset 0, size 4
        table.extend([0, 0x10, 1]); // function, undefined, index 1 (no name)
        let mut payload = vec![2u8]; // version
        payload.push(SYMBOL_TABLE);
        payload.push(table.len() as u8);
        payload.extend(&table);
        let mut section = vec![7u8];
        section.extend(b"linking");
        section.extend(&payload);
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        module.push(0);
        module.push(section.len() as u8);
        module.extend(section);
        module
    }

    #[test]
    fn localizes_all_but_the_kept_symbols() {
        let mut module = object();
        let (localized, kept) = localize(&mut module, &["PyInit_x".to_string()]).unwrap();
        assert_eq!(localized, vec!["helper"]);
        assert_eq!(kept, vec!["PyInit_x"]);
        // Running again finds nothing more to do: `helper` is local now.
        let (again, _) = localize(&mut module, &["PyInit_x".to_string()]).unwrap();
        assert!(again.is_empty());
    }

    #[test]
    fn fixed_width_leb() {
        assert_eq!(leb_fixed(0x06, 1).unwrap(), vec![0x06]);
        assert_eq!(leb_fixed(0x06, 2).unwrap(), vec![0x86, 0x00]);
        assert!(leb_fixed(0x80, 1).is_err());
    }
}
