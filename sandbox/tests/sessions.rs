//! Sessions (issue 22, item 3): an instance kept between calls. State
//! persists (globals, imports, scratch files), every call keeps its own
//! limits, a call that hits one kills the session (the next call says so),
//! forks are independent, idle sessions expire, sessions run in parallel.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{result, sandbox_with, text};
use onepy_sandbox::{Call, ErrorKind, Options, Outcome, Sandbox, Session};
use serde_json::json;

fn sandbox(options: Options) -> Arc<Sandbox> {
    Arc::new(sandbox_with(options))
}

fn call(s: &Session, code: &str) -> Outcome {
    s.run(&Call { code, ..Call::default() }).unwrap()
}

fn scratch_sandbox() -> Arc<Sandbox> {
    sandbox(Options { scratch: true, timeout: Duration::from_secs(20), ..Options::default() })
}

#[test]
fn state_persists_between_calls() {
    let sb = scratch_sandbox();
    let s = sb.session().unwrap();
    let o = call(&s, "import fractions\nx = 41\nopen('/tmp/note.txt', 'w').write('kept')\nprint('first')");
    assert_eq!(o.error, None, "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "first\n");
    let o = call(
        &s,
        "import sys\nresult = [x + 1, 'fractions' in sys.modules, fractions.Fraction(1, 3) * 3 == 1, \
         open('/tmp/note.txt').read()]",
    );
    assert_eq!(result(&o), json!([42, true, true, "kept"]));
    // Each call's stdout is its own, and `result` is the call's own.
    assert_eq!(text(&o.stdout), "");
    let o = call(&s, "y = x * 2");
    assert_eq!(o.result_json, None);
    assert_eq!(result(&call(&s, "result = y")), json!(82));
    // inputs and stdin are per call.
    let o =
        s.run(&Call { code: "result = [inputs, input()]", inputs_json: Some("[1]"), stdin: Some(b"line\n".to_vec()) });
    assert_eq!(result(&o.unwrap()), json!([[1], "line"]));
    let o = call(&s, "result = inputs");
    assert_eq!(result(&o), json!(null));
    assert_eq!(s.calls(), 6);
    // An exception is not a limit: the session lives on.
    let o = call(&s, "raise ValueError('boom')");
    assert_eq!((o.exit_code, o.error), (Some(1), None));
    assert!(text(&o.stderr).contains("ValueError: boom"), "{}", text(&o.stderr));
    let o = call(&s, "raise SystemExit(3)");
    assert_eq!((o.exit_code, o.error), (Some(3), None));
    assert_eq!(result(&call(&s, "result = x")), json!(41));
    assert!(s.is_alive());
}

/// Many calls in one session: the stack pointer is back where it started
/// after each call (a leak would exhaust the 8 MiB stack and trap), and the
/// interpreter keeps working.
#[test]
fn many_calls_do_not_leak_the_stack() {
    let sb = scratch_sandbox();
    let s = sb.session().unwrap();
    call(&s, "n = 0\ndef deep(k):\n    return 0 if k == 0 else 1 + deep(k - 1)");
    for i in 1..=300 {
        let o = call(&s, "n += 1\nresult = [n, deep(200)]");
        assert_eq!(result(&o), json!([i, 200]), "call {i}");
    }
}

#[test]
fn a_timeout_kills_the_session() {
    let sb = sandbox(Options { timeout: Duration::from_secs(20), ..Options::default() });
    let s = sb.session().unwrap();
    assert_eq!(result(&call(&s, "x = 1\nresult = x")), json!(1));
    // The call's own timeout, in a busy loop (epoch) and in a sleep (poll_oneoff).
    for code in ["while True: pass", "import time; time.sleep(30)"] {
        let s = sb.session().unwrap();
        let o = s.run_limited(&Call { code, ..Call::default() }, Some(Duration::from_millis(300)), None).unwrap();
        assert_eq!(o.error, Some(ErrorKind::Timeout), "{code}: {:?}", o.error_detail);
        assert!(!s.is_alive());
        let next = call(&s, "result = 1");
        assert_eq!(next.error, Some(ErrorKind::SessionDead));
        assert_eq!((next.exit_code, next.result_json.as_deref()), (None, None));
        let why = next.error_detail.unwrap();
        assert!(why.contains("the session is dead: its call 1 ended with timeout"), "{why}");
        assert_eq!(next.error.unwrap().as_str(), "session_dead");
        assert!(s.fork().unwrap_err().to_string().contains("the session is dead"));
    }
    // The first session was not affected.
    assert_eq!(result(&call(&s, "result = x + 1")), json!(2));
}

#[test]
fn other_limits_and_exits_kill_the_session() {
    let sb = sandbox(Options {
        timeout: Duration::from_secs(20),
        output_limit: 1000,
        memory_limit: 96 << 20,
        ..Options::default()
    });
    let cases = [
        ("print('x' * 5000)", Some(ErrorKind::OutputLimit), "output_limit"),
        ("b = bytearray(200 << 20)", Some(ErrorKind::MemoryLimit), "memory_limit"),
        ("import os; os._exit(4)", None, "exit status Some(4) without returning"),
    ];
    for (code, kind, why) in cases {
        let s = sb.session().unwrap();
        call(&s, "x = 1");
        let o = call(&s, code);
        assert_eq!(o.error, kind, "{code}: {:?} {}", o.error_detail, text(&o.stderr));
        let next = call(&s, "result = x");
        assert_eq!(next.error, Some(ErrorKind::SessionDead), "{code}");
        let detail = next.error_detail.unwrap();
        assert!(detail.contains(&format!("its call 2 ended with {why}")), "{code}: {detail}");
    }
    // A per-call output limit tighter than the sandbox's.
    let s = sb.session().unwrap();
    let o = s.run_limited(&Call { code: "print('y' * 50)", ..Call::default() }, None, Some(10)).unwrap();
    assert_eq!((o.error, text(&o.stdout)), (Some(ErrorKind::OutputLimit), "y".repeat(10)));
}

#[test]
fn forks_are_independent() {
    let sb = scratch_sandbox();
    let parent = sb.session().unwrap();
    call(&parent, "import json\nitems = [1]\nopen('/tmp/f', 'w').write('parent')");
    let child = parent.fork().unwrap();
    assert_eq!(
        result(&call(&child, "result = [items, open('/tmp/f').read(), 'json' in dir()]")),
        json!([[1], "parent", true])
    );
    call(&child, "items.append('child')\nopen('/tmp/f', 'w').write('child')\nonly_child = 1");
    call(&parent, "items.append('parent')\nonly_parent = 1");
    assert_eq!(
        result(&call(&parent, "result = [items, open('/tmp/f').read(), 'only_child' in globals()]")),
        json!([[1, "parent"], "parent", false])
    );
    assert_eq!(
        result(&call(&child, "result = [items, open('/tmp/f').read(), 'only_parent' in globals()]")),
        json!([[1, "child"], "child", false])
    );
    // A fork of a fork, and a fork outliving its parent.
    let grandchild = child.fork().unwrap();
    drop(parent);
    assert_eq!(result(&call(&grandchild, "items.append(3)\nresult = items")), json!([1, "child", 3]));
    assert_eq!(result(&call(&child, "result = items")), json!([1, "child"]));
    // A fork dies alone.
    let o = child.run_limited(
        &Call { code: "while True: pass", ..Call::default() },
        Some(Duration::from_millis(200)),
        None,
    );
    assert_eq!(o.unwrap().error, Some(ErrorKind::Timeout));
    assert_eq!(result(&call(&grandchild, "result = len(items)")), json!(3));
    // The fork draws its own random numbers (the parent's seed was copied).
    call(&grandchild, "import random");
    let twin = grandchild.fork().unwrap();
    let (a, b) = (call(&grandchild, "result = random.random()"), call(&twin, "result = random.random()"));
    assert_ne!(result(&a), result(&b));
    // A large, varied state survives the copy whole: every object is walked
    // (gc) and 24 MiB of data hashed in the fork.
    let big = sb.session().unwrap();
    call(
        &big,
        "import gc, hashlib, os\nchunks = [os.urandom(4096 + i % 7) for i in range(6000)]\n\
         table = {i: str(i) * 3 for i in range(100000)}\n\
         digest = hashlib.sha256(b''.join(chunks) + repr(sorted(table.items())).encode()).hexdigest()",
    );
    let copy = big.fork().unwrap();
    let check = "gc.collect()\nresult = hashlib.sha256(b''.join(chunks) + repr(sorted(table.items())).encode()).hexdigest() == digest";
    assert_eq!(result(&call(&copy, check)), json!(true));
    assert_eq!(result(&call(&big, check)), json!(true));
    // A fork taken before the first call.
    let fresh = sb.session().unwrap();
    let early = fresh.fork().unwrap();
    assert_eq!(result(&call(&early, "result = 'x' in globals()")), json!(false));
}

#[test]
fn idle_sessions_expire() {
    let sb = sandbox(Options { timeout: Duration::from_secs(20), ..Options::default() });
    let short = sb.session_with_idle_timeout(Duration::from_secs(1)).unwrap();
    let long = sb.session().unwrap();
    call(&short, "x = 1");
    call(&long, "x = 2");
    std::thread::sleep(Duration::from_millis(2500));
    assert!(!short.is_alive());
    assert_eq!(short.memory_size(), 0);
    let o = call(&short, "result = x");
    assert_eq!(o.error, Some(ErrorKind::SessionExpired));
    assert!(o.error_detail.unwrap().contains("idle timeout of 1.000 s"));
    assert_eq!(result(&call(&long, "result = x")), json!(2));
    long.close();
    assert_eq!(call(&long, "result = x").error, Some(ErrorKind::SessionExpired));
}

#[test]
fn sessions_run_in_parallel_threads() {
    let sb = sandbox(Options { timeout: Duration::from_secs(60), ..Options::default() });
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let sb = sb.clone();
            std::thread::spawn(move || {
                let s = sb.session().unwrap();
                call(&s, &format!("me = {t}\ntotal = 0"));
                for i in 0..20 {
                    let o = call(&s, &format!("total += {i}\nresult = [me, total]"));
                    assert_eq!(result(&o), json!([t, (0..=i).sum::<i32>()]));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn one_session_from_several_threads_runs_calls_one_at_a_time() {
    let sb = sandbox(Options { timeout: Duration::from_secs(60), ..Options::default() });
    let s = Arc::new(sb.session().unwrap());
    call(&s, "count = 0");
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let s = s.clone();
            std::thread::spawn(move || {
                for _ in 0..10 {
                    assert_eq!(call(&s, "count += 1").error, None);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(result(&call(&s, "result = count")), json!(40));
}

#[test]
fn a_session_holds_a_slot_until_closed() {
    let sb = sandbox(Options { timeout: Duration::from_secs(20), max_concurrency: 2, ..Options::default() });
    let a = sb.session().unwrap();
    let b = a.fork().unwrap();
    let e = sb.session().unwrap_err();
    assert!(format!("{e:#}").contains("instantiating the module"), "{e:#}");
    let refused = sb.run(&Call { code: "result = 1", ..Call::default() });
    assert!(refused.is_err(), "a fresh call found a slot while two sessions held both");
    b.close();
    let c = sb.session().unwrap();
    assert_eq!(result(&call(&c, "result = 3")), json!(3));
    drop(c);
    assert_eq!(result(&sb.run(&Call { code: "result = 4", ..Call::default() }).unwrap()), json!(4));
    assert_eq!(call(&a, "x = 1").error, None);
}
