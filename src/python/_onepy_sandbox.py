"""The guest side of onepy_sandbox (sandbox/ in the repository).

The host runs a fresh instance per call as

    python -c "import _onepy_sandbox; _onepy_sandbox.main()"

with the call in three environment variables: ONEPY_SANDBOX_CODE (the
code), ONEPY_SANDBOX_INPUTS (JSON, optional) and ONEPY_SANDBOX_NONCE. This
module is imported into the snapshot (src/preimport.in), so a call compiles
only its own code. main() removes the three variables before the code runs,
runs the code in __main__ with `inputs` bound, and writes the JSON of the
global `result` to stdout after the nonce (strict JSON: NaN and infinities
are refused here, as the host refuses them); the host's stdout pipe routes
what follows the nonce to a separate buffer, so printed output and the
result cannot be confused (the code could find the nonce, but it could just
as well set `result`).

A session (onepy_sandbox's `Sandbox.session()`) keeps one instance for many
calls: the host calls the export `onepy_sandbox_call` (src/session.rs),
which runs session_call(). The call (code, inputs, nonce, stdin) comes as
JSON through the host descriptor (onepy_host's): the host has put it there
as the reply to read. The code runs in the same `__main__` as the earlier
calls; `result` and `inputs` are the call's own. session_call() returns the
exit status instead of exiting, so the instance stays usable.
"""

import json
import os
import sys


def main():
    env = os.environ
    nonce = env.pop("ONEPY_SANDBOX_NONCE")
    code = env.pop("ONEPY_SANDBOX_CODE")
    raw = env.pop("ONEPY_SANDBOX_INPUTS", None)
    status = _run(code, raw, nonce)
    # No interpreter shutdown: the instance is thrown away.
    os._exit(status)


# onepy_host's descriptor (sandbox/src/callbacks.rs, HOST_FD).
_HOST_FD = 0x3FFF_0000


def session_call():
    """Runs the call the host put on the host descriptor; returns the status."""
    request = bytearray()
    while chunk := os.pread(_HOST_FD, 1 << 16, len(request)):
        request += chunk
    call = json.loads(request)
    if call.get("forked"):
        _reseed()
    stdin = call.get("stdin")
    if stdin is None:
        sys.stdin = sys.__stdin__
    else:
        import io

        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("latin-1")), encoding="utf-8")
    g = sys.modules["__main__"].__dict__
    # `result` is each call's own: one left by an earlier call is not this one's.
    g.pop("result", None)
    return _run(call["code"], call.get("inputs"), call["nonce"])


def _reseed():
    """The first call of a fork: the state copied from the parent includes
    the seeds run_state.rs refreshes per run (`random`, `tempfile` names,
    numpy's global RandomState); draw new ones, as `random` does after
    os.fork, so a fork and its parent do not draw the same numbers."""
    modules = sys.modules
    if "random" in modules:
        modules["random"].seed()
    if "tempfile" in modules:
        modules["tempfile"]._name_sequence = None
    if "numpy.random" in modules:
        modules["numpy.random"].seed()


def _run(code, raw, nonce):
    """Runs `code` in __main__, writes `result` after the nonce; the status."""
    g = sys.modules["__main__"].__dict__
    g["inputs"] = None if raw is None else json.loads(raw)
    status = 0
    try:
        exec(compile(code, "<sandbox>", "exec"), g)
    except SystemExit as e:
        status = _exit_status(e.code)
    except BaseException as e:
        import linecache
        import traceback

        linecache.cache["<sandbox>"] = (len(code), None, code.splitlines(True), "<sandbox>")
        # Leave this function's frame out: the traceback starts in the code.
        traceback.print_exception(type(e), e, e.__traceback__.tb_next)
        status = 1
    out = None
    if "result" in g:
        try:
            out = json.dumps(g["result"], allow_nan=False).encode()
        except Exception as e:
            print("result is not JSON-serializable:", repr(e), file=sys.stderr)
            status = status or 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    if out is not None:
        os.write(1, nonce.encode())
        view = memoryview(out)
        while view:
            view = view[os.write(1, view):]
    return status


def _exit_status(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
