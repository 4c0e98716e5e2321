//! Every example in README.md runs: each ```console block holds `$ `
//! commands followed by their exact output (stdout and stderr together).
//! The commands run in the repository root with our wasmtime first on PATH.

use onepy_host::guest::{repo_root, wasmtime};
use std::process::{Command, Stdio};

struct Example {
    command: String,
    expected: String,
}

fn examples(readme: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in readme.lines() {
        if line.trim_start().starts_with("```") {
            in_block = line.trim() == "```console";
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            out.push(Example { command: cmd.to_string(), expected: String::new() });
        } else if let Some(last) = out.last_mut() {
            last.expected.push_str(line);
            last.expected.push('\n');
        }
    }
    out
}

#[test]
fn readme_examples_produce_the_shown_output() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let examples = examples(&readme);
    assert!(examples.len() >= 8, "README.md shows only {} console examples", examples.len());
    let bin_dir = repo_root().join("target/e2e/readme-bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    let link = bin_dir.join("wasmtime");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(wasmtime(), &link).unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut failures = Vec::new();
    for ex in &examples {
        if ex.command.starts_with("make ") {
            continue; // the set-up commands: run by CI itself
        }
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("{{ {}\n}} 2>&1", ex.command))
            .current_dir(repo_root())
            .env("PATH", &path)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let got = String::from_utf8_lossy(&out.stdout);
        if got != ex.expected {
            failures.push(format!("$ {}\n--- README\n{}--- got\n{}", ex.command, ex.expected, got));
        }
    }
    assert!(failures.is_empty(), "README examples differ:\n{}", failures.join("\n"));
}

#[test]
fn readme_pruning_table_matches_the_bundle_script() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let script = std::fs::read_to_string(repo_root().join("scripts/bundle.py")).unwrap();
    let pruned_block = script.split("PRUNED = {").nth(1).unwrap().split('}').next().unwrap();
    for line in pruned_block.lines().filter(|l| l.contains(':')) {
        let name = line.trim().split('"').nth(1).unwrap();
        assert!(readme.contains(&format!("| `{name}` |")), "README's pruning table lacks `{name}`");
    }
}

/// The README's tables of measured figures are the files the benchmarks and
/// reports wrote (`scripts/readme_figures.py`), not numbers typed in.
#[test]
fn readme_figures_match_their_generated_files() {
    let out = Command::new("python3")
        .arg(repo_root().join("scripts/readme_figures.py"))
        .arg("--check")
        .output()
        .expect("running scripts/readme_figures.py");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
