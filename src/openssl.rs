//! OpenSSL's process-wide state in the module (libcrypto is linked for
//! `_hashlib` and `_ssl`).
//!
//! The random generators: a primary DRBG seeded from `getentropy()` and the
//! public and private DRBGs drawn from it. Seeded while the snapshot is
//! taken, they would be seeded from the snapshot's fixed stream
//! (`snapshot_entropy`) and every run of the module would continue the same
//! DRBG state. So before the snapshot ends, [`forget_snapshot_seed`] brings
//! all three to the uninstantiated state (OpenSSL zeroizes their state);
//! OpenSSL instantiates a DRBG in that state on its next use, from this
//! run's `getentropy()` (WASI `random_get` of the host). Whether or not a
//! pre-imported module touched them, no DRBG state is in the module.
//!
//! What a run sees: `ssl.RAND_status()` is false until the first random
//! bytes are drawn (the generator is not seeded yet), then true.

use anyhow::{Result, bail};
use std::ffi::c_void;

unsafe extern "C" {
    fn RAND_get0_primary(ctx: *mut c_void) -> *mut c_void;
    fn RAND_get0_public(ctx: *mut c_void) -> *mut c_void;
    fn RAND_get0_private(ctx: *mut c_void) -> *mut c_void;
    fn EVP_RAND_uninstantiate(ctx: *mut c_void) -> i32;
}

/// Uninstantiate OpenSSL's public, private and primary DRBGs of the default
/// library context (creating them first if nothing has yet).
pub fn forget_snapshot_seed() -> Result<()> {
    let generators: [(&str, unsafe extern "C" fn(*mut c_void) -> *mut c_void); 3] =
        [("public", RAND_get0_public), ("private", RAND_get0_private), ("primary", RAND_get0_primary)];
    for (name, get) in generators {
        // SAFETY: single-threaded; NULL names OpenSSL's default library
        // context, and the returned DRBG stays owned by it.
        let drbg = unsafe { get(std::ptr::null_mut()) };
        if drbg.is_null() {
            bail!("OpenSSL has no {name} random generator");
        }
        // SAFETY: `drbg` is a live EVP_RAND_CTX of the default context.
        if unsafe { EVP_RAND_uninstantiate(drbg) } != 1 {
            bail!("OpenSSL could not uninstantiate its {name} random generator");
        }
    }
    Ok(())
}
