//! Resolution never surprises (issue 21): `packages.py lock` picks exactly the
//! versions native pip picks for the module's Python (never an older major
//! release because the newer one is compiled), locks pure wheels as wheels and
//! compiled packages as their sdists of the same version, with sha256.
//! Runs against the package index, as `make build PACKAGES=...` does.

use onepy_host::guest::{repo_root, tools_python};
use std::collections::BTreeMap;
use std::process::Command;

/// `packages.py lock SPEC` into a scratch lock: name -> (version, locked file name, has a native: line).
fn lock(spec: &str) -> BTreeMap<String, (String, String, bool)> {
    let dir = repo_root().join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    let lock = dir.join(format!("resolve-{}-{}.lock", spec.replace(['=', ' ', '>', '<'], "_"), std::process::id()));
    let out = Command::new(tools_python())
        .args(["scripts/packages.py", "lock", "--lock"])
        .arg(&lock)
        .args(spec.split_whitespace())
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&lock).unwrap();
    let mut entries = BTreeMap::new();
    let (mut url, mut native) = (String::new(), false);
    for line in text.lines() {
        if let Some(u) = line.strip_prefix("# http") {
            url = format!("http{u}");
            native = false;
        } else if line.starts_with("# native: https://") {
            native = true;
        } else if let Some((name, rest)) = line.split_once("==").filter(|_| !line.starts_with('#')) {
            let (version, hash) = rest.split_once(" --hash=sha256:").unwrap();
            assert_eq!(hash.len(), 64, "{line}");
            let file = url.rsplit('/').next().unwrap().to_string();
            entries.insert(name.to_lowercase().replace('_', "-"), (version.to_string(), file, native));
        }
    }
    entries
}

/// What native pip installs for SPEC: name -> version.
fn native_pip(spec: &str) -> BTreeMap<String, String> {
    let dir = std::env::temp_dir().join(format!("onepy-native-pip-{}-{}", std::process::id(), spec.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join("report.json");
    let out = Command::new(tools_python())
        .args(["-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet", "--report"])
        .arg(&report)
        .arg("--target")
        .arg(dir.join("t"))
        .args(spec.split_whitespace())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let code = "import json, sys\nfor i in json.load(open(sys.argv[1]))['install']:\n    m = i['metadata']\n    print(m['name'].lower().replace('_', '-'), m['version'])";
    let listed = Command::new(tools_python()).args(["-c", code]).arg(&report).output().unwrap();
    std::fs::remove_dir_all(&dir).ok();
    String::from_utf8(listed.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (n, v) = l.split_once(' ').unwrap();
            (n.to_string(), v.to_string())
        })
        .collect()
}

fn versions(locked: &BTreeMap<String, (String, String, bool)>) -> BTreeMap<String, String> {
    locked.iter().map(|(n, (v, _, _))| (n.clone(), v.clone())).collect()
}

#[test]
fn pydantic_is_version_2_with_pydantic_core_from_its_sdist() {
    let locked = lock("pydantic");
    assert_eq!(versions(&locked), native_pip("pydantic"));
    let (version, file, _) = &locked["pydantic"];
    assert!(version.starts_with("2.") && file.ends_with("-py3-none-any.whl"), "{locked:?}");
    let (core, file, native) = &locked["pydantic-core"];
    assert_eq!((file.as_str(), *native), (format!("pydantic_core-{core}.tar.gz").as_str(), true), "{locked:?}");
}

#[test]
fn jinja2_locks_markupsafe_as_an_sdist_to_build() {
    let locked = lock("jinja2");
    assert_eq!(versions(&locked), native_pip("jinja2"));
    let (version, file, native) = &locked["markupsafe"];
    assert_eq!((file.as_str(), *native), (format!("markupsafe-{version}.tar.gz").as_str(), true), "{locked:?}");
    assert!(locked["jinja2"].1.ends_with("-py3-none-any.whl"), "{locked:?}");
}

/// A recipe covers a range of versions: an older numpy is locked, not refused.
#[test]
fn an_older_numpy_is_locked_as_asked() {
    let locked = lock("numpy==2.3.5");
    assert_eq!(
        locked.into_iter().collect::<Vec<_>>(),
        vec![("numpy".to_string(), ("2.3.5".to_string(), "numpy-2.3.5.tar.gz".to_string(), true))]
    );
}
