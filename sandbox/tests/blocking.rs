//! The timeout holds while the code waits in the host (issue 22, item 1):
//! `time.sleep`, `select` and `poll` end at the call's deadline, however
//! long they asked for, and free the host thread; shorter waits are kept.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{result, run, sandbox_with, text};
use onepy_sandbox::{Call, ErrorKind, Options, Sandbox};
use serde_json::json;

const TIMEOUT: Duration = Duration::from_millis(500);
/// What a call cut at the 0.5 s timeout may take in all ("well under 1 s").
const BOUND: Duration = Duration::from_secs(1);

const LONG_WAITS: [&str; 4] = [
    "import time\ntime.sleep(30)",
    "import time\ntime.sleep(10**9)",
    "import select\nselect.select([], [], [], 30)",
    "import select\np = select.poll()\np.poll(30_000)",
];

fn sandbox() -> Sandbox {
    sandbox_with(Options { timeout: TIMEOUT, ..Options::default() })
}

/// Runs `code`, which waits far past the timeout, and checks that the call
/// ends as a timeout between the timeout and [`BOUND`].
fn ends_at_the_timeout(s: &Sandbox, code: &str) {
    let started = Instant::now();
    let o = run(s, code);
    let took = started.elapsed();
    assert_eq!(o.error, Some(ErrorKind::Timeout), "{code}: {:?}, stderr: {}", o.error_detail, text(&o.stderr));
    assert_eq!(o.exit_code, None, "{code}");
    assert!(took < BOUND, "{code}: the call took {took:?}");
    assert!(took >= TIMEOUT, "{code}: the call ended before its timeout, after {took:?}");
}

#[test]
fn long_waits_end_at_the_timeout() {
    let s = sandbox();
    for code in LONG_WAITS {
        ends_at_the_timeout(&s, code);
    }
    // A wait that ends after the deadline, from a loop of short ones.
    ends_at_the_timeout(&s, "import time\nwhile True: time.sleep(0.3)");
    assert_eq!(result(&run(&s, "result = 'next'")), json!("next"));
}

#[test]
fn four_threads_waiting_at_once() {
    let s = Arc::new(sandbox());
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let s = s.clone();
            std::thread::spawn(move || ends_at_the_timeout(&s, LONG_WAITS[i % LONG_WAITS.len()]))
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(result(&run(&s, "import time\ntime.sleep(0.01)\nresult = 'next'")), json!("next"));
}

#[test]
fn waits_shorter_than_the_timeout_are_kept() {
    let s = sandbox();
    let o = run(
        &s,
        "import select, time\n\
         t = time.monotonic(); time.sleep(0.1); a = time.monotonic() - t\n\
         t = time.monotonic(); select.select([], [], [], 0.1); b = time.monotonic() - t\n\
         t = time.time(); time.sleep(0.1); c = time.time() - t\n\
         result = [a, b, c]",
    );
    let waited = result(&o);
    for (i, w) in waited.as_array().unwrap().iter().enumerate() {
        assert!(w.as_f64().unwrap() >= 0.1, "wait {i} was cut short: {waited}");
    }
}

#[test]
fn stdin_never_waits() {
    let s = sandbox();
    // Without stdin the code reads an empty buffer, not the host's stdin.
    let o = run(
        &s,
        "import select, sys\n\
         ready = select.select([sys.stdin], [], [], 30)[0]\n\
         result = [len(ready), sys.stdin.read(), sys.stdin.buffer.read(10).decode()]",
    );
    assert_eq!(result(&o), json!([1, "", ""]));
    let o = run(&s, "input()");
    assert_eq!((o.error, o.exit_code), (None, Some(1)), "{:?}", o.error_detail);
    assert!(text(&o.stderr).contains("EOFError"), "{}", text(&o.stderr));
    let stdin = Some(b"given\n".to_vec());
    let o = s.run(&Call { code: "result = [input(), input()]", inputs_json: None, stdin }).unwrap();
    assert_eq!(o.exit_code, Some(1), "stderr: {}", text(&o.stderr));
    assert!(text(&o.stderr).contains("EOFError"), "{}", text(&o.stderr));
}

#[test]
fn a_timeout_too_large_for_a_deadline_is_no_timeout() {
    let s = sandbox_with(Options { timeout: Duration::MAX, ..Options::default() });
    assert_eq!(result(&run(&s, "import time\ntime.sleep(0.01)\nresult = 1")), json!(1));
}

#[test]
fn a_short_timeout_does_not_refuse_the_module() {
    // Sandbox::new's test call has its own, longer timeout.
    let s = sandbox_with(Options { timeout: Duration::from_millis(1), ..Options::default() });
    assert_eq!(run(&s, "while True: pass").error, Some(ErrorKind::Timeout));
}
