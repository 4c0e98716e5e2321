//! Two C runtime functions that compiled packages reference and that
//! neither wasi-libc nor a libc++abi built without threads defines. The
//! module has one thread and no `fork`, so each has a one-line meaning;
//! without them the final link would import them from the host (`env`),
//! and the build refuses a module importing anything but WASI.

use std::ffi::{c_int, c_void};

unsafe extern "C" {
    /// wasi-libc's: runs `f(arg)` at exit, after the functions registered later.
    fn __cxa_atexit(f: unsafe extern "C" fn(*mut c_void), arg: *mut c_void, dso: *mut c_void) -> c_int;
}

/// A C++ `thread_local` object with a destructor (HiGHS's executor handle,
/// Boost.Math's caches in scipy) registers it here. The one thread is the
/// main thread, whose thread-locals are destroyed at exit: registered with
/// `__cxa_atexit`, as libc++abi does for the main thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __cxa_thread_atexit(
    dtor: unsafe extern "C" fn(*mut c_void),
    obj: *mut c_void,
    dso: *mut c_void,
) -> c_int {
    // SAFETY: the arguments are the compiler-generated registration's,
    // passed through unchanged.
    unsafe { __cxa_atexit(dtor, obj, dso) }
}

/// Handlers to run around `fork` (ducc0, scipy.fft's thread pool, resets
/// its pool in a child). WASI has no `fork`: they are never called.
#[unsafe(no_mangle)]
pub extern "C" fn pthread_atfork(
    _prepare: Option<extern "C" fn()>,
    _parent: Option<extern "C" fn()>,
    _child: Option<extern "C" fn()>,
) -> c_int {
    0
}
