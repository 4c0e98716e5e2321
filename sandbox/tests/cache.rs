//! The compiled-module cache: entries are reused, and corrupt or truncated
//! ones are rebuilt rather than trusted.

use onepy_sandbox::cache::{entry_path, load_or_compile};
use wasmtime::{Engine, Instance, Store};

const WAT: &str = r#"(module (func (export "answer") (result i32) i32.const 42))"#;

fn answer(engine: &Engine, dir: &std::path::Path) -> i32 {
    let module = load_or_compile(engine, WAT.as_bytes(), dir).unwrap();
    let mut store = Store::new(engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    instance.get_typed_func::<(), i32>(&mut store, "answer").unwrap().call(&mut store, ()).unwrap()
}

#[test]
fn corrupt_entries_are_rebuilt() {
    let dir = std::env::temp_dir().join(format!("onepy-sandbox-cache-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let engine = Engine::default();
    let path = entry_path(&engine, WAT.as_bytes(), &dir);
    assert_eq!(answer(&engine, &dir), 42);
    let good = std::fs::read(&path).expect("entry written");

    // A flipped byte in the compiled code.
    let mut bad = good.clone();
    let i = bad.len() / 2;
    bad[i] ^= 0xff;
    std::fs::write(&path, &bad).unwrap();
    assert_eq!(answer(&engine, &dir), 42);
    assert_eq!(std::fs::read(&path).unwrap(), good, "entry not rewritten");

    // A truncated entry, then an empty one.
    for cut in [good.len() - 7, 0] {
        std::fs::write(&path, &good[..cut]).unwrap();
        assert_eq!(answer(&engine, &dir), 42);
        assert_eq!(std::fs::read(&path).unwrap(), good);
    }

    // Another engine configuration uses another entry.
    let mut config = wasmtime::Config::new();
    config.consume_fuel(true);
    let other = Engine::new(&config).unwrap();
    assert_ne!(entry_path(&other, WAT.as_bytes(), &dir), path);
    let _ = std::fs::remove_dir_all(&dir);
}
