# compression.zstd (new in 3.14): one-shot, streaming, a trained dictionary,
# and tarfile/zipfile-independent framing, against the same libzstd natively.
from compression import zstd
import io

data = b"onepy " * 2000 + bytes(range(256)) * 8
frame = zstd.compress(data, level=10)
print(zstd.decompress(frame) == data, len(frame) < len(data) // 10)
print(zstd.get_frame_info(frame).decompressed_size == len(data))

buf = io.BytesIO()
with zstd.ZstdFile(buf, "w", level=3) as f:
    for i in range(50):
        f.write(f"line {i}\n".encode())
buf.seek(0)
with zstd.open(buf, "rt") as f:
    lines = f.read().splitlines()
print(len(lines), lines[0], lines[-1])

samples = [f'{{"id": {i}, "name": "user{i}", "tags": ["a", "b"]}}'.encode() for i in range(400)]
d = zstd.train_dict(samples, 4096)
c = zstd.ZstdCompressor(zstd_dict=d)
packed = c.compress(samples[7], mode=zstd.ZstdCompressor.FLUSH_FRAME)
print(zstd.ZstdDecompressor(zstd_dict=d).decompress(packed) == samples[7])
try:
    zstd.decompress(b"not a frame")
except zstd.ZstdError as e:
    print("ZstdError", type(e).__mro__[1].__name__)
print(zstd.zstd_version_info >= (1, 5, 0), zstd.COMPRESSION_LEVEL_DEFAULT)
