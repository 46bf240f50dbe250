"""scikit-learn calls of the third-party matrix (``array_api_dispatch=True``)."""

from __future__ import annotations

import numpy as np
from sklearn import metrics, preprocessing
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import Ridge
from sklearn.metrics import pairwise

from .matrix_call import Call, Refused, namespace, normal, positive, weighted

RETURNS_FLOAT = (
    "the metric returns a Python float (scikit-learn calls float() on the result): "
    "no gradient; multioutput='raw_values' keeps an array where the metric has it"
)


def standard_scaler(X):
    return weighted(preprocessing.StandardScaler().fit_transform(X))


def minmax_scaler(X):
    return weighted(preprocessing.MinMaxScaler().fit_transform(X))


def maxabs_scaler(X):
    return weighted(preprocessing.MaxAbsScaler().fit_transform(X))


def normalize(X):
    return weighted(preprocessing.normalize(X))


def pca(X):
    return weighted(PCA(n_components=2, svd_solver="full").fit_transform(X))


def lda(X):
    labels = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    xp = namespace(X)
    y = xp.asarray(labels, device=X.device)
    return weighted(LinearDiscriminantAnalysis().fit(X, y).transform(X))


def ridge(X, y):
    return weighted(Ridge(alpha=0.5, solver="svd").fit(X, y).coef_)


def rbf_kernel(X, Y):
    return weighted(pairwise.rbf_kernel(X, Y, gamma=0.3))


def polynomial_kernel(X, Y):
    return weighted(pairwise.polynomial_kernel(X, Y, degree=3))


def linear_kernel(X, Y):
    return weighted(pairwise.linear_kernel(X, Y))


def sigmoid_kernel(X, Y):
    return weighted(pairwise.sigmoid_kernel(X, Y, gamma=0.2))


def cosine_similarity(X, Y):
    return weighted(pairwise.cosine_similarity(X, Y))


def euclidean_distances(X, Y):
    return weighted(pairwise.euclidean_distances(X, Y))


def manhattan_distances(X, Y):
    return weighted(pairwise.pairwise_distances(X, Y, metric="manhattan"))


def mean_squared_error_raw(y, p):
    return weighted(metrics.mean_squared_error(y, p, multioutput="raw_values"))


def r2_score_raw(y, p):
    return weighted(metrics.r2_score(y, p, multioutput="raw_values"))


def mean_squared_error(y, p):
    return metrics.mean_squared_error(y, p)


def log_loss(p):
    labels = np.array([0, 1, 1, 0, 1])
    return metrics.log_loss(labels, p)


CALLS = [
    Call(
        "scikit-learn",
        "StandardScaler",
        standard_scaler,
        (normal(5, 2),),
        # its variance update divides 0 by 0 for the first batch, then
        # overwrites that entry (the zero-upstream guard keeps it out of the
        # gradient); scikit-learn silences NumPy's warning only for NumPy itself
        numpy_warns="invalid value encountered in divide",
    ),
    Call("scikit-learn", "MinMaxScaler", minmax_scaler, (normal(5, 3),)),
    Call("scikit-learn", "MaxAbsScaler", maxabs_scaler, (normal(5, 3),)),
    Call("scikit-learn", "normalize", normalize, (normal(4, 3),)),
    Call("scikit-learn", "PCA(svd_solver='full')", pca, (normal(5, 3),)),
    Call("scikit-learn", "LinearDiscriminantAnalysis", lda, (normal(9, 2),)),
    Call("scikit-learn", "Ridge", ridge, (normal(6, 2), normal(6))),
    Call("scikit-learn", "rbf_kernel", rbf_kernel, (normal(3, 2), normal(4, 2))),
    Call(
        "scikit-learn",
        "polynomial_kernel",
        polynomial_kernel,
        (normal(3, 2), normal(4, 2)),
    ),
    Call("scikit-learn", "linear_kernel", linear_kernel, (normal(3, 2), normal(4, 2))),
    Call(
        "scikit-learn", "sigmoid_kernel", sigmoid_kernel, (normal(3, 2), normal(4, 2))
    ),
    Call(
        "scikit-learn",
        "cosine_similarity",
        cosine_similarity,
        (normal(3, 2), normal(4, 2)),
    ),
    Call(
        "scikit-learn",
        "euclidean_distances",
        euclidean_distances,
        (normal(3, 2), normal(4, 2)),
    ),
    Call(
        "scikit-learn",
        "pairwise_distances(metric='manhattan')",
        manhattan_distances,
        (normal(3, 2), normal(4, 2)),
    ),
    Call(
        "scikit-learn",
        "mean_squared_error(multioutput='raw_values')",
        mean_squared_error_raw,
        (normal(5, 2), normal(5, 2)),
    ),
    Call(
        "scikit-learn",
        "r2_score(multioutput='raw_values')",
        r2_score_raw,
        (normal(5, 2), normal(5, 2)),
    ),
    Call(
        "scikit-learn",
        "mean_squared_error",
        mean_squared_error,
        (normal(6), normal(6)),
        Refused(RETURNS_FLOAT),
    ),
    Call(
        "scikit-learn",
        "log_loss",
        log_loss,
        (positive(5, low=0.1, high=0.9),),
        Refused(RETURNS_FLOAT),
    ),
]
