//! Host-side helpers: inspecting the built module and running it under the
//! wasmtime CLI for the end-to-end tests.

pub mod guest;
pub mod imports;
pub mod localize;
pub mod oci;
