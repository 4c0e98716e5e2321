//! Run Python code in a fresh instance of a onepy module (python.wasm, or
//! any onepy build such as the numpy one) per call.
//!
//! [`Sandbox::new`] compiles the module once (or loads it from the on-disk
//! cache, see [`cache`]), links WASI preview 1 and keeps an [`InstancePre`].
//! [`Sandbox::run`] makes a new [`Store`] and instance for every call: with
//! the pooling allocator and copy-on-write memory images the interpreter's
//! snapshot is mapped, not copied, and nothing one call does is visible to
//! the next. The code runs as `python -c RUNNER` (see [`RUNNER`]): the
//! guest's `_onepy_sandbox` module takes the code and the JSON inputs from
//! the environment, runs the code in `__main__`, and writes `result` as JSON
//! to stdout after a per-call nonce, which the host's stdout pipe routes to
//! a separate buffer.
//!
//! Limits: wall-clock time (epoch interruption, one ticker thread per
//! sandbox, while wasm runs; a wrapped `poll_oneoff` while the guest sleeps
//! or waits, see `src/deadline.rs`), optional fuel, linear memory (a
//! [`ResourceLimiter`]: growth past the cap fails, so CPython raises
//! `MemoryError` where it can), and the size of stdout and stderr (a write
//! past the cap ends the call) and of the result. A trap ends only its own call; every ending is an [`Outcome`].
//! Host callbacks ([`callbacks`]) reach the code as `onepy_host.NAME(...)`.
//! [`Sandbox::session`] keeps one instance for many calls instead, and
//! [`Session::fork`] copies one ([`session`]'s documentation).

pub mod cache;
pub mod callbacks;
mod deadline;
pub mod pipe;
#[cfg(feature = "python")]
mod python;
mod reset_check;
pub mod session;
mod shadow;

use std::collections::BTreeMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;
use wasmtime::error::Context;
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, InstancePre, Linker, Module, PoolingAllocationConfig,
    ResourceLimiter, Store, Trap,
};
use wasmtime::{Result, bail};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

use crate::callbacks::Callbacks;
pub use crate::callbacks::{Callback, HOST_FD};
use crate::deadline::{CallClock, DeadlineExceeded};
use crate::pipe::{CappedPipe, Captured, OutputLimitExceeded, ResultLimitExceeded};
pub use crate::session::{DEFAULT_IDLE_TIMEOUT, Session};

/// The program `python -c` runs: the guest side of the sandbox is the
/// module `_onepy_sandbox` (src/python/_onepy_sandbox.py), part of every
/// onepy build and imported into its snapshot. It takes the code, the JSON
/// inputs and a per-call nonce from the environment (and removes them before
/// the code runs) and writes the JSON of `result` to stdout after the nonce,
/// which the host's stdout pipe routes to a separate buffer.
pub const RUNNER: &str = "import _onepy_sandbox; _onepy_sandbox.main()";

/// Bytes of a memory slot reset in place (not released) after a call: the
/// most a slot keeps private between calls. A slot holds the union of the
/// pages its calls dirtied, up to this, and every reset copies all of them
/// back, so this also bounds the copy. `make bench-sandbox` compares 1, 4
/// and 16 MiB (benches/sandbox.md): `print(1)` fits in 1 MiB, the numpy
/// snippet needs more (22 page faults per call at 1 MiB, none at 4 MiB).
const KEEP_RESIDENT: usize = 4 << 20;

/// The least time [`Sandbox::new`] gives its test call.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the ticker thread advances the engine's epoch.
const TICK: Duration = Duration::from_millis(2);

/// A host directory made visible to the guest.
#[derive(Clone, Debug)]
pub struct DirMapping {
    pub host: PathBuf,
    pub guest: String,
    pub read_only: bool,
}

/// Sandbox settings. `Options::default()` is what the Python package uses
/// when an argument is not given.
#[derive(Clone, Debug)]
pub struct Options {
    /// Wall-clock limit per call.
    pub timeout: Duration,
    /// Linear-memory cap in bytes.
    pub memory_limit: usize,
    /// Cap on each of stdout and stderr, in bytes.
    pub output_limit: usize,
    /// Cap on the JSON text of `result`.
    pub result_limit: usize,
    /// Fuel per call (None: no fuel metering, which is faster).
    pub fuel: Option<u64>,
    /// Environment variables the code sees (nothing else from the host).
    pub env: Vec<(String, String)>,
    /// Host directories the code sees (none by default).
    pub dirs: Vec<DirMapping>,
    /// A fresh empty host directory per call, mounted at `/tmp` and removed
    /// after the call (a session keeps one for all its calls, and a fork
    /// gets a copy).
    pub scratch: bool,
    /// wasmtime's `max_wasm_stack` (None: wasmtime's default).
    pub max_wasm_stack: Option<usize>,
    /// Instances that may run at once (pooling allocator slots).
    pub max_concurrency: u32,
    /// Where compiled modules are cached (None: [`cache::default_dir`]).
    pub cache_dir: Option<PathBuf>,
    /// Functions the code can call as `onepy_host.NAME(...)` (see
    /// [`callbacks`]), by name.
    pub callbacks: BTreeMap<String, Callback>,
    /// Benchmarks: measure [`Outcome::dirty_bytes`] (reads /proc/self/pagemap
    /// after every call, and resets slots by releasing their pages: slower).
    pub measure_dirty: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(30),
            memory_limit: 256 << 20,
            output_limit: 1 << 20,
            result_limit: 16 << 20,
            fuel: None,
            env: Vec::new(),
            dirs: Vec::new(),
            scratch: false,
            max_wasm_stack: None,
            max_concurrency: 64,
            cache_dir: None,
            callbacks: BTreeMap::new(),
            measure_dirty: false,
        }
    }
}

/// Why a call did not end normally. An exception in the code is not one of
/// these: it ends the call with exit code 1 and the traceback on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The wall-clock timeout (or the fuel) ran out.
    Timeout,
    /// Linear memory could not grow past the cap and the code did not recover.
    MemoryLimit,
    /// stdout or stderr went past the output limit.
    OutputLimit,
    /// The JSON text of `result` went past the result limit.
    ResultLimit,
    /// What came back as `result` is not JSON (only code that forges the
    /// runner's output can do that).
    InvalidResult,
    /// A trap (wasm `unreachable`, stack exhaustion, ...) or a host error.
    Crashed,
    /// A session call that did not run: an earlier call of the session hit
    /// a limit or crashed, so its state may be inconsistent ([`Session`]).
    SessionDead,
    /// A session call that did not run: the session was idle too long, or
    /// was closed, and its instance is gone ([`Session`]).
    SessionExpired,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Timeout => "timeout",
            ErrorKind::MemoryLimit => "memory_limit",
            ErrorKind::OutputLimit => "output_limit",
            ErrorKind::ResultLimit => "result_limit",
            ErrorKind::InvalidResult => "invalid_result",
            ErrorKind::Crashed => "crashed",
            ErrorKind::SessionDead => "session_dead",
            ErrorKind::SessionExpired => "session_expired",
        }
    }
}

/// What one call did.
#[derive(Debug)]
pub struct Outcome {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub stdout_truncated: bool,
    pub stderr_truncated: bool,
    /// The exit status (None when the call did not exit: a trap, a limit).
    pub exit_code: Option<i32>,
    /// The JSON text of the global `result`, if the code set one and exited:
    /// always valid JSON, within the result limit, nested at most 128 deep.
    pub result_json: Option<String>,
    pub error: Option<ErrorKind>,
    /// The trap, host error or reason behind `error`.
    pub error_detail: Option<String>,
    pub duration: Duration,
    /// With [`Options::measure_dirty`]: the bytes of linear memory the call
    /// made private (copied or zero-filled pages), Linux only.
    pub dirty_bytes: Option<u64>,
}

/// One call's input.
#[derive(Debug, Default)]
pub struct Call<'a> {
    pub code: &'a str,
    /// JSON text bound to the global `inputs` (None: `inputs = None`).
    pub inputs_json: Option<&'a str>,
    pub stdin: Option<Vec<u8>>,
}

struct Limiter {
    memory_limit: usize,
    memory_denied: bool,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool> {
        if desired > self.memory_limit {
            self.memory_denied = true;
            return Ok(false);
        }
        Ok(true)
    }
    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool> {
        Ok(desired <= 1 << 20)
    }
}

struct CallState {
    wasi: WasiP1Ctx,
    limiter: Limiter,
    /// When the call's time runs out: host calls that wait stop here.
    deadline: Instant,
    /// The origin of the guest's monotonic clock ([`CallClock`]).
    clock_origin: Instant,
    callbacks: Callbacks,
    /// The reply to the last callback, read by the guest with `fd_pread`.
    reply: Vec<u8>,
    /// The largest callback request accepted (the result limit).
    request_limit: usize,
}

struct Ticker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

/// A compiled module ready to be instantiated once per call. `Sync`: one
/// sandbox serves calls from many threads at once.
pub struct Sandbox {
    engine: Engine,
    pre: InstancePre<CallState>,
    options: Options,
    callbacks: Callbacks,
    hasher: RandomState,
    counter: AtomicU64,
    /// The live sessions, for the thread that expires idle ones.
    sessions: session::Registry,
    _ticker: Ticker,
}

/// The engine settings a sandbox with `options` uses.
pub fn engine_config(options: &Options) -> Config {
    let mut config = Config::new();
    config.epoch_interruption(true);
    config.consume_fuel(options.fuel.is_some());
    config.memory_init_cow(true);
    // Profiling the guest with `perf`: wasmtime writes /tmp/perf-PID.map.
    if std::env::var_os("ONEPY_SANDBOX_PERFMAP").is_some() {
        config.profiler(wasmtime::ProfilingStrategy::PerfMap);
    }
    if let Some(size) = options.max_wasm_stack {
        config.max_wasm_stack(size);
    }
    let mut pool = PoolingAllocationConfig::default();
    let slots = options.max_concurrency.max(1);
    pool.total_core_instances(slots)
        .total_memories(slots)
        .total_tables(slots)
        .total_stacks(slots)
        .max_memory_size(options.memory_limit.next_multiple_of(1 << 16))
        .table_elements(1 << 18)
        .max_core_instance_size(1 << 20);
    // Resetting a slot after a call: by default wasmtime drops every page the
    // call touched (madvise), so the next call page-faults again on each page
    // it reads from the snapshot and copies again each page it writes: about
    // half of a call's time was the kernel's. With PAGEMAP_SCAN (Linux 6.7+,
    // `Auto` falls back elsewhere) wasmtime finds the pages a call wrote and
    // copies them back from the image, up to `keep_resident` bytes, leaving
    // the mappings in place; the patched wasmtime (sandbox/vendor) scans past
    // 32 runs of dirty pages, so a warm slot takes no page faults at all.
    // The benchmark's dirty-page count needs slots that start clean, so it
    // turns this off.
    if !options.measure_dirty {
        let keep = keep_resident().unwrap_or(KEEP_RESIDENT);
        pool.linear_memory_keep_resident(keep).table_keep_resident(1 << 20).pagemap_scan(Enabled::Auto);
    }
    // Left at wasmtime's defaults, measured (docs/sandbox.md): lazy table
    // initialisation (`table_lazy_init(false)` made each instantiation
    // initialise CPython's whole function table: ~0.8 ms more CPU per
    // `print(1)` call) and the Spectre mitigation of table accesses (no gain
    // measurable here, and the code is untrusted).
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    config
}

/// `ONEPY_SANDBOX_KEEP_RESIDENT`: bytes of a memory slot to reset in place,
/// instead of [`KEEP_RESIDENT`] (benchmarks use it to size that constant).
fn keep_resident() -> Result<usize> {
    match std::env::var("ONEPY_SANDBOX_KEEP_RESIDENT") {
        Err(std::env::VarError::NotPresent) => Ok(KEEP_RESIDENT),
        Ok(v) => match v.parse::<usize>() {
            Ok(n) if n % 4096 == 0 => Ok(n),
            _ => bail!("ONEPY_SANDBOX_KEEP_RESIDENT={v:?} is not a number of bytes that is a multiple of 4096"),
        },
        Err(e) => bail!("ONEPY_SANDBOX_KEEP_RESIDENT: {e}"),
    }
}

impl Sandbox {
    /// A sandbox running the module at `path`.
    pub fn from_file(path: &Path, options: Options) -> Result<Sandbox> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        Sandbox::new(&bytes, options)
    }

    /// A sandbox running the module `wasm` (a wasm binary).
    pub fn new(wasm: &[u8], options: Options) -> Result<Sandbox> {
        keep_resident()?;
        let engine = Engine::new(&engine_config(&options))?;
        let dir = match &options.cache_dir {
            Some(d) => d.clone(),
            None => cache::default_dir(),
        };
        let module = cache::load_or_compile(&engine, wasm, &dir)?;
        check_imports(&module)?;
        let mut linker: Linker<CallState> = Linker::new(&engine);
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |s: &mut CallState| &mut s.wasi)?;
        linker.allow_shadowing(true);
        deadline::add_to_linker(&mut linker)?;
        callbacks::add_to_linker(&mut linker)?;
        linker.allow_shadowing(false);
        let pre = linker.instantiate_pre(&module)?;

        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let engine = engine.clone();
            let stop = stop.clone();
            std::thread::Builder::new().name("onepy-sandbox-epoch".into()).spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::park_timeout(TICK);
                    engine.increment_epoch();
                }
            })?
        };
        let sandbox = Sandbox {
            engine,
            pre,
            callbacks: Arc::new(options.callbacks.clone()),
            options,
            hasher: RandomState::new(),
            counter: AtomicU64::new(0),
            sessions: session::Registry::default(),
            _ticker: Ticker { stop, thread: Some(thread) },
        };
        // Fail here, not on the first call, if the pool cannot hold the
        // module or it is not a onepy build with the guest runner.
        // Its own timeout: a first call can be slow on a loaded machine, and
        // a short timeout is no reason to refuse the module.
        let probe_timeout = sandbox.options.timeout.max(PROBE_TIMEOUT);
        let probe = sandbox.run_for(&Call { code: "result = 1", ..Call::default() }, probe_timeout)?;
        if probe.result_json.as_deref() != Some("1") {
            bail!(
                "the module did not run a test call (is it a onepy build with _onepy_sandbox?): \
                 error {:?}, exit code {:?}, stderr: {}",
                probe.error.map(ErrorKind::as_str),
                probe.exit_code,
                String::from_utf8_lossy(&probe.stderr).trim_end()
            );
        }
        // Refuse to run calls that could see each other's memory.
        reset_check::check(&sandbox)?;
        Ok(sandbox)
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    fn store(&self, wasi: WasiP1Ctx, started: Instant, timeout: Duration) -> Store<CallState> {
        let limiter = Limiter { memory_limit: self.options.memory_limit, memory_denied: false };
        // A timeout too large for an Instant (Duration::MAX) waits "forever".
        let forever = Duration::from_secs(1 << 32);
        let deadline = started.checked_add(timeout).unwrap_or_else(|| started + forever);
        let state = CallState {
            wasi,
            limiter,
            deadline,
            clock_origin: started,
            callbacks: self.callbacks.clone(),
            reply: Vec::new(),
            request_limit: self.options.result_limit,
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        store
    }

    fn nonce(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let a = self.hasher.hash_one((n, Instant::now()));
        let b = self.hasher.hash_one((a, n, std::thread::current().id()));
        format!("onepy-sandbox-result-{a:016x}{b:016x}")
    }

    /// Runs `call` in a fresh instance. Errors are the host's (a scratch
    /// directory that cannot be made, code with a NUL byte); everything the
    /// guest does, traps included, is an [`Outcome`].
    pub fn run(&self, call: &Call<'_>) -> Result<Outcome> {
        self.run_for(call, self.options.timeout)
    }

    fn run_for(&self, call: &Call<'_>, timeout: Duration) -> Result<Outcome> {
        let started = Instant::now();
        if call.code.contains('\0') || call.inputs_json.is_some_and(|s| s.contains('\0')) {
            bail!("code and inputs must not contain NUL characters");
        }
        let nonce = self.nonce();
        let stdout =
            CappedPipe::new(self.options.output_limit, Some(nonce.as_bytes().to_vec()), self.options.result_limit);
        let stderr = CappedPipe::new(self.options.output_limit, None, 0);
        let scratch = if self.options.scratch { Some(ScratchDir::new()?) } else { None };
        let mut b = self.wasi_builder(&stdout, &stderr, started, scratch.as_ref())?;
        b.args(&["python", "-c", RUNNER]);
        b.env("ONEPY_SANDBOX_NONCE", &nonce);
        b.env("ONEPY_SANDBOX_CODE", call.code);
        if let Some(inputs) = call.inputs_json {
            b.env("ONEPY_SANDBOX_INPUTS", inputs);
        }
        if let Some(data) = &call.stdin {
            b.stdin(MemoryInputPipe::new(data.clone()));
        }

        let mut store = self.store(b.build_p1(), started, timeout);
        self.arm(&mut store, timeout)?;
        // Fails when `max_concurrency` instances are already running.
        let instance = self.pre.instantiate(&mut store).context("instantiating the module")?;
        let ran = instance.get_typed_func::<(), ()>(&mut store, "_start").and_then(|start| start.call(&mut store, ()));
        let dirty_bytes = match self.options.measure_dirty {
            true => instance
                .get_memory(&mut store, "memory")
                .and_then(|m| dirty_bytes(m.data_ptr(&store) as usize, m.data_size(&store))),
            false => None,
        };
        let memory_denied = store.data().limiter.memory_denied;
        drop(store);
        drop(scratch);
        let mut outcome = self.outcome(ran.map(|()| 0), memory_denied, stdout.take(), stderr.take(), started);
        outcome.dirty_bytes = dirty_bytes;
        Ok(outcome)
    }

    /// A WASI context with what every instance of this sandbox gets: its
    /// environment, directories, the scratch directory as `/tmp`, the
    /// monotonic clock starting at `clock_origin`, stdout and stderr.
    fn wasi_builder(
        &self,
        stdout: &CappedPipe,
        stderr: &CappedPipe,
        clock_origin: Instant,
        scratch: Option<&ScratchDir>,
    ) -> Result<WasiCtxBuilder> {
        let mut b = WasiCtxBuilder::new();
        b.monotonic_clock(CallClock(clock_origin));
        for (k, v) in &self.options.env {
            b.env(k, v);
        }
        b.stdout(stdout.clone());
        b.stderr(stderr.clone());
        for d in &self.options.dirs {
            let perms = if d.read_only { FsPerms::ReadOnly } else { FsPerms::ReadWrite };
            b.preopened_dir(&d.host, &d.guest, perms).with_context(|| format!("preopening {}", d.host.display()))?;
        }
        if let Some(s) = scratch {
            b.preopened_dir(&s.0, "/tmp", FsPerms::ReadWrite)?;
        }
        Ok(b)
    }

    /// Gives the next call in `store` `timeout` of wall-clock time (epoch
    /// ticks) and its fuel.
    fn arm(&self, store: &mut Store<CallState>, timeout: Duration) -> Result<()> {
        // Capped: wasmtime adds the current epoch to it.
        let ticks = (timeout.as_nanos().div_ceil(TICK.as_nanos()) + 1).min(1 << 62) as u64;
        store.set_epoch_deadline(ticks);
        if let Some(fuel) = self.options.fuel {
            store.set_fuel(fuel)?;
        }
        Ok(())
    }

    /// The [`Outcome`] of a call that ended with `ran` (the exit status, or
    /// the trap or host error), given what it wrote.
    fn outcome(
        &self,
        ran: Result<i32>,
        memory_denied: bool,
        out: Captured,
        err: Captured,
        started: Instant,
    ) -> Outcome {
        let (exit_code, mut error, mut error_detail) = match ran {
            Ok(status) => (Some(status), None, None),
            Err(e) => {
                if let Some(exit) = e.downcast_ref::<I32Exit>() {
                    (Some(exit.0), None, None)
                } else if let Some(over) = e.downcast_ref::<ResultLimitExceeded>() {
                    (None, Some(ErrorKind::ResultLimit), Some(over.to_string()))
                } else if e.downcast_ref::<OutputLimitExceeded>().is_some() || out.truncated || err.truncated {
                    (None, Some(ErrorKind::OutputLimit), Some(format!("{e:#}")))
                } else {
                    let kind = match e.downcast_ref::<Trap>() {
                        Some(Trap::Interrupt) | Some(Trap::OutOfFuel) => ErrorKind::Timeout,
                        _ if e.downcast_ref::<DeadlineExceeded>().is_some() => ErrorKind::Timeout,
                        _ => ErrorKind::Crashed,
                    };
                    (None, Some(kind), Some(format!("{e:#}")))
                }
            }
        };
        // Growth was refused and the program did not recover from it.
        if memory_denied && exit_code != Some(0) && error != Some(ErrorKind::Timeout) {
            error = Some(ErrorKind::MemoryLimit);
            let why =
                format!("linear memory could not grow past the memory limit of {} bytes", self.options.memory_limit);
            error_detail = Some(match error_detail {
                Some(d) => format!("{why} ({d})"),
                None => why,
            });
        }
        // The result counts only from a guest that exited: one cut short by
        // a trap may have written part of it.
        let result_json = match out.result.filter(|_| exit_code.is_some()).map(checked_json).transpose() {
            Ok(json) => json,
            Err(why) => {
                if error.is_none() {
                    error = Some(ErrorKind::InvalidResult);
                    error_detail = Some(why);
                }
                None
            }
        };
        Outcome {
            stdout: out.bytes,
            stderr: err.bytes,
            stdout_truncated: out.truncated,
            stderr_truncated: err.truncated,
            exit_code,
            result_json,
            error,
            error_detail,
            duration: started.elapsed(),
            dirty_bytes: None,
        }
    }
}

/// How deep a result may nest: serde_json's default limit, so the host's
/// own parse (`serde_json::from_str`, the CLI, Python's `json.loads`)
/// cannot fail or recurse deeply on a result the sandbox hands back.
pub const RESULT_MAX_DEPTH: usize = 128;

/// `bytes` as a JSON text, or why it is not one.
fn checked_json(bytes: Vec<u8>) -> std::result::Result<String, String> {
    let text = String::from_utf8(bytes).map_err(|e| format!("the result is not UTF-8: {e}"))?;
    // IgnoredAny: serde_json checks the syntax without building the value
    // (and without recursion, so it does not check the depth).
    serde_json::from_str::<serde::de::IgnoredAny>(&text).map_err(|e| format!("the result is not JSON: {e}"))?;
    if json_depth(text.as_bytes()) > RESULT_MAX_DEPTH {
        return Err(format!("the result is nested more than {RESULT_MAX_DEPTH} levels deep"));
    }
    Ok(text)
}

/// The deepest nesting of arrays and objects in a valid JSON text.
fn json_depth(text: &[u8]) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in text {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The module may import only WASI preview 1.
fn check_imports(module: &Module) -> Result<()> {
    for import in module.imports() {
        if import.module() != "wasi_snapshot_preview1" {
            bail!("the module imports {}::{}, not WASI preview 1", import.module(), import.name());
        }
    }
    Ok(())
}

/// The bytes of `[start, start + len)` this process holds as private pages
/// (see [`reset_check::private_pages`]). Linux only.
fn dirty_bytes(start: usize, len: usize) -> Option<u64> {
    reset_check::private_pages(start, len).map(|pages| (pages.len() * 4096) as u64)
}

struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new() -> Result<ScratchDir> {
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("onepy-sandbox-{}-{n}", std::process::id()));
        std::fs::create_dir(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(ScratchDir(path))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Outcome {
    /// The outcome as the JSON object the CLI writes: text as UTF-8 (invalid
    /// bytes replaced), `result` decoded, `duration` in seconds.
    pub fn to_json(&self) -> serde_json::Value {
        let result = match &self.result_json {
            Some(text) => serde_json::from_str(text).unwrap_or(serde_json::Value::Null),
            None => serde_json::Value::Null,
        };
        serde_json::json!({
            "stdout": String::from_utf8_lossy(&self.stdout),
            "stderr": String::from_utf8_lossy(&self.stderr),
            "exit_code": self.exit_code,
            "result": result,
            "error": self.error.map(ErrorKind::as_str),
            "error_detail": self.error_detail,
            "duration": self.duration.as_secs_f64(),
            "stdout_truncated": self.stdout_truncated,
            "stderr_truncated": self.stderr_truncated,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_checked() {
        assert_eq!(checked_json(b"{\"a\": [1, \"]]\\\"[\"]}".to_vec()).unwrap(), "{\"a\": [1, \"]]\\\"[\"]}");
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n)).into_bytes();
        assert!(checked_json(deep(RESULT_MAX_DEPTH)).is_ok());
        let e = checked_json(deep(RESULT_MAX_DEPTH + 1)).unwrap_err();
        assert!(e.contains("nested more than 128"), "{e}");
        // Brackets inside strings do not nest.
        let mut in_strings = deep(RESULT_MAX_DEPTH);
        in_strings.splice(1..1, b"\"[[[\\\\\",".iter().copied());
        assert!(checked_json(in_strings).is_ok());
        for bad in [&b"[1, 2"[..], b"NaN", b"\"\xff\"", b"1 2", b"", b"{'a': 1}"] {
            assert!(checked_json(bad.to_vec()).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        assert!(checked_json(b"\"\xff\"".to_vec()).unwrap_err().contains("not UTF-8"));
    }
}
