//! `containerd-shim-wasmtime-v1`: the containerd runtime
//! `io.containerd.wasmtime.v1`, built on runwasi's `containerd-shim-wasm`
//! library. The library speaks the shim protocol to containerd and runs each
//! container with youki's libcontainer (namespaces, cgroups, the rootfs);
//! inside the container it calls [`WasmtimeSandbox::run_wasi`], which runs
//! the module with wasmtime (`engine.rs`). Images with wasm layers (containerd
//! 1.7.7 or later) get their module compiled once and cached in containerd's
//! content store through [`WasmtimeCompiler`].

mod engine;

use anyhow::Result;
use containerd_shim_wasm::sandbox::Sandbox;
use containerd_shim_wasm::sandbox::context::{RuntimeContext, WasmLayer};
use containerd_shim_wasm::shim::{Cli, Compiler, Config, Shim, Version, version};

struct WasmtimeShim;

impl Shim for WasmtimeShim {
    type Sandbox = WasmtimeSandbox;

    /// The runtime name: containerd maps `io.containerd.wasmtime.v1` to this binary.
    fn name() -> &'static str {
        "wasmtime"
    }

    fn version() -> Version {
        version!()
    }

    async fn compiler() -> Option<impl Compiler> {
        Some(WasmtimeCompiler)
    }
}

#[derive(Default)]
struct WasmtimeSandbox;

impl Sandbox for WasmtimeSandbox {
    async fn run_wasi(&self, ctx: &impl RuntimeContext) -> Result<i32> {
        engine::run(ctx).await
    }
}

struct WasmtimeCompiler;

impl Compiler for WasmtimeCompiler {
    /// Precompiled modules are valid only for this wasmtime build and its
    /// settings (and this CPU's features): the engine's own compatibility
    /// hash says exactly that.
    fn cache_key(&self) -> impl std::hash::Hash {
        engine::compatibility_key()
    }

    async fn compile(&self, layers: &[WasmLayer]) -> Result<Vec<Option<Vec<u8>>>> {
        engine::precompile(layers)
    }
}

fn main() {
    WasmtimeShim::run(Config { default_log_level: "error".to_string(), ..Default::default() });
}
