//! Sessions: one instance kept for many calls, so a call sees the globals,
//! imports and scratch files of the session's earlier calls.
//!
//! A call enters the guest through the export `onepy_sandbox_call`
//! (src/session.rs in the guest) instead of `_start`: it reads the call
//! (code, inputs, nonce, stdin) from the host descriptor of the callbacks
//! ([`crate::HOST_FD`], the host puts the request where the guest reads a
//! callback's reply), runs the code in the interpreter's `__main__` and
//! *returns* the exit status. Returning unwinds the wasm stack, so the
//! module's only mutable global, the stack pointer, is back at its initial
//! value after every call, and the next call (or a fork) starts from memory
//! alone. The WASI context stays with the instance (descriptors the code
//! opens stay open); stdout and stderr are the same two pipes, emptied and
//! given the call's caps before each call; the epoch deadline, the
//! `poll_oneoff` deadline and the fuel are set per call; the memory cap is
//! the sandbox's, for the whole session.
//!
//! A call that does not return (a trap, a limit, `os._exit`, a memory
//! limit hit) leaves the interpreter somewhere in the middle of its work,
//! so the session is marked dead: its instance is dropped and every later
//! call returns [`ErrorKind::SessionDead`] with the reason. A session with
//! no call for its idle timeout expires (a background thread drops its
//! instance) and later calls return [`ErrorKind::SessionExpired`].
//!
//! A fork is a new instance of the same [`wasmtime::InstancePre`] whose
//! linear memory is made equal to the parent's: wasmtime's API has no
//! copy-on-write clone of a live memory, so the fork copies the parent's
//! pages that may differ from the module's image (on Linux the private and
//! swapped pages, from /proc/self/pagemap; elsewhere, the pages that
//! compare different); pages the parent never wrote stay mapped from the
//! image in both. The scratch directory (files do not
//! live in guest memory: `/tmp` is a host directory) is copied too, and the
//! fork's WASI context is built like the parent's, so wasi-libc's preopen
//! table (in the copied memory) names the same descriptors. Descriptors the
//! code opened and left open are not carried over. The fork's first call
//! draws new seeds for `random`, `tempfile` and numpy (as `random` does
//! after `os.fork`), so parent and fork do not draw the same numbers.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use wasmtime::error::Context;
use wasmtime::{Memory, Result, Store, TypedFunc, bail};

use crate::pipe::CappedPipe;
use crate::{Call, CallState, ErrorKind, Outcome, Sandbox, ScratchDir};

/// How long a session may go without a call before it expires, unless told.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(600);

/// How often the expiry thread looks at the sessions.
const REAP_EVERY: Duration = Duration::from_millis(250);

/// The guest's entry for one session call (src/session.rs).
const ENTRY: &str = "onepy_sandbox_call";

const PAGE: usize = 4096;

/// A session's instance between calls.
struct Live {
    store: Store<CallState>,
    memory: Memory,
    entry: TypedFunc<(), i32>,
    stdout: CappedPipe,
    stderr: CappedPipe,
    scratch: Option<ScratchDir>,
    /// The origin of the guest's monotonic clock (a fork keeps its parent's).
    clock_origin: Instant,
    /// A fork before its first call: the guest draws new seeds then.
    forked: bool,
}

enum State {
    Live(Box<Live>),
    /// A call hit a limit or crashed: why.
    Dead(String),
    /// Idle too long, or closed: why.
    Expired(String),
}

struct Cell {
    state: State,
    last_used: Instant,
    calls: u64,
}

struct Shared {
    cell: Mutex<Cell>,
    idle_timeout: Duration,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in a callback during a call cannot leave the cell half-updated
    // in a way that matters: the state is replaced as a whole.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// Drops the instance of a session idle past its timeout; skips one
    /// that is running a call.
    fn expire_if_idle(&self) {
        let mut cell = match self.cell.try_lock() {
            Ok(cell) => cell,
            Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return,
        };
        if matches!(cell.state, State::Live(_)) && cell.last_used.elapsed() > self.idle_timeout {
            cell.state = State::Expired(format!(
                "the session expired: it had no call for its idle timeout of {:.3} s, and its instance was dropped",
                self.idle_timeout.as_secs_f64()
            ));
        }
    }
}

type SessionList = Mutex<Vec<Weak<Shared>>>;

/// A sandbox's sessions, for the thread that expires idle ones (started
/// with the first session, ends with the sandbox).
#[derive(Default)]
pub(crate) struct Registry {
    sessions: Arc<SessionList>,
    reaper: Mutex<bool>,
}

impl Registry {
    fn add(&self, session: &Arc<Shared>) -> Result<()> {
        {
            let mut list = lock(&self.sessions);
            list.retain(|w| w.strong_count() > 0);
            list.push(Arc::downgrade(session));
        }
        let mut started = lock(&self.reaper);
        if !*started {
            let list = Arc::downgrade(&self.sessions);
            std::thread::Builder::new()
                .name("onepy-sandbox-sessions".into())
                .spawn(move || expire_idle(list))
                .context("starting the thread that expires idle sessions")?;
            *started = true;
        }
        Ok(())
    }
}

fn expire_idle(list: Weak<SessionList>) {
    loop {
        std::thread::sleep(REAP_EVERY);
        let Some(list) = list.upgrade() else { return };
        let sessions: Vec<Arc<Shared>> = lock(&list).iter().filter_map(Weak::upgrade).collect();
        drop(list);
        for s in sessions {
            s.expire_if_idle();
        }
    }
}

/// An instance kept between calls (see the module's documentation). `Send`
/// and `Sync`: calls from several threads on one session run one at a time;
/// different sessions run in parallel.
pub struct Session {
    sandbox: Arc<Sandbox>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cell = lock(&self.shared.cell);
        let state = match &cell.state {
            State::Live(_) => "live",
            State::Dead(_) => "dead",
            State::Expired(_) => "expired",
        };
        f.debug_struct("Session").field("state", &state).field("calls", &cell.calls).finish()
    }
}

impl Sandbox {
    /// A new session, expiring after [`DEFAULT_IDLE_TIMEOUT`] without a call.
    pub fn session(self: &Arc<Self>) -> Result<Session> {
        self.session_with_idle_timeout(DEFAULT_IDLE_TIMEOUT)
    }

    /// A new session, expiring after `idle_timeout` without a call. It holds
    /// one of the sandbox's `max_concurrency` instance slots until it is
    /// dropped, closed, dead or expired.
    pub fn session_with_idle_timeout(self: &Arc<Self>, idle_timeout: Duration) -> Result<Session> {
        let scratch = if self.options.scratch { Some(ScratchDir::new()?) } else { None };
        let live = self.live_instance(scratch, Instant::now())?;
        Session::new(self.clone(), live, idle_timeout)
    }

    fn live_instance(&self, scratch: Option<ScratchDir>, clock_origin: Instant) -> Result<Live> {
        let stdout = CappedPipe::new(self.options.output_limit, None, 0);
        let stderr = CappedPipe::new(self.options.output_limit, None, 0);
        let mut b = self.wasi_builder(&stdout, &stderr, clock_origin, scratch.as_ref())?;
        b.args(&["python"]);
        // Each call sets its own deadline ([`Session::run_limited`]).
        let mut store = self.store(b.build_p1(), clock_origin, Duration::ZERO);
        // Fails when `max_concurrency` instances are already held.
        let instance = self.pre.instantiate(&mut store).context("instantiating the module")?;
        let entry = instance
            .get_typed_func::<(), i32>(&mut store, ENTRY)
            .with_context(|| format!("the module has no `{ENTRY}` export (a onepy build from before sessions?)"))?;
        let memory = instance.get_memory(&mut store, "memory").context("the module exports no memory")?;
        Ok(Live { store, memory, entry, stdout, stderr, scratch, clock_origin, forked: false })
    }
}

impl Session {
    fn new(sandbox: Arc<Sandbox>, live: Live, idle_timeout: Duration) -> Result<Session> {
        let cell = Cell { state: State::Live(Box::new(live)), last_used: Instant::now(), calls: 0 };
        let shared = Arc::new(Shared { cell: Mutex::new(cell), idle_timeout });
        sandbox.sessions.add(&shared)?;
        Ok(Session { sandbox, shared })
    }

    /// Runs `call` in the session with the sandbox's timeout and output
    /// limit. Like [`Sandbox::run`], everything the guest does is an
    /// [`Outcome`]; a dead or expired session gives one too
    /// ([`ErrorKind::SessionDead`], [`ErrorKind::SessionExpired`]).
    pub fn run(&self, call: &Call<'_>) -> Result<Outcome> {
        self.run_limited(call, None, None)
    }

    /// Runs `call` with its own timeout and output limit (None: the
    /// sandbox's).
    pub fn run_limited(
        &self,
        call: &Call<'_>,
        timeout: Option<Duration>,
        output_limit: Option<usize>,
    ) -> Result<Outcome> {
        let started = Instant::now();
        let sandbox = &*self.sandbox;
        let options = sandbox.options();
        let timeout = timeout.unwrap_or(options.timeout);
        let output_limit = output_limit.unwrap_or(options.output_limit);
        let nonce = sandbox.nonce();
        // stdin travels as one code point per byte (JSON has no bytes).
        let stdin: Option<String> = call.stdin.as_ref().map(|data| data.iter().map(|&b| char::from(b)).collect());
        let mut cell = lock(&self.shared.cell);
        let number = cell.calls + 1;
        let live = match &mut cell.state {
            State::Live(live) => live,
            State::Dead(why) => return Ok(not_run(ErrorKind::SessionDead, why, started)),
            State::Expired(why) => return Ok(not_run(ErrorKind::SessionExpired, why, started)),
        };
        let request = serde_json::json!({
            "code": call.code, "inputs": call.inputs_json, "nonce": nonce, "stdin": stdin, "forked": live.forked,
        });
        live.forked = false;
        live.stdout.reset(output_limit, Some(nonce.into_bytes()), options.result_limit);
        live.stderr.reset(output_limit, None, 0);
        {
            let state = live.store.data_mut();
            state.deadline = deadline(started, timeout);
            state.reply = request.to_string().into_bytes();
            state.limiter.memory_denied = false;
        }
        sandbox.arm(&mut live.store, timeout)?;
        let ran = live.entry.call(&mut live.store, ());
        let returned = ran.is_ok();
        let memory_denied = live.store.data().limiter.memory_denied;
        live.store.data_mut().reply = Vec::new();
        let outcome = sandbox.outcome(ran, memory_denied, live.stdout.take(), live.stderr.take(), started);
        cell.calls = number;
        cell.last_used = Instant::now();
        // invalid_result: the guest returned normally, its state is whole.
        let limit = outcome.error.filter(|k| *k != ErrorKind::InvalidResult);
        if !returned || limit.is_some() {
            let how = match limit {
                Some(kind) => kind.as_str().to_string(),
                None => format!("exit status {:?} without returning (os._exit or a fatal error)", outcome.exit_code),
            };
            let detail = outcome.error_detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default();
            cell.state = State::Dead(format!(
                "the session is dead: its call {number} ended with {how}{detail}; its state may be inconsistent, \
                 so it runs no more calls (start a new session, or fork one before a risky call)"
            ));
        }
        Ok(outcome)
    }

    /// An independent copy of the session as it is now (between calls):
    /// globals, imports, scratch files. Errors: the session is dead or
    /// expired, no instance slot is free, the scratch directory cannot be
    /// copied.
    pub fn fork(&self) -> Result<Session> {
        let mut cell = lock(&self.shared.cell);
        let parent = match &mut cell.state {
            State::Live(live) => live,
            State::Dead(why) | State::Expired(why) => bail!("cannot fork: {why}"),
        };
        let scratch = match &parent.scratch {
            Some(dir) => Some(dir.copy().context("copying the scratch directory")?),
            None => None,
        };
        let mut child = self.sandbox.live_instance(scratch, parent.clock_origin)?;
        copy_memory(parent, &mut child)?;
        child.forked = true;
        cell.last_used = Instant::now();
        drop(cell);
        Session::new(self.sandbox.clone(), child, self.shared.idle_timeout)
    }

    /// Whether the session still has its instance (not dead, expired or
    /// closed).
    pub fn is_alive(&self) -> bool {
        matches!(lock(&self.shared.cell).state, State::Live(_))
    }

    /// The calls the session ran (the ones refused as dead or expired not
    /// counted).
    pub fn calls(&self) -> u64 {
        lock(&self.shared.cell).calls
    }

    /// Drops the instance now; later calls return `session_expired`.
    pub fn close(&self) {
        let mut cell = lock(&self.shared.cell);
        if matches!(cell.state, State::Live(_)) {
            cell.state = State::Expired("the session was closed".into());
        }
    }

    /// Bytes of the session's linear memory (0 once it has no instance).
    pub fn memory_size(&self) -> usize {
        match &lock(&self.shared.cell).state {
            State::Live(live) => live.memory.data_size(&live.store),
            _ => 0,
        }
    }
}

fn deadline(started: Instant, timeout: Duration) -> Instant {
    // A timeout too large for an Instant (Duration::MAX) waits "forever".
    started.checked_add(timeout).unwrap_or_else(|| started + Duration::from_secs(1 << 32))
}

/// The outcome of a call a dead or expired session did not run.
fn not_run(kind: ErrorKind, why: &str, started: Instant) -> Outcome {
    Outcome {
        stdout: Vec::new(),
        stderr: Vec::new(),
        stdout_truncated: false,
        stderr_truncated: false,
        exit_code: None,
        result_json: None,
        error: Some(kind),
        error_detail: Some(why.to_string()),
        duration: started.elapsed(),
        dirty_bytes: None,
    }
}

/// Makes `child`'s linear memory (a fresh instance: the module's image)
/// equal to `parent`'s. On Linux, /proc/self/pagemap tells which of the
/// parent's pages may differ from the image: the ones that are private
/// (written, or zero-filled and written) or swapped out; a page still
/// mapped from the image file, or never touched, holds what a fresh
/// instance holds (the image, or zeros past it), so only the others are
/// copied and the fork reads nothing else. Without a pagemap the two
/// memories are compared page by page and the pages that differ copied.
fn copy_memory(parent: &Live, child: &mut Live) -> Result<()> {
    let size = parent.memory.data_size(&parent.store);
    let have = child.memory.data_size(&child.store);
    if have > size {
        bail!("a fork's new instance has more memory ({have} bytes) than its parent ({size} bytes)");
    }
    let pages = ((size - have) / (64 << 10)) as u64;
    if pages > 0 {
        child.memory.grow(&mut child.store, pages).context("growing the fork's memory")?;
    }
    let src = parent.memory.data(&parent.store);
    let dst = child.memory.data_mut(&mut child.store);
    match maybe_written_pages(src.as_ptr() as usize, src.len()) {
        Some(pages) => {
            for i in pages {
                let range = i * PAGE..((i + 1) * PAGE).min(src.len());
                dst[range.clone()].copy_from_slice(&src[range]);
            }
        }
        None => {
            for (s, d) in src.chunks(PAGE).zip(dst.chunks_mut(PAGE)) {
                if s != d {
                    d.copy_from_slice(s);
                }
            }
        }
    }
    Ok(())
}

/// Whether forks may use /proc/self/pagemap (`ONEPY_SANDBOX_FORK_COMPARE`
/// set: compare every page instead; the tests run both ways).
fn pagemap_allowed() -> bool {
    std::env::var_os("ONEPY_SANDBOX_FORK_COMPARE").is_none()
}

/// The indexes of the pages of `[start, start + len)` (page-aligned) that
/// are private to this process or swapped out, from /proc/self/pagemap:
/// every page whose content can differ from what it was mapped with. None
/// when the pagemap cannot be read (not Linux, or not allowed).
fn maybe_written_pages(start: usize, len: usize) -> Option<Vec<usize>> {
    use std::io::{Read, Seek, SeekFrom};
    if !pagemap_allowed() || start % PAGE != 0 {
        return None;
    }
    let mut pagemap = std::fs::File::open("/proc/self/pagemap").ok()?;
    pagemap.seek(SeekFrom::Start((start / PAGE * 8) as u64)).ok()?;
    let mut entries = vec![0u8; len.div_ceil(PAGE) * 8];
    pagemap.read_exact(&mut entries).ok()?;
    const PRESENT: u64 = 1 << 63;
    const SWAPPED: u64 = 1 << 62;
    const FILE_OR_SHARED: u64 = 1 << 61;
    let pages = entries
        .chunks_exact(8)
        .map(|e| u64::from_le_bytes(e.try_into().unwrap()))
        .enumerate()
        .filter(|&(_, e)| e & SWAPPED != 0 || (e & PRESENT != 0 && e & FILE_OR_SHARED == 0))
        .map(|(i, _)| i)
        .collect();
    Some(pages)
}

impl ScratchDir {
    /// A new scratch directory holding a copy of this one's tree.
    fn copy(&self) -> Result<ScratchDir> {
        let new = ScratchDir::new()?;
        copy_tree(&self.0, &new.0)?;
        Ok(new)
    }
}

/// Copies the files, directories and symbolic links under `from` into the
/// existing directory `to` (links are copied as links, never followed).
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            std::fs::create_dir(&dst).with_context(|| format!("creating {}", dst.display()))?;
            copy_tree(&src, &dst)?;
        } else if kind.is_symlink() {
            let target = std::fs::read_link(&src)?;
            std::os::unix::fs::symlink(&target, &dst).with_context(|| format!("linking {}", dst.display()))?;
        } else {
            std::fs::copy(&src, &dst).with_context(|| format!("copying {}", src.display()))?;
        }
    }
    Ok(())
}
