//! What the sandbox benches (bench.rs, bench_sessions.rs) both measure of
//! the host process.

use wasmtime::Result;
use wasmtime::error::Context;

/// VmRSS of this process, in bytes.
pub fn rss() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .context("no VmRSS in /proc/self/status")?;
    Ok(kb * 1024)
}
