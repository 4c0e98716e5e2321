"""Unit tests of the C-library stage (scripts/package_builder/clibs.py) and the
compiler wrapper's refusal of host headers, on synthetic definitions and
tarballs: unknown names, dependency order and keys, a download failing its
sha256, a library failing to compile, a successful build cached by key, a
CMake build confined to the wasm sysroot, a libpython library (zlib) pinned
to sources.lock's tarball and left out of the package's link, headers made
from templates (configure-files), headers installed into an include
subdirectory (header-dirs), pkg-config files written for the real prefix
(pc-files), a dependency's pkg-config flags (cflags-from), and a second
build of one key waiting for the first (another worktree's); and the Rust
backends' refusals (no Cargo.lock, a Rust program, another binding).
Needs the wasm toolchain: ONEPY_LIBPYTHON_DIR names the libpython directory.
Run by host/tests/packages.rs (python -m unittest) with the tools venv."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import unittest
import unittest.mock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "scripts" / "package_builder"))
from package_builder import build, clibs  # noqa: E402
from package_builder.common import BuildError  # noqa: E402
import wasm_cc  # noqa: E402

LIBPYTHON = Path(os.environ.get("ONEPY_LIBPYTHON_DIR", "/nonexistent"))
TOOLCHAIN = b"test toolchain\n"


def tarball(path: Path, top: str, files: dict) -> str:
    """A .tar.gz of `files` under `top/`; its sha256."""
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return hashlib.sha256(path.read_bytes()).hexdigest()


GOOD_C = "int tiny_answer(void) { return 42; }\n"
BAD_C = "int tiny_answer(void) { return undeclared_name; }\n"


class ClibTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.defs = self.dir / "clibs"
        self.defs.mkdir()
        self.mirror = self.dir / "mirror"
        self.mirror.mkdir()
        self.cache = self.dir / "cache"
        self.saved = clibs.DEFINITIONS, clibs.MIRROR
        clibs.DEFINITIONS, clibs.MIRROR = self.defs, self.mirror.as_uri()

    def tearDown(self):
        clibs.DEFINITIONS, clibs.MIRROR = self.saved
        self.tmp.cleanup()

    def define(self, name, sha256="0" * 64, depends=(), source=None, extra=""):
        (self.defs / f"{name}.toml").write_text(
            f'name = "{name}"\nversion = "1.0"\nsource = "{source or name + ".tar.gz"}"\n'
            f'sha256 = "{sha256}"\ndepends = {list(depends)!r}\nbuild = "sources"\n'
            f'sources = ["*.c"]\nheaders = ["tiny.h"]\nlibs = ["{name}"]\n{extra}'.replace("'", '"'))

    def ensure(self, *names):
        return clibs.ensure(list(names), "the test recipe", TOOLCHAIN, LIBPYTHON, self.cache)

    def test_an_unknown_library_is_an_error_naming_it_and_the_known_ones(self):
        self.define("known")
        with self.assertRaises(BuildError) as cm:
            self.ensure("libnosuch")
        text = str(cm.exception)
        self.assertIn("the test recipe needs the C library 'libnosuch', which onepy does not know", text)
        self.assertIn("(known: known)", text)
        self.assertFalse(self.cache.exists())

    def test_an_unknown_dependency_names_the_library_that_wants_it(self):
        self.define("top", depends=["missing"])
        with self.assertRaisesRegex(BuildError, r"the C library top \(top.toml\) needs the C library 'missing'"):
            clibs.closure(["top"], "recipe")

    def test_unknown_keys_and_cycles_are_errors(self):
        self.define("odd", extra='colour = "blue"\n')
        with self.assertRaisesRegex(BuildError, r"odd.toml: unknown keys \['colour'\]"):
            clibs.load("odd", "recipe")
        self.define("a", depends=["b"])
        self.define("b", depends=["a"])
        with self.assertRaisesRegex(BuildError, "C library dependency cycle: a -> b -> a"):
            clibs.closure(["a"], "recipe")

    def test_dependencies_come_first_and_change_the_key(self):
        self.define("base")
        self.define("top", depends=["base"])
        order = clibs.prefixes(["top"], "recipe", TOOLCHAIN, LIBPYTHON, self.cache)
        self.assertEqual([lib["name"] for lib, _ in order], ["base", "top"])
        before = [p.name for _, p in order]
        self.define("base", extra='cflags = ["-DCHANGED"]\n')
        after = [p.name for _, p in clibs.prefixes(["top"], "recipe", TOOLCHAIN, LIBPYTHON, self.cache)]
        self.assertNotEqual(before[0], after[0])
        self.assertNotEqual(before[1], after[1], "a dependency's key is part of its dependents' keys")
        self.assertEqual(clibs.link_libs(order), ["top", "base"])

    def test_a_source_is_a_mirror_path_or_an_https_url(self):
        self.define("pooled", source="pool/main/p/pooled/pooled_1.0.orig.tar.gz")
        self.assertEqual(clibs.source_url(clibs.load("pooled", "recipe")["source"]),
                         f"{self.mirror.as_uri()}/pool/main/p/pooled/pooled_1.0.orig.tar.gz")
        self.define("pypi", source="https://files.pythonhosted.org/packages/ab/pypi-1.0.tar.gz")
        self.assertEqual(clibs.source_url(clibs.load("pypi", "recipe")["source"]),
                         "https://files.pythonhosted.org/packages/ab/pypi-1.0.tar.gz")
        self.define("plain", source="http://example.org/plain-1.0.tar.gz")
        with self.assertRaisesRegex(BuildError, r"plain.toml: source = 'http://example.org/plain-1.0.tar.gz': "
                                                r"a path under the Debian mirror or an https:// URL"):
            clibs.load("plain", "recipe")

    def test_a_download_failing_its_sha256_caches_nothing(self):
        tarball(self.mirror / "tiny.tar.gz", "tiny-1.0", {"tiny.c": GOOD_C, "tiny.h": ""})
        self.define("tiny", sha256="1" * 64)
        with self.assertRaises(BuildError) as cm:
            self.ensure("tiny")
        self.assertIn(f"sha256 mismatch for {self.mirror.as_uri()}/tiny.tar.gz", str(cm.exception))
        self.assertIn("1" * 64, str(cm.exception))
        self.assertFalse((self.cache / "clibs").exists())
        self.assertEqual(list((self.cache / "downloads").iterdir()), [])

    def test_a_second_build_of_one_key_waits_for_the_first(self):
        # Another process (a second worktree's make) holds the key's lock
        # for a second; this build waits, then finds the library complete.
        sha = tarball(self.mirror / "tiny.tar.gz", "tiny-1.0", {"tiny.c": GOOD_C, "tiny.h": "int tiny_answer(void);\n"})
        self.define("tiny", sha)
        (_, prefix), = clibs.prefixes(["tiny"], "the test recipe", TOOLCHAIN, LIBPYTHON, self.cache)
        holder = subprocess.Popen([sys.executable, "-c", f"""
import sys, time
sys.path.insert(0, {str(ROOT / 'scripts')!r})
from pathlib import Path
from package_builder.common import exclusive
prefix = Path({str(prefix)!r})
with exclusive(prefix, "tiny"):
    print("holding", flush=True)
    time.sleep(1)
    (prefix / "include").mkdir(parents=True)
    (prefix / ".complete").touch()
"""], stdout=subprocess.PIPE, text=True)
        self.assertEqual(holder.stdout.readline(), "holding\n")
        out = io.StringIO()
        with unittest.mock.patch("sys.stdout", out):
            self.ensure("tiny")
        holder.wait()
        self.assertIn("[build] waiting for another build of tiny 1.0", out.getvalue())
        self.assertIn("[clib] tiny 1.0 up to date", out.getvalue())

    def test_a_build_is_cached_and_a_failing_one_leaves_it_untouched(self):
        self.assertTrue((LIBPYTHON / "sysroot").is_dir(), f"no libpython at ONEPY_LIBPYTHON_DIR={LIBPYTHON}")
        sha = tarball(self.mirror / "tiny.tar.gz", "tiny-1.0", {"tiny.c": GOOD_C, "tiny.h": "int tiny_answer(void);\n"})
        self.define("tiny", sha256=sha)
        [(lib, prefix)] = self.ensure("tiny")
        self.assertTrue((prefix / ".complete").is_file())
        self.assertTrue((prefix / "include" / "tiny.h").is_file())
        members = subprocess.run([f"{clibs.LLVM}/llvm-nm", "--defined-only", prefix / "lib" / "libtiny.a"],
                                 capture_output=True, text=True, check=True).stdout
        self.assertIn("T tiny_answer", members)
        good = sorted(p.name for p in (self.cache / "clibs").iterdir())
        stamp = (prefix / "lib" / "libtiny.a").stat().st_mtime_ns
        self.assertEqual(self.ensure("tiny"), [(lib, prefix)])  # cached: not rebuilt
        self.assertEqual((prefix / "lib" / "libtiny.a").stat().st_mtime_ns, stamp)

        sha = tarball(self.mirror / "tiny-bad.tar.gz", "tiny-1.0", {"tiny.c": BAD_C, "tiny.h": ""})
        self.define("tiny", sha256=sha, source="tiny-bad.tar.gz")
        with self.assertRaises(BuildError) as cm:
            self.ensure("tiny")
        text = str(cm.exception)
        self.assertIn("building C library tiny 1.0 failed at step 'compile-tiny' (exit status 1)", text)
        self.assertIn("command: ", text)
        self.assertIn("undeclared_name", text)  # the log's tail: the compiler's error
        self.assertEqual(sorted(p.name for p in (self.cache / "clibs").iterdir()), good)
        self.assertEqual((prefix / "lib" / "libtiny.a").stat().st_mtime_ns, stamp)

    def test_configure_files_fill_a_template_and_refuse_a_placeholder_left(self):
        self.assertTrue((LIBPYTHON / "sysroot").is_dir(), f"no libpython at ONEPY_LIBPYTHON_DIR={LIBPYTHON}")
        files = {"tiny.c": '#include "tiny.h"\nint tiny_answer(void) { return ANSWER; }\n',
                 "tiny.h.in": "#define ANSWER @ANSWER@\n/* @WHAT@ */\nint tiny_answer(void);\n"}
        sha = tarball(self.mirror / "tiny.tar.gz", "tiny-1.0", files)
        self.define("tiny", sha256=sha, extra='[configure-files."tiny.h"]\ntemplate = "tiny.h.in"\n'
                                              'values = { ANSWER = "42", WHAT = "made here" }\n')
        [(_, prefix)] = self.ensure("tiny")
        self.assertEqual((prefix / "include" / "tiny.h").read_text(),
                         "#define ANSWER 42\n/* made here */\nint tiny_answer(void);\n")
        self.define("tiny", sha256=sha, extra='[configure-files."tiny.h"]\ntemplate = "tiny.h.in"\n'
                                              'values = { ANSWER = "43" }\n')
        with self.assertRaises(BuildError) as cm:
            self.ensure("tiny")
        self.assertIn("configure-files tiny.h: tiny.h.in has @WHAT@, which values does not give", str(cm.exception))

    def test_header_dirs_pc_files_and_cflags_from_give_a_pkg_config_library(self):
        self.assertTrue((LIBPYTHON / "sysroot").is_dir(), f"no libpython at ONEPY_LIBPYTHON_DIR={LIBPYTHON}")
        sha = tarball(self.mirror / "tiny.tar.gz", "tiny-1.0",
                      {"tiny.c": GOOD_C, "tiny.h": "", "inc/tiny_api.h": "int tiny_answer(void);\n",
                       "inc/tiny_more.h": "#define TINY_MORE 1\n", "inc/private.hh": ""})
        self.define("tiny", sha256=sha, extra='[header-dirs]\ntiny = ["inc/*.h"]\n'
                                              '[pc-files.tiny]\ndescription = "A tiny library"\n'
                                              'cflags = ["-I${includedir}/tiny", "-DTINY_FROM_PC=42"]\n')
        sha = tarball(self.mirror / "top.tar.gz", "top-1.0",
                      {"top.c": '#include <tiny_api.h>\nint top(void) { return tiny_answer() + TINY_FROM_PC; }\n',
                       "tiny.h": ""})
        self.define("top", sha256=sha, depends=["tiny"],
                    extra='cflags-from = ["tiny"]\n[pc-files.top-api]\nversion = "2.5"\nrequires = ["tiny"]\n')
        [(_, tiny), (_, top)] = self.ensure("top")
        self.assertEqual(sorted(p.name for p in (tiny / "include" / "tiny").iterdir()), ["tiny_api.h", "tiny_more.h"])
        self.assertEqual((tiny / "lib" / "pkgconfig" / "tiny.pc").read_text(), f"""prefix={tiny}
exec_prefix=${{prefix}}
libdir=${{prefix}}/lib
includedir=${{prefix}}/include

Name: tiny
Description: A tiny library
Version: 1.0
Libs: -L${{libdir}} -ltiny
Cflags: -I${{includedir}}/tiny -DTINY_FROM_PC=42
""")
        env = dict(os.environ, PKG_CONFIG_LIBDIR=f"{top}/lib/pkgconfig:{tiny}/lib/pkgconfig", PKG_CONFIG_PATH="")
        ask = lambda *args: subprocess.run(["pkg-config", *args], env=env, capture_output=True, text=True,
                                           check=True).stdout.split()
        self.assertEqual(ask("--modversion", "top-api"), ["2.5"])
        self.assertEqual(ask("--cflags", "top-api"), [f"-I{top}/include", f"-I{tiny}/include/tiny", "-DTINY_FROM_PC=42"])
        self.assertEqual(ask("--libs", "top-api"), [f"-L{top}/lib", "-ltop", f"-L{tiny}/lib", "-ltiny"])
        members = subprocess.run([f"{clibs.LLVM}/llvm-nm", top / "lib" / "libtop.a"],
                                 capture_output=True, text=True, check=True).stdout
        self.assertIn("T top", members)
        self.assertIn("U tiny_answer", members)

    def test_header_dirs_cflags_from_and_pc_files_refuse_what_they_cannot_do(self):
        sha = tarball(self.mirror / "tiny.tar.gz", "tiny-1.0", {"tiny.c": GOOD_C, "tiny.h": ""})
        self.define("tiny", sha256=sha, extra='[header-dirs]\ntiny = ["inc/*.h"]\n')
        with self.assertRaisesRegex(BuildError, r"header-dirs.tiny: inc/\*.h matches no file"):
            self.ensure("tiny")
        self.define("tiny", sha256=sha, extra='[header-dirs]\n"../up" = ["tiny.h"]\n')
        with self.assertRaisesRegex(BuildError, r"header-dirs names '../up', not a directory under include/"):
            self.ensure("tiny")
        self.define("tiny", sha256=sha, extra='[header-dirs]\ntiny = ["../../logs/*.log"]\n')
        with self.assertRaisesRegex(BuildError, r"header-dirs.tiny: ../../logs/\*.log matches .*/logs/[a-z-]*.log, "
                                                r"not a file of the tree"):
            self.ensure("tiny")
        self.define("tiny", sha256=sha, extra='[header-dirs]\ntiny = ["../*"]\n')
        with self.assertRaisesRegex(BuildError, r"header-dirs.tiny: ../\* matches .*, not a file of the tree"):
            self.ensure("tiny")
        self.define("tiny", sha256=sha, extra='cflags-from = ["nosuch"]\n')
        with self.assertRaisesRegex(BuildError, r"pkg-config --cflags nosuch \(the definition's cflags-from"):
            self.ensure("tiny")
        self.define("tiny", sha256=sha, extra='[pc-files.tiny]\nlibz = ["-lz"]\n')
        with self.assertRaisesRegex(BuildError, r"pc-files.tiny: unknown keys \['libz'\]"):
            clibs.load("tiny", "recipe")
        self.define("tiny", sha256=sha, extra='[pc-files."../tiny"]\n')
        with self.assertRaisesRegex(BuildError, r"pc-files.../tiny: a module name"):
            clibs.load("tiny", "recipe")
        (self.defs / "cm.toml").write_text('name = "cm"\nversion = "1"\nsource = "x"\nsha256 = "0"\nbuild = "cmake"\n'
                                           'libs = ["cm"]\ncflags-from = ["tiny"]\n')
        with self.assertRaisesRegex(BuildError, r"cm.toml: cflags-from is for build = 'sources' \(this is 'cmake'\)"):
            clibs.load("cm", "recipe")
        self.assertFalse((self.cache / "clibs").exists())

    def test_a_recipe_naming_an_unknown_library_fails_before_building(self):
        # What build.build() computes first (its output directory's key).
        path = self.dir / "fakepkg.toml"
        with self.assertRaises(BuildError) as cm:
            build.declared_clibs(path, {"c-libraries": ["libnosuch"]}, LIBPYTHON, self.cache)
        self.assertIn(f"the recipe {path} needs the C library 'libnosuch', which onepy does not know",
                      str(cm.exception))
        self.assertFalse(self.cache.exists(), "nothing downloaded, built or cached")

    def test_a_patch_that_does_not_apply_fails_naming_it_and_caches_nothing(self):
        sha = tarball(self.mirror / "tiny.tar.gz", "tiny-1.0", {"tiny.c": GOOD_C, "tiny.h": ""})
        (self.dir / "patches" / "tiny").mkdir(parents=True)
        (self.dir / "patches" / "tiny" / "bad.patch").write_text(
            "--- a/tiny.c\n+++ b/tiny.c\n@@ -1 +1 @@\n-int not_in_the_file(void);\n+int x;\n")
        self.define("tiny", sha256=sha, extra='patches = ["tiny/bad.patch"]\n')
        saved, clibs.ROOT = clibs.ROOT, self.dir
        try:
            with self.assertRaises(BuildError) as cm:
                self.ensure("tiny")
            self.define("tiny", sha256=sha, extra='patches = ["tiny/missing.patch"]\n')
            with self.assertRaisesRegex(BuildError, r"tiny.toml: patches \[.*missing.patch'\] do not exist"):
                self.ensure("tiny")
        finally:
            clibs.ROOT = saved
        self.assertIn("building C library tiny 1.0 failed at step 'patch-bad'", str(cm.exception))
        self.assertFalse((self.cache / "clibs").exists())

    def test_the_compiler_wrapper_refuses_host_include_directories(self):
        self.assertEqual(wasm_cc.host_includes(["-I/usr/include/libxml2", "-I", "/usr/local/include", "-c"]),
                         ["/usr/include/libxml2", "/usr/local/include"])
        self.assertEqual(wasm_cc.host_includes(["-isystem", "/usr/lib/llvm-19/include/wasm32-wasi/c++/v1",
                                                "-I/usr/includes", "-Ibuild/include"]), [])
        out = subprocess.run([sys.executable, wasm_cc.__file__, "true", "-I/usr/include/libxml2", "-c", "x.c"],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 1)
        self.assertIn("wasm_cc: refusing the host's include directory /usr/include/libxml2", out.stderr)

    def test_package_builds_see_only_declared_config_scripts(self):
        (self.defs / "xml.toml").write_text('name = "xml"\nversion = "1"\nsource = "x"\nsha256 = "0"\n'
                                            'build = "configure"\nlibs = ["xml2"]\nconfig-scripts = ["xml2-config"]\n')
        guard = self.dir / "guard"
        env = clibs.package_env({"PATH": "/usr/bin:/bin", "PKG_CONFIG_LIBDIR": "/none", "CFLAGS": "-O2"}, [],
                                guard, "pkg 1.0")
        self.assertEqual(env["PATH"].split(":")[0], str(guard))
        out = subprocess.run(["xml2-config", "--cflags"], env=env, capture_output=True, text=True)
        self.assertEqual(out.returncode, 1)
        self.assertIn("error: xml2-config --cflags: pkg 1.0 declares no C library that provides xml2-config",
                      out.stderr)
        self.assertEqual(out.stdout, "")

    def test_a_cmake_library_is_confined_to_the_wasm_sysroot_and_drops_what_it_is_told(self):
        self.assertTrue((LIBPYTHON / "sysroot").is_dir(), f"no libpython at ONEPY_LIBPYTHON_DIR={LIBPYTHON}")
        self.assertTrue(Path("/usr/include/zlib.h").is_file(), "the host's zlib.h (make deps: zlib1g-dev)")
        cmake_lists = """cmake_minimum_required(VERSION 3.13)
project(tiny C)
find_path(HOST_ZLIB_H zlib.h PATHS /usr/include /usr/local/include)
if(HOST_ZLIB_H)
  message(FATAL_ERROR "find_path found the host's zlib.h in ${HOST_ZLIB_H}")
endif()
add_library(tiny STATIC tiny.c)
add_executable(tinyprog main.c)
target_link_libraries(tinyprog tiny)
install(TARGETS tiny ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS tinyprog RUNTIME DESTINATION bin)
install(FILES tiny.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
"""
        sha = tarball(self.mirror / "tiny.tar.gz", "tiny-1.0",
                      {"CMakeLists.txt": cmake_lists, "tiny.c": GOOD_C, "tiny.h": "int tiny_answer(void);\n",
                       "main.c": "#include \"tiny.h\"\nint main(void) { return tiny_answer() - 42; }\n"})
        (self.defs / "tiny.toml").write_text(f'name = "tiny"\nversion = "1.0"\nsource = "tiny.tar.gz"\n'
                                             f'sha256 = "{sha}"\nbuild = "cmake"\ncmake = ["-DUNUSED=1"]\n'
                                             f'libs = ["tiny"]\ndrop = ["bin"]\n')
        [(_, prefix)] = self.ensure("tiny")
        self.assertEqual(sorted(p.relative_to(prefix).as_posix() for p in prefix.rglob("*") if p.parent.name != "logs"),
                         [".complete", "build-info.txt", "include", "include/tiny.h", "lib", "lib/libtiny.a", "logs"])
        self.assertIn("cmake-build.log", [p.name for p in (prefix / "logs").iterdir()])
        self.assertEqual(list((self.cache / "work").iterdir()), [], "a built library's work directory is removed")
        members = subprocess.run([f"{clibs.LLVM}/llvm-nm", "--defined-only", prefix / "lib" / "libtiny.a"],
                                 capture_output=True, text=True, check=True).stdout
        self.assertIn("T tiny_answer", members)
        # A configure step that finds a host library fails the build and caches nothing else.
        sha = tarball(self.mirror / "tiny-host.tar.gz", "tiny-1.0",
                      {"CMakeLists.txt": cmake_lists.replace(
                          "find_path(HOST_ZLIB_H zlib.h PATHS /usr/include /usr/local/include)",
                          "set(HOST_ZLIB_H /usr/include)"),
                       "tiny.c": GOOD_C, "tiny.h": "", "main.c": ""})
        (self.defs / "tiny.toml").write_text(f'name = "tiny"\nversion = "1.0"\nsource = "tiny-host.tar.gz"\n'
                                             f'sha256 = "{sha}"\nbuild = "cmake"\nlibs = ["tiny"]\n')
        with self.assertRaises(BuildError) as cm:
            self.ensure("tiny")
        self.assertIn("building C library tiny 1.0 failed at step 'cmake-configure'", str(cm.exception))
        self.assertIn("found the host's zlib.h in /usr/include", str(cm.exception))
        self.assertEqual([p for p in (self.cache / "clibs").iterdir()], [prefix])

    def test_a_cmake_source_outside_the_tree_or_without_cmakelists_fails_naming_it(self):
        sha = tarball(self.mirror / "sub.tar.gz", "sub-1.0", {"runtimes/README": "", "tiny.c": GOOD_C})
        for source, why in [("runtimes", "no directory of"), ("../..", "no directory of")]:
            (self.defs / "sub.toml").write_text(f'name = "sub"\nversion = "1.0"\nsource = "sub.tar.gz"\n'
                                                f'sha256 = "{sha}"\nbuild = "cmake"\ncmake-source = "{source}"\n'
                                                f'libs = ["sub"]\n')
            with self.assertRaises(BuildError) as cm:
                self.ensure("sub")
            self.assertIn(f"cmake-source {source!r} is {why}", str(cm.exception))
            self.assertFalse((self.cache / "clibs").exists() and any((self.cache / "clibs").iterdir()))

    def test_the_cxx_wrapper_takes_the_libcxx_headers_it_is_given(self):
        """Debian's libc++ headers by default; the exception-enabled libc++'s for a
        wasm-exceptions package (with its compile flags); none while building libc++."""
        from package_builder import toolchain
        self.assertTrue((LIBPYTHON / "sysroot").is_dir(), f"no libpython at ONEPY_LIBPYTHON_DIR={LIBPYTHON}")
        cases = [((False, toolchain.LIBCXX_INCLUDE), toolchain.LIBCXX_INCLUDE, False),
                 ((True, "/eh/include/c++/v1"), "/eh/include/c++/v1", True),
                 ((False, None), None, False)]
        for i, ((exceptions, include), want, eh) in enumerate(cases):
            tools = toolchain.write_toolchain(self.dir / f"w{i}", LIBPYTHON, exceptions, include)
            cxx, cc = tools["cxx"].read_text(), tools["cc"].read_text()
            self.assertIn("-nostdinc++", cxx)
            self.assertEqual(f"'-isystem' '{want}'" in cxx if want else "-isystem" not in cxx, True, cxx)
            for flag in toolchain.WASM_EXCEPTIONS_CXX:
                self.assertEqual(f"'{flag}'" in cxx, eh, (flag, cxx))
            self.assertEqual("'-wasm-enable-sjlj'" in cc, eh, cc)
            self.assertNotIn("-fwasm-exceptions", cc)
        self.assertEqual(build.clib_names({"wasm-exceptions": True, "c-libraries": ["freetype"]}),
                         ["freetype", build.EH_RUNTIME])
        self.assertEqual(build.clib_names({"c-libraries": ["freetype"]}), ["freetype"])

    def test_a_strong_symbol_in_two_libraries_is_a_duplicate_and_a_weak_one_is_not(self):
        from package_builder.merge import check_duplicates
        self.assertTrue((LIBPYTHON / "sysroot").is_dir(), f"no libpython at ONEPY_LIBPYTHON_DIR={LIBPYTHON}")
        archives = []
        for name in ("one", "two"):
            c = self.dir / f"{name}.c"
            c.write_text("__attribute__((weak)) int shared_weak(void) { return 1; }\n"
                         "int shared_strong(void) { return 2; }\n"
                         f"int only_{name}(void) {{ return 3; }}\n")
            obj = self.dir / f"{name}.o"
            subprocess.run(["clang-19", "--target=wasm32-wasip1", f"--sysroot={LIBPYTHON / 'sysroot'}", "-c", c,
                            "-o", obj], check=True)
            archives.append(self.dir / f"lib{name}.a")
            subprocess.run([f"{clibs.LLVM}/llvm-ar", "rcs", archives[-1], obj], check=True)
        with self.assertRaises(BuildError) as cm:
            check_duplicates([], archives)
        self.assertIn("1 symbols of the built packages are defined in more than one linked library:\n"
                      "  shared_strong: libone.a, libtwo.a", str(cm.exception))
        check_duplicates([], archives[:1])

    def test_a_libpython_library_is_the_tarball_sources_lock_pins_and_not_linked_twice(self):
        sha = tarball(self.mirror / "zlib.tar.gz", "zlib-1.0", {"zlib.h": ""})
        (self.defs / "zlib.toml").write_text(f'name = "zlib"\nversion = "1.0"\nsource = "zlib.tar.gz"\n'
                                             f'sha256 = "{sha}"\nbuild = "libpython"\nlibs = ["z"]\n')
        with self.assertRaises(BuildError) as cm:
            self.ensure("zlib")
        self.assertIn(f"zlib.tar.gz with sha256 {sha} is not a line of", str(cm.exception))
        self.assertIn("sources.lock", str(cm.exception))
        self.assertFalse((self.cache / "clibs").exists())
        built = [({"build": "cmake", "libs": ["jpeg"]}, self.dir), ({"build": "libpython", "libs": ["z"]}, self.dir)]
        self.assertEqual(clibs.link_libs(built), ["jpeg"], "libpython's zlib is in the final link already")

    def test_wasm_exceptions_and_the_abort_stubs_exclude_each_other(self):
        from package_builder import recipes
        saved, recipes.RECIPES = recipes.RECIPES, self.dir
        try:
            (self.dir / "both.toml").write_text('name = "both"\nwasm-exceptions = true\ncxx-exception-stubs = true\n')
            with self.assertRaisesRegex(BuildError, "both.toml: wasm-exceptions and cxx-exception-stubs "
                                                    "exclude each other"):
                recipes.load("both", "1.0")
            (self.dir / "eh.toml").write_text('name = "eh"\nwasm-exceptions = true\n')
            self.assertEqual(recipes.load("eh", "1.0")[1], {"name": "eh", "wasm-exceptions": True})
        finally:
            recipes.RECIPES = saved

if __name__ == "__main__":
    unittest.main()


class RustBackendTests(unittest.TestCase):
    """cargo.py and setuptools_rust.py refuse what they cannot build, before
    running cargo, with the package and the reason."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.src = Path(self.tmp.name) / "src"
        self.src.mkdir()
        (self.src / "Cargo.toml").write_text('[package]\nname = "tok-core"\n[lib]\nname = "tok-core"\n')

    def tearDown(self):
        self.tmp.cleanup()

    def test_a_crate_without_cargo_lock_is_refused_naming_the_recipe(self):
        from package_builder import cargo
        self.assertEqual(cargo.lib_name(self.src / "Cargo.toml", "tok"), "tok_core")
        with self.assertRaises(BuildError) as cm:
            cargo.build_staticlib("Tok-Pkg", "1.0", self.src, self.src / "Cargo.toml", "tok_core", [],
                                  self.src.parent, {"env": {}}, self.src.parent, LIBPYTHON)
        self.assertIn("Tok-Pkg 1.0: the sdist has no Cargo.lock for Cargo.toml", str(cm.exception))
        self.assertIn("recipes/tok_pkg.toml", str(cm.exception))

    def test_setuptools_rust_programs_other_bindings_and_no_record_are_refused(self):
        from package_builder import setuptools_rust
        record = self.src.parent / "rust-extensions.json"
        add = lambda: setuptools_rust.add_extensions("tok", "1.0", self.src, self.src.parent / "tree", record,
                                                     self.src.parent, {"env": {}}, self.src.parent, LIBPYTHON)
        with self.assertRaisesRegex(BuildError, "requires setuptools-rust but ran no build_rust command"):
            add()
        ext = {"kind": "RustExtension", "name": "tok._core", "target": {"": "tok._core"}, "path": "Cargo.toml",
               "features": [], "args": [], "cargo_manifest_args": [], "rustc_flags": [], "binding": "PyO3",
               "script": False}
        for change, message in [({"kind": "RustBin"}, "is a Rust program"),
                                ({"binding": "RustCPython"}, "uses binding RustCPython"),
                                ({"target": {"a": "tok.a", "b": "tok.b"}}, "names several targets"),
                                ({"path": "../outside/Cargo.toml"}, "no manifest ../outside/Cargo.toml")]:
            record.write_text(json.dumps([ext | change]))
            with self.assertRaisesRegex(BuildError, message):
                add()
        record.write_text("[]")
        with self.assertRaisesRegex(BuildError, "declares no Rust extension"):
            add()
        self.assertTrue(setuptools_rust.uses_setuptools_rust(["setuptools>=62", "setuptools_rust>=1.5.2"]))
        self.assertFalse(setuptools_rust.uses_setuptools_rust(["setuptools", "wheel"]))
