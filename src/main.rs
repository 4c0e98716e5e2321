//! onepy: CPython (the version sources.lock pins) and its standard library in one wasm32-wasip1 module.
//!
//! `main` is thin: parse the command line, make sure the interpreter is up
//! (a wizer snapshot already did it; a plain module does it now), refresh
//! the per-run state, run, exit with the program's status.

mod cli;
mod embedded;
mod errors;
mod extensions;
mod guest_module;
mod importer;
mod interpreter;
mod memory_reserve;
mod openssl;
mod run;
mod run_state;
mod session;
mod snapshot;
mod snapshot_entropy;
mod thread_stubs;
mod timing;
mod vfs;

use std::ffi::OsString;
use std::io::Write;

fn main() {
    set_panic_hook();
    let argv: Vec<OsString> = std::env::args_os().collect();
    let status = start(&argv);
    let _ = std::io::stdout().flush();
    exit_without_c_atexit(status);
}

/// End the process once Python's `atexit` handlers ran and its streams
/// were flushed (`run::finish`), without C's `atexit` handlers: the only
/// one is OpenSSL's cleanup, registered when the snapshot initialized
/// libcrypto, which frees all of its state before a process that ends
/// anyway (about 1,000 heap pages written, 4 to 6 ms of a 15 ms start-up:
/// docs/performance.md). C streams are flushed first, as `exit` would.
fn exit_without_c_atexit(status: i32) -> ! {
    unsafe extern "C" {
        fn fflush(stream: *mut std::ffi::c_void) -> std::ffi::c_int;
        fn _Exit(status: std::ffi::c_int) -> !;
    }
    // SAFETY: fflush(NULL) flushes every open C stream; _Exit ends the
    // process (WASI proc_exit) and does not return.
    unsafe {
        fflush(std::ptr::null_mut());
        _Exit(status)
    }
}

/// A bug on the Rust side must not end in a bare wasm trap.
fn set_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("onepy: internal error: {info}");
        std::process::exit(70);
    }));
}

fn start(argv: &[OsString]) -> i32 {
    let program = argv.first().map(|a| a.to_string_lossy().into_owned()).unwrap_or_else(|| "python3".into());
    let parsed = match embedded::setting("app") {
        Some(app) => cli::parse_for_app(argv, app.trim()),
        None => cli::parse(argv.get(1..).unwrap_or_default()),
    };
    let invocation = match parsed {
        Ok(invocation) => invocation,
        Err(cli::Early::Help) => {
            print!("{}", cli::help_text(&program));
            return 0;
        }
        Err(cli::Early::Version(level)) => {
            println!("{}", version_line(level));
            return 0;
        }
        Err(cli::Early::UsageError(message)) => {
            eprint!("{}", cli::usage_error_text(&message, &program));
            return 2;
        }
    };
    if let Err(status) = prepare_run() {
        return status;
    }
    let status = run::run(&program, argv, &invocation);
    timing::report();
    status
}

/// Everything a run needs before its program: wasi-libc's and Python's
/// per-run state refreshed (after a snapshot), the embedded filesystem
/// mounted, the interpreter up. Also the first step of a sandbox session
/// (src/session.rs). Err: the exit status after the message was printed.
fn prepare_run() -> Result<(), i32> {
    if snapshot::was_preinitialized() {
        run_state::refresh_libc();
    }
    // After wasi-libc's preopen table was reset (or before its first use).
    vfs::mount();
    timing::enable_from_env();
    if let Err(err) = snapshot::ensure_initialized() {
        eprintln!("onepy: fatal: cannot start the Python interpreter: {err:#}");
        return Err(1);
    }
    timing::mark("initialize");
    let refreshed = pyo3::Python::attach(|py| {
        run_state::refresh_python(py).map_err(|e| {
            e.print(py);
        })
    });
    if refreshed.is_err() {
        eprintln!("onepy: fatal: cannot reset the per-run state");
        return Err(1);
    }
    timing::mark("refresh");
    Ok(())
}

/// `-V` -> "Python 3.14.7"; `-VV` adds the build information.
fn version_line(level: u32) -> String {
    // SAFETY: Py_GetVersion needs no initialized interpreter and returns a
    // static C string ("3.14.7 (main, ...) [Clang ...]").
    let full = unsafe { std::ffi::CStr::from_ptr(pyo3::ffi::Py_GetVersion()) }.to_string_lossy().into_owned();
    if level >= 2 { format!("Python {full}") } else { format!("Python {}", full.split(' ').next().unwrap_or("")) }
}
