//! The embedded file tree (`stdlib-bundle/`, made by `make bundle`) and the
//! index the importer and the resource API use.
//!
//! The bundle is an image of the guest's virtual filesystem: `stdlib-bundle/x`
//! is `/x` (`/usr/local/lib/python3.X/json/decoder.py`, `/app/__main__.py`).
//! The paths look real because packages compute data paths from `__file__`,
//! but nothing here touches the host filesystem. Import roots, where dotted
//! names start: [`SITE_PACKAGES_DIR`], [`APP_DIR`] and [`STDLIB_DIR`].

use include_dir::{Dir, DirEntry, include_dir};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher};
use std::sync::OnceLock;

pub const PREFIX: &str = "/usr/local";
/// `/usr/local/lib/python3.X`: the version comes from the sources.lock pin
/// (build.rs sets `ONEPY_PYTHON_MM`).
pub const STDLIB_DIR: &str = concat!("/usr/local/lib/python", env!("ONEPY_PYTHON_MM"));
pub const SITE_PACKAGES_DIR: &str = concat!("/usr/local/lib/python", env!("ONEPY_PYTHON_MM"), "/site-packages");
/// The user's app (`make build APP=dir`), when there is one.
pub const APP_DIR: &str = "/app";
/// Build settings the bundle carries for the guest (`app`, `preimport`).
pub const SETTINGS_DIR: &str = "/etc/onepy";
/// The `__pycache__` tag of the bytecode compiled into the bundle.
pub const PYC_SUFFIX: &str = concat!(".cpython-", env!("ONEPY_PYTHON_NODOT"), ".pyc");

// `ONEPY_BUNDLE_DIR` is set by the Makefile (default: stdlib-bundle/).
static BUNDLE: Dir<'static> = include_dir!("$ONEPY_BUNDLE_DIR");

/// Where a module's code lives in the bundle.
#[derive(Debug, Clone, Copy)]
pub struct ModuleEntry {
    /// Virtual path of `mod.py` or `pkg/__init__.py` (it is the `__file__`
    /// even when only the bytecode is embedded).
    pub path: &'static str,
    pub is_package: bool,
    pub source: Option<&'static [u8]>,
    pub bytecode: Option<&'static [u8]>,
}

/// A node of the embedded tree, by virtual path.
#[derive(Debug, Clone, Copy)]
pub enum Node {
    File(&'static [u8]),
    Dir(&'static Dir<'static>),
}

/// A map with a fixed hasher: the index is built while the snapshot is taken,
/// and `HashMap`'s default hasher would draw random keys there, making two
/// builds of the same inputs differ (its keys are build-time paths, so there
/// is no untrusted input to flood it with).
type PathMap<V> = HashMap<String, V, BuildHasherDefault<DefaultHasher>>;

#[derive(Default)]
pub struct Index {
    modules: PathMap<ModuleEntry>,
    nodes: PathMap<Node>,
}

/// The index over the bundle, built on first use. In a snapshot it is
/// built during pre-initialization and costs nothing at run time.
pub fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| Index::build(&BUNDLE))
}

impl Index {
    pub fn build(root: &'static Dir<'static>) -> Index {
        let mut index = Index::default();
        index.nodes.insert("/".to_string(), Node::Dir(root));
        index.walk(root);
        index.collect_modules();
        index
    }

    fn walk(&mut self, dir: &'static Dir<'static>) {
        for entry in dir.entries() {
            let virt = virtual_path(entry.path().to_str().unwrap_or_default());
            match entry {
                DirEntry::Dir(d) => {
                    self.nodes.insert(virt, Node::Dir(d));
                    self.walk(d);
                }
                DirEntry::File(f) => {
                    self.nodes.insert(virt, Node::File(f.contents()));
                }
            }
        }
    }

    /// Derive dotted module names from the file tree: the stdlib root and
    /// site-packages are both top-level import roots.
    fn collect_modules(&mut self) {
        let mut found: Vec<(String, ModuleEntry)> = Vec::new();
        for (path, node) in &self.nodes {
            let Node::File(contents) = node else { continue };
            let Some((name, entry)) = self.module_for_file(path, contents) else { continue };
            found.push((name, entry));
        }
        for (name, entry) in found {
            // Source and bytecode arrive as separate files: merge them.
            let slot = self.modules.entry(name).or_insert(entry);
            slot.source = slot.source.or(entry.source);
            slot.bytecode = slot.bytecode.or(entry.bytecode);
        }
    }

    fn module_for_file(&self, path: &str, contents: &'static [u8]) -> Option<(String, ModuleEntry)> {
        let (py_path, source, bytecode) = if let Some(stem) = path.strip_suffix(".py") {
            (format!("{stem}.py"), Some(contents), None)
        } else if let Some(pyc) = path.strip_suffix(PYC_SUFFIX) {
            // dir/__pycache__/mod.cpython-3X.pyc -> dir/mod.py
            let (dir, stem) = pyc.rsplit_once("/__pycache__/")?;
            (format!("{dir}/{stem}.py"), None, Some(contents))
        } else {
            return None;
        };
        let rel = relative_to_roots(&py_path)?;
        let rel = rel.strip_suffix(".py")?;
        let (rel, is_package) = match rel.strip_suffix("/__init__") {
            Some(pkg) => (pkg, true),
            None => (rel, false),
        };
        // `foo-1.0.dist-info/x.py` or `data.d/x.py` are files, not modules.
        if rel.split('/').any(|part| !is_module_name_part(part)) {
            return None;
        }
        let dotted = rel.replace('/', ".");
        // Leaked once per module while the index is built (in the snapshot).
        let path: &'static str = Box::leak(py_path.into_boxed_str());
        Some((dotted, ModuleEntry { path, is_package, source, bytecode }))
    }

    pub fn module(&self, fullname: &str) -> Option<&ModuleEntry> {
        self.modules.get(fullname)
    }

    pub fn node(&self, path: &str) -> Option<Node> {
        let key = path.trim_end_matches('/');
        self.nodes.get(if key.is_empty() { "/" } else { key }).copied()
    }

    /// Does this embedded directory hold an `__init__` (source or bytecode)?
    pub fn has_init(&self, dir: &str) -> bool {
        self.nodes.contains_key(&format!("{dir}/__init__.py"))
            || self.nodes.contains_key(&format!("{dir}/__pycache__/__init__{PYC_SUFFIX}"))
    }

    pub fn is_dir(&self, path: &str) -> bool {
        matches!(self.node(path), Some(Node::Dir(_)))
    }

    /// Names of the entries of an embedded directory, sorted.
    pub fn list_dir(&self, path: &str) -> Option<Vec<String>> {
        let Node::Dir(dir) = self.node(path)? else { return None };
        let mut names: Vec<String> =
            dir.entries().iter().filter_map(|e| e.path().file_name()?.to_str().map(str::to_string)).collect();
        names.sort();
        Some(names)
    }

    pub fn module_names(&self) -> impl Iterator<Item = &str> {
        self.modules.keys().map(String::as_str)
    }
}

/// `usr/local/lib/python3.X/json/decoder.py` (relative to the bundle
/// root) -> its virtual path.
pub fn virtual_path(rel: &str) -> String {
    format!("/{rel}")
}

/// The import-root-relative part of a virtual path: site-packages, the app,
/// then the stdlib root.
pub fn relative_to_roots(path: &str) -> Option<&str> {
    for root in [SITE_PACKAGES_DIR, APP_DIR] {
        if let Some(rest) = path.strip_prefix(root).and_then(|r| r.strip_prefix('/')) {
            return Some(rest);
        }
    }
    let rest = path.strip_prefix(STDLIB_DIR)?.strip_prefix('/')?;
    if rest == "site-packages" || rest.starts_with("site-packages/") { None } else { Some(rest) }
}

/// A build setting carried in the bundle (`/etc/onepy/<name>`), as text.
pub fn setting(name: &str) -> Option<&'static str> {
    match index().node(&format!("{SETTINGS_DIR}/{name}"))? {
        Node::File(bytes) => std::str::from_utf8(bytes).ok(),
        Node::Dir(_) => None,
    }
}

/// A path component that can be part of a dotted module name. Not only
/// identifiers: `_sysconfigdata__wasi_wasm32-wasi` is imported by name.
fn is_module_name_part(s: &str) -> bool {
    !s.is_empty() && !s.contains(['.', ' ']) && !s.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots() {
        assert_eq!(relative_to_roots(&format!("{STDLIB_DIR}/json/decoder.py")), Some("json/decoder.py"));
        assert_eq!(relative_to_roots(&format!("{SITE_PACKAGES_DIR}/emoji/__init__.py")), Some("emoji/__init__.py"));
        assert_eq!(relative_to_roots(SITE_PACKAGES_DIR), None);
        assert_eq!(relative_to_roots("/etc/passwd"), None);
        assert_eq!(relative_to_roots("/app/__main__.py"), Some("__main__.py"));
    }

    #[test]
    fn module_name_parts() {
        assert!(is_module_name_part("json"));
        assert!(is_module_name_part("_sysconfigdata__wasi_wasm32-wasi"));
        assert!(!is_module_name_part("emoji-2.16.0.dist-info"));
        assert!(!is_module_name_part("1abc"));
        assert!(!is_module_name_part(""));
    }

    #[test]
    fn index_finds_stdlib_modules() {
        let index = index();
        let json = index.module("json").expect("json is embedded");
        assert!(json.is_package);
        assert_eq!(json.path, format!("{STDLIB_DIR}/json/__init__.py"));
        let decoder = index.module("json.decoder").expect("json.decoder is embedded");
        assert!(!decoder.is_package);
        assert!(decoder.source.is_some() || decoder.bytecode.is_some());
        assert!(index.is_dir(&format!("{STDLIB_DIR}/json")));
        assert!(index.list_dir(&format!("{STDLIB_DIR}/json")).unwrap().contains(&"decoder.py".to_string()));
        assert!(index.module("test").is_none(), "test/ is pruned from the bundle");
    }
}
