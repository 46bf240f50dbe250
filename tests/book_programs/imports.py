"""The book's import lines, and dezero.cuda's answers."""

import dezero
import dezero.functions as F
import numpy as np
from dezero import Variable, cuda
from dezero.core import Function
from dezero.models import MLP

x = Variable(np.array([1.0, 2.0]))
y = F.sum(x**2)
y.backward()
print(x.grad)
print(cuda.get_array_module(x) is np, cuda.gpu_enable is False)
print(isinstance(MLP((2,)), dezero.Model), issubclass(Function, dezero.Function))
