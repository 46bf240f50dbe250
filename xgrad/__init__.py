"""xgrad: define-by-run automatic differentiation on any array-API library.

The same model code runs on NumPy, CuPy, PyTorch, array-api-strict and Dask
arrays; DeZero's public API is kept, so ``import xgrad as dezero`` runs the
book's programs.
"""

__version__ = "0.1.0"

from . import backends
from .config import Config, no_grad, test_mode, using_config
from .core import Function, Parameter, Variable, as_array, as_variable
from .creation import asarray
from .functions.arithmetic import setup_variable

setup_variable()

from . import functions, testing, utils

is_simple_core = False

__all__ = [
    "Config",
    "Function",
    "Parameter",
    "Variable",
    "__version__",
    "as_array",
    "as_variable",
    "asarray",
    "backends",
    "functions",
    "is_simple_core",
    "no_grad",
    "setup_variable",
    "test_mode",
    "testing",
    "using_config",
    "utils",
]
