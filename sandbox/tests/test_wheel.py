"""Installs the built onepy_sandbox wheel into a clean venv and runs the
README's examples and the package's README (sandbox/README.md) with it, then
checks of the Python API: calls, sessions, the async variants, type hints.

Usage: python3 sandbox/tests/test_wheel.py DIST_DIR
"""

import glob
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

API_CHECKS = r'''
import concurrent.futures, json
from onepy_sandbox import Sandbox, Result
s = Sandbox(timeout=5, output_limit=1000, env={"GREETING": "hi"})
r = s.run("import os, sys\nprint(os.environ['GREETING'], sys.stdin.read())\nresult = {'x': inputs}", inputs={"a": [1, None]}, stdin="there")
assert r.ok and r.stdout == "hi there\n" and r.result == {"x": {"a": [1, None]}}, r
r = s.run("raise KeyError('k')")
assert r.error is None and r.exit_code == 1 and "KeyError: 'k'" in r.stderr, r
r = s.run("print('x' * 5000)")
assert r.error == "output_limit" and r.stdout_truncated and len(r.stdout) == 1000, r
r = s.run("import os\nos.abort()")
assert r.error == "crashed", r
with concurrent.futures.ThreadPoolExecutor(4) as pool:
    got = list(pool.map(lambda i: s.run("result = inputs * 2", inputs=i).result, range(100)))
assert got == [i * 2 for i in range(100)], got

# Every way a call can end is a Result: nothing below raises in the host.
import time
FORGE = "import os, sys\nos.write(1, sys._getframe().f_back.f_locals['nonce'].encode())\nos.write(1, %s)\nos._exit(0)"
t = Sandbox(timeout=0.5, memory_limit=128 << 20, output_limit=1000, result_limit=1000)
endings = [
    # code, error, exit_code, has_result
    ("result = [1, {'a': None}]", None, 0, True),
    ("result = 1\n1 / 0", None, 1, True),
    ("import sys\nsys.exit(3)", None, 3, False),
    ("import os\nos._exit(200)", "crashed", None, False),
    ("while True: pass", "timeout", None, False),
    ("import time\ntime.sleep(30)", "timeout", None, False),
    ("import select\nselect.select([], [], [], 30)", "timeout", None, False),
    ("x = bytearray(10**9)", "memory_limit", 1, False),
    ("print('x' * 5000)", "output_limit", None, False),
    ("result = 'x' * 5000", "result_limit", None, False),
    ("result = object()", None, 1, False),
    (FORGE % "b'[1, 2'", "invalid_result", 0, False),
    (FORGE % "b'\"\\xff\"'", "invalid_result", 0, False),
    (FORGE % "b'[' * 5000 + b']' * 5000", "result_limit", None, False),
    ("result = []\nfor _ in range(200): result = [result]", "invalid_result", 0, False),
    ("import os\nos.write(1, b'\\xff ok')\nresult = 2", None, 0, True),
    ("import os\nos.abort()", "crashed", None, False),
]
for code, error, exit_code, has_result in endings:
    started = time.monotonic()
    r = t.run(code)
    took = time.monotonic() - started
    assert (r.error, r.exit_code, r.has_result) == (error, exit_code, has_result), (code, r)
    assert r.error is None or r.error_detail, (code, r)
    assert has_result or r.result is None, (code, r)
    assert took < 1.0, (code, took)
r = t.run("import os\nos.write(1, b'\\xff ok')")
assert r.stdout == "\ufffd ok", r
r = t.run("result = float('nan')")
assert not r.has_result and (r.error == "invalid_result" or r.exit_code == 1), r

# Host callbacks. The guest module comes from the repository's src/python
# (a module that embeds onepy_host uses its own copy).
import os
def lookup(key, default=None):
    if key == "boom":
        raise KeyError(key)
    return {"key": key, "default": default}
c = Sandbox(timeout=5, callbacks={"lookup": lookup}, dirs=[(os.environ["ONEPY_GUEST_SRC"], "/onepy-guest")])
PRELUDE = "import sys\nsys.path.insert(0, '/onepy-guest')\nimport onepy_host\n"
r = c.run(PRELUDE + "result = onepy_host.lookup('a', default=[1, {'b': None}])")
assert r.ok and r.result == {"key": "a", "default": [1, {"b": None}]}, r
r = c.run(PRELUDE + "try:\n    onepy_host.lookup('boom')\nexcept onepy_host.HostError as e:\n    result = str(e)")
assert r.ok and r.result == "KeyError: 'boom'", r
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    got = list(pool.map(lambda i: c.run(PRELUDE + "result = onepy_host.lookup(inputs)['key']", inputs=i).result, range(40)))
assert got == list(range(40)), got
print("api ok")
'''

SESSION_CHECKS = r'''
import concurrent.futures, time
from onepy_sandbox import Sandbox, Session
s = Sandbox(timeout=5, scratch=True, output_limit=1000)
with s.session() as a:
    assert isinstance(a, Session) and a.alive and a.calls == 0
    r = a.run("import fractions\nx = [1]\nopen('/tmp/f', 'w').write('a')\nprint('one')")
    assert r.ok and r.stdout == "one\n" and not r.has_result, r
    r = a.run("result = [x, 'fractions' in globals(), open('/tmp/f').read(), inputs, input()]", inputs={"k": 1}, stdin="line\n")
    assert r.ok and r.stdout == "" and r.result == [[1], True, "a", {"k": 1}, "line"], r
    r = a.run("raise KeyError('k')")
    assert r.error is None and r.exit_code == 1 and "KeyError: 'k'" in r.stderr and a.alive, r
    b = a.fork()
    b.run("x.append('b')\nopen('/tmp/f', 'w').write('b')")
    a.run("x.append('a')")
    assert a.run("result = [x, open('/tmp/f').read()]").result == [[1, "a"], "a"]
    assert b.run("result = [x, open('/tmp/f').read()]").result == [[1, "b"], "b"]
    r = a.run("print('y' * 50)", output_limit=10)
    assert r.error == "output_limit" and r.stdout == "y" * 10 and not a.alive, r
    r = a.run("result = x")
    assert r.error == "session_dead" and r.exit_code is None and "call 6 ended with output_limit" in r.error_detail, r
    try:
        a.fork()
        raise AssertionError("a dead session forked")
    except RuntimeError as e:
        assert "the session is dead" in str(e), e
    started = time.monotonic()
    r = b.run("import time\ntime.sleep(60)", timeout=0.5)
    assert r.error == "timeout" and time.monotonic() - started < 5, r
    assert b.run("result = 1").error == "session_dead"
a2 = s.session()
a2.close()
assert a2.run("result = 1").error == "session_expired" and not a2.alive
idle = s.session(idle_timeout=1.0)
idle.run("x = 1")
time.sleep(2.5)
r = idle.run("result = x")
assert r.error == "session_expired" and "idle timeout" in r.error_detail, r
def worker(t):
    w = s.session()
    w.run(f"me = {t}\ntotal = 0")
    for i in range(10):
        r = w.run(f"total += {i}\nresult = [me, total]")
        assert r.result == [t, sum(range(i + 1))], r
    return t
with concurrent.futures.ThreadPoolExecutor(4) as pool:
    assert sorted(pool.map(worker, range(4))) == [0, 1, 2, 3]
print("sessions ok")
'''

ASYNC_CHECKS = r'''
import asyncio, time
from onepy_sandbox import Sandbox

async def ticker(stop):
    """Counts event-loop turns while calls run: a blocked loop would not."""
    n = 0
    while not stop.is_set():
        await asyncio.sleep(0.01)
        n += 1
    return n

async def main():
    s = Sandbox(timeout=5)
    stop = asyncio.Event()
    tick = asyncio.create_task(ticker(stop))
    rs = await asyncio.gather(*(s.run_async("import time\ntime.sleep(0.3)\nresult = inputs", inputs=i) for i in range(4)))
    assert [r.result for r in rs] == [0, 1, 2, 3], rs
    r = await s.run_async("import time\ntime.sleep(60)")
    assert r.error == "timeout", r
    stop.set()
    turns = await tick
    assert turns >= 50, turns
    session = s.session()
    await session.run_async("x = 40")
    child = await session.fork_async()
    assert (await child.run_async("result = x + inputs", inputs=2)).result == 42
    # Cancelling the task does not stop the call: it runs to its end and
    # its effects stay in the session; the next call waits for it.
    task = asyncio.create_task(session.run_async("import time\ntime.sleep(1.5)\nx = 'after'"))
    await asyncio.sleep(0.5)
    task.cancel()
    try:
        await task
        raise AssertionError("the task was not cancelled")
    except asyncio.CancelledError:
        pass
    r = await session.run_async("result = x")
    assert r.result == "after", r
    r = await session.run_async("while True: pass", timeout=0.5)
    assert r.error == "timeout", r
    assert (await session.run_async("result = 1")).error == "session_dead"

asyncio.run(main())
print("async ok")
'''

TYPING_CHECKS = r'''
import importlib.util, os, typing
import onepy_sandbox
root = os.path.dirname(onepy_sandbox.__file__)
assert os.path.isfile(os.path.join(root, "py.typed")), os.listdir(root)
assert os.path.isfile(os.path.join(root, "_native.pyi")), os.listdir(root)
from onepy_sandbox import Sandbox, Session, Result
hints = typing.get_type_hints(Session.run)
assert hints["return"] is Result and hints["code"] is str, hints
assert typing.get_type_hints(Sandbox.session)["return"] is Session
assert typing.get_type_hints(Sandbox.run_async)["return"] is Result
print("typing ok")
'''


def readme_example(name: str = "sandbox example", page: str = "README.md") -> str:
    text = open(os.path.join(ROOT, page), encoding="utf-8").read()
    m = re.search(rf"<!-- {name} -->\n```python\n(.*?)```", text, re.S)
    if not m:
        sys.exit(f"{page} has no '<!-- {name} -->' block")
    return m.group(1)


# The package's README (sandbox/README.md, the wheel's description): each
# example and the lines it must print; docs/sandbox.md shows the same text.
PACKAGE_EXAMPLES = {
    "sandbox example": ["[6, 120]", "timeout"],
    "sandbox session example": ["['main'] ['branch']", "kept", "timeout", "session_dead"],
    "sandbox async example": ["[0, 1, 4, 9] 6"],
}


def main() -> None:
    dist = sys.argv[1]
    wheels = glob.glob(os.path.join(dist, "onepy_sandbox-*.whl"))
    if len(wheels) != 1:
        sys.exit(f"expected one onepy_sandbox wheel in {dist}, found {wheels}")
    example = readme_example()
    assert len(example.strip().splitlines()) <= 5, example
    callbacks_example = readme_example("sandbox callbacks example")
    package_examples = {}
    for name in PACKAGE_EXAMPLES:
        package_examples[name] = readme_example(name, "sandbox/README.md")
        if name != "sandbox example" and readme_example(name, "docs/sandbox.md") != package_examples[name]:
            sys.exit(f"docs/sandbox.md: the '{name}' differs from sandbox/README.md's")
    if package_examples["sandbox example"] != example:
        sys.exit("sandbox/README.md: the sandbox example differs from README.md's")
    # README.md's session example is the package README's, which runs below.
    if readme_example("sandbox session example") != package_examples["sandbox session example"]:
        sys.exit("README.md: the sandbox session example differs from sandbox/README.md's")
    with tempfile.TemporaryDirectory() as tmp:
        venv = os.path.join(tmp, "venv")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        py = os.path.join(venv, "bin", "python")
        subprocess.run([py, "-m", "pip", "install", "--quiet", "--no-index", wheels[0]], check=True)
        # Run from the temporary directory: the package must come from the venv.
        out = subprocess.run([py, "-c", example], cwd=tmp, capture_output=True, text=True)
        if out.returncode != 0 or out.stdout.splitlines() != ["[6, 120]", "timeout"]:
            sys.exit(f"README example failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
        started = time.monotonic()
        out = subprocess.run([py, "-c", callbacks_example], cwd=tmp, capture_output=True, text=True)
        took = time.monotonic() - started
        if out.returncode != 0 or out.stdout.splitlines() != ["1", "timeout"] or took > 30:
            sys.exit(f"README callbacks example failed ({out.returncode}, {took:.1f} s):\n{out.stdout}\n{out.stderr}")
        for name, expected in PACKAGE_EXAMPLES.items():
            out = subprocess.run([py, "-c", package_examples[name]], cwd=tmp, capture_output=True, text=True)
            if out.returncode != 0 or out.stdout.splitlines() != expected:
                sys.exit(f"sandbox/README.md's {name} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
        env = {**os.environ, "ONEPY_GUEST_SRC": os.path.join(ROOT, "src", "python")}
        checks = [(API_CHECKS, "api ok"), (SESSION_CHECKS, "sessions ok"), (ASYNC_CHECKS, "async ok"), (TYPING_CHECKS, "typing ok")]
        for code, ok in checks:
            out = subprocess.run([py, "-c", code], cwd=tmp, env=env, capture_output=True, text=True)
            if out.returncode != 0 or out.stdout.strip() != ok:
                sys.exit(f"{ok.split()[0]} checks failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    print("test_wheel: README examples, the package's README and API, session, async and typing checks pass in a clean venv")


if __name__ == "__main__":
    main()
