//! Every example in README.md and docs/*.md runs: each ```console block holds
//! `$ ` commands followed by their exact output (stdout and stderr together).
//! The commands run in the repository root with our wasmtime first on PATH.
//! The pages' other promises are checked here too: their generated figures,
//! the pruning table, the sandbox example's copy, the deploy files shown
//! verbatim, relative links, and the map of top-level directories.

use onepy_host::guest::{repo_root, wasmtime};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Example {
    page: String,
    command: String,
    expected: String,
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo_root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// README.md, then docs/*.md in name order, as paths relative to the root.
fn pages() -> Vec<String> {
    let mut docs: Vec<String> = std::fs::read_dir(repo_root().join("docs"))
        .expect("docs/")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".md"))
        .map(|name| format!("docs/{name}"))
        .collect();
    docs.sort();
    let mut out = vec!["README.md".to_string()];
    out.extend(docs);
    out
}

fn examples(page: &str, text: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = line.trim() == "```console";
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            out.push(Example { page: page.to_string(), command: cmd.to_string(), expected: String::new() });
        } else if let Some(last) = out.last_mut() {
            last.expected.push_str(line);
            last.expected.push('\n');
        }
    }
    out
}

/// The fenced blocks of a page whose info string is `lang`: their text.
fn fenced(text: &str, lang: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    // None: outside a block; Some(None): in a block of another language.
    let mut current: Option<Option<String>> = None;
    for line in text.lines() {
        match (&mut current, line.trim_start().strip_prefix("```")) {
            (None, Some(info)) => current = Some((info.trim() == lang).then(String::new)),
            (Some(_), Some(_)) => blocks.extend(current.take().unwrap()),
            (Some(Some(body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

#[test]
fn readme_and_docs_examples_produce_the_shown_output() {
    let mut examples_all = Vec::new();
    for page in pages() {
        examples_all.extend(examples(&page, &read(&page)));
    }
    let in_readme = examples_all.iter().filter(|e| e.page == "README.md").count();
    let in_docs = examples_all.len() - in_readme;
    assert!(in_readme >= 3, "README.md shows only {in_readme} console examples");
    assert!(in_docs >= 8, "docs/*.md show only {in_docs} console examples");
    let bin_dir = repo_root().join("target/e2e/readme-bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    let link = bin_dir.join("wasmtime");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(wasmtime(), &link).unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut seen = BTreeSet::new();
    let mut failures = Vec::new();
    for ex in &examples_all {
        if ex.command.starts_with("make ") {
            continue; // the set-up commands: run by CI itself
        }
        if !seen.insert((ex.command.clone(), ex.expected.clone())) {
            continue; // the same example on two pages: run once
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
            failures.push(format!("{}: $ {}\n--- shown\n{}--- got\n{}", ex.page, ex.command, ex.expected, got));
        }
    }
    assert!(failures.is_empty(), "examples differ:\n{}", failures.join("\n"));
}

#[test]
fn pruning_table_matches_the_bundle_script() {
    let page = read("docs/filesystem.md");
    let script = read("scripts/bundle.py");
    let pruned_block = script.split("PRUNED = {").nth(1).unwrap().split('}').next().unwrap();
    for line in pruned_block.lines().filter(|l| l.contains(':')) {
        let name = line.trim().split('"').nth(1).unwrap();
        assert!(page.contains(&format!("| `{name}` |")), "docs/filesystem.md's pruning table lacks `{name}`");
    }
}

/// The tables of measured figures in README.md and docs/ are the files the
/// benchmarks and reports wrote (`scripts/readme_figures.py`), not numbers
/// typed in.
#[test]
fn figures_match_their_generated_files() {
    let out = Command::new("python3")
        .arg(repo_root().join("scripts/readme_figures.py"))
        .arg("--check")
        .output()
        .expect("running scripts/readme_figures.py");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `make test-sandbox` runs README.md's sandbox example
/// (sandbox/tests/test_wheel.py); a copy in docs/ must be the same.
#[test]
fn sandbox_example_copies_match_the_readme() {
    const MARK: &str = "<!-- sandbox example -->\n```python\n";
    let example = |page: &str, text: &str| -> Vec<String> {
        text.split(MARK)
            .skip(1)
            .map(|rest| rest.split("```").next().unwrap_or_else(|| panic!("{page}: unclosed example")).to_string())
            .collect()
    };
    let readme = example("README.md", &read("README.md"));
    assert_eq!(readme.len(), 1, "README.md must hold one sandbox example (sandbox/tests/test_wheel.py runs it)");
    for page in pages().iter().skip(1) {
        for copy in example(page, &read(page)) {
            assert_eq!(copy, readme[0], "{page}: the sandbox example differs from README.md's");
        }
    }
}

/// docs/cluster.md shows the files in deploy/ verbatim, and every ```yaml or
/// ```toml block there is one of them.
#[test]
fn cluster_page_shows_the_deploy_files_verbatim() {
    let page = read("docs/cluster.md");
    let files =
        ["deploy/runtimeclass.yaml", "deploy/job.yaml", "deploy/deployment.yaml", "deploy/containerd-config.toml"];
    let contents: Vec<String> = files.iter().map(|f| read(f)).collect();
    let blocks: Vec<(&str, String)> =
        ["yaml", "toml"].iter().flat_map(|lang| fenced(&page, lang).into_iter().map(move |b| (*lang, b))).collect();
    for (file, content) in files.iter().zip(&contents) {
        assert!(blocks.iter().any(|(_, b)| b == content), "docs/cluster.md does not show {file} verbatim");
    }
    for (lang, block) in &blocks {
        assert!(contents.contains(block), "a ```{lang} block in docs/cluster.md is not a file in deploy/:\n{block}");
    }
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces
/// become hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut in_fence = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with('#') {
            out.insert(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// Relative links `[text](target)` outside code: (target, line number).
fn links(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut in_fence = false;
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        for part in line.split("](").skip(1) {
            let Some(target) = part.split(')').next() else { continue };
            if !target.contains("://") && !target.starts_with("mailto:") && !target.contains(' ') {
                out.push((target.to_string(), n + 1));
            }
        }
    }
    out
}

/// Every relative link in README.md and docs/ names a file or directory that
/// exists, and a `#anchor` names a heading of that page.
#[test]
fn relative_links_resolve() {
    let root = repo_root();
    let mut broken = Vec::new();
    for page in pages() {
        let text = read(&page);
        let dir = Path::new(&page).parent().unwrap_or(Path::new("")).to_path_buf();
        for (target, line) in links(&text) {
            let (file, frag) = match target.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (target.as_str(), None),
            };
            let path: PathBuf = if file.is_empty() { PathBuf::from(&page) } else { dir.join(file) };
            let full = root.join(&path);
            if !full.exists() {
                broken.push(format!("{page}:{line}: {target}: {} does not exist", path.display()));
                continue;
            }
            if let Some(frag) = frag {
                let target_text = std::fs::read_to_string(&full).unwrap_or_default();
                if !anchors(&target_text).contains(frag) {
                    broken.push(format!("{page}:{line}: {target}: no heading with anchor #{frag}"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// docs/layout.md names every top-level directory in git, and every directory
/// it names is in git or git-ignored (made by the build).
#[test]
fn layout_map_names_every_top_level_directory() {
    let root = repo_root();
    let out = Command::new("git").args(["ls-files", "-z"]).current_dir(&root).output().expect("git ls-files");
    assert!(out.status.success(), "git ls-files: {}", String::from_utf8_lossy(&out.stderr));
    let tracked: BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter_map(|path| path.split_once('/').map(|(dir, _)| dir.to_string()))
        .collect();
    let page = read("docs/layout.md");
    let listed: BTreeSet<String> = page
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once("/` |").map(|(dir, _)| dir.to_string()))
        .collect();
    let ignored: BTreeSet<String> = read(".gitignore")
        .lines()
        .map(|l| l.trim().trim_start_matches('/').trim_end_matches('/').to_string())
        .filter(|l| !l.is_empty() && !l.contains('*') && !l.contains('/'))
        .collect();
    let missing: Vec<_> = tracked.difference(&listed).collect();
    assert!(missing.is_empty(), "docs/layout.md does not name these top-level directories: {missing:?}");
    let unknown: Vec<_> = listed.iter().filter(|d| !tracked.contains(*d) && !ignored.contains(*d)).collect();
    assert!(
        unknown.is_empty(),
        "docs/layout.md names directories that are neither in git nor git-ignored: {unknown:?}"
    );
}

/// README.md stays a five-minute read (issue 23): the depth goes to docs/.
#[test]
fn readme_stays_short() {
    let lines = read("README.md").lines().count();
    assert!(lines <= 250, "README.md has {lines} lines (at most 250: move the depth to a page in docs/)");
}
