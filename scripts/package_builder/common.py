"""Errors, logged build steps and pinned downloads for the package builder."""

import contextlib
import fcntl
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile
from pathlib import Path

LOG_TAIL = 40


class BuildError(Exception):
    """A failed step: the package, the step, the command line and the log's tail."""


def drop_work(work: Path) -> None:
    """A successful build's work directory (sources, objects: up to
    gigabytes) goes, its logs already moved into the output; a failed build
    keeps it. ONEPY_KEEP_WORK=1 keeps it (scripts/fn_cast_audit.py reads it)."""
    if os.environ.get("ONEPY_KEEP_WORK") != "1":
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def staging(tmp: Path):
    """A directory assembled in place of an output, renamed into place by
    the caller: made empty first, removed when the assembly fails."""
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextlib.contextmanager
def exclusive(out: Path, what: str):
    """One build of a cache directory at a time: worktrees and parallel
    makes share the cache, and a second build of one key would replace the
    first one's work directory under it. The second waits for the lock
    (<cache>/.locks/<kind>-<name>), then finds the output complete."""
    locks = out.parent.parent / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    with open(locks / f"{out.parent.name}-{out.name}", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"[build] waiting for another build of {what} ({out})", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def die(message: str) -> None:
    sys.exit(f"error: {message}")


def quote(cmd: list) -> str:
    return " ".join(shlex.quote(str(c)) for c in cmd)


def step(package: str, name: str, cmd: list, logs: Path, **kwargs) -> None:
    """Run one command with its output in logs/<name>.log; on failure raise
    BuildError naming the package, the step, the command and the log's tail."""
    start = time.monotonic()
    log = logs / f"{name}.log"
    print(f"[build] {package}: {name:24} ", end="", flush=True)
    with open(log, "w") as out:
        out.write(f"$ {quote(cmd)}\n")
        out.flush()
        try:
            result = subprocess.run([str(c) for c in cmd], stdout=out, stderr=subprocess.STDOUT, **kwargs)
            code = result.returncode
        except OSError as e:
            out.write(f"cannot run {cmd[0]}: {e}\n")
            code = -1
    secs = time.monotonic() - start
    if code != 0:
        print(f"FAIL {secs:6.1f}s")
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-LOG_TAIL:])
        raise BuildError(f"building {package} failed at step '{name}' (exit status {code})\n"
                         f"command: {quote(cmd)}\nlog: {log} (last {LOG_TAIL} lines)\n{tail}")
    print(f"ok   {secs:6.1f}s")


def run(cmd: list, what: str, **kwargs) -> str:
    """A short helper command (ar, wasm-ld -r, nm): its stdout, or BuildError."""
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-LOG_TAIL:])
        raise BuildError(f"{what} failed (exit status {result.returncode})\ncommand: {quote(cmd)}\n{tail}")
    return result.stdout


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def download(url: str, sha256: str, downloads: Path) -> Path:
    """The file from the cache, or downloaded; its sha256 must be `sha256`."""
    downloads.mkdir(parents=True, exist_ok=True)
    path = downloads / url.rsplit("/", 1)[-1]
    if path.is_file() and sha256_file(path) == sha256:
        return path
    part = path.with_name(path.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=300) as response, open(part, "wb") as out:
            shutil.copyfileobj(response, out)
    except Exception as e:  # noqa: BLE001 (URLError, a TLS error, a broken Python: all the same here)
        part.unlink(missing_ok=True)
        raise BuildError(f"downloading {url} to {part}: {type(e).__name__}: {e}")
    got = sha256_file(part)
    if got != sha256:
        part.unlink()
        raise BuildError(f"sha256 mismatch for {url}: the pin (lock file or definition) says {sha256}, the download is {got}")
    os.replace(part, path)
    return path


def unpack_archive(archive: Path, into: Path) -> Path:
    """Unpack a source archive (.tar.* or .zip) into a new directory and return
    its single top directory; anything else is a BuildError naming the archive."""
    into.mkdir(parents=True)
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            z.extractall(into)
    else:
        with tarfile.open(archive) as tar:
            tar.extractall(into, filter="data")
    tops = list(into.iterdir())
    if len(tops) != 1 or not tops[0].is_dir():
        raise BuildError(f"{archive}: expected one top directory, found {[t.name for t in tops]}")
    return tops[0]
