//! Per-call latency and throughput of fresh instances (benches/sandbox.py).
//!
//! bench --module M --code CODE [--inputs JSON] [--calls N] [--threads T] [--dirty] [--resident N]
//!
//! Prints one JSON object: the sandbox creation time, per-call latencies
//! (median, p99, in ms) and minor page faults (median, mean) of `calls`
//! sequential calls after 20 warm-up calls, calls per second with `threads`
//! threads, and (with --dirty, measured in a
//! separate pass) the median bytes of linear memory a call dirtied, and
//! (with --resident N) the growth of this process's resident memory while N
//! calls sleep at once, per call.

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::rss;
use onepy_sandbox::{Call, Options, Sandbox};
use serde_json::json;
use wasmtime::error::Context;
use wasmtime::{Result, bail};

fn main() -> Result<()> {
    let mut module = None;
    let mut code = String::from("pass");
    let mut inputs: Option<String> = None;
    let mut calls = 500usize;
    let mut threads = 2usize;
    let mut dirty = false;
    let mut resident = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--module" => module = Some(value()?),
            "--code" => code = value()?,
            "--inputs" => inputs = Some(value()?),
            "--calls" => calls = value()?.parse()?,
            "--threads" => threads = value()?.parse()?,
            "--dirty" => dirty = true,
            "--resident" => resident = value()?.parse()?,
            _ => bail!("unknown argument {a}"),
        }
    }
    let module = module.context("--module is required")?;
    let t = Instant::now();
    let sandbox = Arc::new(Sandbox::from_file(module.as_ref(), Options::default())?);
    let create_ms = t.elapsed().as_secs_f64() * 1e3;
    let call = |s: &Sandbox| -> Result<f64> {
        let t = Instant::now();
        let o = s.run(&Call { code: &code, inputs_json: inputs.as_deref(), stdin: None })?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        if o.error.is_some() || o.exit_code != Some(0) {
            bail!("call failed: {:?} {}", o.error, String::from_utf8_lossy(&o.stderr));
        }
        Ok(ms)
    };
    for _ in 0..20 {
        call(&sandbox)?;
    }
    let mut lat = Vec::with_capacity(calls);
    let mut faults = Vec::with_capacity(calls);
    for _ in 0..calls {
        let before = minor_faults()?;
        lat.push(call(&sandbox)?);
        faults.push(minor_faults()? - before);
    }
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p).round() as usize];
    let faults_mean = faults.iter().sum::<u64>() as f64 / faults.len() as f64;
    faults.sort();
    let faults_median = faults[faults.len() / 2];

    let per_thread = calls;
    let t = Instant::now();
    std::thread::scope(|scope| -> Result<()> {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    for _ in 0..per_thread {
                        call(&sandbox)?;
                    }
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap()?;
        }
        Ok(())
    })?;
    let calls_per_sec = (threads * per_thread) as f64 / t.elapsed().as_secs_f64();

    let dirty_bytes = if dirty {
        let s = Sandbox::from_file(module.as_ref(), Options { measure_dirty: true, ..Options::default() })?;
        let mut d: Vec<u64> = (0..50)
            .map(|_| {
                let o = s.run(&Call { code: &code, inputs_json: inputs.as_deref(), stdin: None })?;
                o.dirty_bytes.context("no dirty-page measurement")
            })
            .collect::<Result<_>>()?;
        d.sort();
        Some(d[d.len() / 2])
    } else {
        None
    };
    let resident_per_call = if resident > 0 { Some(resident_per_sandbox(&sandbox, resident)?) } else { None };
    println!(
        "{}",
        json!({
            "create_ms": create_ms,
            "median_ms": pct(0.5),
            "p99_ms": pct(0.99),
            "calls": calls,
            "threads": threads,
            "calls_per_sec": calls_per_sec,
            "faults_median": faults_median,
            "faults_mean": faults_mean,
            "dirty_bytes": dirty_bytes,
            "resident_bytes_per_call": resident_per_call,
        })
    );
    Ok(())
}

/// Minor page faults of the calling thread so far (a call runs, and its
/// instance is reset, on the thread that makes it).
fn minor_faults() -> Result<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat")?;
    // After the command name in parentheses: state, ppid, pgrp, session,
    // tty_nr, tpgid, flags, minflt.
    let fields = stat.rsplit_once(')').context("malformed /proc/thread-self/stat")?.1;
    Ok(fields.split_whitespace().nth(7).context("no minflt in /proc/thread-self/stat")?.parse()?)
}

/// Starts `n` calls that each sleep for a second (so all `n` instances are
/// alive at once), samples the resident memory halfway, and returns its
/// growth over the idle sandbox divided by `n`.
fn resident_per_sandbox(sandbox: &Sandbox, n: usize) -> Result<f64> {
    let before = rss()?;
    let code = "import time\ntime.sleep(1)";
    let peak = std::thread::scope(|scope| -> Result<u64> {
        let handles: Vec<_> =
            (0..n).map(|_| scope.spawn(|| sandbox.run(&Call { code, inputs_json: None, stdin: None }))).collect();
        std::thread::sleep(std::time::Duration::from_millis(600));
        let during = rss()?;
        for h in handles {
            let o = h.join().unwrap()?;
            if o.exit_code != Some(0) {
                bail!("sleeping call failed: {:?} {}", o.error, String::from_utf8_lossy(&o.stderr));
            }
        }
        Ok(during)
    })?;
    Ok(peak.saturating_sub(before) as f64 / n as f64)
}
