# Pillow's compiled part in memory (io.BytesIO, no file): drawing, PNG (zlib)
# and JPEG (libjpeg) encode and decode, resampling, filters. host/tests/verified.rs
# runs it in build/packages.wasm and natively (the native wheel of the same pin)
# and compares the output: pixels and encoded bytes must be the same.
import hashlib
import io

import PIL
from PIL import Image, ImageDraw, ImageFilter, ImageOps, features


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


print("Pillow", PIL.__version__, "jpg", features.check("jpg"), "zlib", features.check("zlib"))
im = Image.new("RGB", (96, 64), (10, 20, 30))
draw = ImageDraw.Draw(im)
draw.rectangle((5, 5, 40, 30), fill=(200, 100, 50))
draw.line((0, 0, 95, 63), fill=(255, 255, 255), width=3)
draw.ellipse((30, 10, 80, 60), outline=(0, 255, 0), width=2)
draw.polygon([(2, 60), (20, 62), (12, 40)], fill=(0, 0, 255))
draw.arc((50, 2, 90, 30), 0, 270, fill=(255, 255, 0))
print("drawn", im.size, im.mode, im.getpixel((10, 10)), im.getpixel((60, 35)), digest(im.tobytes()))

png = io.BytesIO()
im.save(png, "PNG", optimize=True)
back = Image.open(io.BytesIO(png.getvalue()))
print("png", back.format, back.size, back.mode, len(png.getvalue()), digest(png.getvalue()), back.tobytes() == im.tobytes())

for quality, subsampling in ((90, 0), (75, 2)):
    jpg = io.BytesIO()
    im.save(jpg, "JPEG", quality=quality, subsampling=subsampling)
    j = Image.open(io.BytesIO(jpg.getvalue()))
    j.load()
    print("jpeg", quality, subsampling, j.format, j.size, j.mode, len(jpg.getvalue()), digest(jpg.getvalue()),
          j.getpixel((10, 10)), digest(j.tobytes()))

gray = ImageOps.grayscale(im)
jpg = io.BytesIO()
gray.save(jpg, "JPEG", progressive=True)
print("jpeg L progressive", digest(jpg.getvalue()), digest(Image.open(io.BytesIO(jpg.getvalue())).tobytes()))
draft = Image.open(io.BytesIO(jpg.getvalue()))
draft.draft("L", (24, 16))
print("draft", draft.size, digest(draft.tobytes()))

for name in ("NEAREST", "BILINEAR", "BICUBIC", "LANCZOS"):
    small = im.resize((37, 29), getattr(Image.Resampling, name))
    print("resize", name, small.getpixel((5, 5)), digest(small.tobytes()))
print("thumbnail", im.copy().reduce(2).size, digest(im.rotate(33, expand=True).tobytes()))
print("filters", digest(im.filter(ImageFilter.GaussianBlur(2)).tobytes()),
      digest(im.filter(ImageFilter.FIND_EDGES).tobytes()), digest(gray.point(lambda v: 255 - v).tobytes()))
print("histogram", sum(im.histogram()), im.getbbox(), gray.getextrema())
rgba = im.convert("RGBA")
rgba.putalpha(128)
out = io.BytesIO()
rgba.save(out, "PNG")
print("rgba png", digest(out.getvalue()), Image.open(io.BytesIO(out.getvalue())).getpixel((0, 0)))
# The Arrow PyCapsule export (patches/pillow/method-arity.patch: METH_VARARGS
# functions Pillow declares with one parameter trapped wasm's call_indirect).
schema, array = im.__arrow_c_schema__(), im.__arrow_c_array__()
print("arrow", type(schema).__name__, type(array[0]).__name__, type(array[1]).__name__)
