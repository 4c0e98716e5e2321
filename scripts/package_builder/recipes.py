"""Recipes (recipes/<name>.toml): only what a generic build cannot guess.

    name = "numpy"
    versions = ">=2.4"          # the versions this recipe is known to build (PEP 440)
    build = "meson"             # optional: numpy's direct meson build; default: the
                                # sdist's own PEP 517 backend (setuptools, meson-python)
    patches = ["numpy/x.patch", {file = "numpy/y.patch", versions = "<2.4"}]
    links = ["c++"]             # static libraries the final link needs
    cxx-exception-stubs = true  # C++ compiled without exceptions: a throw aborts with a message
    wasm-exceptions = true      # C++ exceptions and setjmp/longjmp work (pybind11, FreeType): the
                                # wasm exception-handling instructions, libc++abi with exceptions
                                # (recipes/clibs/libcxx-wasm-eh.toml), the module translated
                                # to the standard encoding (scripts/binaryen.sh)
    preimport = ["numpy"]       # imported into the snapshot
    python-exclude = ["*.pyi"]  # package files left out
    exclude-extensions = ["numpy._core._*_tests"]   # extension modules not linked
    missing-ok = ["yaml._yaml"] # native wheel's modules this build may lack (pure fallback)
    env = { NAME = "value" }    # build environment
    config-settings = { jpeg = "enable" }  # PEP 517 config settings for the sdist's setuptools
                                # or in-tree backend (Pillow's -C options)
    build-time = ["numpy/_core/include"]  # directories of the build kept for dependents'
                                # builds (headers), not embedded (build_deps.py)
    c-libraries = ["libyaml"]   # C libraries built for it (recipes/clibs/<name>.toml, clibs.py)

The sdist and its sha256 come from the lock file, never from the recipe.
"""

import re
import tomllib
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from .common import BuildError
from .toolchain import ROOT

RECIPES = ROOT / "recipes"
KNOWN = {"name", "versions", "build", "meson", "meson-options", "patches", "links", "cxx-exception-stubs",
         "preimport", "python-exclude", "exclude-extensions", "missing-ok", "env", "import-name", "build-time",
         "c-libraries", "config-settings", "wasm-exceptions"}


def recipe_path(name: str) -> Path:
    return RECIPES / f"{re.sub(r'[-_.]+', '_', name).lower()}.toml"


def load(name: str, version: str):
    """(path, recipe) for `name==version`, (None, {}) without a recipe; a
    recipe that does not cover `version` is an error saying so."""
    path = recipe_path(name)
    if not path.is_file():
        return None, {}
    try:
        recipe = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise BuildError(f"reading the recipe {path}: {e}")
    unknown = set(recipe) - KNOWN
    if unknown:
        raise BuildError(f"{path}: unknown keys {sorted(unknown)} (known: {sorted(KNOWN)})")
    if recipe.get("wasm-exceptions") and recipe.get("cxx-exception-stubs"):
        raise BuildError(f"{path}: wasm-exceptions and cxx-exception-stubs exclude each other (exceptions that "
                         f"work, or a throw that aborts)")
    try:
        covered = SpecifierSet(recipe.get("versions", ""))
    except InvalidSpecifier as e:
        raise BuildError(f"{path}: versions: {e}")
    if not covered.contains(Version(version), prereleases=True):
        raise BuildError(f"{name} {version}: the recipe {path.name} covers {name}{covered} only. Pin a version "
                         f"in that range (e.g. PACKAGES=\"{name}{covered}\"), or widen 'versions' in "
                         f"{path} once it builds {version}.")
    return path, recipe


def patches(recipe: dict, version: str) -> list:
    """The patch files (under patches/) that apply to `version`."""
    out = []
    for p in recipe.get("patches", []):
        if isinstance(p, str):
            out.append(ROOT / "patches" / p)
        elif SpecifierSet(p.get("versions", "")).contains(Version(version), prereleases=True):
            out.append(ROOT / "patches" / p["file"])
    return out
