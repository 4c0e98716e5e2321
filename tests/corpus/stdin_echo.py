import sys
print("argv:", sys.argv)
print("stdin is tty:", sys.stdin.isatty())
print("encoding:", sys.stdout.encoding, sys.getdefaultencoding(), sys.getfilesystemencoding())
print("byteorder:", sys.byteorder, "flags.utf8:", sys.flags.utf8_mode, "prefix-independent:", sys.version_info[:2])
