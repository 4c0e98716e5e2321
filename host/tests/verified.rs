//! The verified set of compiled packages, pip choosing the versions (`make
//! test-packages` builds build/packages.wasm and runs these with --ignored;
//! heavy, so not part of `make test`). Run with no preopens; each test checks
//! the package's compiled part is the one in use.

use onepy_host::guest::{Output, Run, build_python, compile, repo_root};
use std::process::Command;

fn run(code: &str) -> Output {
    let module = repo_root().join("build/packages.wasm");
    assert!(module.is_file(), "{} is missing: run `make test-packages`", module.display());
    let out = Run::default().run_module(&compile(&module).unwrap(), true, &["-c", code]);
    out.assert_clean();
    out
}

const LXML_CODE: &str = "from lxml import etree, html, objectify\n\
    doc = etree.fromstring(b'<r><i n=\"1\">a</i><i n=\"2\">b&#233;</i></r>')\n\
    print(doc.xpath('string(//i[@n=2])'), [e.get('n') for e in doc.iter('i')], etree.tostring(doc[0]))\n\
    page = html.fromstring('<p>Hi <b>there<p>second')\n\
    print(page.tag, [p.text_content() for p in page.findall('.//p')], html.tostring(page.find('.//b')))\n\
    xsl = etree.XSLT(etree.XML(b'<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">'\n\
        b'<xsl:output method=\"text\"/><xsl:template match=\"/r\"><xsl:for-each select=\"i\">'\n\
        b'<xsl:sort select=\"@n\" order=\"descending\"/><xsl:value-of select=\".\"/>;</xsl:for-each></xsl:template></xsl:stylesheet>'))\n\
    print(str(xsl(doc)), objectify.fromstring('<a><b>3</b></a>').b + 1, etree.LIBXML_VERSION, etree.LIBXSLT_VERSION, etree.__spec__.origin)\n\
    try:\n    etree.fromstring('<a><b></a>')\nexcept etree.XMLSyntaxError as e:\n    print(type(e).__name__, e.position)";
const LXML_WANT: &str = "bé ['1', '2'] b'<i n=\"1\">a</i>'\n\
    div ['Hi there', 'second'] b'<b>there</b>'\n\
    bé;a; 4 (2, 9, 14) (1, 1, 35) built-in\n\
    XMLSyntaxError (1, 11)\n";

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
fn pyyaml_round_trips_with_libyaml() {
    let code = "import yaml, yaml._yaml as c\n\
                d = yaml.load('a: [1, 2.5, null]\\nb: {c: true}\\n', Loader=yaml.CSafeLoader)\n\
                print(d, yaml.dump(d, Dumper=yaml.CSafeDumper, sort_keys=True).replace('\\n', '|'), yaml.__with_libyaml__, c.__spec__.origin)";
    check(code, "{'a': [1, 2.5, None], 'b': {'c': True}} a:|- 1|- 2.5|- null|b:|  c: true| True built-in\n");
}

/// lxml over libxml2 and libxslt built from Debian's sources (recipes/clibs/):
/// XML with XPath, HTML, an XSLT transform, objectify.
#[test]
#[ignore = "make test-packages"]
fn lxml_parses_html_and_transforms_with_xslt() {
    check(LXML_CODE, LXML_WANT);
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

/// Each of these methods was declared with one parameter and trapped the
/// module before patches/multidict (CPython calls a METH_NOARGS method as
/// (self, NULL); wasm checks call_indirect's signature). Output as natively.
#[test]
#[ignore = "make test-packages"]
fn multidict_noargs_methods_as_native() {
    let code = "import multidict, pickle\n\
                d = multidict.CIMultiDict(a=1); d.add('A', 2); d.add('b', 3)\n\
                p = multidict.CIMultiDictProxy(d)\n\
                print(list(d.keys()), list(d.items()), list(d.values()), d.copy(), p.copy(), p.to_dict(), d.to_dict())\n\
                print(pickle.loads(pickle.dumps(d)), pickle.loads(pickle.dumps(multidict.istr('Ab'))))\n\
                print(iter(d.items()).__length_hint__(), d.popitem(), d.clear(), len(d))";
    check(
        code,
        "['a', 'b'] [('a', 1), ('A', 2), ('b', 3)] [1, 2, 3] <CIMultiDict('a': 1, 'A': 2, 'b': 3)> \
         <CIMultiDict('a': 1, 'A': 2, 'b': 3)> {'a': [1, 2], 'b': [3]} {'a': [1, 2], 'b': [3]}\n\
         <CIMultiDict('a': 1, 'A': 2, 'b': 3)> Ab\n3 ('b', 3) None 0\n",
    );
}

/// The same script natively, on the build-python (the same CPython) with the
/// native wheels of the same pins (`make test-packages` installs them:
/// scripts/package_suites.py native-dir).
fn native(script: &str) -> String {
    let dir = std::env::var("ONEPY_PACKAGES_NATIVE").expect("ONEPY_PACKAGES_NATIVE (set by `make test-packages`)");
    let out = Command::new(build_python())
        .args(["-I", "-X", "utf8", "-c", &format!("import sys; sys.path.insert(0, {dir:?})\n{script}")])
        .output()
        .expect("running the build-python");
    assert!(out.status.success(), "native: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// tests/packages/NAME runs in the module with status 0 and prints what it
/// prints natively.
fn round_trip_matches_native(name: &str) {
    let script = std::fs::read_to_string(repo_root().join("tests/packages").join(name)).unwrap();
    let ours = run(&script);
    assert_eq!(ours.status, 0, "{name}: {}", ours.stderr());
    assert_eq!(ours.stdout(), native(&script), "{name}");
}

/// groupby, merge, to_csv and read_csv (pandas' C parser), datetimes with a
/// time zone: the same output as native pandas of the same version.
#[test]
#[ignore = "make test-packages"]
fn pandas_round_trip_matches_native() {
    round_trip_matches_native("pandas_roundtrip.py");
    let code = "import pandas._libs.lib as lib, pandas._libs.parsers as p, sys\n\
                print(lib.__spec__.origin, p.__spec__.origin, 'pandas' in sys.modules)";
    check(code, "built-in built-in True\n");
}

/// Pillow over libjpeg-turbo and libpython's zlib, all in memory: drawing,
/// PNG and JPEG round trips, resampling and filters give the same pixels and
/// the same encoded bytes as the native wheel of the same version.
#[test]
#[ignore = "make test-packages"]
fn pillow_round_trip_matches_native() {
    round_trip_matches_native("pillow_roundtrip.py");
    let code = "from PIL import _imaging, features\n\
                print(_imaging.__spec__.origin, features.version('jpg'), features.version('zlib'), \
                features.check('freetype2'), features.check('webp'), features.check('littlecms2'))";
    check(code, "built-in 6.2 1.2.13 False False False\n");
}

/// cryptography (Rust over libpython's OpenSSL, with its cffi module over
/// _cffi_backend and the WASI libffi): hashes, MACs, KDFs, AEADs, Ed25519,
/// X25519, ECDSA, RSA and X.509 give the same output as the native wheel of
/// the same version; cffi's ABI-mode calls raise NotImplementedError.
#[test]
#[ignore = "make test-packages"]
fn cryptography_matches_native() {
    round_trip_matches_native("cryptography_roundtrip.py");
    let code = "import cffi, _cffi_backend\n\
                from cryptography.hazmat.bindings import _rust\n\
                ffi = cffi.FFI()\n\
                f = ffi.cast('int(*)(int)', 1)\n\
                try:\n    f(1)\nexcept NotImplementedError as e:\n    print('call:', str(e)[:40])\n\
                try:\n    ffi.callback('int(int)', abs)\nexcept NotImplementedError as e:\n    print('callback:', str(e)[:40])\n\
                print(_rust.__spec__.origin, _cffi_backend.__spec__.origin, _rust.openssl.openssl_version_text())";
    check(
        code,
        "call: cffi cannot call a C function through a \ncallback: cffi cannot call a C function through a \n\
         built-in built-in OpenSSL 3.5.7 9 Jun 2026\n",
    );
}

/// matplotlib with the Agg backend over FreeType, HarfBuzz, raqm and Qhull,
/// contourpy and kiwisolver: the same pixels, PNG, SVG and text extents as
/// the native wheels of the same pins, and C++ exceptions (kiwisolver's
/// UnsatisfiableConstraint, pybind11's argument and value errors, ft2font's
/// missing file) reach Python as the same exceptions as natively.
#[test]
#[ignore = "make test-packages"]
fn matplotlib_agg_round_trip_matches_native() {
    round_trip_matches_native("matplotlib_roundtrip.py");
    let code = "import matplotlib\n\
                from matplotlib import ft2font, _path, _qhull\n\
                import kiwisolver._cext as k, contourpy._contourpy as c\n\
                print(ft2font.__spec__.origin, _qhull.__spec__.origin, k.__spec__.origin, c.__spec__.origin,\n\
                      ft2font.__freetype_version__, matplotlib.get_cachedir())";
    check(code, "built-in built-in built-in built-in 2.14.3 /tmp/matplotlib\n");
}

/// matplotlib.pyplot is in the snapshot (its recipe's preimport), with the
/// C++ globals its static initializers made at build time: a pybind11
/// exception is caught in the first statement of a run, and a figure renders.
#[test]
#[ignore = "make test-packages"]
fn matplotlib_pyplot_is_in_the_snapshot() {
    let code = "import sys\n\
                print('matplotlib.pyplot' in sys.modules, sys.modules['matplotlib'].get_backend())\n\
                import matplotlib.pyplot as plt, matplotlib.ft2font as ft, io\n\
                try:\n    ft.FT2Font('/nonexistent.ttf')\nexcept FileNotFoundError as e:\n    print(type(e).__name__)\n\
                fig, ax = plt.subplots(); ax.plot([1, 2]); b = io.BytesIO(); fig.savefig(b, format='png')\n\
                print(b.getvalue()[:4])";
    check(code, "True agg\nFileNotFoundError\nb'\\x89PNG'\n");
}

/// Bad arguments to contourpy: pybind11 and contourpy throw C++ exceptions,
/// which pybind11 catches and raises as the same Python exceptions as
/// natively; the run goes on and the next call works.
#[test]
#[ignore = "make test-packages"]
fn cpp_exceptions_cross_pybind11_both_ways() {
    let code = "import contourpy, numpy as np\n\
                z = np.arange(12.0).reshape(3, 4)\n\
                for bad in ({'name': 'nope'}, {'line_type': 'nope'}, {'chunk_size': -1}):\n\
                \x20   try:\n\
                \x20       contourpy.contour_generator(z=z, **bad)\n\
                \x20   except (ValueError, TypeError) as e:\n\
                \x20       print(type(e).__name__)\n\
                print(len(contourpy.contour_generator(z=z).lines(5.5)))";
    let out = run(code);
    assert_eq!(out.status, 0, "{}", out.stderr());
    assert_eq!(out.stdout(), native(code));
}

/// A JPEG that libjpeg rejects: its error handler cannot longjmp back on
/// wasm32-wasip1, so the run prints libjpeg's message and exits with status 1
/// (patches/pillow/wasi-jpeg-no-longjmp.patch); never a trap.
#[test]
#[ignore = "make test-packages"]
fn pillow_corrupt_jpeg_exits_with_libjpegs_message() {
    let code = "import io\nfrom PIL import Image\n\
                b = io.BytesIO(); Image.new('RGB', (32, 32), (1, 2, 3)).save(b, 'JPEG'); data = bytearray(b.getvalue())\n\
                i = data.index(b'\\xff\\xc4'); data[i + 5:i + 21] = b'\\xff' * 16\n\
                print('opening', flush=True)\n\
                Image.open(io.BytesIO(bytes(data))).load()\n\
                print('not reached')";
    let out = run(code);
    assert_eq!((out.status, out.stdout().as_str()), (1, "opening\n"), "{}", out.stderr());
    assert_eq!(
        out.stderr(),
        "Pillow: libjpeg error while decoding: Bogus Huffman table definition\n\
         Pillow: wasm32-wasip1 has no longjmp to recover from it: exiting with status 1\n"
    );
}

#[test]
#[ignore = "make test-packages"]
fn regex_uses_its_c_engine() {
    let code = "import regex\n\
                print(regex.sub(r'(?<w>\\p{L}+)', lambda m: m['w'].upper(), 'h\\u00e9llo w\\u00f6rld 42'),\n\
                      regex.findall(r'(?r)\\d+', 'a1b22c333'), regex.fullmatch(r'(?i)stra\\u00dfe', 'STRASSE', flags=regex.FULLCASE) is not None,\n\
                      regex._regex.__spec__.origin)";
    check(code, "H\u{c9}LLO W\u{d6}RLD 42 ['333', '22', '1'] True built-in\n");
}

/// Each of these called a function of regex._regex through a pointer of
/// another arity and trapped the module before patches/regex (wasm checks
/// call_indirect's signature); pickling needs the module named regex._regex,
/// as natively (src/extensions.rs: its package context).
#[test]
#[ignore = "make test-packages"]
fn regex_methods_getters_and_pickle_as_native() {
    let code = "import regex, pickle\n\
                p = regex.compile(r'(?P<k>\\w+)=(?P<v>\\d+)')\n\
                m = p.search('a=1 bb=22')\n\
                print(p.groupindex, p.sub(r'\\g<v>:\\g<k>', 'a=1 bb=22'), m.allspans(), m.allcaptures(), m.capturesdict())\n\
                q = pickle.loads(pickle.dumps(p))\n\
                print(q.pattern, q.groupindex, regex._regex.__name__)";
    check(
        code,
        "{'k': 1, 'v': 2} 1:a 22:bb ([(0, 3)], [(0, 1)], [(2, 3)]) (['a=1'], ['a'], ['1']) {'k': ['a'], 'v': ['1']}\n\
         (?P<k>\\w+)=(?P<v>\\d+) {'k': 1, 'v': 2} regex._regex\n",
    );
}

#[test]
#[ignore = "make test-packages"]
fn orjson_serializes_in_rust() {
    let code = "import orjson, dataclasses, datetime, uuid\n\
                @dataclasses.dataclass\n\
                class P:\n    x: int\n    y: list\n\
                b = orjson.dumps({'p': P(1, [1.5, None]), 'd': datetime.date(2026, 1, 2), 'u': uuid.UUID(int=1)}, option=orjson.OPT_SORT_KEYS)\n\
                print(b.decode(), orjson.loads(b'{\"a\":[1,2,{\"b\":null}]}'), orjson.orjson.__spec__.origin)\n\
                try:\n    orjson.loads(b'[1,')\nexcept orjson.JSONDecodeError as e:\n    print(type(e).__mro__[1].__name__, e.pos)";
    check(
        code,
        "{\"d\":\"2026-01-02\",\"p\":{\"x\":1,\"y\":[1.5,null]},\"u\":\"00000000-0000-0000-0000-000000000001\"} \
         {'a': [1, 2, {'b': None}]} built-in\nJSONDecodeError 3\n",
    );
}

#[test]
#[ignore = "make test-packages"]
fn sqlalchemy_orm_on_sqlite_with_its_cython_extensions() {
    let code = "import sqlalchemy as sa, sqlalchemy.util._has_cython as u\n\
                from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, Session\n\
                class Base(DeclarativeBase): pass\n\
                class User(Base):\n    __tablename__ = 'users'\n    id: Mapped[int] = mapped_column(primary_key=True)\n    name: Mapped[str]\n\
                e = sa.create_engine('sqlite://')\n\
                Base.metadata.create_all(e)\n\
                with Session(e) as s:\n    s.add_all([User(name='ann'), User(name='bob')]); s.commit()\n    \
                print([tuple(r) for r in s.execute(sa.select(User.id, User.name).order_by(User.name.desc()))])\n\
                import sqlalchemy.engine._row_cy as r, sqlalchemy.engine._util_cy as eu, sqlalchemy.sql._util_cy as su\n\
                print(u.HAS_CYEXTENSION, r.__spec__.origin, eu.__name__, su.__name__, eu is not su)";
    // engine._util_cy and sql._util_cy both define PyInit__util_cy: each
    // links under its own init symbol (merge.py's init_symbol).
    check(code, "[(2, 'bob'), (1, 'ann')]\nTrue built-in sqlalchemy.engine._util_cy sqlalchemy.sql._util_cy True\n");
}

#[test]
#[ignore = "make test-packages"]
fn aiohttp_parses_http_in_c() {
    let code = "import aiohttp, aiohttp._http_parser as p, yarl, asyncio\n\
                from aiohttp import web\n\
                from aiohttp.test_utils import make_mocked_request\n\
                req = make_mocked_request('GET', '/a/b?x=1&y=%C3%A9', headers={'Host': 'example.org'})\n\
                print(req.path, dict(req.query), p.__spec__.origin, aiohttp.http_parser.HttpRequestParser.__module__)\n\
                u = yarl.URL('http://example.org/p?q=1') / 'x'\n\
                print(u, yarl._quoting_c.__spec__.origin)";
    check(code, "/a/b {'x': '1', 'y': '\u{e9}'} built-in aiohttp._http_parser\nhttp://example.org/p/x built-in\n");
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

/// tiktoken's Rust core (setuptools-rust, no recipe but its Cargo.lock): an
/// encoding made in memory from its ranks, BPE merges, special tokens and a
/// decode, as natively.
const TIKTOKEN_CODE: &str = "import tiktoken\n\
    ranks = {bytes([b]): b for b in range(256)}\n\
    for pair in [b'th', b'he', b'the', b' t', b' the', b'in', b'ing']:\n    ranks[pair] = len(ranks)\n\
    enc = tiktoken.Encoding('tiny', pat_str=r\"\"\" ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+\"\"\",\n\
                            mergeable_ranks=ranks, special_tokens={'<|end|>': 300})\n\
    ids = enc.encode('the thing in the ring \\u00e9t\\u00e9 42<|end|>', allowed_special='all')\n\
    print(ids, enc.decode(ids), enc.n_vocab, [enc.decode_single_token_bytes(i) for i in ids[:4]])\n\
    print(enc.encode_ordinary_batch(['the', 'ring']))\n\
    try:\n    enc.encode('<|end|>')\nexcept ValueError as e:\n    print('ValueError', str(e).split('\\n')[0])";

#[test]
#[ignore = "make test-packages"]
fn tiktoken_encodes_in_rust_as_native() {
    assert_eq!(run(TIKTOKEN_CODE).stdout(), native(TIKTOKEN_CODE));
    check("import tiktoken._tiktoken as t; print(t.__spec__.origin)", "built-in\n");
}

/// With no encoding file in the module, tiktoken looks for its download
/// cache in the temporary directory, which the read-only module has not: a
/// Python error and status 1, never a trap (nor a download).
#[test]
#[ignore = "make test-packages"]
fn tiktoken_without_its_encoding_file_fails_with_a_python_error() {
    let module = repo_root().join("build/packages.wasm");
    let out = Run::default().run_module(
        &compile(&module).unwrap(),
        true,
        &["-c", "import tiktoken; tiktoken.get_encoding('cl100k_base')"],
    );
    assert_eq!(out.status, 1, "{}", out.stderr());
    assert!(out.stderr().contains("FileNotFoundError: [Errno 44] No usable temporary directory"), "{}", out.stderr());
}

/// build/tiktoken-app.wasm (make tiktoken-app) ships cl100k_base and
/// o200k_base: the same tokens as native tiktoken with the same files.
#[test]
#[ignore = "make test-packages"]
fn tiktoken_app_tokenizes_offline_as_native() {
    let app = repo_root().join("build/tiktoken-app.wasm");
    let module = compile(&app).unwrap();
    let dir = std::env::var("ONEPY_PACKAGES_NATIVE").expect("ONEPY_PACKAGES_NATIVE (set by `make test-packages`)");
    let text = "Hello, world! Ünïcödé text, 日本語のテキスト, emoji 🎉🐍, code: fn main() { println!(\"hi\"); }\n\
                <|endoftext|> numbers 1234567890 and spaces    end";
    for encoding in ["cl100k_base", "o200k_base"] {
        let ours = Run::default().argv0("tiktoken-app").stdin(text).run_module(&module, true, &[encoding]);
        assert_eq!(ours.status, 0, "{}", ours.stderr());
        let theirs = Command::new(build_python())
            .args(["-I", "-X", "utf8", "-c"])
            .arg(format!(
                "import sys, runpy; sys.path.insert(0, {dir:?}); sys.argv = ['app', {encoding:?}]\n\
                 runpy.run_path('examples/tiktoken-app/__main__.py', run_name='__main__')"
            ))
            .env("TIKTOKEN_CACHE_DIR", repo_root().join("build/tiktoken-app/encodings"))
            .current_dir(repo_root())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(text.as_bytes())?;
                child.wait_with_output()
            })
            .expect("running the app natively");
        assert!(theirs.status.success());
        assert_eq!(ours.stdout(), String::from_utf8(theirs.stdout).unwrap(), "{encoding}");
        assert!(ours.stdout().contains("\"round_trip\": true"), "{}", ours.stdout());
    }
}
