"""xgrad's array-API namespaces: ``x.__array_namespace__()`` on every backend.

The standard's own suite (array-api-tests, the ``array-api-tests-*`` nox
sessions) checks conformance in depth; these tests check what is xgrad's:
that the namespace records on the tape, returns Variables, refuses what it
cannot differentiate, and that Variables behave as the standard's arrays.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

import xgrad
from xgrad import Constant, Variable, backends
from xgrad.array_api import standard
from xgrad.testing import assert_close, numerical_grad


@pytest.fixture
def xa(backend):
    """The backend's xgrad namespace."""
    return xgrad.array_api.namespace(backend)


def test_a_variable_names_its_backends_namespace(backend, to_backend):
    x = Variable(to_backend(np.ones(3)))
    xa = x.__array_namespace__()
    assert xa.__name__ == f"xgrad.array_api.{backend.name}"
    assert xa is x.__array_namespace__(api_version="2024.12")
    assert xa.__array_api_version__ == "2024.12"
    assert "marray" not in xa.__name__  # SciPy treats such names as masked arrays
    with pytest.raises(ValueError, match=r"api_version .2030.12. is not supported"):
        x.__array_namespace__(api_version="2030.12")


def _bare(signature):
    """``signature`` without annotations, positional-only parameters read as
    positional-or-keyword (a function that also takes ``x=`` is a
    conforming implementation of ``x, /``)."""
    params = [
        p.replace(annotation=p.empty, kind=p.POSITIONAL_OR_KEYWORD)
        if p.kind == p.POSITIONAL_ONLY
        else p.replace(annotation=p.empty)
        for p in signature.parameters.values()
    ]
    return signature.replace(parameters=params, return_annotation=signature.empty)


def test_every_standard_function_is_there_with_the_standards_signature(xa):
    for table, space in (
        (standard.MAIN, xa),
        (standard.LINALG, xa.linalg),
        (standard.FFT, xa.fft),
    ):
        for name, text in table.items():
            ours = inspect.signature(getattr(space, name))
            assert _bare(ours) == _bare(standard.signature(text)), name
    for name in (*standard.CONSTANTS, *standard.DTYPES):
        assert hasattr(xa, name) or name in xa_backend(xa).partial_dtypes, name


def xa_backend(xa):
    return backends.get(xa.__name__.rpartition(".")[2])


def test_dtypes_are_the_librarys_own(backend, to_backend, xa):
    x = Variable(to_backend(np.ones(2, dtype=np.float32)))
    assert x.dtype == xa.float32
    assert xa.zeros(2, dtype=xa.int8).dtype == backend.xp.int8


def test_namespace_functions_record_on_the_tape(backend, to_backend, xa):
    a = np.array([[0.5, 1.5], [2.0, 0.25]])

    def loss(x):
        y = xa.sum(xa.exp(x) * xa.sqrt(x), axis=0)
        z = xa.concat([y, xa.reshape(x, (4,))], axis=None)
        return xa.mean(xa.where(z > 1.0, z, -z) ** 2)

    x = Variable(to_backend(a))
    loss(x).backward()
    expected = numerical_grad(lambda v: loss(v), to_backend(a))
    assert_close(x.grad.data, expected, rtol=1e-5)


def test_results_are_variables_and_integer_results_are_constants(to_backend, xa):
    x = Variable(to_backend(np.array([3.0, -1.0, 2.0])))
    for result in (xa.argmax(x), xa.isnan(x), x > 0, x == 1.0, xa.argsort(x)):
        assert type(result) is Constant
    assert xgrad.cuda.as_numpy(xa.argmax(x)) == 0
    values, counts = xa.unique_counts(xa.asarray([1, 1, 2]))
    assert type(values) is Constant
    assert type(counts) is Constant


def test_a_function_without_a_gradient_yet_refuses_one_and_computes_without(xa):
    name = next(
        n
        for n in standard.ELEMENTWISE
        if "gradient yet" in (getattr(xa, n).__doc__ or "")
    )
    needs = Variable(xa.asarray([0.5]).data)
    with pytest.raises(xgrad.Unsupported, match=rf"{name}: xgrad has no gradient"):
        getattr(xa, name)(needs, *([needs] if "x2" in standard.MAIN[name] else []))
    plain = Constant(needs.data)
    getattr(xa, name)(plain, *([plain] if "x2" in standard.MAIN[name] else []))


def test_asarray_keeps_variables_on_the_tape(to_backend, xa):
    a, b = Variable(to_backend(np.array(2.0))), Variable(to_backend(np.array(3.0)))
    assert xa.asarray(a) is a
    v = xa.asarray([a, b * a])
    assert v.shape == (2,)
    xa.sum(v).backward()
    assert float(a.grad) == 4.0
    assert float(b.grad) == 2.0


def test_astype_between_floating_dtypes_casts_the_gradient_back(to_backend, xa):
    x = Variable(to_backend(np.array([1.0, 2.0])))
    y = xa.astype(x, xa.float32)
    assert y.dtype == xa.float32
    xa.sum(y * y).backward()
    assert x.grad.dtype == xa.float64
    assert type(xa.astype(x, xa.int32)) is Constant  # no derivative to carry


# -- the array object --------------------------------------------------------------
def test_python_conversions_of_one_element_variables(backend, to_backend):
    if backend.lazy:
        pytest.skip("Dask refuses them: tested below")
    x = Variable(to_backend(np.array(2.0)))
    assert bool(x)
    assert float(x) == 2.0
    assert complex(x) == 2.0
    n = Variable(to_backend(np.array(3)))
    assert int(n) == 3
    assert [10, 20, 30, 40][n] == 40
    with pytest.raises(TypeError, match=r"truth value of a Variable with 3 elements"):
        bool(Variable(to_backend(np.ones(3))))
    with pytest.raises(TypeError, match=r"int\(\) of a Variable of shape \(2,\)"):
        int(Variable(to_backend(np.ones(2))))


def test_lazy_variables_refuse_hidden_computation(dask_array):
    x = Variable(dask_array.from_array(np.array(1.0)))
    with pytest.raises(TypeError, match=r"bool.. of a lazy dask Variable"):
        bool(x)
    assert float(x) == 1.0  # float() is the explicit way to read a value


def test_numpy_conversion_of_a_variable_is_an_error_not_an_object_array():
    x = Variable(np.ones(3))
    with pytest.raises(TypeError, match=r"Variable.__array__: .*`x.data`"):
        np.asarray(x)


def test_dlpack_refuses_a_variable_that_needs_a_gradient():
    x = Variable(np.arange(3.0))
    with pytest.raises(TypeError, match="__dlpack__: this Variable needs a gradient"):
        np.from_dlpack(x)
    np.testing.assert_array_equal(np.from_dlpack(Constant(np.arange(3.0))), [0, 1, 2])


def test_bitwise_and_reflected_operators(to_backend):
    m = Variable(to_backend(np.array([True, False])))
    k = Variable(to_backend(np.array([1, 6])))
    assert type(m & True) is Constant
    assert type(True | m) is Constant
    np.testing.assert_array_equal(
        backends.of((~m).data).to_numpy((~m).data), [False, True]
    )
    np.testing.assert_array_equal(xgrad.cuda.as_numpy((k << 1) ^ 3), [1, 15])


def test_matrix_transpose_attribute(to_backend):
    x = Variable(to_backend(np.arange(6.0).reshape(1, 2, 3)))
    assert x.mT.shape == (1, 3, 2)


def test_the_registry_does_not_take_a_variable_for_an_array():
    with pytest.raises(
        TypeError, match="is an xgrad Variable where an array is expected"
    ):
        backends.of(Variable(np.ones(2)))


def test_floor_division_and_remainder_operators_are_differentiable():
    x = Variable(np.array([7.5, -2.5]))
    ((x // 2) + (x % 2)).sum().backward()
    np.testing.assert_array_equal(
        x.grad.data, [1.0, 1.0]
    )  # d(x % 2)/dx = 1; // is flat
    assert math.isclose(float(Constant(np.array(7.0)) // 2), 3.0)


def test_scipys_special_hook_is_differentiable(to_backend, xa):
    """SciPy calls ``xp.special.<name>`` before it falls back to NumPy."""
    a = np.array([0.3, 1.5, 4.0])

    def loss(x):
        s = xa.special
        return xa.sum(s.gammaln(x) + s.ndtr(x) * s.expit(x) + s.polygamma(1, x))

    x = Variable(to_backend(a))
    loss(x).backward()
    assert_close(x.grad.data, numerical_grad(loss, to_backend(a)), rtol=1e-5)
    assert not hasattr(xa.special, "gamma")  # SciPy's own fallback runs for the rest
