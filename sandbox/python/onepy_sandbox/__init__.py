"""Run Python code in a fresh, isolated instance of python.wasm per call.

    from onepy_sandbox import Sandbox
    sandbox = Sandbox(timeout=1.0)
    r = sandbox.run("result = sum(inputs)", inputs=[1, 2, 3])
    assert r.result == 6 and r.error is None

Every call starts from the interpreter's snapshot: globals, imported
modules, environment changes and files written in the scratch directory are
gone at the next call. A `Sandbox` is safe to share between threads.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Sequence, Tuple, Union

from ._native import NativeSandbox

__all__ = ["Sandbox", "Result", "default_module"]

_NO_INPUTS = object()


def default_module() -> str:
    """The python.wasm shipped in this package."""
    return os.path.join(os.path.dirname(__file__), "python.wasm")


@dataclass
class Result:
    """What one call did.

    `result` is the JSON-decoded value of the global `result` the code set
    (None if it set none; `has_result` tells the two apart). `error` is
    None, "timeout", "memory_limit", "output_limit", "result_limit" (the
    JSON of `result` is over the result limit), "invalid_result" (what came
    back as `result` is not JSON) or "crashed", with the reason in
    `error_detail`; an exception in the code is not an error: its traceback
    is in `stderr` and `exit_code` is 1. `run` returns a Result whatever the
    code does; it raises only for bad arguments (e.g. a NUL in the code).
    """

    stdout: str
    stderr: str
    exit_code: Optional[int]
    result: Any
    error: Optional[str]
    duration: float
    stdout_truncated: bool
    stderr_truncated: bool
    has_result: bool
    error_detail: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.exit_code == 0


def _dispatcher(callbacks: Mapping[str, Callable[..., Any]]) -> Callable[[str, str], Tuple[bool, str]]:
    """What the native side calls for a callback: (True, result JSON) or
    (False, the message the code gets)."""

    def dispatch(name: str, request: str) -> Tuple[bool, str]:
        call = json.loads(request)
        try:
            value = callbacks[name](*call["args"], **call["kwargs"])
            return True, json.dumps(value, allow_nan=False)
        except Exception as e:
            return False, f"{type(e).__name__}: {e}"

    return dispatch


class Sandbox:
    """A compiled onepy module, instantiated afresh for every `run`.

    module: path of a onepy build (default: the python.wasm in this package).
    timeout: wall-clock seconds per call. memory_limit: bytes of linear
    memory. output_limit: bytes of stdout and of stderr each. result_limit:
    bytes of the JSON text of `result`. env: the
    environment the code sees (nothing from the host otherwise). dirs: host
    directories to mount, as (host, guest) or (host, guest, read_only)
    tuples (read-only unless told). scratch: a fresh empty /tmp per call.
    fuel: optional instruction budget per call (slower; runs out as
    "timeout"). max_concurrency: calls that may run at once. callbacks:
    host functions the code calls as `onepy_host.NAME(*args, **kwargs)`,
    by name: they get JSON-decoded arguments and return a JSON-serializable
    value; an exception reaches the code as `onepy_host.HostError` with
    "ExceptionType: message". A callback runs on the calling thread while
    the call waits, and its time counts toward the call's timeout.
    """

    def __init__(
        self,
        module: Optional[Union[str, os.PathLike]] = None,
        timeout: float = 30.0,
        memory_limit: int = 256 << 20,
        output_limit: int = 1 << 20,
        result_limit: int = 16 << 20,
        env: Optional[Mapping[str, str]] = None,
        dirs: Optional[Sequence[Tuple]] = None,
        scratch: bool = False,
        fuel: Optional[int] = None,
        max_wasm_stack: Optional[int] = None,
        max_concurrency: int = 64,
        cache_dir: Optional[Union[str, os.PathLike]] = None,
        callbacks: Optional[Mapping[str, Callable[..., Any]]] = None,
    ) -> None:
        mounts = []
        for d in dirs or ():
            host, guest, *rest = d
            mounts.append((os.fspath(host), str(guest), bool(rest[0]) if rest else True))
        self._native = NativeSandbox(
            os.fspath(module) if module is not None else default_module(),
            float(timeout),
            int(memory_limit),
            int(output_limit),
            int(result_limit),
            [(str(k), str(v)) for k, v in (env or {}).items()],
            mounts,
            bool(scratch),
            fuel,
            max_wasm_stack,
            int(max_concurrency),
            os.fspath(cache_dir) if cache_dir is not None else None,
            [str(name) for name in callbacks or {}],
            _dispatcher(dict(callbacks)) if callbacks else None,
        )

    def run(self, code: str, inputs: Any = None, stdin: Union[str, bytes, None] = None) -> Result:
        """Runs `code` with the global `inputs` (JSON-encoded on the way in)."""
        inputs_json = None if inputs is None else json.dumps(inputs)
        if isinstance(stdin, str):
            stdin = stdin.encode()
        d = self._native.run(code, inputs_json, stdin)
        raw = d.pop("result_json")
        d["has_result"] = raw is not None
        d["result"] = None
        if raw is not None:
            # The native side hands over only valid JSON nested at most 128
            # deep; this guard keeps a Result the only outcome regardless.
            try:
                d["result"] = json.loads(raw)
            except (ValueError, RecursionError) as e:
                d.update(has_result=False, error="invalid_result", error_detail=f"the result is not JSON: {e}")
        return Result(**d)
