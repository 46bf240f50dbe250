"""SciPy calls of the third-party matrix (``SCIPY_ARRAY_API=1``)."""

from __future__ import annotations

from scipy import cluster, integrate, signal, special, stats

from .matrix_call import Call, Refused, namespace, normal, positive

TO_NUMPY = (
    "SciPy converts the input to NumPy (np.asarray) and computes there: "
    "Variable.__array__ refuses, rather than return a result with no gradient"
)


def logsumexp(x):
    return special.logsumexp(x)


def logsumexp_weighted(x, b):
    """``b=`` makes SciPy write into an array after reading it."""
    return special.logsumexp(x, b=b)


def softmax(x):
    xp = namespace(x)
    return xp.sum(special.softmax(x, axis=-1) * xp.arange(4.0, device=x.device))


def log_softmax(x):
    xp = namespace(x)
    return xp.sum(special.log_softmax(x, axis=0) ** 2)


def ndtr(x):
    return namespace(x).sum(special.ndtr(x))


def gammaln(x):
    return namespace(x).sum(special.gammaln(x))


def xlogy(x, y):
    return namespace(x).sum(special.xlogy(x, y))


def entr(p):
    return namespace(p).sum(special.entr(p))


def zscore(x):
    return namespace(x).sum(stats.zscore(x) ** 3)


def pearsonr(x, y):
    return stats.pearsonr(x, y).statistic


def moment(x):
    return stats.moment(x, order=3)


def skew(x):
    return stats.skew(x)


def kurtosis(x):
    return stats.kurtosis(x)


def entropy(p, q):
    return stats.entropy(p, q)


def gmean(x):
    return stats.gmean(x)


def hmean(x):
    return stats.hmean(x)


def pmean(x):
    return stats.pmean(x, 1.5)


def variation(x):
    return stats.variation(x)


def sem(x):
    return stats.sem(x)


def trapezoid(y, x):
    return integrate.trapezoid(y, x)


def simpson(y):
    return integrate.simpson(y, dx=0.5)


def cumulative_trapezoid(y):
    return namespace(y).sum(integrate.cumulative_trapezoid(y, dx=0.1))


def whiten(obs):
    return namespace(obs).sum(cluster.vq.whiten(obs) ** 2 * obs)


def ttest_1samp_pvalue(x):
    """The p-value: SciPy's Student t survival function, through betainc."""
    return stats.ttest_1samp(x, 0.2).pvalue


def trim_mean(x):
    return stats.trim_mean(x, 0.1)


def describe(x):
    summary = stats.describe(x)
    return summary.variance + summary.skewness


def iqr(x):
    return stats.iqr(x)


def circmean(x):
    return stats.circmean(x)


def boxcox_llf(x):
    return stats.boxcox_llf(0.5, x)


def kstat(x):
    return stats.kstat(x, 3)


def directional_stats(x):
    return namespace(x).sum(stats.directional_stats(x).mean_direction * x[0, :])


def cumulative_simpson(y):
    return namespace(y).sum(integrate.cumulative_simpson(y, dx=0.1) ** 2)


def convolve(x, w):
    return namespace(x).sum(signal.convolve(x, w))


def log_expit(x):
    return namespace(x).sum(special.log_expit(x))


DEFAULT_DEVICE = (
    "SciPy makes a constant on the default device (xp.asarray without device=); "
    "array-api-strict refuses to mix it with device1 arrays, as it does without xgrad"
)
UFUNC = (
    "SciPy 1.17 calls log_expit's NumPy ufunc directly, which a Variable refuses; "
    "xp.special.log_expit (the namespace's own) differentiates"
)

CALLS = [
    Call("SciPy", "special.logsumexp", logsumexp, (normal(5),)),
    Call(
        "SciPy", "special.logsumexp(b=)", logsumexp_weighted, (normal(5), positive(5))
    ),
    Call("SciPy", "special.softmax", softmax, (normal(3, 4),)),
    Call("SciPy", "special.log_softmax", log_softmax, (normal(3, 4),)),
    Call("SciPy", "special.ndtr", ndtr, (normal(6),)),
    Call("SciPy", "special.gammaln", gammaln, (positive(6),)),
    Call("SciPy", "special.xlogy", xlogy, (normal(5), positive(5))),
    Call("SciPy", "special.entr", entr, (positive(6, low=0.1, high=1.0),)),
    Call("SciPy", "stats.zscore", zscore, (normal(8),)),
    Call("SciPy", "stats.pearsonr", pearsonr, (normal(8), normal(8))),
    Call("SciPy", "stats.moment", moment, (normal(8),)),
    Call("SciPy", "stats.skew", skew, (normal(8),)),
    Call("SciPy", "stats.kurtosis", kurtosis, (normal(8),)),
    Call("SciPy", "stats.entropy", entropy, (positive(5), positive(5))),
    Call("SciPy", "stats.gmean", gmean, (positive(6),)),
    Call("SciPy", "stats.hmean", hmean, (positive(6),)),
    Call("SciPy", "stats.pmean", pmean, (positive(6),)),
    Call("SciPy", "stats.variation", variation, (positive(6),)),
    Call("SciPy", "stats.sem", sem, (normal(7),)),
    Call("SciPy", "integrate.trapezoid", trapezoid, (normal(6), normal(6).cumsum())),
    Call(
        "SciPy",
        "integrate.simpson",
        simpson,
        (normal(7),),
        Refused(TO_NUMPY, TypeError, "does not turn into a NumPy array"),
    ),
    Call("SciPy", "integrate.cumulative_trapezoid", cumulative_trapezoid, (normal(6),)),
    Call("SciPy", "cluster.vq.whiten", whiten, (normal(6, 3),)),
    Call(
        "SciPy",
        "stats.ttest_1samp(...).pvalue",
        ttest_1samp_pvalue,
        (normal(8),),
        expect_on={"array_api_strict": Refused(DEFAULT_DEVICE, ValueError, "devices")},
    ),
    Call("SciPy", "stats.trim_mean", trim_mean, (normal(10),)),
    Call("SciPy", "stats.describe", describe, (normal(8),)),
    Call("SciPy", "stats.iqr", iqr, (normal(9),)),
    Call("SciPy", "stats.circmean", circmean, (normal(7),)),
    Call("SciPy", "stats.boxcox_llf", boxcox_llf, (positive(7),)),
    Call("SciPy", "stats.kstat", kstat, (normal(8),)),
    Call("SciPy", "stats.directional_stats", directional_stats, (normal(5, 3),)),
    Call(
        "SciPy",
        "integrate.cumulative_simpson",
        cumulative_simpson,
        (normal(7),),
        expect_on={"array_api_strict": Refused(DEFAULT_DEVICE, ValueError, "devices")},
        # SciPy makes dx with xp.asarray(dx): float32 on PyTorch, its default
        # dtype, so SciPy's PyTorch answer is 1e-7 from its NumPy answer (xgrad
        # on PyTorch gives what SciPy gives on plain tensors)
        value_rtol=1e-6,
    ),
    Call(
        "SciPy",
        "signal.convolve",
        convolve,
        (normal(6), normal(3)),
        Refused(TO_NUMPY, TypeError, "does not turn into a NumPy array"),
    ),
    Call(
        "SciPy",
        "special.log_expit",
        log_expit,
        (normal(5),),
        Refused(UFUNC, TypeError, "does not support ufuncs"),
    ),
]
