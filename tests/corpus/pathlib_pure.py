from pathlib import PurePosixPath, PureWindowsPath
p = PurePosixPath("/srv/app/json/__init__.py")
print(p.parent, p.name, p.stem, p.suffix, p.parts[:3], p.relative_to("/usr/local"))
print(p.with_suffix(".pyc"), p.match("*.py"), PurePosixPath("a") / "b" / ".." / "c")
print(PureWindowsPath(r"C:\Users\x\file.tar.gz").suffixes, PureWindowsPath("c:/a").drive)
import posixpath, fnmatch
print(posixpath.normpath("/a/./b/../c//d"), posixpath.splitext("x.tar.gz"), fnmatch.fnmatch("x.py", "*.p?"))
