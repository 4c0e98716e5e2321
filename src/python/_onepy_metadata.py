"""importlib.metadata over the *.dist-info directories embedded in
site-packages. Loaded on demand by the embedded finder's
find_distributions()."""

import posixpath
import re
from importlib.metadata import Distribution, DistributionFinder

import _onepy
from _onepy_resources import EmbeddedPath


def _normalize(name):
    # PEP 503 normalization, with '_' as dist-info directory names use it.
    return re.sub(r"[-_.]+", "_", name).lower()


class EmbeddedDistribution(Distribution):
    def __init__(self, dist_info):
        self._dist_info = dist_info

    def __repr__(self):
        return f"EmbeddedDistribution({self._dist_info!r})"

    def read_text(self, filename):
        try:
            return _onepy.read(posixpath.join(self._dist_info, filename)).decode("utf-8")
        except (FileNotFoundError, IsADirectoryError):
            return None

    read_text.__doc__ = Distribution.read_text.__doc__

    def locate_file(self, path):
        return EmbeddedPath(posixpath.join(posixpath.dirname(self._dist_info), str(path)))


def find_distributions(context=DistributionFinder.Context()):
    wanted = None if context.name is None else _normalize(context.name)
    for dist_info in _onepy.dist_infos():
        project = posixpath.basename(dist_info).removesuffix(".dist-info").rsplit("-", 1)[0]
        if wanted is None or _normalize(project) == wanted:
            yield EmbeddedDistribution(dist_info)
