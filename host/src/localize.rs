//! Make the global symbols of a relocatable wasm object local, except the
//! ones to keep: what `objcopy --localize-hidden` does for ELF, which
//! llvm-objcopy cannot do for wasm. Used on each C-extension module after
//! `wasm-ld -r` (scripts/package_builder), so only its init symbol can bind.
//!
//! The symbol table is in the `linking` custom section (tool-conventions,
//! Linking.md). The flags of defined symbols change in place, in the same
//! number of LEB128 bytes; the COMDAT groups of the localized symbols are
//! removed from the same section (see `localize`). Nothing outside the
//! `linking` section moves.

use anyhow::{Context, Result, bail};

const SYMBOL_TABLE: u8 = 8;
const COMDAT_INFO: u8 = 7;
const COMDAT_DATA: u32 = 0;
const COMDAT_FUNCTION: u32 = 1;
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

/// What `localize` did: the names made local, the names kept global, and
/// how many COMDAT groups it dropped.
#[derive(Debug, Default)]
pub struct Localized {
    pub localized: Vec<String>,
    pub kept: Vec<String>,
    pub comdats_dropped: usize,
}

/// Make every defined global symbol but `keep` local, and drop the COMDAT
/// groups that hold no kept symbol.
///
/// A COMDAT group (C++ inline functions, template instances, vtables) is
/// deduplicated by name across the final link: the first object's copy wins
/// and the others' are discarded. A localized copy that wins would leave the
/// global references of every other object (libc++'s own `num_put`, say)
/// without a definition, as an undefined weak symbol that traps when called.
/// Out of its group, the localized copy is a plain local function the module
/// keeps for itself, and the library's copy stays in its group.
pub fn localize(module: &mut Vec<u8>, keep: &[String]) -> Result<Localized> {
    let (section, start, end) = linking_section(module)?;
    let mut r = Reader { bytes: &module[..end], pos: start };
    let _version = r.leb()?;
    let mut patches: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut out = Localized::default();
    // (COMDAT entry kind, index) of each kept definition.
    let mut kept_items: Vec<(u32, u32)> = Vec::new();
    let mut comdat_subsection = None;
    while r.pos < end {
        let header = r.pos;
        let kind = r.u8()?;
        let (len, _, _) = r.leb()?;
        let next = r.pos + len as usize;
        if kind == SYMBOL_TABLE {
            let (count, _, _) = r.leb()?;
            for _ in 0..count {
                let sym_kind = r.u8()?;
                let (flags, at, width) = r.leb()?;
                let (name, item) = match sym_kind {
                    0 | 2 | 4 | 5 => {
                        let (index, _, _) = r.leb()?;
                        let named = flags & UNDEFINED == 0 || flags & EXPLICIT_NAME != 0;
                        let name = if named { Some(r.name()?) } else { None };
                        (name, (sym_kind == 0).then_some((COMDAT_FUNCTION, index)))
                    }
                    1 => {
                        let name = r.name()?;
                        let mut segment = None;
                        if flags & UNDEFINED == 0 {
                            segment = Some(r.leb()?.0);
                            r.leb()?;
                            r.leb()?;
                        }
                        (Some(name), segment.map(|s| (COMDAT_DATA, s)))
                    }
                    3 => {
                        r.leb()?;
                        (None, None)
                    }
                    other => bail!("unknown symbol kind {other}"),
                };
                let defined_global = flags & UNDEFINED == 0 && flags & BINDING_LOCAL == 0 && sym_kind != 3;
                if let (true, Some(name)) = (defined_global, name) {
                    if keep.iter().any(|k| k == name) {
                        out.kept.push(name.to_string());
                        kept_items.extend(item);
                    } else {
                        patches.push((at, leb_fixed((flags & !BINDING_WEAK) | BINDING_LOCAL, width)?));
                        out.localized.push(name.to_string());
                    }
                }
            }
        } else if kind == COMDAT_INFO {
            comdat_subsection = Some((header, r.pos, next));
        }
        r.pos = next;
    }
    for (at, bytes) in patches {
        module[at..at + bytes.len()].copy_from_slice(&bytes);
    }
    if let Some((header, body, next)) = comdat_subsection {
        let (kept_groups, dropped) = kept_comdats(&module[body..next], &kept_items)?;
        out.comdats_dropped = dropped;
        let mut replacement = Vec::new();
        if let Some(groups) = kept_groups {
            replacement.push(COMDAT_INFO);
            replacement.extend(groups);
        }
        if dropped > 0 {
            replace_in_section(module, section, header..next, &replacement)?;
        }
    }
    Ok(out)
}

/// The COMDAT_INFO subsection's size and payload re-encoded with only the
/// groups that hold a kept item (None when no group is left), and how many
/// groups were dropped.
fn kept_comdats(payload: &[u8], kept_items: &[(u32, u32)]) -> Result<(Option<Vec<u8>>, usize)> {
    let mut r = Reader { bytes: payload, pos: 0 };
    let (count, _, _) = r.leb()?;
    let (mut kept, mut kept_count, mut dropped) = (Vec::<u8>::new(), 0u32, 0);
    for _ in 0..count {
        let group_start = r.pos;
        r.name()?;
        let _flags = r.leb()?;
        let (entries, _, _) = r.leb()?;
        let mut holds_kept = false;
        for _ in 0..entries {
            let (kind, _, _) = r.leb()?;
            let (index, _, _) = r.leb()?;
            holds_kept |= kept_items.contains(&(kind, index));
        }
        if holds_kept {
            kept.extend(&payload[group_start..r.pos]);
            kept_count += 1;
        } else {
            dropped += 1;
        }
    }
    if kept_count == 0 {
        return Ok((None, dropped));
    }
    let mut payload = Vec::new();
    leb(&mut payload, kept_count);
    payload.extend(kept);
    let mut sized = Vec::new();
    leb(&mut sized, payload.len() as u32);
    sized.extend(payload);
    Ok((Some(sized), dropped))
}

/// Replace `range` of the module (inside the custom section starting at
/// `section`) with `bytes`, re-encoding the section's size. Relocation
/// sections name their target section by index, so nothing else moves.
fn replace_in_section(module: &mut Vec<u8>, section: usize, range: std::ops::Range<usize>, bytes: &[u8]) -> Result<()> {
    let mut r = Reader { bytes: module, pos: section + 1 };
    let (size, size_at, size_width) = r.leb()?;
    let new_size = (size as usize + bytes.len()).checked_sub(range.len()).context("section size underflow")?;
    module.splice(range, bytes.iter().copied());
    let mut encoded = Vec::new();
    leb(&mut encoded, new_size as u32);
    module.splice(size_at..size_at + size_width, encoded);
    Ok(())
}

fn leb(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let b = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// (start of the `linking` custom section, its payload's byte range after its name).
fn linking_section(module: &[u8]) -> Result<(usize, usize, usize)> {
    if module.get(..8) != Some(b"\0asm\x01\0\0\0") {
        bail!("not a wasm module");
    }
    let mut r = Reader { bytes: module, pos: 8 };
    while r.pos < module.len() {
        let section = r.pos;
        let id = r.u8()?;
        let (len, _, _) = r.leb()?;
        let next = r.pos + len as usize;
        if id == 0 && r.name()? == "linking" {
            return Ok((section, r.pos, next));
        }
        r.pos = next;
    }
    bail!("no linking section: not a relocatable object")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with only a `linking` section: symbol table of a defined
    /// function `PyInit_x`, a defined data `helper` and an undefined
    /// function; then `extra` subsections.
    fn object(extra: &[u8]) -> Vec<u8> {
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
        payload.extend(extra);
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
        let mut module = object(&[]);
        let done = localize(&mut module, &["PyInit_x".to_string()]).unwrap();
        assert_eq!(done.localized, vec!["helper"]);
        assert_eq!(done.kept, vec!["PyInit_x"]);
        assert_eq!(done.comdats_dropped, 0);
        // Running again finds nothing more to do: `helper` is local now.
        let again = localize(&mut module, &["PyInit_x".to_string()]).unwrap();
        assert!(again.localized.is_empty());
    }

    /// The COMDAT_INFO subsection of groups (name, [(kind, index)]).
    fn comdats(groups: &[(&str, &[(u8, u8)])]) -> Vec<u8> {
        let mut body = vec![groups.len() as u8];
        for (name, entries) in groups {
            body.push(name.len() as u8);
            body.extend(name.as_bytes());
            body.extend([0, entries.len() as u8]);
            for (kind, index) in *entries {
                body.extend([*kind, *index]);
            }
        }
        let mut sub = vec![COMDAT_INFO, body.len() as u8];
        sub.extend(body);
        sub
    }

    fn comdat_names(module: &[u8]) -> Vec<String> {
        let (_, start, end) = linking_section(module).unwrap();
        let mut r = Reader { bytes: &module[..end], pos: start };
        r.leb().unwrap();
        let mut names = Vec::new();
        while r.pos < end {
            let kind = r.u8().unwrap();
            let (len, _, _) = r.leb().unwrap();
            let next = r.pos + len as usize;
            if kind == COMDAT_INFO {
                let (count, _, _) = r.leb().unwrap();
                for _ in 0..count {
                    names.push(r.name().unwrap().to_string());
                    r.leb().unwrap();
                    let (entries, _, _) = r.leb().unwrap();
                    for _ in 0..entries * 2 {
                        r.leb().unwrap();
                    }
                }
            }
            r.pos = next;
        }
        names
    }

    #[test]
    fn drops_the_comdat_groups_of_localized_symbols_only() {
        // `inline_fn` (data segment 0, as `helper`) is localized; the group
        // of function 0 holds the kept PyInit_x and stays.
        let groups = comdats(&[("inline_fn", &[(0, 0)]), ("init_group", &[(1, 0)])]);
        let mut module = object(&groups);
        let before = module.len();
        let done = localize(&mut module, &["PyInit_x".to_string()]).unwrap();
        assert_eq!(done.comdats_dropped, 1);
        assert_eq!(comdat_names(&module), vec!["init_group"]);
        assert_eq!(module.len(), before - "inline_fn".len() - 5);
        // With nothing kept in any group, the subsection goes.
        let mut module = object(&comdats(&[("inline_fn", &[(0, 0)])]));
        let done = localize(&mut module, &["PyInit_x".to_string()]).unwrap();
        assert_eq!(done.comdats_dropped, 1);
        assert!(comdat_names(&module).is_empty());
        // The rewritten module still parses, and a second run changes nothing.
        let again = localize(&mut module, &["PyInit_x".to_string()]).unwrap();
        assert_eq!((again.localized.len(), again.comdats_dropped), (0, 0));
    }

    #[test]
    fn fixed_width_leb() {
        assert_eq!(leb_fixed(0x06, 1).unwrap(), vec![0x06]);
        assert_eq!(leb_fixed(0x06, 2).unwrap(), vec![0x86, 0x00]);
        assert!(leb_fixed(0x80, 1).is_err());
    }
}
