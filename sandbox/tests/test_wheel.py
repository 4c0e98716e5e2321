"""Installs the built onepy_sandbox wheel into a clean venv and runs the
README's example with it, then a few checks of the Python API.

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


def readme_example(name: str = "sandbox example") -> str:
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    m = re.search(rf"<!-- {name} -->\n```python\n(.*?)```", text, re.S)
    if not m:
        sys.exit(f"README.md has no '<!-- {name} -->' block")
    return m.group(1)


def main() -> None:
    dist = sys.argv[1]
    wheels = glob.glob(os.path.join(dist, "onepy_sandbox-*.whl"))
    if len(wheels) != 1:
        sys.exit(f"expected one onepy_sandbox wheel in {dist}, found {wheels}")
    example = readme_example()
    assert len(example.strip().splitlines()) <= 5, example
    callbacks_example = readme_example("sandbox callbacks example")
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
        env = {**os.environ, "ONEPY_GUEST_SRC": os.path.join(ROOT, "src", "python")}
        out = subprocess.run([py, "-c", API_CHECKS], cwd=tmp, env=env, capture_output=True, text=True)
        if out.returncode != 0 or out.stdout.strip() != "api ok":
            sys.exit(f"API checks failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    print("test_wheel: README examples and API checks pass in a clean venv")


if __name__ == "__main__":
    main()
