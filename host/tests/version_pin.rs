//! The Python version is one pin: the cpython line of sources.lock. Every
//! version-dependent name is derived from it (scripts/common.sh,
//! scripts/pyversion.py, build.rs), so no tracked file outside the generated
//! ones may still name the previous minor version: an upgrade that forgot a
//! place fails here, naming the file and line.

use onepy_host::guest::{python_mm, repo_root};
use std::process::Command;

/// Files written by a benchmark or a report (they record what was measured,
/// including older builds measured next to the current one).
const GENERATED: &[&str] = &[
    "benches/results.md",
    "benches/results.json",
    "benches/sizes.md",
    "benches/setup-times.md",
    "benches/sandbox.md",
    "benches/sandbox.json",
    "benches/oci.md",
    "benches/bundle-modes.md",
    "benches/compute/results.md",
    "benches/compute/results.json",
    "benches/compute/levers.md",
    "benches/compute/vs-previous.md",
    // Package versions (some read like a Python version), from `make test-packages`.
    "tests/packages/suite-results.md",
    "tests/packages/suite-results.json",
    "benches/compute/vs-previous.json",
    "conformance/results.md",
    "conformance/summary.md",
    "conformance/regrtest.md",
    "conformance/nesting-limits.md",
    "conformance/nesting-limits-before.md",
];

/// The spellings of a CPython minor version that a file could carry.
fn spellings(minor: u32) -> Vec<String> {
    vec![
        format!("python3.{minor}"),
        format!("Python 3.{minor}"),
        format!("cpython-3{minor}"),
        format!("cp3{minor}-"),
        format!("CPython 3.{minor}"),
        format!("3.{minor}.0"),
    ]
    .into_iter()
    .chain((1..=30).map(|patch| format!("3.{minor}.{patch}")))
    .collect()
}

/// Markdown text without its generated blocks (`<!-- generated ... -->` to
/// `<!-- end generated -->`, kept in sync by scripts/readme_figures.py).
fn without_generated_blocks(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("<!-- generated") {
            inside = true;
        } else if line.starts_with("<!-- end generated") {
            inside = false;
        } else if !inside {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

#[test]
fn no_file_names_the_previous_python_version() {
    let minor: u32 = python_mm().split('.').nth(1).unwrap().parse().unwrap();
    let old = spellings(minor - 1);
    let listing = Command::new("git").args(["ls-files", "-z"]).current_dir(repo_root()).output().unwrap();
    assert!(listing.status.success());
    let mut found = Vec::new();
    for name in String::from_utf8(listing.stdout).unwrap().split('\0').filter(|n| !n.is_empty()) {
        if GENERATED.contains(&name) || name.ends_with(".lock") && name != "sources.lock" {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(repo_root().join(name)) else { continue };
        let text = if name.ends_with(".md") { without_generated_blocks(&text) } else { text };
        for (number, line) in text.lines().enumerate() {
            // "3.X.10" must not count as "3.X.1": check what follows.
            let hit = old.iter().find(|s| {
                line.match_indices(s.as_str()).any(|(i, _)| {
                    let next = line[i + s.len()..].chars().next();
                    !(s.chars().last().unwrap().is_ascii_digit() && next.is_some_and(|c| c.is_ascii_digit()))
                })
            });
            if let Some(s) = hit {
                found.push(format!("{name}:{}: {s:?} in {line:?}", number + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the previous Python version is still named (derive it from sources.lock):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_spellings_cover_what_an_upgrade_leaves_behind() {
    let s = spellings(9);
    for text in ["python3.9", "cpython-39", "Python 3.9", "3.9.5", "cp39-"] {
        assert!(s.iter().any(|x| x == text), "{text}");
    }
}
