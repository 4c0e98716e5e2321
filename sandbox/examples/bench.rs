//! Per-call latency and throughput of fresh instances (benches/sandbox.py).
//!
//! bench --module M --code CODE [--inputs JSON] [--calls N] [--threads T] [--dirty]
//!
//! Prints one JSON object: the sandbox creation time, per-call latencies
//! (median, p99, in ms) of `calls` sequential calls after 20 warm-up calls,
//! calls per second with `threads` threads, and (with --dirty, measured in a
//! separate pass) the median bytes of linear memory a call dirtied.

use std::sync::Arc;
use std::time::Instant;

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
    let mut lat: Vec<f64> = (0..calls).map(|_| call(&sandbox)).collect::<Result<_>>()?;
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p).round() as usize];

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
    println!(
        "{}",
        json!({
            "create_ms": create_ms,
            "median_ms": pct(0.5),
            "p99_ms": pct(0.99),
            "calls": calls,
            "threads": threads,
            "calls_per_sec": calls_per_sec,
            "dirty_bytes": dirty_bytes,
        })
    );
    Ok(())
}
