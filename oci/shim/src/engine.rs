//! The wasmtime side of the shim: one engine configuration shared by the
//! compiler (cache entries) and the runner, so a cached compilation is
//! always loadable by the runner that finds it.

use anyhow::{Context, Result, bail};
use containerd_shim_wasm::sandbox::context::{RuntimeContext, Source, WasmBinaryType, WasmLayer};
use std::hash::{DefaultHasher, Hash, Hasher};
use wasmtime::{Engine, Linker, Module, Store};
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

/// Exit status when the module traps (or cannot be loaded): what a process
/// killed by a signal would report, so callers see a failure, not success.
const TRAP_EXIT: i32 = 134;

fn engine() -> Result<Engine> {
    // Defaults: Cranelift, copy-on-write memory images (python.wasm's
    // snapshot memory is mapped, not copied, at instantiation).
    Ok(Engine::new(&wasmtime::Config::new())?)
}

/// wasmtime 48 has its own error type; anyhow's `context` needs anyhow's.
fn wt<T>(result: wasmtime::Result<T>) -> Result<T> {
    result.map_err(anyhow::Error::from)
}

/// A stable digest of what makes a precompiled module loadable: the
/// wasmtime version and every setting that changes the compiled code.
pub fn compatibility_key() -> String {
    let engine = engine().expect("wasmtime engine with the default configuration");
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    format!("wasmtime-{}-{:016x}", env!("CARGO_PKG_VERSION"), hasher.finish())
}

/// Compile each wasm layer ahead of time (for containerd's content store).
/// Layers that are not core modules are left as they are (`None`).
pub fn precompile(layers: &[WasmLayer]) -> Result<Vec<Option<Vec<u8>>>> {
    let engine = engine()?;
    layers
        .iter()
        .map(|layer| match WasmBinaryType::from_bytes(&layer.layer) {
            Some(WasmBinaryType::Module) => wt(engine.precompile_module(&layer.layer))
                .map(Some)
                .with_context(|| format!("compiling layer {}", layer.config.digest())),
            _ => Ok(None),
        })
        .collect()
}

/// Run the container's module: `_start` (or `path#func`) with the
/// container's arguments and environment, the container's stdio and its
/// root filesystem preopened as `/`. Returns the WASI exit code.
pub async fn run(ctx: &impl RuntimeContext) -> Result<i32> {
    let engine = engine()?;
    let entrypoint = ctx.entrypoint();
    let module = load(&engine, &entrypoint.source)?;
    release_free_memory();

    let mut wasi = WasiCtxBuilder::new();
    // argv[0] is the module's path inside the container, as in `ctr run ... /python.wasm`.
    wasi.args(ctx.args()).inherit_stdio();
    for var in ctx.envs() {
        let (key, value) = var.split_once('=').unwrap_or((var.as_str(), ""));
        wasi.env(key, value);
    }
    wt(wasi.preopened_dir("/", "/", FsPerms::ReadWrite)).context("preopening the container's root filesystem")?;

    let mut linker: Linker<WasiP1Ctx> = Linker::new(&engine);
    p1::add_to_linker_async(&mut linker, |cx| cx)?;
    let mut store = Store::new(&engine, wasi.build_p1());
    let instance = linker.instantiate_async(&mut store, &module).await?;
    let func = wt(instance.get_typed_func::<(), ()>(&mut store, &entrypoint.func))
        .with_context(|| format!("the module exports no function `{}`", entrypoint.func))?;

    match func.call_async(&mut store, ()).await {
        Ok(()) => Ok(0),
        Err(err) => match err.downcast_ref::<I32Exit>() {
            Some(exit) => Ok(exit.0),
            None => {
                eprintln!("error: {err:?}");
                Ok(TRAP_EXIT)
            }
        },
    }
}

fn load(engine: &Engine, source: &Source<'_>) -> Result<Module> {
    if source.is_precompiled()? {
        let bytes = source.as_bytes()?;
        // SAFETY: precompiled layers come from containerd's content store,
        // written by `precompile` above under a key that includes the
        // engine's compatibility hash; deserialize re-checks the version.
        return wt(unsafe { Module::deserialize(engine, &bytes) }).context("loading the cached compiled module");
    }
    let bytes = source.as_bytes().context("reading the module")?;
    match WasmBinaryType::from_bytes(&bytes) {
        Some(WasmBinaryType::Module) => wt(Module::new(engine, &bytes)).context("compiling the module"),
        Some(WasmBinaryType::Component) => {
            bail!("WASI components are not supported by this shim: build a WASI p1 module")
        }
        None => wt(Module::new(engine, &bytes)).context("compiling the module (text format)"),
    }
}

/// Compiling a 30 MB module leaves hundreds of MB of freed compiler buffers
/// in glibc's per-thread arenas; return them to the system so a running
/// container holds the module, not the compiler's peak.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap pages; no pointer is invalidated.
    unsafe {
        libc::malloc_trim(0);
    }
}
