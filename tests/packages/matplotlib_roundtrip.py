# matplotlib's compiled parts in memory, with the Agg backend: a figure with
# lines, markers, bars, an image, filled contours (contourpy), a Delaunay
# triangulation (Qhull), text (FreeType, HarfBuzz and raqm) and constrained
# layout (kiwisolver), rendered to RGBA and to PNG (Pillow). Then the C++ error
# paths: a C++ exception thrown in kiwisolver, contourpy (pybind11) and
# ft2font must reach Python as the same exception as natively.
# host/tests/verified.rs runs it in build/packages.wasm and natively (the
# native wheels of the same pins) and compares the output.
import hashlib
import io

import matplotlib

matplotlib.use("Agg")
import contourpy  # noqa: E402
import kiwisolver  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.tri as mtri  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import ft2font  # noqa: E402
from PIL import Image  # noqa: E402


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


print("matplotlib", matplotlib.__version__, "backend", matplotlib.get_backend(),
      "contourpy", contourpy.__version__, "kiwisolver", kiwisolver.__version__)

x = np.linspace(0.0, 2.0 * np.pi, 200)
y, z = np.meshgrid(np.linspace(-2, 2, 60), np.linspace(-2, 2, 50))
field = np.exp(-(y ** 2 + z ** 2)) * np.cos(2 * y)

fig, axes = plt.subplots(2, 2, figsize=(6.4, 4.8), dpi=80, layout="constrained")
axes[0, 0].plot(x, np.sin(x), "-", label="sin")
axes[0, 0].plot(x, np.cos(x), "o", markevery=10, label="cos")
axes[0, 0].legend(loc="upper right")
axes[0, 0].set_title("Lines")
axes[0, 1].bar(["a", "b", "c", "d"], [3, 1, 4, 1], color="tab:green")
axes[0, 1].set_ylabel("count")
cs = axes[1, 0].contourf(y, z, field, levels=8, cmap="viridis")
fig.colorbar(cs, ax=axes[1, 0])
rng = np.random.default_rng(7)
pts = rng.random((40, 2))
tri = mtri.Triangulation(pts[:, 0], pts[:, 1])
axes[1, 1].triplot(tri, lw=0.5)
axes[1, 1].imshow(field, extent=(0, 1, 0, 1), alpha=0.5, origin="lower")
fig.suptitle("onepy: matplotlib in one .wasm")

fig.canvas.draw()
rgba = np.asarray(fig.canvas.buffer_rgba()).copy()
print("agg", rgba.shape, rgba.dtype, digest(rgba.tobytes()))
print("triangles", tri.triangles.shape, "contour levels", len(cs.levels))
print("title extent", [round(float(v), 3) for v in fig.texts[0].get_window_extent().bounds])

png = io.BytesIO()
fig.savefig(png, format="png")
back = np.asarray(Image.open(io.BytesIO(png.getvalue())))
print("png", back.shape, digest(back.tobytes()), np.array_equal(back, rgba))

svg = io.StringIO()
fig.savefig(svg, format="svg", metadata={"Date": None})
print("svg", len(svg.getvalue()) > 10000, svg.getvalue().count("<path"))
plt.close(fig)

# contourpy directly: the line and fill paths of one level.
gen = contourpy.contour_generator(y, z, field)
lines = gen.lines(0.5)
print("contour lines", len(lines), sum(len(part) for part in lines))

# kiwisolver: a solution, then a C++ exception (UnsatisfiableConstraint).
a, b = kiwisolver.Variable("a"), kiwisolver.Variable("b")
solver = kiwisolver.Solver()
solver.addConstraint(a + b == 10)
solver.addConstraint(a - b == 4)
solver.updateVariables()
print("kiwisolver", a.value(), b.value())
# repr() formats doubles through std::ostream (libc++'s num_put, whose
# template instances the extension also carries: host/src/localize.rs).
# (One variable per constraint: kiwisolver orders the terms of a reduced
# expression by address, which differs between processes.)
print(repr(2.5 * a + 0.1), repr(a + 1 >= 3))
try:
    solver.addConstraint(a == 1)
except kiwisolver.UnsatisfiableConstraint as e:
    print("kiwisolver raised", type(e).__name__)

# pybind11 (contourpy): an argument of the wrong type and a bad value.
try:
    contourpy.contour_generator(y, z, field, name="nosuchalgorithm")
except (ValueError, TypeError) as e:
    print("contourpy raised", type(e).__name__, str(e)[:40])
try:
    contourpy.contour_generator(y, z, "not an array")
except (ValueError, TypeError) as e:
    print("contourpy raised", type(e).__name__)

# ft2font (FreeType through pybind11): a file that is not there, a font that works.
try:
    ft2font.FT2Font("/no/such/font.ttf")
except OSError as e:
    print("ft2font raised", type(e).__name__)
font = ft2font.FT2Font(matplotlib.get_data_path() + "/fonts/ttf/DejaVuSans.ttf")
font.set_size(12, 72)
font.set_text("onepy")
print("ft2font", font.family_name, font.num_glyphs, font.get_width_height())
