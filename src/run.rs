//! Run one [`Invocation`] in the initialized interpreter, the way CPython's
//! `Modules/main.c` does: set `sys.argv`/`sys.path[0]`, run the command,
//! module, script, stdin or REPL, turn the outcome into an exit status,
//! then run `atexit` handlers and flush stdio on every path.

use crate::cli::{Action, Invocation, Options};
use pyo3::exceptions::{PyMemoryError, PyOSError, PySystemExit};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use std::ffi::{CString, OsStr, OsString};

/// How a run ended before the exit status is known.
enum Outcome {
    Status(i32),
    Raised(PyErr),
}

pub fn run(argv0: &str, orig_argv: &[OsString], inv: &Invocation) -> i32 {
    Python::attach(|py| {
        let outcome = match apply_options(py, orig_argv, inv) {
            Ok(()) => {
                crate::timing::mark("options");
                execute(py, argv0, inv)
            }
            Err(err) => Outcome::Raised(err),
        };
        crate::timing::mark("program");
        let mut status = match outcome {
            Outcome::Status(status) => status,
            Outcome::Raised(err) => status_for_exception(py, err),
        };
        if inv.options.inspect && stdin_is_terminal() {
            status = repl(py, &inv.options);
        }
        let status = finish(py, status);
        crate::timing::mark("finish");
        status
    })
}

/// `os.fsdecode` for one argument (UTF-8 with surrogateescape), as CPython
/// decodes its command line.
pub fn fsdecode<'py>(py: Python<'py>, arg: &OsStr) -> PyResult<Bound<'py, PyString>> {
    let bytes = arg.as_encoded_bytes();
    // SAFETY: pointer/length of a live slice; returns a new reference or NULL.
    unsafe {
        let obj = ffi::PyUnicode_DecodeFSDefaultAndSize(bytes.as_ptr().cast(), bytes.len() as ffi::Py_ssize_t);
        Ok(Bound::from_owned_ptr_or_err(py, obj)?.cast_into_unchecked())
    }
}

fn fsdecode_all<'py>(py: Python<'py>, args: &[OsString]) -> PyResult<Bound<'py, PyList>> {
    let items = args.iter().map(|a| fsdecode(py, a)).collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

fn apply_options(py: Python<'_>, orig_argv: &[OsString], inv: &Invocation) -> PyResult<()> {
    let sys = py.import("sys")?;
    sys.setattr("argv", fsdecode_all(py, &inv.sys_argv())?)?;
    sys.setattr("orig_argv", fsdecode_all(py, orig_argv)?)?;
    let o = &inv.options;
    let env = |name: &str| python_env(o, name);
    if let Some(pythonpath) = env("PYTHONPATH") {
        let path = sys.getattr("path")?.cast_into::<PyList>()?;
        for (i, entry) in pythonpath.split(':').filter(|e| !e.is_empty()).enumerate() {
            path.insert(i, entry)?;
        }
    }
    let unbuffered = o.unbuffered || env("PYTHONUNBUFFERED").is_some();
    let mut warn_options: Vec<String> =
        env("PYTHONWARNINGS").map(|w| w.split(',').map(str::to_string).collect()).unwrap_or_default();
    warn_options.extend(o.warn_options.iter().cloned());
    if unbuffered {
        for name in ["stdout", "stderr"] {
            let stream = sys.getattr(name)?;
            if !stream.is_none() {
                let kwargs = PyDict::new(py);
                kwargs.set_item("write_through", true)?;
                stream.call_method("reconfigure", (), Some(&kwargs))?;
            }
        }
    }
    if !o.x_options.is_empty() {
        let xoptions = sys.getattr("_xoptions")?;
        for opt in &o.x_options {
            match opt.split_once('=') {
                Some((k, v)) => xoptions.set_item(k, v)?,
                None => xoptions.set_item(opt, true)?,
            }
        }
    }
    if !warn_options.is_empty() {
        let warnoptions = sys.getattr("warnoptions")?;
        for opt in &warn_options {
            warnoptions.call_method1("append", (opt,))?;
        }
        py.import("warnings")?.call_method1("_processoptions", (warn_options,))?;
    }
    if o.bytes_warning > 0 {
        let action = if o.bytes_warning > 1 { "error" } else { "default" };
        py.import("warnings")?
            .call_method1("simplefilter", (action, py.get_type::<pyo3::exceptions::PyBytesWarning>()))?;
    }
    sys.setattr("dont_write_bytecode", true)?;
    Ok(())
}

/// A `PYTHON*` variable of this run, unless `-E`/`-I` (the start-up ones
/// cannot apply: the interpreter started in the snapshot).
fn python_env(options: &Options, name: &str) -> Option<String> {
    if options.ignore_environment { None } else { std::env::var(name).ok().filter(|v| !v.is_empty()) }
}

/// `sys.path[0]` as CPython computes it (unless `-P`/`-I`/`PYTHONSAFEPATH`).
fn set_sys_path0(py: Python<'_>, options: &Options, entry: Bound<'_, PyAny>) -> PyResult<()> {
    if options.safe_path || python_env(options, "PYTHONSAFEPATH").is_some() {
        return Ok(());
    }
    let path = py.import("sys")?.getattr("path")?.cast_into::<PyList>()?;
    path.insert(0, entry)
}

fn main_dict(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    Ok(py.import("__main__")?.getattr("__dict__")?.cast_into::<PyDict>()?)
}

fn execute(py: Python<'_>, argv0: &str, inv: &Invocation) -> Outcome {
    let result = match &inv.action {
        Action::Command { code, .. } => run_command(py, inv, code),
        Action::Module { name, .. } => run_module(py, inv, name),
        Action::Script { path, .. } => return run_script(py, argv0, inv, path),
        Action::App { module, .. } => run_app(py, module),
        Action::Stdin { dash, .. } => {
            if !dash && stdin_is_terminal() {
                return Outcome::Status(repl(py, &inv.options));
            }
            run_stdin(py, inv)
        }
    };
    match result {
        Ok(()) => Outcome::Status(0),
        Err(err) => Outcome::Raised(err),
    }
}

/// Compile `source` (str or bytes) as `filename` and run it in `__main__`.
fn run_source(py: Python<'_>, source: &Bound<'_, PyAny>, filename: &Bound<'_, PyAny>) -> PyResult<()> {
    let code = compile_source(py, source, filename)?;
    py.import("builtins")?.getattr("exec")?.call1((code, main_dict(py)?))?;
    Ok(())
}

fn compile_source<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    filename: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let kwargs = PyDict::new(py);
    kwargs.set_item("dont_inherit", true)?;
    py.import("builtins")?.getattr("compile")?.call((source, filename, "exec"), Some(&kwargs))
}

fn run_command(py: Python<'_>, inv: &Invocation, code: &OsStr) -> PyResult<()> {
    set_sys_path0(py, &inv.options, PyString::new(py, "").into_any())?;
    // Like CPython: decode with surrogateescape, then the source must be
    // valid UTF-8 (a lone surrogate raises UnicodeEncodeError).
    let text = fsdecode(py, code)?;
    let source = match text.call_method1("encode", ("utf-8",)) {
        Ok(bytes) => bytes,
        Err(err) => {
            write_stderr(py, "Unable to decode the command from the command line:\n");
            return Err(err);
        }
    };
    // As CPython does for -c: the source goes into linecache under the code
    // objects, so tracebacks show the lines of `<string>`.
    let filename = PyString::new(py, "<string>");
    let code = compile_source(py, &source, filename.as_any())?;
    py.import("linecache")?.call_method1("_register_code", (&code, &text, &filename))?;
    py.import("builtins")?.getattr("exec")?.call1((code, main_dict(py)?))?;
    Ok(())
}

fn run_module(py: Python<'_>, inv: &Invocation, name: &OsStr) -> PyResult<()> {
    let cwd = py.import("os")?.call_method0("getcwd")?;
    set_sys_path0(py, &inv.options, cwd)?;
    let runpy = py.import("runpy")?;
    runpy.call_method1("_run_module_as_main", (fsdecode(py, name)?, true))?;
    Ok(())
}

/// The built-in app: its module runs as `__main__` with the app directory
/// first on `sys.path`; `sys.argv[0]` stays the program name.
fn run_app(py: Python<'_>, module: &str) -> PyResult<()> {
    let path = py.import("sys")?.getattr("path")?.cast_into::<PyList>()?;
    if crate::embedded::index().is_dir(crate::embedded::APP_DIR) {
        path.insert(0, crate::embedded::APP_DIR)?;
    }
    py.import("runpy")?.call_method1("_run_module_as_main", (module, false))?;
    Ok(())
}

fn run_stdin(py: Python<'_>, inv: &Invocation) -> PyResult<()> {
    set_sys_path0(py, &inv.options, PyString::new(py, "").into_any())?;
    let stdin = py.import("sys")?.getattr("stdin")?;
    let source = stdin.getattr("buffer")?.call_method0("read")?;
    let source = skip_first_line(py, &inv.options, source)?;
    run_source(py, &source, PyString::new(py, "<stdin>").as_any())
}

/// `-x`: drop the first line of the source (keeping line numbers right is
/// CPython's job too: it skips the line but counts it).
fn skip_first_line<'py>(py: Python<'py>, options: &Options, source: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if !options.skip_first_line {
        return Ok(source);
    }
    let bytes: Vec<u8> = source.extract()?;
    let rest = match bytes.iter().position(|&b| b == b'\n') {
        Some(pos) => [b"\n".as_slice(), &bytes[pos + 1..]].concat(),
        None => Vec::new(),
    };
    Ok(PyBytes::new(py, &rest).into_any())
}

fn run_script(py: Python<'_>, argv0: &str, inv: &Invocation, path: &OsStr) -> Outcome {
    let result = (|| -> PyResult<Outcome> {
        let os_path = py.import("os")?.getattr("path")?;
        let filename = fsdecode(py, path)?;
        // A directory or zip file with `__main__.py` runs like `-m __main__`
        // with itself as sys.path[0].
        if os_path.call_method1("isdir", (&filename,))?.is_truthy()? {
            let sys_path = py.import("sys")?.getattr("path")?.cast_into::<PyList>()?;
            sys_path.insert(0, &filename)?;
            py.import("runpy")?.call_method1("_run_module_as_main", ("__main__", false))?;
            return Ok(Outcome::Status(0));
        }
        let source = match py.import("io")?.call_method1("open_code", (&filename,)) {
            Ok(file) => {
                let data = file.call_method0("read");
                file.call_method0("close")?;
                data?
            }
            Err(err) if err.is_instance_of::<PyOSError>(py) => {
                let value = err.value(py);
                let message = format!(
                    "{argv0}: can't open file {}: [Errno {}] {}\n",
                    filename.repr()?,
                    value.getattr("errno")?,
                    value.getattr("strerror")?
                );
                write_stderr(py, &message);
                return Ok(Outcome::Status(2));
            }
            Err(err) => return Err(err),
        };
        let dir = os_path.call_method1("dirname", (os_path.call_method1("abspath", (&filename,))?,))?;
        set_sys_path0(py, &inv.options, dir)?;
        let main = main_dict(py)?;
        main.set_item("__file__", &filename)?;
        main.set_item("__cached__", py.None())?;
        let source = skip_first_line(py, &inv.options, source)?;
        run_source(py, &source, filename.as_any())?;
        Ok(Outcome::Status(0))
    })();
    result.unwrap_or_else(Outcome::Raised)
}

/// CPython's `_Py_HandleSystemExit` and `PyErr_Print` in one: the exit
/// status for an exception that ended the program.
fn status_for_exception(py: Python<'_>, err: PyErr) -> i32 {
    if err.is_instance_of::<PyMemoryError>(py) {
        release_memory_for_report(py, &err);
    }
    // What the program printed comes before its traceback (CPython's
    // flush_io after running the code).
    for stream in ["stderr", "stdout"] {
        if let Ok(file) = py.import("sys").and_then(|sys| sys.getattr(stream)) {
            let _ = file.call_method0("flush");
        }
    }
    if !err.is_instance_of::<PySystemExit>(py) {
        err.print(py);
        return 1;
    }
    let code = match err.value(py).getattr("code") {
        Ok(code) => code,
        Err(_) => return 1,
    };
    if code.is_none() {
        return 0;
    }
    if let Ok(n) = code.extract::<i64>() {
        return n as i32;
    }
    // `sys.exit("message")`: the message goes to stderr, the status is 1.
    let text = code.str().map(|s| s.to_string()).unwrap_or_default();
    write_stderr(py, &format!("{text}\n"));
    1
}

/// A MemoryError that reached the top level usually leaves memory so full
/// that printing the traceback fails too. Give back the block held in
/// reserve for this moment (`memory_reserve`), and the failed frames'
/// locals, which only the traceback still references: the program's globals
/// stay, so `atexit` handlers see them as on native CPython.
fn release_memory_for_report(py: Python<'_>, err: &PyErr) {
    crate::memory_reserve::release();
    if let Some(tb) = err.traceback(py)
        && let Ok(traceback) = py.import("traceback")
    {
        let _ = traceback.call_method1("clear_frames", (tb,));
    }
}

/// Write to `sys.stderr` (falling back to the host's stderr).
fn write_stderr(py: Python<'_>, text: &str) {
    let written =
        py.import("sys").and_then(|sys| sys.getattr("stderr")).and_then(|stderr| stderr.call_method1("write", (text,)));
    if written.is_err() {
        eprint!("{text}");
    }
}

pub fn stdin_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal()
}

pub fn stdout_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
}

/// The basic REPL (CPython's `PyRun_InteractiveLoop` over C's stdin).
fn repl(py: Python<'_>, options: &Options) -> i32 {
    if !options.quiet {
        // SAFETY: Py_GetVersion returns a static C string.
        let version = unsafe { std::ffi::CStr::from_ptr(ffi::Py_GetVersion()) }.to_string_lossy();
        write_stderr(
            py,
            &format!(
                "Python {version} on wasi\nType \"help\", \"copyright\", \"credits\" or \"license\" for more information.\n"
            ),
        );
    }
    let _ = py.import("sys").and_then(|s| s.getattr("stderr")).and_then(|s| s.call_method0("flush"));
    if let Ok(hook) = py.import("sys").and_then(|s| s.getattr("__interactivehook__"))
        && let Err(err) = hook.call0()
    {
        err.print(py);
    }
    unsafe extern "C" {
        /// wasi-libc's `FILE *stdin`.
        static stdin: *mut std::ffi::c_void;
        fn PyRun_InteractiveLoopFlags(
            fp: *mut std::ffi::c_void,
            filename: *const std::ffi::c_char,
            flags: *mut ffi::PyCompilerFlags,
        ) -> std::ffi::c_int;
    }
    let filename = CString::new("<stdin>").expect("no NUL");
    // SAFETY: `stdin` is wasi-libc's FILE for fd 0; the GIL is held.
    let rc = unsafe { PyRun_InteractiveLoopFlags(stdin, filename.as_ptr(), std::ptr::null_mut()) };
    if rc != 0 {
        match PyErr::take(py) {
            Some(err) => status_for_exception(py, err),
            None => 1,
        }
    } else {
        0
    }
}

/// `atexit` handlers, then flush `sys.stdout` and `sys.stderr`; a failed
/// stdout flush turns a success into status 120, as in CPython.
fn finish(py: Python<'_>, mut status: i32) -> i32 {
    if let Ok(atexit) = py.import("atexit")
        && let Err(err) = atexit.call_method0("_run_exitfuncs")
    {
        err.print(py);
    }
    if let Ok(sys) = py.import("sys") {
        for name in ["stdout", "stderr"] {
            let Ok(stream) = sys.getattr(name) else { continue };
            // Like CPython's flush_std_files: a closed stream (json.tool
            // closes its outfile) is not flushed.
            let closed = stream.getattr("closed").and_then(|c| c.is_truthy()).unwrap_or(false);
            if stream.is_none() || closed {
                continue;
            }
            if let Err(err) = stream.call_method0("flush")
                && name == "stdout"
            {
                write_stderr(py, "Exception ignored on flushing sys.stdout:\n");
                err.print(py);
                if status == 0 {
                    status = 120;
                }
            }
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::wasi::ffi::OsStringExt;

    /// The wasmtime CLI refuses non-UTF-8 arguments before the module runs,
    /// so this path is tested here, inside the guest: CPython's message and
    /// a UnicodeEncodeError, not a panic.
    #[test]
    fn invalid_utf8_in_a_command_is_a_python_error() {
        crate::snapshot::ensure_initialized().expect("interpreter starts");
        let args = [OsString::from("-c"), OsString::from_vec(b"print('\xff')".to_vec())];
        let inv = crate::cli::parse(&args).expect("parses");
        let Action::Command { code, .. } = &inv.action else { panic!("not a command") };
        Python::attach(|py| {
            let err = run_command(py, &inv, code).expect_err("invalid UTF-8 must fail");
            assert!(err.is_instance_of::<pyo3::exceptions::PyUnicodeEncodeError>(py), "{err}");
            assert_eq!(status_for_exception(py, err), 1);
        });
    }
}
