/* libc++ with the threads API (recipes/clibs/libcxx-wasm-eh.toml) calls
 * pthread_cond_broadcast (std::call_once, std::condition_variable). CPython
 * for WASI defines the single-threaded pthread stubs it needs itself
 * (Python/thread_pthread_stubs.h) but not this one, and wasi-libc's
 * definition comes in an object that also defines the others, which would
 * clash with CPython's. With one thread there is never a waiter to wake.
 * Linked by scripts/package_builder/build.py for a wasm-exceptions package. */
#include <pthread.h>

int pthread_cond_broadcast(pthread_cond_t *cond) {
    (void)cond;
    return 0;
}
