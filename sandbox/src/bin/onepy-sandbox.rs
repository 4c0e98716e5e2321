//! JSON lines in, JSON lines out: one request per line on stdin
//! (`{"code": ..., "inputs": ..., "stdin": ..., "id": ...}`, all but `code`
//! optional), one result per line on stdout (see `Outcome::to_json`; `id`
//! is echoed). A line that is not a valid request gets
//! `{"error": "invalid_request", "message": ...}`.
//!
//! Usage: onepy-sandbox --module python.wasm [--timeout SECONDS]
//!        [--memory-limit BYTES] [--output-limit BYTES] [--result-limit BYTES] [--fuel N]
//!        [--env KEY=VALUE]... [--dir HOST::GUEST[:ro]]... [--scratch]

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Duration;

use onepy_sandbox::{Call, DirMapping, Options, Sandbox};
use serde_json::{Value, json};
use wasmtime::error::Context;
use wasmtime::{Result, bail};

fn parse_args() -> Result<(PathBuf, Options)> {
    let mut module = std::env::var_os("ONEPY_SANDBOX_MODULE").map(PathBuf::from);
    let mut o = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--module" => module = Some(value()?.into()),
            "--timeout" => o.timeout = Duration::from_secs_f64(value()?.parse()?),
            "--memory-limit" => o.memory_limit = value()?.parse()?,
            "--output-limit" => o.output_limit = value()?.parse()?,
            "--result-limit" => o.result_limit = value()?.parse()?,
            "--fuel" => o.fuel = Some(value()?.parse()?),
            "--max-wasm-stack" => o.max_wasm_stack = Some(value()?.parse()?),
            "--env" => {
                let v = value()?;
                let (k, v) = v.split_once('=').context("--env takes KEY=VALUE")?;
                o.env.push((k.into(), v.into()));
            }
            "--dir" => {
                let v = value()?;
                let (host, guest) = v.split_once("::").context("--dir takes HOST::GUEST[:ro]")?;
                let (guest, read_only) = match guest.strip_suffix(":ro") {
                    Some(g) => (g, true),
                    None => (guest, false),
                };
                o.dirs.push(DirMapping { host: host.into(), guest: guest.into(), read_only });
            }
            "--scratch" => o.scratch = true,
            _ => bail!("unknown argument {a}"),
        }
    }
    let module = module.context("--module (or ONEPY_SANDBOX_MODULE) is required")?;
    Ok((module, o))
}

fn answer(sandbox: &Sandbox, line: &str) -> Value {
    let request: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return json!({"error": "invalid_request", "message": e.to_string()}),
    };
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let Some(code) = request.get("code").and_then(Value::as_str) else {
        return json!({"id": id, "error": "invalid_request", "message": "\"code\" (a string) is required"});
    };
    let inputs = request.get("inputs").filter(|v| !v.is_null()).map(Value::to_string);
    let stdin = match request.get("stdin") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_bytes().to_vec()),
        Some(_) => return json!({"id": id, "error": "invalid_request", "message": "\"stdin\" must be a string"}),
    };
    let call = Call { code, inputs_json: inputs.as_deref(), stdin };
    match sandbox.run(&call) {
        Ok(outcome) => {
            let mut v = outcome.to_json();
            v["id"] = id;
            v
        }
        Err(e) => json!({"id": id, "error": "invalid_request", "message": format!("{e:#}")}),
    }
}

fn main() -> Result<()> {
    let (module, options) = parse_args()?;
    let sandbox = Sandbox::from_file(&module, options)?;
    let stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v = answer(&sandbox, &line);
        serde_json::to_writer(&mut stdout, &v)?;
        stdout.write_all(b"\n")?;
        stdout.flush()?;
    }
    Ok(())
}
