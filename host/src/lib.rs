//! Host-side helpers: inspecting the built module and running it under the
//! wasmtime CLI for the end-to-end tests.

pub mod guest;
pub mod host_paths;
pub mod imports;
pub mod localize;
pub mod oci;

/// The `main` of the host tools: run, and on error print it with its
/// context chain (`{:#}`) and exit 1.
pub fn tool_main(run: impl FnOnce() -> anyhow::Result<()>) {
    if let Err(err) = run() {
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}
