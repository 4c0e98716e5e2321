"""Unit tests of scripts/packages.py's unpacking rules, on synthetic wheels.
Run by host/tests/packages.rs (python3 -m unittest)."""

import io
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
# The compiler wrapper runs as a script, not as part of the package.
sys.path.append(str(Path(__file__).resolve().parent.parent / "scripts" / "package_builder"))
import lockfile  # noqa: E402
import packages  # noqa: E402


def wheel(directory: Path, name: str, files: dict) -> Path:
    path = directory / f"{name}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for member, text in files.items():
            z.writestr(member, text)
        z.writestr(f"{name}-1.0.dist-info/METADATA", f"Name: {name}\nVersion: 1.0\n")
    return path


class UnpackTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.out = self.dir / "site-packages"
        self.out.mkdir()

    def tearDown(self):
        self.tmp.cleanup()

    def unpack(self, path, owner, package):
        return packages.unpack(path, self.out, owner, package, {"json", "os"})

    def test_two_packages_with_the_same_module_are_refused(self):
        owner = {}
        self.unpack(wheel(self.dir, "alpha", {"shared/__init__.py": "A = 1\n"}), owner, "alpha")
        with self.assertRaises(SystemExit) as e:
            self.unpack(wheel(self.dir, "beta", {"shared/__init__.py": "B = 1\n"}), owner, "beta")
        self.assertEqual(str(e.exception), "error: packages 'alpha' and 'beta' both provide 'shared/__init__.py'")

    def test_namespace_portions_of_two_packages_are_fine(self):
        owner = {}
        self.unpack(wheel(self.dir, "ns-a", {"ns/a.py": ""}), owner, "ns-a")
        self.unpack(wheel(self.dir, "ns-b", {"ns/b.py": ""}), owner, "ns-b")
        self.assertEqual(sorted(p.name for p in (self.out / "ns").iterdir()), ["a.py", "b.py"])

    def test_shadowing_the_stdlib_is_refused(self):
        with self.assertRaises(SystemExit) as e:
            self.unpack(wheel(self.dir, "evil", {"json.py": ""}), {}, "evil")
        self.assertIn("package 'evil' provides 'json.py', which shadows the standard library's module 'json'",
                      str(e.exception))

    def test_a_built_tree_names_no_c_library_prefix_of_this_machine(self):
        tree = self.dir / "built"
        (tree / "pkg").mkdir(parents=True)
        (tree / "pkg/__config__.py").write_text('args = "-I/cache/clibs/openblas-1-k/include"\n')
        (tree / "pkg/blob.bin").write_bytes(b"/cache/clibs/x")
        packages.unpack_tree(tree, self.out, {}, "pkg", set(), {"/cache/clibs": "/onepy-clibs"})
        self.assertEqual((self.out / "pkg/__config__.py").read_text(), 'args = "-I/onepy-clibs/openblas-1-k/include"\n')
        self.assertEqual((self.out / "pkg/blob.bin").read_bytes(), b"/cache/clibs/x")

    def test_purelib_data_is_unpacked_and_scripts_are_not(self):
        self.unpack(wheel(self.dir, "d", {"d-1.0.data/purelib/dmod.py": "X = 1\n",
                                          "d-1.0.data/scripts/tool": "#!/bin/sh\n"}), {}, "d")
        self.assertTrue((self.out / "dmod.py").is_file())
        self.assertFalse((self.out / "tool").exists())
        self.assertTrue((self.out / "d-1.0.dist-info" / "METADATA").is_file())

    def test_lock_round_trip(self):
        lock = self.dir / "x.lock"
        wheel = lockfile.Entry("a", "2", "https://h/a-2-py3-none-any.whl", "a" * 64)
        sdist = lockfile.Entry("C", "3.0", "https://h/c-3.0.tar.gz", "b" * 64,
                               "https://h/c-3.0-cp314-cp314-manylinux_2_28_x86_64.whl", "c" * 64)
        lockfile.write(lock, ["b==1", "a==2"], [wheel, sdist])
        self.assertIn(lockfile.spec_line(["a==2", "b==1"]), lock.read_text())
        self.assertEqual(lockfile.read(lock), [wheel, sdist])
        self.assertEqual([e.is_sdist for e in lockfile.read(lock)], [False, True])

    def test_a_bad_lock_line_names_the_file_and_line(self):
        lock = self.dir / "bad.lock"
        lock.write_text("# spec: a\nnot a lock line\n")
        with self.assertRaises(SystemExit) as caught:
            lockfile.read(lock)
        self.assertEqual(str(caught.exception), f"error: {lock}:2: not a lock line: 'not a lock line'")

    def test_a_package_is_pure_only_with_a_none_any_wheel(self):
        import resolve
        self.assertTrue(resolve.is_pure_wheel("jinja2-3.1.6-py3-none-any.whl"))
        self.assertTrue(resolve.is_pure_wheel("six-1.17.0-py2.py3-none-any.whl"))
        self.assertFalse(resolve.is_pure_wheel("markupsafe-3.0.3-cp314-cp314-manylinux_2_28_x86_64.whl"))
        self.assertFalse(resolve.is_pure_wheel("ninja-1.13.0-py3-none-manylinux2014_x86_64.whl"))
        self.assertFalse(resolve.is_pure_wheel("markupsafe-3.0.3.tar.gz"))



class InitClashTests(unittest.TestCase):
    def test_two_modules_with_one_init_symbol_are_named(self):
        with tempfile.TemporaryDirectory() as tmp:
            built = []
            for name, lines in [("sqlalchemy", "sqlalchemy.engine._util_cy PyInit__util_cy\n"
                                              "sqlalchemy.sql._util_cy PyInit__util_cy\n"),
                                ("msgpack", "msgpack._cmsgpack PyInit__cmsgpack\n")]:
                out = Path(tmp) / name
                out.mkdir()
                (out / "inittab.txt").write_text(lines)
                built.append((type("E", (), {"name": name}), out))
            self.assertEqual(packages.init_clashes(built), [
                "  PyInit__util_cy: sqlalchemy.engine._util_cy (sqlalchemy), sqlalchemy.sql._util_cy (sqlalchemy)"])
            self.assertEqual(packages.init_clashes(built[1:]), [])


class InitSymbolTests(unittest.TestCase):
    def test_each_dotted_name_has_its_own_symbol(self):
        from package_builder.merge import init_symbol
        self.assertEqual(init_symbol("sqlalchemy.sql._util_cy"), "onepy_init_10sqlalchemy3sql8_util_cy")
        names = ["sqlalchemy.engine._util_cy", "sqlalchemy.sql._util_cy", "a.b_c", "a_b.c", "ab.c", "a.bc"]
        self.assertEqual(len({init_symbol(n) for n in names}), len(names))



class WrapperTests(unittest.TestCase):
    def test_lto_flags_are_dropped_so_objects_are_wasm(self):
        import wasm_cc
        self.assertEqual(wasm_cc.without_lto(["-O3", "-flto", "-flto=thin", "-ffat-lto-objects", "-fPIC", "-c", "a.cpp"]),
                         ["-O3", "-fPIC", "-c", "a.cpp"])

    def test_pthread_is_dropped_so_no_object_needs_shared_memory(self):
        import wasm_cc
        self.assertEqual(wasm_cc.without_threads(["-pthread", "-O2", "-c", "a.c", "-lpthread"]),
                         ["-O2", "-c", "a.c", "-lpthread"])

    def test_a_shared_link_or_a_host_include_in_a_response_file_is_seen(self):
        import json
        import subprocess
        import wasm_cc
        with tempfile.TemporaryDirectory() as d:
            d = Path(d)
            (d / "a.o").write_bytes(b"")
            (d / "link.rsp").write_text("-shared a.o -o 'm od.so' -pthread -lfoo -Llibs\n")
            env = {"PATH": "/usr/bin:/bin", "ONEPY_LINK_LOG": str(d / "links.jsonl")}
            # `false` as the compiler: the link must not reach it.
            out = subprocess.run([sys.executable, wasm_cc.__file__, "false", "@link.rsp"], cwd=d, env=env,
                                 capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertTrue((d / "m od.so").is_file())
            record = json.loads((d / "links.jsonl").read_text())
            self.assertEqual((record["libs"], record["libdirs"]), (["foo"], [str(d / "libs")]))
            (d / "compile.rsp").write_text("-I/usr/include/libxml2 -c x.c\n")
            out = subprocess.run([sys.executable, wasm_cc.__file__, "true", "@compile.rsp"], cwd=d, env=env,
                                 capture_output=True, text=True)
            self.assertEqual(out.returncode, 1)
            self.assertIn("refusing the host's include directory /usr/include/libxml2", out.stderr)


class StagingTests(unittest.TestCase):
    def test_a_failed_assembly_leaves_no_staging_directory_and_a_kept_work_dir_stays(self):
        import os
        from unittest import mock
        from package_builder.common import drop_work, staging
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d) / "pkg-1.0-key.tmp"
            with self.assertRaisesRegex(RuntimeError, "merge failed"):
                with staging(tmp):
                    (tmp / "lib").mkdir()
                    raise RuntimeError("merge failed")
            self.assertFalse(tmp.exists())
            work = Path(d) / "work"
            work.mkdir()
            with mock.patch.dict(os.environ, {"ONEPY_KEEP_WORK": "1"}):
                drop_work(work)
            self.assertTrue(work.is_dir())
            env = {k: v for k, v in os.environ.items() if k != "ONEPY_KEEP_WORK"}
            with mock.patch.dict(os.environ, env, clear=True):
                drop_work(work)
            self.assertFalse(work.exists())


if __name__ == "__main__":
    unittest.main()
