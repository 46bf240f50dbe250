"""Gradient descent with the simple core, as the book's steps 28 and 29 run it."""

import dezero
import numpy as np
from dezero import Variable

if not dezero.is_simple_core:
    from dezero.core_simple import Variable, setup_variable

    setup_variable()


def valley(x0, x1):
    return 50 * (x1 - x0**2) ** 2 + (x0 - 2) ** 2 / 4


x0 = Variable(np.array(0.5))
x1 = Variable(np.array(1.5))
for i in range(301):
    y = valley(x0, x1)
    x0.cleargrad()
    x1.cleargrad()
    y.backward()
    if i % 100 == 0:
        print(i, x0, x1, y, x0.grad)
    x0.data -= 0.002 * x0.grad
    x1.data -= 0.002 * x1.grad
