"""The book's simple core: gradients are plain arrays (steps 28 and 29)."""

from __future__ import annotations

import numpy as np

from xgrad import core_simple
from xgrad.core_simple import Variable, setup_variable


def test_gradients_are_arrays_so_the_books_update_line_works():
    setup_variable()  # as step 28 does; a no-op for xgrad's operators
    x0, x1 = Variable(np.array(0.0)), Variable(np.array(2.0))
    for _ in range(1000):  # step 28: Rosenbrock by gradient descent
        y = 100 * (x1 - x0**2) ** 2 + (x0 - 1) ** 2
        x0.cleargrad()
        x1.cleargrad()
        y.backward()
        assert type(x0.grad) is np.ndarray
        x0.data -= 0.001 * x0.grad
        x1.data -= 0.001 * x1.grad
    # DeZero 0.0.13's step28.py ends at these values (run with numpy.int = int)
    assert (float(x0.data), float(x1.data)) == (0.6837118569138317, 0.4659526837427042)


def test_newtons_method_with_the_hand_derived_second_derivative():
    x = Variable(np.array(2.0))
    for _ in range(10):  # step 29
        y = x**4 - 2 * x**2
        x.cleargrad()
        y.backward()
        x.data -= x.grad / (12 * x.data**2 - 4)
    assert x.data == 1.0


def test_gradients_accumulate_as_arrays_and_flags_say_simple():
    x = Variable(np.array([1.0, 2.0]))
    (x * x).backward()
    (x * 3.0).backward()
    np.testing.assert_array_equal(x.grad, [5.0, 7.0])
    assert core_simple.is_simple_core
    assert isinstance(core_simple.as_variable(np.ones(1)), Variable)
