//! Link the guest against the prebuilt static CPython made by
//! `make libpython` (scripts/libpython.sh); our replacement for wlr-libpy's
//! `configure_static_libs`. It never downloads or builds anything.
//!
//! Where libpython comes from: `ONEPY_LIBPYTHON_DIR` if set, else the cache
//! directory that `scripts/libpython.sh dir` names for the current inputs.
//! pyo3 gets its configuration from that directory's `pyo3-config.txt`
//! through `PYO3_CONFIG_FILE`, which the Makefile exports (pyo3's own build
//! script runs before this one), so no host Python is consulted. Build
//! through `make build`, which sets it and `ONEPY_BUNDLE_DIR`.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// compiler-rt's builtins from libpython's `lib/`: linked last, after libc.
const BUILTINS: &str = "clang_rt.builtins-wasm32";
/// Library names in a package's link.txt (scripts/package_builder/build.py).
const CXXABI_WITH_EXCEPTIONS: &str = "c++abi-wasm-eh";
const CXX_EXCEPTION_STUBS: &str = "onepy_cxx_exception_stubs";

/// Emulation libraries from wasi-libc that CPython's WASI port relies on.
const WASI_LIBS: &[&str] =
    &["wasi-emulated-signal", "wasi-emulated-getpid", "wasi-emulated-process-clocks", "wasi-emulated-mman", "dl"];

fn main() {
    if let Err(err) = run() {
        // One clear line; cargo shows it under "error: failed to run custom build command".
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=ONEPY_LIBPYTHON_DIR");
    println!("cargo:rerun-if-env-changed=ONEPY_BUNDLE_DIR");
    for input in ["sources.lock", "scripts/libpython.sh", "patches"] {
        println!("cargo:rerun-if-changed={input}");
    }

    let target = std::env::var("TARGET").unwrap_or_default();
    if target != "wasm32-wasip1" {
        bail!("onepy's guest builds only for wasm32-wasip1 (got target '{target}'): use `make build`");
    }

    let dir = libpython_dir()?;
    let lib = dir.join("lib");
    let version = python_version(&dir)?;
    let libpython = format!("python{version}");
    if !dir.join(".complete").is_file() || !lib.join(format!("lib{libpython}.a")).is_file() {
        bail!("libpython for wasm32-wasip1 not found in {}: run `make libpython`", dir.display());
    }
    // The one version pin (sources.lock) reaches the guest's code as
    // ONEPY_PYTHON_MM ("3.14") and ONEPY_PYTHON_NODOT ("314").
    println!("cargo:rustc-env=ONEPY_PYTHON_MM={version}");
    println!("cargo:rustc-env=ONEPY_PYTHON_NODOT={}", version.replace('.', ""));
    embed_bundle(&version)?;
    let wasi_lib = dir.join("sysroot/lib/wasm32-wasi");

    // Link against the same wasi-libc CPython was compiled with (trixie's),
    // not Rust's bundled copy: `.cargo/config.toml` sets
    // `-C link-self-contained=no`, so the C runtime start file comes from here.
    println!("cargo:rustc-link-search=native={}", lib.display());
    println!("cargo:rustc-link-search=native={}", wasi_lib.display());
    println!("cargo:rustc-link-arg={}", wasi_lib.join("crt1-command.o").display());
    // Before libc: a C extension may need libc-printscan-long-double, whose
    // strtold/printf must win over libc.a's stubs (the first archive wins).
    link_c_extensions()?;
    // libpython, then every other library `make libpython` put in lib/
    // (libmpdec, libexpat, HACL*'s hash libraries, zlib, bzip2, liblzma,
    // zstd, SQLite: scripts/libpython.sh install_outputs decides the set;
    // rust-lld resolves archive members whatever their order).
    let mut libs = vec![libpython.clone()];
    libs.extend(static_libs_in(&lib)?.into_iter().filter(|l| *l != libpython && l != BUILTINS));
    for name in libs.iter().map(String::as_str).chain(WASI_LIBS.iter().copied()) {
        println!("cargo:rustc-link-lib=static={name}");
    }
    println!("cargo:rustc-link-lib=static=c");
    // sqlite3 uses compiler-rt's long-double helpers.
    println!("cargo:rustc-link-lib=static={BUILTINS}");
    // 8 MiB of linear-memory stack for deep C recursion in CPython.
    println!("cargo:rustc-link-arg=-zstack-size=8388608");
    // A warning fails the link. The one that matters: a function called
    // through a declaration of another signature (a C library's `int f()`
    // that a package declares `void f()`) links as a stub that traps when
    // called, and wasm-ld says so only as "function signature mismatch".
    println!("cargo:rustc-link-arg=--fatal-warnings");
    println!("cargo:rerun-if-changed={}", dir.join(".complete").display());
    Ok(())
}

/// C-extension packages built by scripts/package_builder: `ONEPY_CEXT_DIRS` lists
/// their output directories (`:`-separated). Each gives a static library,
/// the extra libraries it needs (`link.txt`) and its `inittab.txt`, from
/// which `$OUT_DIR/cext_inittab.rs` registers every module as a builtin.
fn link_c_extensions() -> Result<()> {
    println!("cargo:rerun-if-env-changed=ONEPY_CEXT_DIRS");
    let dirs: Vec<PathBuf> = std::env::var("ONEPY_CEXT_DIRS")
        .unwrap_or_default()
        .split(':')
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .collect();
    let mut externs = String::new();
    let mut table = String::new();
    let mut wrappers = String::new();
    let mut extra_libs: Vec<String> = Vec::new();
    for dir in &dirs {
        let inittab = dir.join("inittab.txt");
        let text = std::fs::read_to_string(&inittab).with_context(|| format!("reading {}", inittab.display()))?;
        println!("cargo:rerun-if-changed={}", dir.join(".complete").display());
        println!("cargo:rustc-link-search=native={}", dir.join("lib").display());
        // The C++ exception stubs (a link.txt entry, linked once for all
        // packages) and the C libraries its recipe declared (recipes/clibs/),
        // named in link.txt.
        for sub in ["stubs", "clib"] {
            if dir.join(sub).is_dir() {
                println!("cargo:rustc-link-search=native={}", dir.join(sub).display());
            }
        }
        for lib in std::fs::read_dir(dir.join("lib"))? {
            let name = lib?.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_prefix("lib").and_then(|n| n.strip_suffix(".a")) {
                println!("cargo:rustc-link-lib=static:+whole-archive={stem}");
            }
        }
        for lib in std::fs::read_to_string(dir.join("link.txt"))?.split_whitespace() {
            if !extra_libs.iter().any(|l| l == lib) {
                extra_libs.push(lib.to_string());
            }
        }
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let (module, init) =
                line.split_once(' ').with_context(|| format!("{}: bad line {line:?}", inittab.display()))?;
            // Each init runs through a wrapper of its own (the inittab's
            // functions take no argument) that names its package
            // (src/extensions.rs: in_package_context).
            let wrapper = format!("onepy_init_{}", table.lines().count());
            externs.push_str(&format!("    fn {init}() -> *mut pyo3::ffi::PyObject;\n"));
            wrappers.push_str(&format!(
                "unsafe extern \"C\" fn {wrapper}() -> *mut pyo3::ffi::PyObject {{\n    \
                 unsafe {{ in_package_context(c\"{module}\", {init}) }}\n}}\n"
            ));
            table.push_str(&format!("    (c\"{module}\", {wrapper}),\n"));
        }
    }
    // A package with C++ exceptions brings libc++ and libc++abi built with
    // them (recipes/clibs/libcxx-wasm-eh.toml): they replace Debian's, and a
    // throw in the other packages' C++ then really throws, so their
    // abort-on-throw stubs go too.
    if extra_libs.iter().any(|l| l == CXXABI_WITH_EXCEPTIONS) {
        extra_libs.retain(|l| l != "c++" && l != "c++abi" && l != CXX_EXCEPTION_STUBS);
    }
    if extra_libs.iter().any(|l| l.starts_with("c++")) {
        let libcxx = std::env::var("ONEPY_LIBCXX_DIR").unwrap_or_else(|_| "/usr/lib/llvm-19/lib/wasm32-wasi".into());
        println!("cargo:rerun-if-env-changed=ONEPY_LIBCXX_DIR");
        println!("cargo:rustc-link-search=native={libcxx}");
    }
    for lib in &extra_libs {
        println!("cargo:rustc-link-lib=static={lib}");
    }
    let code = format!(
        "// Generated by build.rs from ONEPY_CEXT_DIRS.\n\
         unsafe extern \"C\" {{\n{externs}}}\n\
         {wrappers}\
         /// (dotted module name, init function) of every linked C extension.\n\
         pub static EXTENSIONS: &[(&std::ffi::CStr, unsafe extern \"C\" fn() -> *mut pyo3::ffi::PyObject)] = &[\n{table}];\n"
    );
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("cext_inittab.rs");
    std::fs::write(&out, code).with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}

/// The tree `include_dir!` embeds (src/embedded.rs): `ONEPY_BUNDLE_DIR`, else
/// stdlib-bundle/. Handed to the macro through rustc's environment; a change
/// anywhere in the tree rebuilds the guest.
fn embed_bundle(version: &str) -> Result<()> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let bundle = match std::env::var_os("ONEPY_BUNDLE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => manifest.join("stdlib-bundle"),
    };
    let stdlib = bundle.join(format!("usr/local/lib/python{version}"));
    if !stdlib.join("os.py").is_file() && !stdlib.join("__pycache__").is_dir() {
        bail!("no stdlib bundle in {}: run `make bundle`", bundle.display());
    }
    println!("cargo:rustc-env=ONEPY_BUNDLE_DIR={}", bundle.display());
    println!("cargo:rerun-if-changed={}", bundle.display());
    Ok(())
}

/// `name` of every `libname.a` in `dir`, sorted.
fn static_libs_in(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let file = entry?.file_name().to_string_lossy().into_owned();
        if let Some(stem) = file.strip_prefix("lib").and_then(|f| f.strip_suffix(".a")) {
            names.push(stem.to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// The `major.minor` libpython was built as (`version=` in pyo3-config.txt,
/// written by scripts/libpython.sh from the sources.lock pin).
fn python_version(dir: &Path) -> Result<String> {
    let config = dir.join("pyo3-config.txt");
    let text = std::fs::read_to_string(&config)
        .with_context(|| format!("reading {} (run `make libpython`)", config.display()))?;
    text.lines()
        .find_map(|l| l.strip_prefix("version="))
        .map(|v| v.trim().to_string())
        .with_context(|| format!("{}: no version= line", config.display()))
}

fn libpython_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("ONEPY_LIBPYTHON_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let script = manifest.join("scripts/libpython.sh");
    cache_dir_from_script(&script)
}

/// Ask the libpython script which cache directory the current inputs map to.
/// (`dir` only hashes files; it builds and downloads nothing.)
fn cache_dir_from_script(script: &Path) -> Result<PathBuf> {
    let out = Command::new("bash")
        .arg(script)
        .arg("dir")
        .output()
        .with_context(|| format!("running `bash {} dir`", script.display()))?;
    if !out.status.success() {
        bail!("`bash {} dir` failed: {}", script.display(), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(PathBuf::from(String::from_utf8(out.stdout)?.trim()))
}
