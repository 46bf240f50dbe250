"""The array API standard on Variables of array_api_strict arrays (see xgrad.array_api)."""

import sys

from .. import backends
from .build import fill

fill(sys.modules[__name__], backends.get("array_api_strict"))
