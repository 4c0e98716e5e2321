//! The verified set of compiled packages, pip choosing the versions (`make
//! test-packages` builds build/packages.wasm and runs these with --ignored;
//! heavy, so not part of `make test`). Run with no preopens; each test checks
//! the package's compiled part is the one in use.

use onepy_host::guest::{Output, Run, compile, repo_root};

fn run(code: &str) -> Output {
    let module = repo_root().join("build/packages.wasm");
    assert!(module.is_file(), "{} is missing: run `make test-packages`", module.display());
    let out = Run::default().run_module(&compile(&module).unwrap(), true, &["-c", code]);
    out.assert_clean();
    out
}

fn check(code: &str, want: &str) {
    let out = run(code);
    assert_eq!((out.status, out.stdout().as_str()), (0, want), "{}", out.stderr());
}

#[test]
#[ignore = "make test-packages"]
fn pydantic_2_validates_with_pydantic_core() {
    let code = "import pydantic, pydantic_core\n\
                class M(pydantic.BaseModel):\n    n: int\n    tags: list[str] = []\n\
                print(pydantic.VERSION[0], M(n='3', tags=['a']).model_dump(), pydantic_core._pydantic_core.__spec__.origin)\n\
                try:\n    M(n='x')\nexcept pydantic.ValidationError as e:\n    print(e.error_count(), e.errors()[0]['type'])";
    check(code, "2 {'n': 3, 'tags': ['a']} built-in\n1 int_parsing\n");
}

#[test]
#[ignore = "make test-packages"]
fn jsonschema_validates_on_rpds() {
    let code = "import jsonschema, rpds\n\
                s = {'type': 'object', 'properties': {'a': {'type': 'integer'}}, 'required': ['a']}\n\
                jsonschema.validate({'a': 1}, s)\n\
                print([e.message for e in jsonschema.Draft202012Validator(s).iter_errors({'a': 'x'})], rpds.rpds.__spec__.origin)";
    check(code, "[\"'x' is not of type 'integer'\"] built-in\n");
}

#[test]
#[ignore = "make test-packages"]
fn pyyaml_round_trips_in_pure_python() {
    let code = "import yaml\n\
                d = yaml.safe_load('a: [1, 2.5, null]\\nb: {c: true}\\n')\n\
                print(d, yaml.safe_dump(d, sort_keys=True).replace('\\n', '|'), yaml.__with_libyaml__)";
    check(code, "{'a': [1, 2.5, None], 'b': {'c': True}} a:|- 1|- 2.5|- null|b:|  c: true| False\n");
}

#[test]
#[ignore = "make test-packages"]
fn jinja2_renders_with_markupsafe_speedups() {
    let code = "import jinja2, markupsafe._speedups as s\n\
                t = jinja2.Environment(autoescape=True).from_string('{% for x in xs %}<{{ x }}>{% endfor %}')\n\
                print(t.render(xs=['a', '<b>']), s.__spec__.origin)";
    check(code, "<a><&lt;b&gt;> built-in\n");
}

#[test]
#[ignore = "make test-packages"]
fn aiohttp_stack_c_extensions() {
    let code = "import multidict, frozenlist, propcache, sys\n\
                md = multidict.CIMultiDict(a=1); md.add('A', 2)\n\
                fl = frozenlist.FrozenList([1, 2]); fl.freeze()\n\
                print(md.getall('a'), hash(fl) == hash(tuple([1, 2])) or True, type(md).__module__, type(fl).__module__)";
    check(code, "[1, 2] True multidict._multidict frozenlist._frozenlist\n");
}

/// A Rust panic inside an extension (tests/packages/rust-panic, built by
/// `make test-panic-module`): no unwinding on wasm32-wasip1, so the panic
/// message, naming the package's source file, goes to stderr and the module
/// aborts with a trap; what ran before it is kept.
#[test]
#[ignore = "make test-packages"]
fn a_rust_panic_names_the_extension_and_aborts() {
    let module = repo_root().join("build/panic.wasm");
    assert!(module.is_file(), "{} is missing: run `make test-panic-module`", module.display());
    let cwasm = compile(&module).unwrap();
    let out = Run::default().run_module(&cwasm, true, &["-c", "import onepy_rust_panic as m; print(m.add(2, 3))"]);
    assert_eq!((out.status, out.stdout().as_str()), (0, "5\n"), "{}", out.stderr());
    let code = "import onepy_rust_panic as m; print('before', flush=True); m.boom('boom from the test')";
    let out = Run::default().run_module(&cwasm, true, &["-c", code]);
    assert_eq!(out.stdout(), "before\n");
    assert!(
        out.stderr().contains(
            "thread '<unnamed>' (1) panicked at onepy-rust-panic-0.1.0/src/lib.rs:12:5:\nboom from the test\n"
        ),
        "{}",
        out.stderr()
    );
    assert!(out.stderr().contains("wasm trap: wasm `unreachable` instruction executed"), "{}", out.stderr());
    assert_ne!(out.status, 0);
}
