"""Book mode: the programs of *Deep Learning from Scratch 3* unchanged, with its numbers.

``python -m xgrad.book PROGRAM.py [args]`` runs a book program; in a notebook,
``xgrad.book.install()`` before ``import dezero``. Book mode

- imports ``dezero`` and its submodules as xgrad (``dezero.functions`` is
  ``xgrad.functions``, ...), so ``from dezero import Variable`` works;
- draws every random number from NumPy's global stream with DeZero's calls,
  in DeZero's order and with DeZero's dtypes (weights, dropout masks,
  shuffling, the spiral's and SinCurve's data), so ``np.random.seed(0)``
  brings the book's numbers (:class:`xgrad.random.NumPyGlobalGenerator`);
- answers as ``dezero.cuda`` does: ``get_array_module`` returns the ``numpy``
  or ``cupy`` module itself;
- with ``device=`` (``--device``), runs on that device: parameters, random
  draws and data loaders are made there and NumPy arrays handed to xgrad
  move there; ``cuda.gpu_enable`` is whether that device is a GPU.

Everything else is xgrad as it always is: docs/dezero.md lists what differs.
"""

from __future__ import annotations

from typing import Any

from .. import cuda
from .. import random as xrandom
from ..devices import device as _device
from ._aliases import DezeroAliases
from ._aliases import install as _install_aliases
from ._aliases import uninstall as _uninstall_aliases
from ._follow import HostArraysFollow

__all__ = ["install", "is_installed", "uninstall"]


class _State:
    finder = DezeroAliases()
    installed = False
    previous_generator: xrandom.Generator | None = None
    follow: HostArraysFollow | None = None


def install(device: Any = None) -> None:
    """Turn book mode on for this interpreter (call it before ``import dezero``).

    Parameters
    ----------
    device : str, optional
        Run on this device (``"cupy"``, ``"torch:cpu"``, ``"torch:cuda:0"``
        ...) instead of NumPy. Installing again with another device switches.

    Examples
    --------
    >>> import xgrad.book
    >>> xgrad.book.install()
    >>> from dezero import Variable
    >>> import xgrad
    >>> Variable is xgrad.Variable
    True
    >>> xgrad.book.uninstall()
    """
    dev = None if device is None else _device(device)
    if _State.installed:
        uninstall()
    _install_aliases(_State.finder)
    _State.previous_generator = xrandom.default_generator()
    xrandom.set_default_generator(xrandom.NumPyGlobalGenerator())
    if dev is not None and dev.backend != "numpy":
        _State.follow = HostArraysFollow(dev)
        _State.follow.start()
    cuda.set_book_mode(True, dev)
    _State.installed = True


def uninstall() -> None:
    """Turn book mode off: xgrad's own random streams, no ``dezero`` aliases."""
    if not _State.installed:
        return
    cuda.set_book_mode(False)
    if _State.follow is not None:
        _State.follow.stop()
        _State.follow = None
    if _State.previous_generator is not None:
        xrandom.set_default_generator(_State.previous_generator)
    _uninstall_aliases(_State.finder)
    _State.installed = False


def is_installed() -> bool:
    """Whether book mode is on."""
    return _State.installed
