"""The array API standard on Variables of torch arrays (see xgrad.array_api)."""

import sys

from .. import backends
from .build import fill

fill(sys.modules[__name__], backends.get("torch"))
