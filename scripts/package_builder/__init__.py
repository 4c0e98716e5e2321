"""The package builder: sdists built for wasm32-wasip1 and made ready to link
statically into python.wasm.

  common.py      errors (package, step, command, log tail), logged steps, pinned downloads
  clibs.py       C libraries a recipe declares, built from pinned Debian sources, cached
  toolchain.py   compiler wrappers, meson cross file, the WASI-answering Python
  wasm_cc.py     the compiler wrapper: `-shared` links become archives, recorded
  pep517.py      the sdist's own backend (setuptools: C, C++, Cython; meson-python)
  meson.py       numpy's direct meson build (recipe `build = "meson"`)
  merge.py       merge-and-localize per extension module, duplicate-symbol check
  recipes.py     recipes/<name>.toml: what a generic build cannot guess, per version range
  build.py       one locked sdist -> lib/, inittab.txt, link.txt, site-packages/
"""
