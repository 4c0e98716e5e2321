//! Compiled packages built from their sdists with no recipe, one per build
//! kind, in build/numpy.wasm (`make test-numpy`): markupsafe (setuptools, C),
//! msgpack (setuptools, C its sdist ships from Cython), rpds-py (maturin, Rust/pyo3); numpy
//! (meson, with its recipe) is in host/tests/numpy.rs; PyYAML with its C
//! extension over libyaml, a C library built from Debian's pinned source
//! (recipes/clibs/libyaml.toml). Run with no preopens.

use onepy_host::guest::{Output, Run, compile, repo_root};

fn run(code: &str) -> Output {
    let module = repo_root().join("build/numpy.wasm");
    assert!(module.is_file(), "{} is missing: run `make test-numpy`", module.display());
    let out = Run::default().run_module(&compile(&module).unwrap(), true, &["-c", code]);
    out.assert_clean();
    out
}

#[test]
fn no_recipe_was_written_for_them() {
    for name in ["markupsafe", "msgpack", "rpds_py", "rpds-py"] {
        assert!(!repo_root().join(format!("recipes/{name}.toml")).exists(), "recipes/{name}.toml exists");
    }
}

#[test]
fn msgpack_round_trips_with_its_c_extension() {
    let code = "import msgpack, msgpack._cmsgpack as c\n\
                b = msgpack.packb({'a': [1, 2.5, None, b'x', 'é'], 'n': -2**40})\n\
                print(b.hex(), msgpack.unpackb(b), msgpack.Packer is c.Packer, c.__spec__.origin)";
    let out = run(code);
    assert_eq!(
        (out.status, out.stdout().as_str()),
        (
            0,
            "82a1619501cb4004000000000000c0c40178a2c3a9a16ed3ffffff0000000000 {'a': [1, 2.5, None, b'x', 'é'], 'n': -1099511627776} True built-in\n"
        ),
        "{}",
        out.stderr()
    );
}

#[test]
fn rpds_py_from_rust_works() {
    let code = "import rpds\n\
                m = rpds.HashTrieMap({'a': 1}).insert('b', 2)\n\
                l = rpds.List([1, 2, 3]).push_front(0)\n\
                print(sorted(m.items()), list(l), m.discard('a') == rpds.HashTrieMap(b=2), rpds.rpds.__spec__.origin)";
    let out = run(code);
    assert_eq!(
        (out.status, out.stdout().as_str()),
        (0, "[('a', 1), ('b', 2)] [0, 1, 2, 3] True built-in\n"),
        "{}",
        out.stderr()
    );
}

/// yaml._yaml is linked and PyYAML's C loader and dumper (libyaml's scanner:
/// its own error wording, not the pure-Python "not allowed here") do the work.
#[test]
fn pyyaml_uses_libyaml() {
    let code = "import yaml, yaml._yaml as c\n\
                d = yaml.load('a: [1, 2.5, null, x]\\nb: {c: é}\\n', Loader=yaml.CSafeLoader)\n\
                print(yaml.__with_libyaml__, c.get_version_string(), c.__spec__.origin, issubclass(yaml.CSafeLoader, c.CParser))\n\
                print(d, yaml.dump(d, Dumper=yaml.CSafeDumper, allow_unicode=True, default_flow_style=True), end='')\n\
                try:\n    yaml.load('a: b: c', Loader=yaml.CSafeLoader)\n\
                except yaml.MarkedYAMLError as e:\n    print(type(e).__name__, e.problem, e.problem_mark.line, e.problem_mark.column)";
    let out = run(code);
    assert_eq!(
        (out.status, out.stdout().as_str()),
        (
            0,
            "True 0.2.5 built-in True\n\
             {'a': [1, 2.5, None, 'x'], 'b': {'c': 'é'}} {a: [1, 2.5, null, x], b: {c: é}}\n\
             ScannerError mapping values are not allowed in this context 0 4\n"
        ),
        "{}",
        out.stderr()
    );
}

/// Deeply nested YAML through the C loader raises RecursionError (the
/// recipe's patch: libyaml 0.2.5 has no nesting limit and composing recurses
/// on the C stack), where it would otherwise trap the module.
#[test]
fn pyyaml_c_loader_refuses_deep_nesting_without_a_trap() {
    let code = "import yaml\n\
                for n in (500, 501, 100000):\n\
                \x20   try:\n\
                \x20       yaml.load('[' * n + ']' * n, Loader=yaml.CSafeLoader)\n\
                \x20       print(n, 'ok')\n\
                \x20   except RecursionError as e:\n\
                \x20       print(n, e)\n\
                yaml.load('{a: ' * 499 + '1' + '}' * 499, Loader=yaml.CSafeLoader)\n\
                print('mapping ok')";
    let out = run(code);
    assert_eq!(
        (out.status, out.stdout().as_str()),
        (
            0,
            "500 ok\n\
             501 maximum YAML nesting depth (500) exceeded while composing\n\
             100000 maximum YAML nesting depth (500) exceeded while composing\n\
             mapping ok\n"
        ),
        "{}",
        out.stderr()
    );
}
