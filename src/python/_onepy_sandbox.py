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
"""

import json
import os
import sys


def main():
    env = os.environ
    nonce = env.pop("ONEPY_SANDBOX_NONCE")
    code = env.pop("ONEPY_SANDBOX_CODE")
    raw = env.pop("ONEPY_SANDBOX_INPUTS", None)
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
    # No interpreter shutdown: the instance is thrown away.
    os._exit(status)


def _exit_status(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
