//! Every way a call can end is an `Outcome` (issue 22, item 6): exceptions,
//! exit codes, each limit, traps, oversized or forged results and output
//! that is not UTF-8. None makes `run` fail, every error says why, and a
//! result handed back is always JSON the host can parse.

mod common;

use std::time::Duration;

use common::{run, sandbox_with, text};
use onepy_sandbox::{ErrorKind, Options, Outcome, Sandbox};
use serde_json::{Value, json};

const LIMIT: usize = 4096;

fn sandbox() -> Sandbox {
    sandbox_with(Options {
        timeout: Duration::from_millis(500),
        memory_limit: 128 << 20,
        output_limit: LIMIT,
        result_limit: LIMIT,
        ..Options::default()
    })
}

/// Writes `payload` (Python bytes) as the result, as only code that finds
/// the runner's nonce can: the runner's frame calls the code.
fn forged(payload: &str) -> String {
    format!(
        "import os, sys\n\
         nonce = sys._getframe().f_back.f_locals['nonce']\n\
         os.write(1, nonce.encode())\n\
         os.write(1, {payload})\n\
         os._exit(0)"
    )
}

/// What every outcome must satisfy, then its decoded result.
fn checked(code: &str, o: &Outcome) -> Option<Value> {
    if o.error.is_some() {
        assert!(o.error_detail.is_some(), "{code}: {:?} without a detail", o.error);
    }
    // The CLI's form never fails either.
    let cli = o.to_json();
    assert_eq!(cli["error"], json!(o.error.map(ErrorKind::as_str)), "{code}");
    o.result_json
        .as_deref()
        .map(|r| serde_json::from_str(r).unwrap_or_else(|e| panic!("{code}: result {r:?} is not JSON: {e}")))
}

struct Case {
    code: String,
    error: Option<ErrorKind>,
    exit_code: Option<i32>,
    result: Option<Value>,
    stderr_has: &'static str,
}

fn case(code: &str, error: Option<ErrorKind>, exit_code: Option<i32>, result: Option<Value>) -> Case {
    Case { code: code.to_string(), error, exit_code, result, stderr_has: "" }
}

#[test]
fn every_ending_is_an_outcome() {
    use ErrorKind::*;
    // Built in a loop: a literal this deep is over the parser's limit.
    let deep = "result = []\nfor _ in range(200): result = [result]";
    let cases = [
        case("result = {'a': [1, None]}", None, Some(0), Some(json!({"a": [1, null]}))),
        case("x = 1", None, Some(0), None),
        Case { stderr_has: "ZeroDivisionError", ..case("result = 1\n1 / 0", None, Some(1), Some(json!(1))) },
        case("import sys\nsys.exit(3)", None, Some(3), None),
        Case { stderr_has: "bye", ..case("import sys\nsys.exit('bye')", None, Some(1), None) },
        case("raise SystemExit", None, Some(0), None),
        case("import os\nos._exit(7)", None, Some(7), None),
        Case { stderr_has: "KeyboardInterrupt", ..case("raise KeyboardInterrupt", None, Some(1), None) },
        // WASI exit statuses stop at 125: wasmtime-wasi refuses 200.
        case("import os\nos._exit(200)", Some(Crashed), None, None),
        case("result = 1\nwhile True: pass", Some(Timeout), None, None),
        case("result = 1\nimport time\ntime.sleep(30)", Some(Timeout), None, None),
        Case { stderr_has: "MemoryError", ..case("x = bytearray(10**9)", Some(MemoryLimit), Some(1), None) },
        case("print('x' * 10000)", Some(OutputLimit), None, None),
        case("import sys\nsys.stderr.write('y' * 10000)", Some(OutputLimit), None, None),
        case("result = 'x' * 10000", Some(ResultLimit), None, None),
        case("result = list(range(5000))", Some(ResultLimit), None, None),
        Case { stderr_has: "not JSON-serializable", ..case("result = object()", None, Some(1), None) },
        case(&forged("b'{\"a\": [1, '"), Some(InvalidResult), Some(0), None),
        case(&forged("b'\"\\xff\"'"), Some(InvalidResult), Some(0), None),
        case(&forged("b'NaN'"), Some(InvalidResult), Some(0), None),
        case(deep, Some(InvalidResult), Some(0), None),
        case("import os\nos.write(1, b'\\xff\\xfe ok\\n')\nresult = 2", None, Some(0), Some(json!(2))),
        case("import os\nos.abort()", Some(Crashed), None, None),
        // The runner cannot write the result: an exception after the code.
        Case { stderr_has: "Bad file descriptor", ..case("import os\nos.close(1)\nresult = 1", None, Some(1), None) },
    ];
    let s = sandbox();
    for c in &cases {
        let o = run(&s, &c.code);
        let got = checked(&c.code, &o);
        let stderr = text(&o.stderr);
        assert_eq!(
            (o.error, o.exit_code),
            (c.error, c.exit_code),
            "{}: {:?}, stderr: {stderr}",
            c.code,
            o.error_detail
        );
        assert_eq!(got, c.result, "{}", c.code);
        assert!(stderr.contains(c.stderr_has), "{}: stderr: {stderr}", c.code);
    }
    // The causes, where they are the sandbox's.
    let detail = |code: &str| run(&s, code).error_detail.unwrap_or_default();
    assert!(detail("result = 'x' * 10000").contains("result limit of 4096 bytes"));
    assert!(detail(deep).contains("nested more than 128 levels"));
    assert!(detail(&forged("b'\"\\xff\"'")).contains("not UTF-8"));
    assert!(detail("x = bytearray(10**9)").contains("memory limit"));
    // Output that is not UTF-8 is kept as bytes.
    assert_eq!(run(&s, "import os\nos.write(1, b'\\xff\\xfe ok\\n')").stdout, b"\xff\xfe ok\n");
}

#[test]
fn a_result_that_is_not_strict_json() {
    // NaN is not JSON: the runner refuses it (exit 1), or with a module
    // built before it did, the host does (invalid_result). Never a result.
    let s = sandbox();
    let o = run(&s, "result = [float('nan')]");
    checked("nan", &o);
    assert_eq!(o.result_json, None);
    match o.error {
        None => {
            assert_eq!(o.exit_code, Some(1));
            assert!(text(&o.stderr).contains("not JSON-serializable"), "{}", text(&o.stderr));
        }
        Some(kind) => assert_eq!(kind, ErrorKind::InvalidResult, "{:?}", o.error_detail),
    }
}
