# scipy's compiled parts in use: LAPACK and BLAS through OpenBLAS (solve,
# decompositions, eigenvalues), special functions (Cephes, Boost.Math),
# sparse LU (SuperLU), HiGHS (linprog, milp), MINPACK and L-BFGS-B (optimize),
# QUADPACK, FITPACK, the k-d tree, the FFT (pocketfft via ducc0) and
# signal's filters. host/tests/verified.rs runs this in build/packages.wasm
# and natively with the same pins and compares the output (rounded where a
# last bit may differ between OpenBLAS's wasm32 C kernels and x86_64's).
import numpy as np
from scipy import fft, integrate, interpolate, linalg, optimize, signal, sparse, spatial, special, stats
from scipy.sparse.linalg import spsolve


def show(*values):
    # 8 decimals, and -0.0 printed as 0.0 (a zero's sign may differ).
    print(*((np.round(v, 8) + 0.0).tolist() if isinstance(v, np.ndarray)
            else round(v, 8) + 0.0 if isinstance(v, float) else v for v in values))


rng = np.random.default_rng(20261202)
a = rng.standard_normal((6, 6)) + 6 * np.eye(6)
b = rng.standard_normal(6)
x = linalg.solve(a, b)
show(x, np.allclose(a @ x, b))
spd = a @ a.T
show(linalg.cholesky(spd)[0], linalg.det(a))
p, l, u = linalg.lu(a)
show(np.allclose(p @ l @ u, a), linalg.svdvals(a))
show(np.sort(linalg.eigvalsh(spd)), np.sort_complex(linalg.eigvals(a)).real)
q, r = linalg.qr(a)
show(np.allclose(q @ r, a), linalg.norm(linalg.inv(a) @ a - np.eye(6)) < 1e-12, linalg.expm(np.eye(2) * 0.5)[0, 0])
show(special.gamma(4.5), special.erf(0.3), special.jv(2, 3.7), special.hyp2f1(0.5, 1.5, 2.5, 0.25))
show(special.ellipk(0.3), special.zeta(3.0), special.logsumexp([1.0, 2.0, 3.0]), special.expit(-2.5))
m = sparse.csc_matrix(np.array([[4.0, 1, 0], [1, 3, 1], [0, 1, 2]]))
show(spsolve(m, np.array([1.0, 2, 3])), m.nnz, (m @ m).toarray()[1])
res = optimize.linprog([-1, -2], A_ub=[[1, 1], [1, -1]], b_ub=[4, 1], bounds=[(0, 3), (0, 3)], method="highs")
show(res.status, res.fun, res.x)
milp = optimize.milp([-2, -3], constraints=optimize.LinearConstraint([[2, 1], [1, 3]], ub=[7, 9]),
                     integrality=[1, 1], bounds=optimize.Bounds(0, 10))
show(milp.status, milp.fun, milp.x)
rosen = optimize.minimize(optimize.rosen, [1.3, 0.7, 0.8], method="L-BFGS-B", jac=optimize.rosen_der)
show(rosen.success, np.round(rosen.x, 5))
show(optimize.brentq(lambda t: t ** 3 - 2, 0, 2), optimize.root(lambda v: [v[0] + v[1] - 3, v[0] - v[1] - 1], [0, 0]).x)
show(integrate.quad(np.exp, 0, 1)[0], integrate.quad(lambda t: np.exp(-t * t), -np.inf, np.inf)[0])
sol = integrate.solve_ivp(lambda t, y: -0.5 * y, (0, 4), [2.0], rtol=1e-9, atol=1e-12)
show(sol.status, sol.y[0, -1])
xs = np.linspace(0, 2 * np.pi, 12)
spl = interpolate.splrep(xs, np.sin(xs), s=0)
show(interpolate.splev([0.5, 1.5, 2.5], spl), interpolate.CubicSpline(xs, np.cos(xs))(1.0))
pts = rng.random((200, 3))
tree = spatial.cKDTree(pts)
d, i = tree.query([0.5, 0.5, 0.5], k=3)
show(d, i.tolist(), len(tree.query_ball_point([0.2, 0.2, 0.2], 0.15)))
show(spatial.distance.cdist(pts[:2], pts[2:4]), spatial.ConvexHull(pts[:30]).vertices.size > 3)
sig = np.sin(np.linspace(0, 8 * np.pi, 64)) + 0.25 * np.cos(np.linspace(0, 40 * np.pi, 64))
show(np.abs(fft.rfft(sig))[:5], fft.dct(np.arange(8.0))[:4])
bb, aa = signal.butter(4, 0.2)
show(bb, signal.filtfilt(bb, aa, sig)[:5], signal.convolve([1.0, 2, 3], [0, 1, 0.5]))
show(stats.norm.cdf(1.3), stats.ttest_ind([1.0, 2, 3, 4], [2.0, 3, 5, 7]).pvalue, stats.spearmanr([1, 2, 3, 4], [1, 3, 2, 4])[0])
try:
    linalg.solve(np.zeros((2, 2)), [1.0, 2.0])
except linalg.LinAlgError as e:
    print("LinAlgError", e)
bad = optimize.linprog([1, 1], A_ub=[[1, 1]], b_ub=[-1], bounds=[(0, None), (0, None)], method="highs")
print(bad.status, bad.message.split(".")[0])
