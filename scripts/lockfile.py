"""The lock file: what a build embeds, exactly (scripts/packages.py writes it, commit it).

    # onepy package lock: ...
    # spec: jinja2
    # https://files.pythonhosted.org/.../jinja2-3.1.6-py3-none-any.whl
    Jinja2==3.1.6 --hash=sha256:<wheel's sha256>
    # https://files.pythonhosted.org/.../markupsafe-3.0.3.tar.gz
    # native: https://files.pythonhosted.org/.../markupsafe-3.0.3-cp314-...manylinux...whl sha256:<hex>
    MarkupSafe==3.0.3 --hash=sha256:<sdist's sha256>

An entry whose URL is a wheel is a pure-Python wheel, embedded as it is. An
entry whose URL is an sdist is built for wasm32-wasip1 (scripts/package_builder);
its `native:` line names the wheel native pip picked for the same version, whose
extension modules the build must also give.
"""

import re
from dataclasses import dataclass
from pathlib import Path

HEADER = ("# onepy package lock: exact versions and sha256 of pure-Python wheels (embedded as they are)\n"
          "# and of sdists (built for wasm32-wasip1), as native pip resolves the spec.\n")


@dataclass
class Entry:
    name: str
    version: str
    url: str
    sha256: str
    native_url: str = ""      # sdist entries: the platform wheel native pip picked
    native_sha256: str = ""

    @property
    def is_sdist(self) -> bool:
        return not self.url.endswith(".whl")

    @property
    def filename(self) -> str:
        return self.url.rsplit("/", 1)[-1]


def spec_line(specs: list) -> str:
    return "# spec: " + " ".join(sorted(specs)) + "\n"


def write(lock: Path, specs: list, entries: list) -> None:
    lines = [HEADER, spec_line(specs)]
    for e in entries:
        lines.append(f"# {e.url}\n")
        if e.native_url:
            lines.append(f"# native: {e.native_url} sha256:{e.native_sha256}\n")
        lines.append(f"{e.name}=={e.version} --hash=sha256:{e.sha256}\n")
    tmp = lock.with_name(lock.name + ".tmp")
    tmp.write_text("".join(lines))
    tmp.replace(lock)


def read(lock: Path) -> list:
    """[Entry] from a lock file (an error names the file and line)."""
    out, url, native = [], None, ("", "")
    try:
        text = lock.read_text()
    except OSError as e:
        raise SystemExit(f"error: reading the lock file {lock}: {e.strerror}")
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(r"^# (https?|file)://\S+$", line):
            url, native = line[2:].strip(), ("", "")
            continue
        m = re.match(r"^# native: (\S+) sha256:([0-9a-f]{64})$", line)
        if m:
            native = (m.group(1), m.group(2))
            continue
        m = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+) --hash=sha256:([0-9a-f]{64})$", line)
        if m:
            if not url:
                raise SystemExit(f"error: {lock}:{number}: entry without its URL line before it")
            out.append(Entry(m.group(1), m.group(2), url, m.group(3), *native))
            url, native = None, ("", "")
        elif line.strip() and not line.startswith("#"):
            raise SystemExit(f"error: {lock}:{number}: not a lock line: {line!r}")
    return out
