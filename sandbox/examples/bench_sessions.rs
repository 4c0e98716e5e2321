//! Sessions against fresh instances (benches/sandbox_sessions.py).
//!
//! bench_sessions --module M [--reps N] [--idle N]
//!
//! Prints one JSON object:
//! - `workloads`: for each workload, 10 calls as a session (its creation
//!   included) and as 10 fresh calls (each redoing the setup the session
//!   keeps), the median over `reps` repetitions of the total, in ms, and the
//!   median of a session's later calls alone;
//! - `fork`: the median time of `Session::fork` (ms) of a session after a
//!   few calls, and of one holding 64 MiB more of written data;
//! - `idle`: the growth of this process's resident memory per idle session
//!   (each after one call), and per fork of one such session (each after
//!   one call of its own), over `idle` of them.

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::rss;
use onepy_sandbox::{Call, Options, Outcome, Sandbox, Session};
use serde_json::json;
use wasmtime::error::Context;
use wasmtime::{Result, bail};

/// (name, the session's first call, each later call, a fresh call doing both).
const WORKLOADS: &[(&str, &str, &str, &str)] = &[
    ("a counter", "n = 0", "n += 1\nresult = n", "n = 0\nn += 1\nresult = n"),
    (
        "import statistics (not in the snapshot), then use it",
        "import statistics",
        "result = statistics.mean(range(1000))",
        "import statistics\nresult = statistics.mean(range(1000))",
    ),
    (
        "build a 50,000-entry dict, then query it",
        "table = {i: str(i) for i in range(50000)}",
        "result = table[4321]",
        "table = {i: str(i) for i in range(50000)}\nresult = table[4321]",
    ),
];

fn ok(o: Outcome) -> Result<Outcome> {
    if o.error.is_some() || o.exit_code != Some(0) {
        bail!("call failed: {:?} {:?} {}", o.error, o.error_detail, String::from_utf8_lossy(&o.stderr));
    }
    Ok(o)
}

fn run(s: &Session, code: &str) -> Result<Outcome> {
    ok(s.run(&Call { code, ..Call::default() })?)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn main() -> Result<()> {
    let mut module = None;
    let mut reps = 30usize;
    let mut idle = 16usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--module" => module = Some(value()?),
            "--reps" => reps = value()?.parse()?,
            "--idle" => idle = value()?.parse()?,
            _ => bail!("unknown argument {a}"),
        }
    }
    let module = module.context("--module is required")?;
    let sandbox = Arc::new(Sandbox::from_file(module.as_ref(), Options::default())?);

    let mut workloads = Vec::new();
    for (name, setup, each, fresh) in WORKLOADS {
        let (mut session_total, mut fresh_total, mut later, mut first) = (vec![], vec![], vec![], vec![]);
        for rep in 0..reps + 3 {
            let t = Instant::now();
            let s = sandbox.session()?;
            run(&s, setup)?;
            let first_ms = ms(t);
            for _ in 0..9 {
                let c = Instant::now();
                run(&s, each)?;
                if rep >= 3 {
                    later.push(ms(c));
                }
            }
            let session_ms = ms(t);
            let t = Instant::now();
            for _ in 0..10 {
                ok(sandbox.run(&Call { code: fresh, ..Call::default() })?)?;
            }
            // The first repetitions warm up.
            if rep >= 3 {
                session_total.push(session_ms);
                first.push(first_ms);
                fresh_total.push(ms(t));
            }
        }
        workloads.push(json!({
            "name": name,
            "session_10_ms": median(session_total),
            "fresh_10_ms": median(fresh_total),
            "session_first_ms": median(first),
            "session_later_call_ms": median(later),
        }));
    }

    // Fork: a session after a few calls, and one with 64 MiB more written.
    let mut forks = Vec::new();
    for (name, extra) in [("after a few calls", "pass"), ("holding 64 MiB more", "big = bytearray(b'x' * (64 << 20))")]
    {
        let s = sandbox.session()?;
        run(&s, "import json, statistics\nstate = {'k': list(range(1000))}")?;
        run(&s, extra)?;
        let mut times = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            let f = s.fork()?;
            times.push(ms(t));
            drop(f);
        }
        let f = s.fork()?;
        let check = run(&f, "result = len(state['k'])")?;
        if check.result_json.as_deref() != Some("1000") {
            bail!("the fork lost its state: {:?}", check.result_json);
        }
        forks.push(json!({"name": name, "fork_ms": median(times), "memory_bytes": s.memory_size()}));
    }

    // Resident memory per idle session, and per fork; each in its own
    // sandbox, so no slot is reused (a reused slot keeps pages resident).
    let fresh_sandbox = || Sandbox::from_file(module.as_ref(), Options::default()).map(Arc::new);
    let sb = fresh_sandbox()?;
    let before = rss()?;
    let sessions: Vec<Session> = (0..idle)
        .map(|i| {
            let s = sb.session()?;
            run(&s, &format!("x = {i}\nimport json"))?;
            Ok(s)
        })
        .collect::<Result<_>>()?;
    let per_session = (rss()?.saturating_sub(before)) as f64 / idle as f64;
    drop(sessions);
    let sb = fresh_sandbox()?;
    let parent = sb.session()?;
    run(&parent, "x = 1\nimport json")?;
    let before = rss()?;
    let children: Vec<Session> = (0..idle)
        .map(|_| {
            let f = parent.fork()?;
            run(&f, "x += 1")?;
            Ok(f)
        })
        .collect::<Result<_>>()?;
    let per_fork = (rss()?.saturating_sub(before)) as f64 / idle as f64;
    drop(children);

    println!(
        "{}",
        json!({
            "reps": reps,
            "workloads": workloads,
            "fork": forks,
            "idle": {"count": idle, "resident_bytes_per_session": per_session, "resident_bytes_per_fork": per_fork},
        })
    );
    Ok(())
}
