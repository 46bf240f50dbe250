"""Neural-network functions: dropout, batch_norm, embed_id, accuracy, on every backend."""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Variable, testing
from xgrad.cuda import as_numpy

# -- dropout -----------------------------------------------------------------------


def test_dropout_keeps_about_one_minus_ratio_of_the_elements(to_backend):
    x = Variable(to_backend(np.ones(20_000, dtype=np.float32)))
    y = F.dropout(x, dropout_ratio=0.3)
    kept = as_numpy(y) != 0
    assert abs(kept.mean() - 0.7) < 0.02  # 0.02 is over 6 standard deviations


def test_dropout_scales_the_kept_elements_by_one_over_one_minus_ratio(
    backend, to_backend, rng
):
    a = rng.uniform(1.0, 2.0, size=(50, 40)).astype(np.float32)
    y = F.dropout(Variable(to_backend(a)), dropout_ratio=0.75)
    out = as_numpy(y)
    kept = out != 0
    assert y.backend is backend
    assert y.dtype == to_backend(a).dtype
    assert 0 < kept.sum() < a.size
    np.testing.assert_allclose(out[kept], a[kept] * 4.0, rtol=1e-6)


def test_dropout_gradient_is_the_scaled_mask(to_backend, rng):
    a = rng.uniform(1.0, 2.0, size=(30, 30))
    x = Variable(to_backend(a))
    y = F.dropout(x, dropout_ratio=0.5)
    y.backward()
    mask = as_numpy(y) != 0
    np.testing.assert_array_equal(as_numpy(x.grad), mask * 2.0)


def test_dropout_in_test_mode_passes_x_through(to_backend, rng):
    a = rng.standard_normal((4, 5))
    x = Variable(to_backend(a))
    with xgrad.test_mode():
        y = F.dropout(x, dropout_ratio=0.9)
    np.testing.assert_array_equal(as_numpy(y), a)


def test_dropout_masks_repeat_after_manual_seed(to_backend):
    x = Variable(to_backend(np.ones((20, 20))))
    xgrad.manual_seed(7)
    first = as_numpy(F.dropout(x))
    second = as_numpy(F.dropout(x))
    xgrad.manual_seed(7)
    again = as_numpy(F.dropout(x))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, second)  # the stream moves on between calls


@pytest.mark.parametrize("ratio", [1.0, 1.5, -0.1])
def test_dropout_ratio_outside_zero_one_is_an_error(ratio):
    x = Variable(np.ones(3))
    with pytest.raises(ValueError, match=r"dropout_ratio must be in \[0, 1\)"):
        F.dropout(x, dropout_ratio=ratio)


# -- batch_norm --------------------------------------------------------------------

GAMMA = np.array([1.0, 2.0, 0.5])
BETA = np.array([0.5, -1.0, 2.0])


def _channels(a):
    """(N, C) or (N, C, H, W) as (rows, C)."""
    return a if a.ndim == 2 else a.transpose(0, 2, 3, 1).reshape(-1, a.shape[1])


@pytest.mark.parametrize("shape", [(64, 3), (8, 3, 5, 5)], ids=["2d", "4d"])
def test_batch_norm_output_has_mean_beta_and_std_gamma(shape, to_backend, rng):
    # per-channel offsets and scales that batch_norm must remove
    centre = np.array([3.0, -2.0, 10.0]).reshape((1, 3) + (1,) * (len(shape) - 2))
    a = rng.standard_normal(shape) * 4.0 + centre
    y = F.batch_norm(
        to_backend(a),
        to_backend(GAMMA),
        to_backend(BETA),
        to_backend(np.zeros(3)),
        to_backend(np.ones(3)),
    )
    assert y.shape == shape
    out = _channels(as_numpy(y))
    np.testing.assert_allclose(out.mean(axis=0), BETA, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=0), GAMMA, rtol=1e-5)


def test_batch_norm_updates_running_stats_in_variables(to_backend, rng):
    a = rng.standard_normal((8, 3, 2, 2)) + 1.0
    mean0, var0 = np.array([0.1, 0.2, 0.3]), np.array([1.0, 2.0, 3.0])
    running_mean = Variable(to_backend(mean0))
    running_var = Variable(to_backend(var0))
    F.batch_norm(
        to_backend(a),
        to_backend(GAMMA),
        to_backend(BETA),
        running_mean,
        running_var,
        decay=0.8,
    )
    rows = _channels(a)
    np.testing.assert_allclose(
        as_numpy(running_mean), 0.8 * mean0 + 0.2 * rows.mean(axis=0)
    )
    # the running variance is the unbiased one (ddof=1), as DeZero's
    np.testing.assert_allclose(
        as_numpy(running_var), 0.8 * var0 + 0.2 * rows.var(axis=0, ddof=1)
    )


def test_batch_norm_updates_running_stat_arrays_in_place(to_backend, rng):
    a = rng.standard_normal((10, 3))
    running_mean = to_backend(np.zeros(3))
    running_var = to_backend(np.ones(3))
    F.batch_norm(
        to_backend(a), to_backend(GAMMA), to_backend(BETA), running_mean, running_var
    )
    np.testing.assert_allclose(as_numpy(running_mean), 0.1 * a.mean(axis=0))
    np.testing.assert_allclose(as_numpy(running_var), 0.9 + 0.1 * a.var(axis=0, ddof=1))


def test_batch_norm_updates_numpy_arrays_in_place(rng):
    a = rng.standard_normal((10, 3)).astype(np.float32)
    running_mean = np.zeros(3, dtype=np.float32)
    running_var = np.ones(3, dtype=np.float32)
    before = running_mean
    gamma, beta = GAMMA.astype(np.float32), BETA.astype(np.float32)
    F.batch_norm(a, gamma, beta, running_mean, running_var)
    assert running_mean is before
    assert running_mean.dtype == np.float32
    np.testing.assert_allclose(running_mean, 0.1 * a.mean(axis=0), rtol=1e-5)


def test_batch_norm_in_test_mode_uses_the_running_stats(to_backend, rng):
    a = rng.standard_normal((6, 3))
    mean, var = np.array([0.5, -0.5, 1.0]), np.array([4.0, 0.25, 1.0])
    running_mean, running_var = Variable(to_backend(mean)), Variable(to_backend(var))
    with xgrad.test_mode():
        y = F.batch_norm(
            to_backend(a),
            to_backend(GAMMA),
            to_backend(BETA),
            running_mean,
            running_var,
            eps=1e-5,
        )
    expected = GAMMA * (a - mean) / np.sqrt(var + 1e-5) + BETA
    np.testing.assert_allclose(as_numpy(y), expected)
    np.testing.assert_array_equal(as_numpy(running_mean), mean)  # not updated
    np.testing.assert_array_equal(as_numpy(running_var), var)


def _batch_norm_of(to_backend, channels):
    """batch_norm with fresh running statistics at every call (they get updated)."""

    def f(x, gamma, beta):
        return F.batch_norm(
            x,
            gamma,
            beta,
            to_backend(np.zeros(channels)),
            to_backend(np.ones(channels)),
        )

    return f


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2, 2)], ids=["2d", "4d"])
def test_batch_norm_gradients_match_central_differences(shape, to_backend, rng):
    f = _batch_norm_of(to_backend, shape[1])
    x = to_backend(rng.standard_normal(shape))
    gamma, beta = to_backend(GAMMA), to_backend(BETA)
    # a non-uniform upstream gradient: d(sum y)/dx of a normalisation is zero
    w = to_backend(rng.standard_normal(shape))
    testing.gradient_check(lambda *a: F.mul(f(*a), w), x, gamma, beta)


def test_batch_norm_second_derivatives_match_central_differences(to_backend, rng):
    f = _batch_norm_of(to_backend, 3)
    x = to_backend(rng.standard_normal((4, 3)))
    testing.gradgradcheck(f, x, to_backend(GAMMA), to_backend(BETA))


def test_batch_nrom_is_the_books_spelling_of_batch_norm():
    assert F.batch_nrom is F.batch_norm


# -- embed_id ----------------------------------------------------------------------


def test_embed_id_picks_rows_with_shape_ids_plus_d(to_backend, rng):
    w = rng.standard_normal((5, 3))
    ids = np.array([[0, 2], [4, 2]])
    y = F.embed_id(to_backend(ids), Variable(to_backend(w)))
    assert y.shape == (2, 2, 3)
    np.testing.assert_array_equal(as_numpy(y), w[ids])


def test_embed_id_repeated_ids_accumulate_their_gradients(to_backend, rng):
    W = Variable(to_backend(rng.standard_normal((4, 2))))
    F.embed_id(to_backend(np.array([1, 3, 1, 1])), W).backward()
    expected = np.array([[0.0, 0.0], [3.0, 3.0], [0.0, 0.0], [1.0, 1.0]])
    np.testing.assert_array_equal(as_numpy(W.grad), expected)


def test_embed_id_takes_numpy_ids_on_any_backend(backend, device_spec, to_backend, rng):
    w = rng.standard_normal((6, 4))
    ids = np.array([5, 0, 5])
    y = F.embed_id(ids, Variable(to_backend(w)))
    assert y.backend is backend
    assert str(y.device) == str(xgrad.device(device_spec))
    np.testing.assert_array_equal(as_numpy(y), w[ids])


def test_embed_id_gradient_matches_central_differences(to_backend, rng):
    ids = to_backend(np.array([[2, 0], [2, 1]]))
    w = to_backend(rng.standard_normal((3, 2)))
    upstream = to_backend(rng.standard_normal((2, 2, 2)))
    testing.gradient_check(lambda W: F.mul(F.embed_id(ids, W), upstream), w)


# -- accuracy ----------------------------------------------------------------------

SCORES = np.array([[0.2, 0.8, 0.0], [0.1, 0.3, 0.6], [0.9, 0.05, 0.05]])


def test_accuracy_is_the_fraction_of_correct_arg_maxes(to_backend):
    acc = F.accuracy(Variable(to_backend(SCORES)), to_backend(np.array([1, 2, 1])))
    assert acc.shape == ()
    np.testing.assert_allclose(as_numpy(acc), 2 / 3)


def test_accuracy_has_no_creator_so_nothing_backpropagates(to_backend):
    y = Variable(to_backend(SCORES))
    acc = F.accuracy(y * 2.0, Variable(to_backend(np.array([1, 2, 0]))))
    np.testing.assert_allclose(as_numpy(acc), 1.0)
    assert acc.creator is None
