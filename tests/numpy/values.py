# Run by host/tests/numpy.rs in numpy.wasm and in native numpy (the recipe's version) on the
# native build-python: the outputs must be identical.
import numpy as np

print(np.__version__)
print(np.arange(10).reshape(2, 5).sum(axis=0))
a = np.array([[4.0, 7.0, 2.0], [3.0, 6.0, 1.0], [2.0, 5.0, 3.0]])
print(np.allclose(np.linalg.inv(a) @ a, np.eye(3)))
print(np.round(np.linalg.svd(a, compute_uv=False), 6))
print(np.round(np.sort(np.linalg.eigvals(a).real), 6))
# `+ 0.0` turns a rounded -0.0 (LAPACK implementations differ in the sign of
# tiny residuals) into 0.0.
print(np.round(np.linalg.solve(a, [1.0, 2.0, 3.0]), 6) + 0.0, round(float(np.linalg.det(a)), 6))
print(np.round(np.fft.fft(np.array([1.0, 2.0, 3.0, 4.0])), 6))
print(np.round(np.fft.irfft(np.fft.rfft(np.arange(8.0))), 6))
print(np.random.default_rng(0).random(3))
print(np.random.default_rng(42).integers(0, 100, 5), np.random.default_rng(1).normal(size=2))
np.random.seed(1)
print(np.random.rand(2), np.random.randint(0, 10, 3))
rng = np.random.Generator(np.random.PCG64(7))
print(rng.multinomial(20, [0.2, 0.3, 0.5]), rng.permutation(5))
print(np.random.Generator(np.random.Philox(3)).random(2), np.random.Generator(np.random.SFC64(3)).random(2))
print(np.datetime64("2026-11-22") - np.datetime64("2026-01-01"), np.datetime64("2026-11-22") + np.timedelta64(10, "D"))
print(np.arange("2026-01", "2026-04", dtype="datetime64[M]"))
people = np.array([("ann", 31, 1.5), ("bob", 42, 2.25)], dtype=[("name", "U10"), ("age", "i4"), ("w", "f8")])
print(people["age"].sum(), people[1], people.dtype)
print(np.char.upper(np.array(["ab", "cd"])), np.strings.str_len(np.array(["a", "bcd"])))
m = np.ma.masked_array([1, 2, 3, 4], mask=[0, 1, 0, 0])
print(m.sum(), m.mean(), m)
print(np.array([1.5, 2.25], dtype=np.longdouble), np.finfo(np.float64).eps)
print(np.einsum("ij,jk->ik", a, a)[0], np.polynomial.Polynomial([1, 2, 3])(2.0))
print(np.unique([3, 1, 2, 3, 1], return_counts=True), np.sort(np.array([3.5, -1.0, 2.0]))[::-1])
print(np.percentile(np.arange(11.0), [25, 50, 90]), np.cumsum(np.arange(5)), np.dot([1, 2], [3, 4]))
