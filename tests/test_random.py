"""xgrad.random: seedable draws on every backend and device."""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
from xgrad.random import Generator


def test_draws_land_on_the_requested_backend_device_and_dtype(backend, device_spec):
    g = Generator(0)
    for draw in (
        g.uniform(-1.0, 1.0, (3, 4), device=device_spec),
        g.normal(0.0, 2.0, (3, 4), device=device_spec),
        g.bernoulli(0.5, (3, 4), device=device_spec),
    ):
        assert backend.owns(draw)
        assert str(xgrad.device(backend.device_of(draw))) == str(
            xgrad.device(device_spec)
        )
        assert tuple(draw.shape) == (3, 4)
        assert draw.dtype == backend.default_float(backend.device_of(draw))
    ints = g.integers(0, 5, 100, device=device_spec)
    values = backend.to_numpy(ints)
    assert values.min() >= 0
    assert values.max() < 5


def test_float32_draws(backend, device_spec):
    x = Generator(0).normal(size=8, dtype=backend.xp.float32, device=device_spec)
    assert x.dtype == backend.xp.float32


def test_the_same_seed_repeats_on_each_backend(device_spec, backend):
    a = Generator(7).uniform(size=5, device=device_spec)
    b = Generator(7).uniform(size=5, device=device_spec)
    np.testing.assert_array_equal(backend.to_numpy(a), backend.to_numpy(b))
    c = Generator(8).uniform(size=5, device=device_spec)
    assert not np.array_equal(backend.to_numpy(a), backend.to_numpy(c))


def test_a_saved_state_resumes_the_draws_exactly(backend, device_spec):
    g = Generator(5)
    g.normal(size=3, device=device_spec)  # the stream has moved on
    state = g.get_state()
    expected = [
        g.uniform(size=4, device=device_spec),
        g.permutation(6, device=device_spec),
    ]
    resumed = Generator()
    resumed.set_state(state)
    got = [
        resumed.uniform(size=4, device=device_spec),
        resumed.permutation(6, device=device_spec),
    ]
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_array_equal(backend.to_numpy(a), backend.to_numpy(b))


def test_numpy_and_strict_give_the_same_values_for_one_seed():
    pytest.importorskip("array_api_strict")
    a = Generator(3).normal(size=6)
    b = Generator(3).normal(size=6, device="array_api_strict:device1")
    np.testing.assert_array_equal(a, np.asarray(xgrad.to_device(b, "numpy")))


def test_manual_seed_makes_the_default_generator_repeat():
    xgrad.manual_seed(42)
    first = xgrad.random.uniform(size=4)
    xgrad.manual_seed(42)
    np.testing.assert_array_equal(xgrad.random.uniform(size=4), first)


def test_permutation_is_a_permutation(backend, device_spec):
    p = backend.to_numpy(Generator(0).permutation(10, device=device_spec))
    assert sorted(p.tolist()) == list(range(10))


def test_bernoulli_has_the_right_mean():
    mask = Generator(0).bernoulli(0.3, 20_000)
    assert abs(float(mask.mean()) - 0.3) < 0.02
    assert set(np.unique(mask).tolist()) <= {0.0, 1.0}


def test_distributions_have_the_right_moments():
    g = Generator(1)
    u = g.uniform(2.0, 4.0, 50_000)
    n = g.normal(1.0, 3.0, 50_000)
    assert u.min() >= 2.0
    assert u.max() < 4.0
    assert abs(u.mean() - 3.0) < 0.02
    assert abs(n.mean() - 1.0) < 0.05
    assert abs(n.std() - 3.0) < 0.05


def test_float32_only_device_gets_float32_draws():
    strict = pytest.importorskip("array_api_strict")
    x = Generator(0).normal(size=3, device="array_api_strict:no_float64")
    assert x.dtype == strict.float32
