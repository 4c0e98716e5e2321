# Types of the Rust extension (sandbox/src/python.rs); the public API is in
# __init__.py.
from typing import Any, Callable, Dict, List, Optional, Tuple

class NativeSandbox:
    def __init__(
        self,
        module: str,
        timeout: float,
        memory_limit: int,
        output_limit: int,
        result_limit: int,
        env: List[Tuple[str, str]],
        dirs: List[Tuple[str, str, bool]],
        scratch: bool,
        fuel: Optional[int],
        max_wasm_stack: Optional[int],
        max_concurrency: int,
        cache_dir: Optional[str],
        callback_names: List[str] = ...,
        dispatch: Optional[Callable[[str, str], Tuple[bool, str]]] = ...,
    ) -> None: ...
    def run(self, code: str, inputs_json: Optional[str] = ..., stdin: Optional[bytes] = ...) -> Dict[str, Any]: ...
    def session(self, idle_timeout: float) -> NativeSession: ...

class NativeSession:
    def run(
        self,
        code: str,
        inputs_json: Optional[str] = ...,
        stdin: Optional[bytes] = ...,
        timeout: Optional[float] = ...,
        output_limit: Optional[int] = ...,
    ) -> Dict[str, Any]: ...
    def fork(self) -> NativeSession: ...
    def close(self) -> None: ...
    @property
    def alive(self) -> bool: ...
    @property
    def calls(self) -> int: ...
