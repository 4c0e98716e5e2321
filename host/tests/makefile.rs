//! `make deps run` on a fresh machine: make parses the Makefile once, before
//! `deps` has installed the toolchain, so nothing make evaluates at parse time
//! may depend on it (a cache key hashing `clang --version` once named a stale
//! directory on fresh machines). This checks the class of bug without a fresh
//! machine: with every tool that `make deps` installs shadowed by a stub that
//! records its call and fails, `make print-config` must call none of them and
//! print the same values as with the real tools.

use onepy_host::guest::repo_root;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

/// Commands `make deps` installs or whose answer it changes.
const INSTALLED_BY_DEPS: &[&str] = &[
    "clang-19",
    "clang++-19",
    "clang",
    "llvm-ar-19",
    "llvm-ranlib-19",
    "llvm-nm-19",
    "llvm-profdata-19",
    "wasm-ld-19",
    "wasm-ld",
    "wasmtime",
    "dpkg-query",
    "apt-get",
    "rustup",
    "hyperfine",
    "node",
];

fn print_config(settings: &[&str], path_prefix: Option<&Path>) -> String {
    let mut cmd = Command::new("make");
    cmd.args(["-s", "--no-print-directory", "print-config"]).args(settings).current_dir(repo_root());
    // As on a fresh clone: no override variables from the test environment.
    for var in ["ONEPY_LIBPYTHON_DIR", "ONEPY_WASMTIME", "ONEPY_CLANG", "ONEPY_CEXT_DIRS", "MAKEFLAGS", "MAKELEVEL"] {
        cmd.env_remove(var);
    }
    if let Some(stubs) = path_prefix {
        let path = std::env::var("PATH").unwrap_or_default();
        cmd.env("PATH", format!("{}:{path}", stubs.display()));
    }
    let out = cmd.output().expect("running make print-config");
    assert!(out.status.success(), "make print-config {settings:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn parse_time_values_do_not_depend_on_installed_tools() {
    let stubs = std::env::temp_dir().join(format!("onepy-toolchain-stubs-{}", std::process::id()));
    std::fs::create_dir_all(&stubs).unwrap();
    let log = stubs.join("calls.log");
    for tool in INSTALLED_BY_DEPS {
        let stub = stubs.join(tool);
        std::fs::write(&stub, format!("#!/bin/sh\necho \"{tool} $*\" >> '{}'\nexit 127\n", log.display())).unwrap();
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let variants: [&[&str]; 2] = [
        &[],
        &[
            "PACKAGES=numpy==2.5.5 markupsafe==3.0.3 pytest==8.4.2",
            "LOCK=tests/numpy/pytest.lock",
            "OUTPUT=build/numpy.wasm",
        ],
    ];
    for settings in variants {
        let real = print_config(settings, None);
        let stubbed = print_config(settings, Some(&stubs));
        assert_eq!(stubbed, real, "parse-time values change with the toolchain present ({settings:?})");
        assert!(real.contains("LIBPYTHON_DIR=") && !real.contains("LIBPYTHON_DIR=\n"), "{real}");
    }
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    std::fs::remove_dir_all(&stubs).unwrap();
    assert_eq!(calls, "", "make ran toolchain commands while parsing the Makefile");
}
