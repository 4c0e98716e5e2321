import bz2, gzip, io, lzma, zipfile, zlib
data = ("onepy " * 500 + "the end").encode()
for mod in (zlib, bz2, lzma):
    packed = mod.compress(data)
    assert mod.decompress(packed) == data
    print(mod.__name__, len(packed) < len(data) // 10)
buf = io.BytesIO()
with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as g:
    g.write(data)
print(gzip.decompress(buf.getvalue()) == data, zlib.crc32(data), zlib.adler32(data))
zbuf = io.BytesIO()
with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("a.txt", "hello")
    z.writestr("dir/b.bin", data)
with zipfile.ZipFile(io.BytesIO(zbuf.getvalue())) as z:
    print(z.namelist(), z.read("a.txt"), z.getinfo("dir/b.bin").file_size)
