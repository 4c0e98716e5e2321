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
print("api ok")
'''


def readme_example() -> str:
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    m = re.search(r"<!-- sandbox example -->\n```python\n(.*?)```", text, re.S)
    if not m:
        sys.exit("README.md has no '<!-- sandbox example -->' block")
    return m.group(1)


def main() -> None:
    dist = sys.argv[1]
    wheels = glob.glob(os.path.join(dist, "onepy_sandbox-*.whl"))
    if len(wheels) != 1:
        sys.exit(f"expected one onepy_sandbox wheel in {dist}, found {wheels}")
    example = readme_example()
    assert len(example.strip().splitlines()) <= 5, example
    with tempfile.TemporaryDirectory() as tmp:
        venv = os.path.join(tmp, "venv")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        py = os.path.join(venv, "bin", "python")
        subprocess.run([py, "-m", "pip", "install", "--quiet", "--no-index", wheels[0]], check=True)
        # Run from the temporary directory: the package must come from the venv.
        out = subprocess.run([py, "-c", example], cwd=tmp, capture_output=True, text=True)
        if out.returncode != 0 or out.stdout.splitlines() != ["[6, 120]", "timeout"]:
            sys.exit(f"README example failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
        out = subprocess.run([py, "-c", API_CHECKS], cwd=tmp, capture_output=True, text=True)
        if out.returncode != 0 or out.stdout.strip() != "api ok":
            sys.exit(f"API checks failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    print("test_wheel: README example and API checks pass in a clean venv")


if __name__ == "__main__":
    main()
