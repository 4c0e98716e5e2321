/* Debian's wasm32 libc++ references the C++ exception ABI, which its
 * exception-less libc++abi does not define. C-extension C++ code is built
 * with -fno-exceptions; a path that would still throw ends here: a message
 * on stderr, then abort (a wasm trap). Linked by scripts/cext.py when a
 * recipe sets cxx-exception-stubs. */
#include <stdio.h>
#include <stdlib.h>

static void onepy_cxx_throw(void) {
    fputs("onepy: a C++ exception was thrown in a C extension; C++ exceptions are "
          "not supported on wasm32-wasip1 here, aborting\n", stderr);
    abort();
}

void *__cxa_allocate_exception(unsigned long size) {
    (void)size;
    onepy_cxx_throw();
    return NULL;
}

void __cxa_throw(void *exception, void *type_info, void (*destructor)(void *)) {
    (void)exception; (void)type_info; (void)destructor;
    onepy_cxx_throw();
}
