"""Tools to test gradients and results, for xgrad's tests and for its users.

Everything here works through the array API standard alone (no ``nditer``,
no writes into elements), so it checks ops on every backend, and it never
modifies the arrays it is given.
"""

from .comparison import assert_close, check_backends
from .gradients import gradgradcheck, gradient_check, numerical_grad

__all__ = [
    "assert_close",
    "check_backends",
    "gradgradcheck",
    "gradient_check",
    "numerical_grad",
]
