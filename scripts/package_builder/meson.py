"""numpy's build (recipe `build = "meson"`): meson setup/compile/install with
the sdist's vendored meson and our cross file, the install staged in a
directory (meson-python's wheel step is not needed)."""

import os
import shutil
import sys
from pathlib import Path

from .common import BuildError, step


def build_meson(package: str, recipe: dict, src: Path, work: Path, tools: dict, logs: Path) -> Path:
    """The staged install's site-packages directory."""
    build, stage = work / "build", work / "stage"
    shutil.rmtree(build, ignore_errors=True)
    shutil.rmtree(stage, ignore_errors=True)
    meson_py = src / recipe.get("meson", "vendored-meson/meson/meson.py")
    if not meson_py.is_file():
        raise BuildError(f"{package}: the recipe's meson {meson_py} is not in the sdist")
    env = dict(tools["env"], **recipe.get("env", {}))
    jobs = str(min(2, os.cpu_count() or 1))
    # meson runs under the build's Python answering for the WASI host: its
    # Cython sanity check links against the `python3` of meson's own
    # interpreter (the native headers otherwise: x86_64's pyconfig.h).
    step(package, "meson-setup", [tools["python"], meson_py, "setup", "--cross-file", tools["cross"], "--prefix",
                                  "/usr/local", "--wrap-mode=nodownload", *recipe.get("meson-options", []), build, src],
         logs, env=env)
    step(package, "meson-compile", ["ninja", "-C", build, "-j", jobs], logs, env=env)
    # --no-rebuild: `meson install` would otherwise rebuild objects.
    step(package, "meson-install", [sys.executable, meson_py, "install", "--no-rebuild", "-C", build,
                                    "--destdir", stage], logs, env=env)
    found = sorted(stage.rglob("site-packages"))
    if not found:
        raise BuildError(f"{package}: the staged install {stage} has no site-packages directory")
    return found[0]
