//! Running the built module under the wasmtime CLI, for the end-to-end
//! tests. Nothing here builds the module: `make test` builds first, and a
//! missing module or wasmtime is a loud failure, never a skip.

use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Which build of the guest to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// `python.wasm`: pre-initialized by wizer.
    Snapshot,
    /// `build/python-noinit.wasm`: initializes at every start.
    NoInit,
}

impl Variant {
    pub const ALL: [Variant; 2] = [Variant::Snapshot, Variant::NoInit];

    pub fn module(self) -> PathBuf {
        match self {
            Variant::Snapshot => repo_root().join("python.wasm"),
            Variant::NoInit => repo_root().join("build/python-noinit.wasm"),
        }
    }
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("host/ has a parent").to_path_buf()
}

fn script_output(args: &[&str]) -> Result<String> {
    let out = Command::new("bash")
        .args(args)
        .current_dir(repo_root())
        .output()
        .with_context(|| format!("running bash {}", args.join(" ")))?;
    if !out.status.success() {
        bail!("bash {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_string())
}

/// The wasmtime CLI: `ONEPY_WASMTIME`, else what `scripts/deps.sh` names.
pub fn wasmtime() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let path = match std::env::var_os("ONEPY_WASMTIME") {
            Some(p) => PathBuf::from(p),
            None => PathBuf::from(script_output(&["scripts/deps.sh", "wasmtime"]).expect("locating wasmtime")),
        };
        assert!(path.is_file(), "wasmtime not found at {}: run `make deps`", path.display());
        path
    })
}

/// The CPython version of the one pin, the cpython line of sources.lock
/// (`3.14.7`), as scripts/pyversion.py reads it.
pub fn python_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let out = Command::new("python3")
            .args(["scripts/pyversion.py", "version"])
            .current_dir(repo_root())
            .output()
            .expect("running python3 scripts/pyversion.py");
        assert!(out.status.success(), "scripts/pyversion.py: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8 version").trim().to_string()
    })
}

/// `3.14`: the part of the version in `python3.X` names.
pub fn python_mm() -> &'static str {
    let v = python_version();
    let second_dot = v.match_indices('.').nth(1).map_or(v.len(), |(i, _)| i);
    &v[..second_dot]
}

/// The embedded standard library's path inside the module (`/usr/local/lib/python3.X`).
pub fn stdlib_dir() -> String {
    format!("/usr/local/lib/python{}", python_mm())
}

/// `text` with `{stdlib}`, `{version}` and `{mm}` replaced by this build's
/// (expected outputs in tests name the version through these).
pub fn versioned(text: &str) -> String {
    text.replace("{stdlib}", &stdlib_dir()).replace("{version}", python_version()).replace("{mm}", python_mm())
}

/// The libpython cache directory (native build-python, stock WASI build).
pub fn libpython_dir() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| match std::env::var_os("ONEPY_LIBPYTHON_DIR") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(script_output(&["scripts/libpython.sh", "dir"]).expect("locating libpython")),
    })
}

/// The Python of the package builder's tools venv (the Makefile's
/// TOOLS_VENV, keyed by libpython and recipes/build-tools.txt), which
/// `make packages` creates; the Makefile exports its path.
pub fn tools_python() -> PathBuf {
    let venv = std::env::var_os("ONEPY_TOOLS_VENV").expect("ONEPY_TOOLS_VENV is not set: run the tests through make");
    let python = PathBuf::from(venv).join("bin/python");
    assert!(python.is_file(), "{} is missing: run `make packages PACKAGES=...` once", python.display());
    python
}

/// The native CPython built from the same sources.
pub fn build_python() -> PathBuf {
    let path = libpython_dir().join(format!("native/bin/python{}", python_mm()));
    assert!(path.is_file(), "native build-python not found at {}: run `make libpython`", path.display());
    path
}

/// A `.cwasm` of the variant, compiled once per test process (keyed by the
/// module's size and mtime) so each test run does not pay the compile.
pub fn precompiled(variant: Variant) -> PathBuf {
    static SNAPSHOT: OnceLock<PathBuf> = OnceLock::new();
    static NOINIT: OnceLock<PathBuf> = OnceLock::new();
    let cell = match variant {
        Variant::Snapshot => &SNAPSHOT,
        Variant::NoInit => &NOINIT,
    };
    cell.get_or_init(|| compile(&variant.module()).expect("precompiling the module")).clone()
}

pub fn compile(module: &Path) -> Result<PathBuf> {
    // One compile at a time per test process: threads share the output name.
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let meta =
        std::fs::metadata(module).with_context(|| format!("{} is missing: run `make build`", module.display()))?;
    let stamp = format!(
        "{}-{}-{}",
        module.file_stem().unwrap_or_default().to_string_lossy(),
        meta.len(),
        meta.modified()?.duration_since(std::time::UNIX_EPOCH)?.as_nanos()
    );
    let dir = repo_root().join("target/e2e");
    std::fs::create_dir_all(&dir)?;
    let out = dir.join(format!("{stamp}.cwasm"));
    if !out.is_file() {
        let tmp = dir.join(format!("{stamp}.{}.tmp", std::process::id()));
        let status = Command::new(wasmtime())
            .arg("compile")
            .arg("-o")
            .arg(&tmp)
            .arg(module)
            .status()
            .context("running wasmtime compile")?;
        if !status.success() {
            bail!("wasmtime compile {} failed", module.display());
        }
        std::fs::rename(&tmp, &out)?;
    }
    Ok(out)
}

/// One run's result.
#[derive(Debug)]
pub struct Output {
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Output {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// The run ended as a Python program ends: no wasm trap, no Rust
    /// panic, no wasmtime error.
    pub fn assert_clean(&self) -> &Self {
        let err = self.stderr();
        for marker in ["wasm trap", "panicked", "internal error", "error while executing", "wasm backtrace"] {
            assert!(!err.contains(marker), "stderr shows `{marker}`:\n{err}");
        }
        self
    }
}

/// Options of one run.
#[derive(Default, Clone)]
pub struct Run {
    pub stdin: Option<Vec<u8>>,
    /// `--dir HOST::GUEST` mappings.
    pub dirs: Vec<(PathBuf, String)>,
    /// `--env K=V` variables.
    pub env: Vec<(String, String)>,
    /// Extra wasmtime flags before the module.
    pub wasmtime_flags: Vec<String>,
    /// argv[0] for the guest (default `python3`).
    pub argv0: Option<String>,
}

impl Run {
    pub fn stdin(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(data.into());
        self
    }

    pub fn dir(mut self, host: impl Into<PathBuf>, guest: &str) -> Self {
        self.dirs.push((host.into(), guest.to_string()));
        self
    }

    /// A wasmtime flag before the module (`-W max-memory-size=...`).
    pub fn wasmtime_flag(mut self, flag: &str) -> Self {
        self.wasmtime_flags.push(flag.to_string());
        self
    }

    /// Cap the module's memory, as an embedder would (`-W max-memory-size`).
    pub fn max_memory(self, bytes: u64) -> Self {
        self.wasmtime_flag("-W").wasmtime_flag(&format!("max-memory-size={bytes}"))
    }

    pub fn argv0(mut self, argv0: &str) -> Self {
        self.argv0 = Some(argv0.to_string());
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Run the variant's precompiled module with `args` (OS strings, so a
    /// test can pass invalid UTF-8).
    pub fn run<S: AsRef<std::ffi::OsStr>>(&self, variant: Variant, args: &[S]) -> Output {
        self.run_module(&precompiled(variant), true, args)
    }

    pub fn run_module<S: AsRef<std::ffi::OsStr>>(&self, module: &Path, precompiled: bool, args: &[S]) -> Output {
        let mut cmd = Command::new(wasmtime());
        cmd.arg("run");
        if precompiled {
            cmd.arg("--allow-precompiled");
        }
        cmd.args(&self.wasmtime_flags);
        for (host, guest) in &self.dirs {
            cmd.arg("--dir").arg(format!("{}::{guest}", host.display()));
        }
        for (k, v) in &self.env {
            cmd.arg("--env").arg(format!("{k}={v}"));
        }
        // The guest sees `python3` as argv[0], like a `python3` command.
        cmd.arg("--argv0").arg(self.argv0.as_deref().unwrap_or("python3"));
        cmd.arg(module).args(args);
        cmd.stdin(if self.stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawning wasmtime");
        if let Some(data) = &self.stdin {
            let mut pipe = child.stdin.take().expect("piped stdin");
            let data = data.clone();
            std::thread::spawn(move || {
                let _ = pipe.write_all(&data);
            });
        }
        let out = child.wait_with_output().expect("waiting for wasmtime");
        Output { status: out.status.code().unwrap_or(-1), stdout: out.stdout, stderr: out.stderr }
    }
}

/// Shorthand: run `args` on `variant` with no stdin, no preopens.
pub fn run<S: AsRef<std::ffi::OsStr>>(variant: Variant, args: &[S]) -> Output {
    Run::default().run(variant, args)
}

/// Run the native build-python the same way, for differential tests.
pub fn run_native<S: AsRef<std::ffi::OsStr>>(args: &[S], stdin: Option<&[u8]>, cwd: &Path) -> Output {
    let mut cmd = Command::new(build_python());
    cmd.args(["-I", "-X", "utf8"]).args(args).current_dir(cwd);
    cmd.env_clear().env("LC_ALL", "C.UTF-8");
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawning build-python");
    if let Some(data) = stdin {
        child.stdin.take().expect("piped").write_all(data).expect("writing stdin");
    }
    let out = child.wait_with_output().expect("waiting for build-python");
    Output { status: out.status.code().unwrap_or(-1), stdout: out.stdout, stderr: out.stderr }
}
