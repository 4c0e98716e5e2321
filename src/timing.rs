//! `ONEPY_STARTUP_TIMING=1`: print how long each startup stage took (in
//! microseconds, to stderr) when the run ends. Used to find where the time
//! of a short run goes (README, "Startup").

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

static ENABLED: AtomicBool = AtomicBool::new(false);
static MARKS: Mutex<Vec<(&'static str, Instant)>> = Mutex::new(Vec::new());

/// Read the switch from this run's environment (after the libc refresh).
pub fn enable_from_env() {
    if std::env::var_os("ONEPY_STARTUP_TIMING").is_some_and(|v| v == "1") {
        ENABLED.store(true, Ordering::Relaxed);
        mark("start");
    }
}

pub fn mark(stage: &'static str) {
    if ENABLED.load(Ordering::Relaxed)
        && let Ok(mut marks) = MARKS.lock()
    {
        marks.push((stage, Instant::now()));
    }
}

pub fn report() {
    if !ENABLED.load(Ordering::Relaxed) {
        return;
    }
    let Ok(marks) = MARKS.lock() else { return };
    let mut line = String::from("onepy startup timing (us):");
    for pair in marks.windows(2) {
        line.push_str(&format!(" {}={}", pair[1].0, pair[1].1.duration_since(pair[0].1).as_micros()));
    }
    eprintln!("{line}");
}
