"""Run Python code in a fresh, isolated instance of python.wasm per call.

    from onepy_sandbox import Sandbox
    sandbox = Sandbox(timeout=1.0)
    r = sandbox.run("result = sum(inputs)", inputs=[1, 2, 3])
    assert r.result == 6 and r.error is None

Every call starts from the interpreter's snapshot: globals, imported
modules, environment changes and files written in the scratch directory are
gone at the next call. A `Sandbox` is safe to share between threads.

`sandbox.session()` keeps one instance for many calls instead (state
persists; `fork()` copies it), and `run_async` / `Session.run_async` run a
call on a worker thread for asyncio programs. See docs/sandbox.md.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple, Union

from ._native import NativeSandbox, NativeSession

__all__ = ["Sandbox", "Session", "Result", "default_module", "DEFAULT_IDLE_TIMEOUT"]

#: Seconds a session may go without a call before it expires (sandbox/src/session.rs).
DEFAULT_IDLE_TIMEOUT = 600.0

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
    back as `result` is not JSON), "crashed", or for a session
    "session_dead" (an earlier call hit a limit or crashed: the call did not
    run) or "session_expired" (idle too long, or closed), with the reason in
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
    tuples (read-only unless told). scratch: a fresh empty /tmp per call
    (a session keeps one for all its calls; a fork gets a copy).
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
        return _result(self._native.run(code, *_call_args(inputs, stdin)))

    async def run_async(self, code: str, inputs: Any = None, stdin: Union[str, bytes, None] = None) -> Result:
        """`run` on a worker thread (asyncio.to_thread): the event loop is
        never blocked. Cancelling the awaiting task does not stop a call
        that has started: it runs on to its end (at most its timeout) and
        its Result is dropped (a call still queued does not run)."""
        return await asyncio.to_thread(functools.partial(self.run, code, inputs, stdin))

    def session(self, idle_timeout: float = DEFAULT_IDLE_TIMEOUT) -> "Session":
        """A new session: one instance kept for many calls (see Session)."""
        return Session(self._native.session(float(idle_timeout)))


class Session:
    """One instance kept between calls: a call sees the globals, imported
    modules and scratch files of the earlier calls (`result` and `inputs`
    are each call's own). Each call has its own timeout and output limit
    (the sandbox's unless given); the memory limit is the sandbox's, for
    the whole session. A call that hits a limit, crashes or calls
    os._exit kills the session: its state may be inconsistent, so later
    calls return a Result with error "session_dead" (and the reason in
    error_detail) without running. A session with no call for
    `idle_timeout` seconds expires ("session_expired"). `fork()` returns an
    independent copy. Calls on one session from several threads run one at
    a time. It holds one of the sandbox's `max_concurrency` instance slots
    until it is closed (also by `with`), dead, expired or collected.
    """

    def __init__(self, native: NativeSession) -> None:
        self._native = native

    def run(
        self,
        code: str,
        inputs: Any = None,
        stdin: Union[str, bytes, None] = None,
        timeout: Optional[float] = None,
        output_limit: Optional[int] = None,
    ) -> Result:
        """Runs `code` in the session (see Sandbox.run)."""
        return _result(
            self._native.run(
                code,
                *_call_args(inputs, stdin),
                None if timeout is None else float(timeout),
                None if output_limit is None else int(output_limit),
            )
        )

    async def run_async(
        self,
        code: str,
        inputs: Any = None,
        stdin: Union[str, bytes, None] = None,
        timeout: Optional[float] = None,
        output_limit: Optional[int] = None,
    ) -> Result:
        """`run` on a worker thread. Cancelling the awaiting task does not
        stop a call that has started: it runs on to its end (at most its
        timeout), its effects stay in the session, and the next call waits
        for it (a call still queued does not run)."""
        return await asyncio.to_thread(functools.partial(self.run, code, inputs, stdin, timeout, output_limit))

    def fork(self) -> "Session":
        """An independent copy of the session as it is now. Raises
        RuntimeError if the session is dead or expired, or no slot is free."""
        return Session(self._native.fork())

    async def fork_async(self) -> "Session":
        """`fork` on a worker thread."""
        return await asyncio.to_thread(self.fork)

    def close(self) -> None:
        """Frees the instance now; later calls return "session_expired"."""
        self._native.close()

    @property
    def alive(self) -> bool:
        """False once the session is dead, expired or closed."""
        return self._native.alive

    @property
    def calls(self) -> int:
        """How many calls the session ran."""
        return self._native.calls

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _call_args(inputs: Any, stdin: Union[str, bytes, None]) -> Tuple[Optional[str], Optional[bytes]]:
    inputs_json = None if inputs is None else json.dumps(inputs)
    if isinstance(stdin, str):
        stdin = stdin.encode()
    return inputs_json, stdin


def _result(d: Dict[str, Any]) -> Result:
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
