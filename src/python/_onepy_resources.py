"""importlib.resources over onepy's embedded tree.

Loaded on demand by the embedded loader's get_resource_reader(): a
Traversable for embedded files and directories, addressed by their virtual
paths under sys.prefix.
"""

import contextlib
import io
import pathlib
import posixpath
from importlib.resources import as_file
from importlib.resources.abc import Traversable, TraversableResources

import _onepy


class EmbeddedPath(Traversable):
    """A file or directory inside the module (read-only)."""

    def __init__(self, path):
        self._path = path.rstrip("/") or "/"

    def __repr__(self):
        return f"EmbeddedPath({self._path!r})"

    def __str__(self):
        return self._path

    def __eq__(self, other):
        return isinstance(other, EmbeddedPath) and other._path == self._path

    def __hash__(self):
        return hash(self._path)

    @property
    def name(self):
        return posixpath.basename(self._path)

    @property
    def parent(self):
        return EmbeddedPath(posixpath.dirname(self._path))

    def iterdir(self):
        for name in _onepy.listdir(self._path):
            yield EmbeddedPath(posixpath.join(self._path, name))

    def is_dir(self):
        return _onepy.isdir(self._path)

    def is_file(self):
        return _onepy.isfile(self._path)

    def exists(self):
        return self.is_dir() or self.is_file()

    def joinpath(self, *descendants):
        return EmbeddedPath(posixpath.normpath(posixpath.join(self._path, *map(str, descendants))))

    def read_bytes(self):
        return _onepy.read(self._path)

    def read_text(self, encoding=None, errors=None):
        return self.read_bytes().decode(encoding or "utf-8", errors or "strict")

    def open(self, mode="r", *args, **kwargs):
        if set(mode) - set("rbt"):
            raise OSError(f"embedded files are read-only: {self._path!r} (mode {mode!r})")
        data = io.BytesIO(self.read_bytes())
        if "b" in mode:
            return data
        kwargs.setdefault("encoding", "utf-8")
        return io.TextIOWrapper(data, *args, **kwargs)


class EmbeddedReader(TraversableResources):
    """The resource reader of an embedded package."""

    def __init__(self, directory):
        self._directory = directory

    def files(self):
        return EmbeddedPath(self._directory)


@as_file.register(EmbeddedPath)
@contextlib.contextmanager
def _as_file(path):
    """`as_file()` on an embedded file: its own path, which is on the module's
    read-only filesystem (src/vfs) for Python and C code alike, instead of a
    copy in a temporary directory (WASI usually has none)."""
    yield pathlib.Path(str(path))
