//! Host callbacks (issue 22, item 4): `onepy_host.NAME(*args, **kwargs)` in
//! the code runs the host's function on the call's thread, through the
//! reserved descriptor (src/python/onepy_host.py, src/callbacks.rs).
//!
//! The guest module comes from the repository's src/python (mounted and put
//! on `sys.path`) so these tests also run against a module built before it
//! existed; a module that embeds `onepy_host` uses its own copy (embedded
//! modules come first).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{result, run, sandbox_with, text};
use onepy_sandbox::{Callback, DirMapping, ErrorKind, Options, Sandbox};
use serde_json::{Value, json};

const PRELUDE: &str = "import sys\nsys.path.insert(0, '/onepy-guest')\nimport onepy_host\n";

fn sandbox(timeout: Duration, callbacks: BTreeMap<String, Callback>) -> Sandbox {
    let guest = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../src/python");
    sandbox_with(Options {
        timeout,
        callbacks,
        dirs: vec![DirMapping { host: guest, guest: "/onepy-guest".into(), read_only: true }],
        ..Options::default()
    })
}

fn with_prelude(code: &str) -> String {
    format!("{PRELUDE}{code}")
}

fn callbacks() -> BTreeMap<String, Callback> {
    let mut m = BTreeMap::new();
    m.insert("echo".into(), Callback::new(|args, kwargs| Ok(json!({"args": args, "kwargs": kwargs}))));
    m.insert("fail".into(), Callback::new(|args, _| Err(format!("no row {}", args[0]))));
    m.insert(
        "nap".into(),
        Callback::new(|args, _| {
            std::thread::sleep(Duration::from_secs_f64(args[0].as_f64().unwrap_or(0.0)));
            Ok(Value::Null)
        }),
    );
    m
}

#[test]
fn nested_json_round_trips() {
    let s = sandbox(Duration::from_secs(5), callbacks());
    let o = run(
        &s,
        &with_prelude(
            "big = 'x' * 200_000\n\
             r = onepy_host.echo(1, [2.5, {'a': None, 'b': [True, 'é😀']}], big, k={'n': [[], {}]})\n\
             assert r['args'][2] == big\n\
             r['args'][2] = len(big)\n\
             result = [r, onepy_host.call('echo')]",
        ),
    );
    assert_eq!(
        result(&o),
        json!([
            {"args": [1, [2.5, {"a": null, "b": [true, "é😀"]}], 200_000], "kwargs": {"k": {"n": [[], {}]}}},
            {"args": [], "kwargs": {}}
        ])
    );
}

#[test]
fn host_errors_are_exceptions() {
    let s = sandbox(Duration::from_secs(5), callbacks());
    let code = "out = []\n\
        for f in (lambda: onepy_host.fail(7), lambda: onepy_host.missing()):\n\
        \x20   try:\n\
        \x20       f()\n\
        \x20   except onepy_host.HostError as e:\n\
        \x20       out.append(str(e))\n\
        result = out";
    assert_eq!(
        result(&run(&s, &with_prelude(code))),
        json!(["no row 7", "the host has no callback named \"missing\""])
    );
    // Uncaught, it is an ordinary exception with a traceback.
    let o = run(&s, &with_prelude("onepy_host.fail(8)"));
    assert_eq!((o.error, o.exit_code), (None, Some(1)));
    assert!(text(&o.stderr).contains("onepy_host.HostError: no row 8"), "{}", text(&o.stderr));
}

#[test]
fn a_callback_past_the_timeout_ends_the_call() {
    let s = sandbox(Duration::from_millis(500), callbacks());
    let started = Instant::now();
    let o = run(&s, &with_prelude("onepy_host.nap(0.8)\nresult = 'woke'"));
    let took = started.elapsed();
    assert_eq!(o.error, Some(ErrorKind::Timeout), "{:?}, stderr: {}", o.error_detail, text(&o.stderr));
    assert_eq!(o.result_json, None);
    // The callback itself cannot be cut: the call ends when it returns.
    assert!(took >= Duration::from_millis(800) && took < Duration::from_millis(1500), "{took:?}");
    assert_eq!(result(&run(&s, &with_prelude("onepy_host.nap(0.01)\nresult = 'next'"))), json!("next"));
}

#[test]
fn eight_threads_calling_back() {
    let calls = Arc::new(AtomicU64::new(0));
    let mut m = callbacks();
    let counter = calls.clone();
    m.insert(
        "add".into(),
        Callback::new(move |args, _| {
            counter.fetch_add(1, Ordering::Relaxed);
            Ok(json!(args[0].as_i64().unwrap() + args[1].as_i64().unwrap()))
        }),
    );
    let s = Arc::new(sandbox(Duration::from_secs(10), m));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let s = s.clone();
            std::thread::spawn(move || {
                for i in 0..20 {
                    let code = format!("result = [onepy_host.add({t}, j) for j in range({i}, {i} + 5)]");
                    let o = run(&s, &with_prelude(&code));
                    assert_eq!(result(&o), json!((i..i + 5).map(|j| t + j).collect::<Vec<_>>()));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(calls.load(Ordering::Relaxed), 8 * 20 * 5);
}
