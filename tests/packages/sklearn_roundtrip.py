# scikit-learn's compiled parts in use: its Cython trees and forests, k-means
# (Lloyd and Elkan), liblinear and libsvm (C/C++), the loss functions of
# logistic regression (scipy's L-BFGS-B), pairwise distances, neighbors
# (its ball tree and k-d tree), PCA over scipy's LAPACK, and isotonic
# regression. host/tests/verified.rs runs this in build/packages.wasm and
# natively with the same pins and compares the output (rounded, and -0.0
# printed as 0.0).
import numpy as np
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris, make_regression
from sklearn.decomposition import PCA
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, pairwise_distances
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier, export_text


def show(*values):
    print(*((np.round(v, 6) + 0.0).tolist() if isinstance(v, np.ndarray)
            else round(float(v), 6) + 0.0 if isinstance(v, (float, np.floating)) else v for v in values))


x, y = load_iris(return_X_y=True)
xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
for model in (LogisticRegression(max_iter=500), make_pipeline(StandardScaler(), SVC(C=1.0)),
              make_pipeline(StandardScaler(), LinearSVC(random_state=0)), KNeighborsClassifier(5),
              DecisionTreeClassifier(max_depth=3, random_state=0),
              RandomForestClassifier(n_estimators=20, random_state=0),
              HistGradientBoostingClassifier(max_iter=20, random_state=0)):
    model.fit(xtr, ytr)
    show(type(model[-1] if hasattr(model, "steps") else model).__name__, accuracy_score(yte, model.predict(xte)))
tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(x, y)
print(export_text(tree, feature_names=["sl", "sw", "pl", "pw"]), end="")
# L-BFGS stops at a tolerance: its last digits follow the BLAS's rounding.
show(np.round(LogisticRegression(max_iter=500).fit(xtr, ytr).predict_proba(xte[:2]), 3))
show(cross_val_score(SVC(), x, y, cv=5))
km = KMeans(n_clusters=3, n_init=4, random_state=0).fit(x)
show(np.sort(km.cluster_centers_[:, 0]), km.inertia_)
show(KMeans(n_clusters=3, n_init=2, algorithm="elkan", random_state=1).fit(x).inertia_)
pca = PCA(n_components=2).fit(x)
show(pca.explained_variance_ratio_, np.abs(pca.components_[0]))
xr, yr = make_regression(n_samples=60, n_features=4, noise=0.5, random_state=3)
show(LinearRegression().fit(xr, yr).coef_, Ridge(alpha=2.0).fit(xr, yr).intercept_)
show(pairwise_distances(x[:3], metric="manhattan"), pairwise_distances(x[:2], x[3:5], metric="cosine"))
show(IsotonicRegression().fit_transform(np.arange(8.0), [1.0, 3, 2, 4, 3.5, 5, 7, 6]))
try:
    LogisticRegression().fit(x, np.zeros(len(x)))
except ValueError as e:
    print("ValueError", str(e).split(":")[0])
