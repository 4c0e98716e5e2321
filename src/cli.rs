//! The `python3` command line: argv -> one [`Invocation`], with CPython's
//! option grammar (`Python/getopt.c`): short options may be clustered
//! (`-Bc code`), `-c`/`-m`/`-W`/`-X` take the rest of the cluster or the
//! next argument, `-c` and `-m` end option parsing, `--` ends it too, and
//! the first non-option argument is the script (`-` means stdin).
//!
//! Pure logic, no Python: unit-tested on its own.

use std::ffi::{OsStr, OsString};

/// Options that take an argument.
const WITH_ARGUMENT: &[char] = &['c', 'm', 'W', 'X'];
/// Every short option CPython 3.14 knows.
const SHORT_OPTIONS: &str = "bBc:dEhiIJm:OPqRsStuvVW:xX:?";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Options {
    pub bytes_warning: u32,
    pub dont_write_bytecode: bool,
    pub debug_parser: bool,
    pub ignore_environment: bool,
    pub inspect: bool,
    pub isolated: bool,
    pub optimize: u32,
    pub safe_path: bool,
    pub quiet: bool,
    pub no_user_site: bool,
    pub no_site: bool,
    pub unbuffered: bool,
    pub verbose: u32,
    pub skip_first_line: bool,
    pub warn_options: Vec<String>,
    pub x_options: Vec<String>,
    pub check_hash_based_pycs: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `-c CODE [ARGS]`
    Command { code: OsString, args: Vec<OsString> },
    /// `-m MODULE [ARGS]`
    Module { name: OsString, args: Vec<OsString> },
    /// `SCRIPT [ARGS]`
    Script { path: OsString, args: Vec<OsString> },
    /// `- [ARGS]`, or no argument: the program comes from stdin (or the
    /// REPL when stdin is a terminal and no `-` was given).
    Stdin { dash: bool, args: Vec<OsString> },
    /// A module built in with `make build APP=...`: every argument is the
    /// app's (`program` is argv[0]).
    App { module: String, program: OsString, args: Vec<OsString> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub options: Options,
    pub action: Action,
}

/// What the command line asks for instead of running a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Early {
    /// `-h`, `--help`, `-?`, `--help-env`, `--help-xoptions`, `--help-all`
    Help,
    /// `-V` (1), `-VV` (2)
    Version(u32),
    /// A usage error: the message, then the usage lines (exit status 2).
    UsageError(String),
}

impl Invocation {
    /// `sys.argv` as CPython builds it before running the program.
    pub fn sys_argv(&self) -> Vec<OsString> {
        let (first, args): (OsString, &[OsString]) = match &self.action {
            Action::Command { args, .. } => ("-c".into(), args),
            Action::Module { args, .. } => ("-m".into(), args),
            Action::Script { path, args } => (path.clone(), args),
            Action::Stdin { dash: true, args } => ("-".into(), args),
            Action::Stdin { dash: false, args } => ("".into(), args),
            Action::App { program, args, .. } => (program.clone(), args),
        };
        std::iter::once(first).chain(args.iter().cloned()).collect()
    }
}

/// Parse the arguments after `argv[0]`.
pub fn parse(args: &[OsString]) -> Result<Invocation, Early> {
    let mut options = Options::default();
    let mut version = 0;
    let mut i = 0;
    let mut action: Option<Action> = None;

    'args: while i < args.len() {
        let arg = args[i].as_encoded_bytes();
        if arg.first() != Some(&b'-') || arg == b"-" {
            break;
        }
        i += 1;
        match arg {
            b"--" => break,
            b"--help" | b"--help-env" | b"--help-xoptions" | b"--help-all" => return Err(Early::Help),
            b"--version" => {
                version += 1;
                continue;
            }
            b"--check-hash-based-pycs" => {
                let Some(value) = args.get(i) else {
                    return Err(usage_error("Argument expected for the --check-hash-based-pycs options"));
                };
                i += 1;
                options.check_hash_based_pycs = Some(value.to_string_lossy().into_owned());
                continue;
            }
            _ if arg.starts_with(b"--") => {
                return Err(usage_error(&format!("unknown option {}", args[i - 1].to_string_lossy())));
            }
            _ => {}
        }
        // A cluster of short options: `-BEs`, `-c'code'`, `-Wdefault`.
        let mut j = 1;
        while j < arg.len() {
            let opt = arg[j] as char;
            j += 1;
            if opt == 'J' {
                return Err(usage_error("-J is reserved for Jython"));
            }
            if !opt.is_ascii() || !SHORT_OPTIONS.contains(opt) || opt == ':' {
                return Err(usage_error(&format!("Unknown option: -{opt}")));
            }
            if WITH_ARGUMENT.contains(&opt) {
                let value: OsString = if j < arg.len() {
                    // SAFETY-free: split at an ASCII byte keeps the encoding valid.
                    bytes_to_os(&arg[j..])
                } else if let Some(next) = args.get(i) {
                    i += 1;
                    next.clone()
                } else {
                    return Err(usage_error(&format!("Argument expected for the -{opt} option")));
                };
                match opt {
                    'c' => {
                        action = Some(Action::Command { code: value, args: args[i..].to_vec() });
                        break 'args;
                    }
                    'm' => {
                        action = Some(Action::Module { name: value, args: args[i..].to_vec() });
                        break 'args;
                    }
                    'W' => options.warn_options.push(value.to_string_lossy().into_owned()),
                    _ => options.x_options.push(value.to_string_lossy().into_owned()),
                }
                continue 'args;
            }
            match opt {
                'b' => options.bytes_warning += 1,
                'B' => options.dont_write_bytecode = true,
                'd' => options.debug_parser = true,
                'E' => options.ignore_environment = true,
                'h' | '?' => return Err(Early::Help),
                'i' => options.inspect = true,
                'I' => {
                    options.isolated = true;
                    options.ignore_environment = true;
                    options.no_user_site = true;
                    options.safe_path = true;
                }
                'O' => options.optimize += 1,
                'P' => options.safe_path = true,
                'q' => options.quiet = true,
                'R' => {} // hash randomization: fixed by the snapshot (README)
                's' => options.no_user_site = true,
                'S' => options.no_site = true,
                't' => {} // ignored by CPython 3 too
                'u' => options.unbuffered = true,
                'v' => options.verbose += 1,
                'V' => version += 1,
                'x' => options.skip_first_line = true,
                _ => unreachable!("every option of SHORT_OPTIONS is handled"),
            }
        }
    }
    if version > 0 {
        return Err(Early::Version(version));
    }
    let action = action.unwrap_or_else(|| match args.get(i) {
        None => Action::Stdin { dash: false, args: Vec::new() },
        Some(first) if first == OsStr::new("-") => Action::Stdin { dash: true, args: args[i + 1..].to_vec() },
        Some(first) => Action::Script { path: first.clone(), args: args[i + 1..].to_vec() },
    });
    Ok(Invocation { options, action })
}

/// The command line of a module built with an app: the app gets every
/// argument, unless argv[0] names the interpreter (`wasmtime run --argv0
/// python3 app.wasm ...`), which gives the full python3 command line.
pub fn parse_for_app(argv: &[OsString], app_module: &str) -> Result<Invocation, Early> {
    let program = argv.first().cloned().unwrap_or_default();
    let name = program.to_string_lossy();
    let base = name.rsplit('/').next().unwrap_or_default();
    if matches!(base, "python" | "python3") || base == concat!("python", env!("ONEPY_PYTHON_MM")) {
        return parse(argv.get(1..).unwrap_or_default());
    }
    Ok(Invocation {
        options: Options::default(),
        action: Action::App {
            module: app_module.to_string(),
            program,
            args: argv.get(1..).unwrap_or_default().to_vec(),
        },
    })
}

fn usage_error(message: &str) -> Early {
    Early::UsageError(message.to_string())
}

fn bytes_to_os(bytes: &[u8]) -> OsString {
    // SAFETY: `bytes` is a suffix of an OsStr split right after an ASCII
    // byte, which the encoded-bytes contract allows.
    unsafe { OsStr::from_encoded_bytes_unchecked(bytes) }.to_os_string()
}

/// CPython's usage lines after a usage error, for `program` (argv[0]).
pub fn usage_error_text(message: &str, program: &str) -> String {
    format!(
        "{message}\nusage: {program} [option] ... [-c cmd | -m mod | file | -] [arg] ...\n\
         Try `python -h' for more information.\n"
    )
}

/// `-h` output.
pub fn help_text(program: &str) -> String {
    format!(
        "usage: {program} [option] ... [-c cmd | -m mod | file | -] [arg] ...\n\
Options (and corresponding environment variables):\n\
-b     : issue warnings about converting bytes/bytearray to str (-bb: errors)\n\
-B     : don't write .pyc files on import (always the case here)\n\
-c cmd : program passed in as string (terminates option list)\n\
-E     : ignore PYTHON* environment variables (always the case here)\n\
-h     : print this help message and exit (also -? or --help)\n\
-i     : inspect interactively after running script\n\
-I     : isolate Python from the user's environment (implies -E, -P and -s)\n\
-m mod : run library module as a script (terminates option list)\n\
-O     : remove assert and __debug__-dependent statements (accepted; see README)\n\
-P     : don't prepend a potentially unsafe path to sys.path\n\
-q     : don't print version and copyright messages on interactive startup\n\
-s     : don't add user site directory to sys.path (always the case here)\n\
-S     : don't imply 'import site' on initialization (accepted; see README)\n\
-u     : force the stdout and stderr streams to be unbuffered\n\
-v     : verbose (trace import statements)\n\
-V     : print the Python version number and exit (also --version)\n\
         when given twice, print more information about the build\n\
-W arg : warning control; arg is action:message:category:module:lineno\n\
-x     : skip first line of source, allowing use of non-Unix forms of #!cmd\n\
-X opt : set implementation-specific option (stored in sys._xoptions)\n\
file   : program read from script file\n\
-      : program read from stdin (default; interactive mode if a tty)\n\
arg ...: arguments passed to program in sys.argv[1:]\n\
\n\
onepy: CPython {mm} with its standard library inside one WebAssembly module.\n\
Scripts and data outside the module need a host mapping (wasmtime --dir).\n",
        mm = env!("ONEPY_PYTHON_MM")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    fn parse_ok(list: &[&str]) -> Invocation {
        parse(&args(list)).expect("parses")
    }

    #[test]
    fn command_takes_the_rest() {
        let inv = parse_ok(&["-c", "print(1)", "-v", "x"]);
        assert_eq!(inv.action, Action::Command { code: "print(1)".into(), args: args(&["-v", "x"]) });
        assert_eq!(inv.sys_argv(), args(&["-c", "-v", "x"]));
        assert_eq!(inv.options.verbose, 0);
    }

    #[test]
    fn clustered_options_and_attached_values() {
        let inv = parse_ok(&["-BSuc", "pass"]);
        assert!(inv.options.dont_write_bytecode && inv.options.no_site && inv.options.unbuffered);
        assert_eq!(inv.action, Action::Command { code: "pass".into(), args: vec![] });
        let inv = parse_ok(&["-Werror", "-X", "utf8", "-mjson.tool", "a"]);
        assert_eq!(inv.options.warn_options, vec!["error"]);
        assert_eq!(inv.options.x_options, vec!["utf8"]);
        assert_eq!(inv.action, Action::Module { name: "json.tool".into(), args: args(&["a"]) });
        assert_eq!(inv.sys_argv(), args(&["-m", "a"]));
    }

    #[test]
    fn script_stdin_and_dashdash() {
        let inv = parse_ok(&["-O", "app.py", "-c", "x"]);
        assert_eq!(inv.options.optimize, 1);
        assert_eq!(inv.action, Action::Script { path: "app.py".into(), args: args(&["-c", "x"]) });
        assert_eq!(inv.sys_argv(), args(&["app.py", "-c", "x"]));
        assert_eq!(parse_ok(&["-", "a"]).sys_argv(), args(&["-", "a"]));
        assert_eq!(parse_ok(&[]).sys_argv(), args(&[""]));
        assert_eq!(parse_ok(&["--", "-weird.py"]).action, Action::Script { path: "-weird.py".into(), args: vec![] });
    }

    #[test]
    fn app_gets_every_argument_unless_argv0_is_python() {
        let inv = parse_for_app(&args(&["app.wasm", "-c", "x", "--help"]), "__main__").unwrap();
        assert_eq!(
            inv.action,
            Action::App { module: "__main__".into(), program: "app.wasm".into(), args: args(&["-c", "x", "--help"]) }
        );
        assert_eq!(inv.sys_argv(), args(&["app.wasm", "-c", "x", "--help"]));
        let inv = parse_for_app(&args(&["/usr/bin/python3", "-c", "x"]), "__main__").unwrap();
        assert_eq!(inv.action, Action::Command { code: "x".into(), args: vec![] });
        assert_eq!(parse_for_app(&args(&["python", "-V"]), "m"), Err(Early::Version(1)));
    }

    #[test]
    fn isolated_implies_e_p_s() {
        let o = parse_ok(&["-I", "-c", "0"]).options;
        assert!(o.isolated && o.ignore_environment && o.safe_path && o.no_user_site);
    }

    #[test]
    fn early_exits() {
        assert_eq!(parse(&args(&["-V"])), Err(Early::Version(1)));
        assert_eq!(parse(&args(&["-VV"])), Err(Early::Version(2)));
        assert_eq!(parse(&args(&["--version"])), Err(Early::Version(1)));
        assert_eq!(parse(&args(&["-h"])), Err(Early::Help));
        assert_eq!(parse(&args(&["--help", "-z"])), Err(Early::Help));
    }

    #[test]
    fn usage_errors_use_cpython_wording() {
        assert_eq!(parse(&args(&["-z"])), Err(Early::UsageError("Unknown option: -z".into())));
        assert_eq!(parse(&args(&["-c"])), Err(Early::UsageError("Argument expected for the -c option".into())));
        assert_eq!(parse(&args(&["--frobnicate"])), Err(Early::UsageError("unknown option --frobnicate".into())));
        assert_eq!(
            usage_error_text("Unknown option: -z", "python3"),
            "Unknown option: -z\nusage: python3 [option] ... [-c cmd | -m mod | file | -] [arg] ...\nTry `python -h' for more information.\n"
        );
    }
}
