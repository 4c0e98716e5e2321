//! OpenSSL in the module (scripts/libpython.sh build_openssl): `_hashlib`
//! and `_ssl` are built in. hashlib's OpenSSL-only functions give the same
//! bytes as the native build-python of the same sources; `ssl` makes
//! contexts and TLS objects over memory BIOs, names the pinned OpenSSL,
//! fails on sockets with a clear error, and draws its random bytes from the
//! host in every run (never from the snapshot).

use onepy_host::guest::{Run, Variant, repo_root, run, run_native};

/// The OpenSSL version of the pin: the openssl line of sources.lock
/// (`openssl_3.5.7.orig.tar.gz` -> `3.5.7`).
fn pinned_openssl_version() -> String {
    let lock = std::fs::read_to_string(repo_root().join("sources.lock")).expect("reading sources.lock");
    let path = lock
        .lines()
        .find_map(|l| l.strip_prefix("openssl ").map(|rest| rest.split_whitespace().next().unwrap_or("")))
        .expect("sources.lock has an openssl line");
    let file = path.rsplit('/').next().unwrap();
    file.strip_prefix("openssl_")
        .and_then(|f| f.strip_suffix(".orig.tar.gz"))
        .expect("openssl_X.orig.tar.gz")
        .to_string()
}

/// What only OpenSSL provides in hashlib (key derivation, the digests
/// HACL* lacks, OpenSSL's HMAC), computed in the module and natively.
const HASHLIB_CODE: &str = r#"
import hashlib, hmac, _hashlib
print("pbkdf2", hashlib.pbkdf2_hmac("sha256", b"pw", b"salt", 1000).hex())
print("pbkdf2-512", hashlib.pbkdf2_hmac("sha512", b"password", b"NaCl", 2, dklen=20).hex())
print("scrypt", hashlib.scrypt(b"password", salt=b"NaCl", n=1024, r=8, p=16, dklen=32).hex())
for name in ("sha512_256", "sha512_224", "ripemd160", "sm3", "md5-sha1"):
    print(name, hashlib.new(name, b"abc").hexdigest())
print("shake_128", hashlib.new("shake_128", b"abc").hexdigest(20))
print("hmac", hmac.new(b"key", b"msg", "sha256").hexdigest(), type(hmac.new(b"k", digestmod="sha256")._hmac).__module__)
print("sha256 type", type(hashlib.sha256()).__module__, type(hashlib.sha256()).__name__)
print("get_fips_mode", _hashlib.get_fips_mode())
try:
    hashlib.scrypt(b"pw", salt=b"s", n=3, r=1, p=1)
except ValueError as e:
    print("scrypt n=3:", e)
"#;

#[test]
fn hashlib_openssl_functions_match_native() {
    let want = run_native(&["-c", HASHLIB_CODE], None, &repo_root());
    assert_eq!((want.status, want.stderr()), (0, String::new()), "native");
    assert!(want.stdout().contains("pbkdf2 0a38253555ce"), "native has _hashlib: {}", want.stdout());
    for variant in Variant::ALL {
        let out = run(variant, &["-c", HASHLIB_CODE]);
        out.assert_clean();
        assert_eq!((out.status, out.stderr()), (0, String::new()), "{variant:?}");
        assert_eq!(out.stdout(), want.stdout(), "{variant:?}");
    }
}

/// `ssl` imports and names the pinned OpenSSL; a default client context
/// is built; with no CA store in the module (nothing at /etc/ssl, the
/// OPENSSLDIR) load_default_certs loads nothing; a TLS client over memory
/// BIOs writes its ClientHello; binding TLS to a socket fails clearly.
const SSL_CODE: &str = r#"
import ssl, socket
print(ssl.OPENSSL_VERSION)
ctx = ssl.create_default_context()
print(ctx.verify_mode.name, ctx.check_hostname, ctx.minimum_version.name)
print("cert store", ctx.cert_store_stats())
paths = ssl.get_default_verify_paths()
print("verify paths", paths.openssl_cafile, paths.openssl_capath, paths.cafile, paths.capath)
incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = ctx.wrap_bio(incoming, outgoing, server_hostname="example.org")
try:
    tls.do_handshake()
except ssl.SSLWantReadError:
    hello = outgoing.read()
    print("client hello", hello[0], hello[5], len(hello) > 100)
try:
    socket.socket()
except OSError as e:
    print("socket:", e)
# No socket can be made here; an unopened socket object reaches _ssl's
# socket path (ssl.SSLContext.wrap_socket asks the socket first: EBADF).
unopened = socket.socket.__new__(socket.socket)
try:
    ctx.wrap_socket(unopened)
except OSError as e:
    print("wrap_socket:", type(e).__name__, e.errno)
try:
    ctx._wrap_socket(unopened, False, "example.org")
except Exception as e:
    print("_wrap_socket:", type(e).__name__, e)
"#;

#[test]
fn ssl_contexts_and_memory_bio_tls_work_sockets_fail_clearly() {
    let version = pinned_openssl_version();
    for variant in Variant::ALL {
        let out = run(variant, &["-c", SSL_CODE]);
        out.assert_clean();
        assert_eq!((out.status, out.stderr()), (0, String::new()), "{variant:?}");
        let stdout = out.stdout();
        let lines: Vec<&str> = stdout.lines().collect();
        assert!(lines[0].starts_with(&format!("OpenSSL {version} ")), "{variant:?}: {}", lines[0]);
        assert_eq!(
            &lines[1..],
            [
                "CERT_REQUIRED True TLSv1_2",
                "cert store {'x509': 0, 'crl': 0, 'x509_ca': 0}",
                "verify paths /etc/ssl/cert.pem /etc/ssl/certs None None",
                // 0x16: a TLS handshake record; 1: ClientHello.
                "client hello 22 1 True",
                "socket: [Errno 58] Not supported",
                "wrap_socket: OSError 8",
                "_wrap_socket: NotImplementedError TLS over a socket is not available: this OpenSSL is built \
                 without socket support (WASI); use SSLContext.wrap_bio() with ssl.MemoryBIO instead",
            ],
            "{variant:?}"
        );
    }
}

/// A CA store the host maps in is used: SSL_CERT_FILE names a PEM bundle
/// in a mapped directory, and load_default_certs loads its certificates.
#[test]
fn a_mapped_ca_bundle_is_loaded_by_load_default_certs() {
    let bundle = std::path::Path::new("/etc/ssl/certs/ca-certificates.crt");
    assert!(bundle.is_file(), "the test needs the host's CA bundle at {}", bundle.display());
    let count = std::fs::read_to_string(bundle).unwrap().matches("-----BEGIN CERTIFICATE-----").count();
    assert!(count > 10, "{count} certificates");
    let code = "import ssl; print(ssl.create_default_context().cert_store_stats()['x509_ca'])";
    let out = Run::default()
        .dir("/etc/ssl/certs", "/ca")
        .env("SSL_CERT_FILE", "/ca/ca-certificates.crt")
        .run(Variant::Snapshot, &["-c", code]);
    out.assert_clean();
    assert_eq!((out.status, out.stderr()), (0, String::new()));
    assert_eq!(out.stdout().trim(), count.to_string());
}

/// OpenSSL's DRBG is seeded in each run from the host: two runs of the
/// same snapshot draw different bytes, and in the snapshot variant the
/// generator starts unseeded (RAND_status false before the first draw,
/// src/openssl_rand.rs), i.e. the snapshot carries no DRBG state.
#[test]
fn rand_bytes_are_fresh_in_every_run_of_the_snapshot() {
    let code = "import ssl; s = ssl.RAND_status(); b = ssl.RAND_bytes(32).hex(); print(s, ssl.RAND_status(), b)";
    for variant in Variant::ALL {
        let mut draws = Vec::new();
        for _ in 0..2 {
            let out = run(variant, &["-c", code]);
            out.assert_clean();
            assert_eq!((out.status, out.stderr()), (0, String::new()), "{variant:?}");
            let stdout = out.stdout();
            let fields: Vec<&str> = stdout.split_whitespace().collect();
            let before = if variant == Variant::Snapshot { "False" } else { "True" };
            assert_eq!(&fields[..2], [before, "True"], "{variant:?}: {stdout}");
            assert_eq!(fields[2].len(), 64, "{variant:?}: {stdout}");
            draws.push(fields[2].to_string());
        }
        assert_ne!(draws[0], draws[1], "{variant:?}: the same random bytes in two runs");
    }
}
