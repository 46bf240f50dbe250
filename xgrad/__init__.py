"""xgrad: define-by-run automatic differentiation on any array-API library.

The same model code runs on NumPy, CuPy, PyTorch, array-api-strict and Dask
arrays; DeZero's public API is kept, so ``import xgrad as dezero`` runs the
book's programs.
"""

__version__ = "0.1.0"

from . import (
    array_api,
    backends,
    cuda,
    dataloaders,
    datasets,
    functions,
    layers,
    models,
    optimizers,
    progress,
    random,
    testing,
    transforms,
    utils,
)
from ._device import Device
from ._errors import AxisError, JitError, Unsupported
from .config import Config, no_grad, test_mode, using_config
from .core import Constant, Function, Parameter, Variable, as_array, as_variable
from .creation import arange, asarray, full, ones, ones_like, zeros, zeros_like
from .dataloaders import DataLoader, SeqDataLoader
from .datasets import Dataset
from .debug import AnomalyError, detect_anomaly, is_anomaly_enabled, set_debug
from .devices import default_device, device, get_default_device, to_device
from .functional import grad, hessian, hvp, jacobian, jvp, value_and_grad, vjp
from .functions.arithmetic import setup_variable
from .layers import Layer
from .lazy import compute, persist
from .models import Model
from .profiler import profile
from .random import manual_seed
from .recompute import checkpoint, recompute
from .recording.jit import jit

setup_variable()

is_simple_core = False

__all__ = [
    "AnomalyError",
    "AxisError",
    "JitError",
    "jit",
    "Unsupported",
    "grad",
    "hessian",
    "hvp",
    "jacobian",
    "jvp",
    "value_and_grad",
    "vjp",
    "checkpoint",
    "recompute",
    "compute",
    "persist",
    "detect_anomaly",
    "is_anomaly_enabled",
    "profile",
    "set_debug",
    "Config",
    "Constant",
    "DataLoader",
    "Dataset",
    "datasets",
    "transforms",
    "SeqDataLoader",
    "dataloaders",
    "progress",
    "Device",
    "arange",
    "array_api",
    "cuda",
    "default_device",
    "device",
    "full",
    "get_default_device",
    "manual_seed",
    "ones",
    "ones_like",
    "random",
    "to_device",
    "zeros",
    "zeros_like",
    "Function",
    "Layer",
    "Model",
    "Parameter",
    "Variable",
    "__version__",
    "as_array",
    "as_variable",
    "asarray",
    "backends",
    "functions",
    "layers",
    "models",
    "optimizers",
    "is_simple_core",
    "no_grad",
    "setup_variable",
    "test_mode",
    "testing",
    "using_config",
    "utils",
]
