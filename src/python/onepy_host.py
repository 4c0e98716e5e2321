"""Host callbacks for code run by onepy_sandbox.

    import onepy_host
    rows = onepy_host.query("select 1", limit=10)

calls the function the host registered as "query" (`Sandbox(...,
callbacks={"query": fn})`) with the arguments as JSON and returns its JSON
result; a failure in the host raises onepy_host.HostError with the host's
message. The call runs on the host while this code waits, and its time
counts toward the call's timeout.

The calls travel through a descriptor that only the sandbox's host serves
(sandbox/src/callbacks.rs): the request is written with os.pwrite (the host
runs the callback then), the reply read back with os.pread. Under any other
WASI host the descriptor does not exist and a call raises RuntimeError.
"""

import errno
import json
import os

# sandbox/src/callbacks.rs, HOST_FD: below the embedded filesystem's own
# descriptors (src/vfs/mod.rs, FD_BASE), which never reach the host.
_FD = 0x3FFF_0000


class HostError(Exception):
    """A host callback failed; the message is the host's."""


def call(name, *args, **kwargs):
    """Calls the host callback `name` (as onepy_host.NAME(...) does)."""
    request = json.dumps({"name": name, "args": args, "kwargs": kwargs}, allow_nan=False).encode()
    try:
        written = os.pwrite(_FD, request, 0)
    except OSError as e:
        if e.errno == errno.EBADF:
            raise RuntimeError("host callbacks need the onepy_sandbox host; this one has none") from None
        raise
    if written != len(request):
        raise RuntimeError(f"the host took {written} of the request's {len(request)} bytes")
    reply = bytearray()
    while chunk := os.pread(_FD, 1 << 16, len(reply)):
        reply += chunk
    reply = json.loads(reply)
    if "error" in reply:
        raise HostError(reply["error"])
    return reply["result"]


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)

    def callback(*args, **kwargs):
        return call(name, *args, **kwargs)

    callback.__name__ = callback.__qualname__ = name
    return callback
