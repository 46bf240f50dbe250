"""A progress bar for long loops: tqdm when installed, a plain line otherwise.

``progress(loader)`` wraps any iterable (a ``DataLoader`` included) and gives
back its items. With `tqdm <https://tqdm.github.io>`_ installed it is a tqdm
bar; without it, :class:`Progress` writes a compact line to standard error,
at most every half second::

    epoch 1: 120/469 (26%) 85.3 it/s 00:01<00:04 loss=0.312

On a terminal the line is rewritten in place (carriage return); in a log file
or a pipe each update is a line of its own. ``disable=True`` or the
environment variable ``XGRAD_PROGRESS=0`` turns every bar off.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any, Self, TextIO

__all__ = ["Progress", "progress"]

_clock = time.monotonic  # module-level so that tests can fake the time
_OFF = {"0", "false", "no", "off"}


def progress(
    iterable: Iterable[Any] | None = None,
    total: int | None = None,
    desc: str | None = None,
    disable: bool | None = None,
) -> Any:
    """Wrap ``iterable`` in a progress bar; iterate over the result as over it.

    Parameters
    ----------
    iterable
        What to loop over. Without it, count by hand with ``bar.update(n)``.
    total : int, optional
        The number of items, when ``len(iterable)`` does not say.
    desc : str, optional
        A label written before the count (``"epoch 3"``).
    disable : bool, optional
        True: no bar at all. The bar is also off when the environment variable
        ``XGRAD_PROGRESS`` is ``0`` (or ``false``, ``no``, ``off``).

    Returns
    -------
    A ``tqdm.tqdm`` bar when tqdm is installed (and the bar is on), else a
    :class:`Progress`. Both iterate, and both have ``update(n=1)``,
    ``set_postfix(**values)``, ``set_description(desc)``, ``close()``,
    ``len()`` and ``with`` support.

    Examples
    --------
    >>> from xgrad.progress import progress
    >>> sum(progress(range(4), desc="adding", disable=True))
    6
    """
    if disable or os.environ.get("XGRAD_PROGRESS", "").strip().lower() in _OFF:
        return Progress(iterable, total, desc, disable=True)
    try:
        from tqdm import tqdm
    except ImportError:
        return Progress(iterable, total, desc)
    return tqdm(iterable, total=total, desc=desc, disable=False)


class Progress:
    """The plain progress line used when tqdm is not installed.

    It counts items, and writes ``desc: n/total (pct%) rate elapsed<left`` to
    ``file`` (standard error) at most every ``interval`` seconds and once at
    the end. On a terminal it rewrites one line with a carriage return;
    elsewhere it writes whole lines.
    """

    interval = 0.5  # seconds between two writes

    def __init__(
        self,
        iterable: Iterable[Any] | None = None,
        total: int | None = None,
        desc: str | None = None,
        disable: bool = False,
        file: TextIO | None = None,
    ) -> None:
        if total is None and iterable is not None:
            try:
                total = len(iterable)  # type: ignore[arg-type]
            except TypeError:
                total = None  # a generator: counts without a total
        self.iterable, self.total, self.desc = iterable, total, desc
        self.disable = disable
        self.n = 0
        self.postfix = ""
        self.file = sys.stderr if file is None else file
        self._tty = _isatty(self.file)
        self._start = self._last = _clock()
        self._width = 0  # length of the line on screen, to blank what is left
        self._shown = ""  # the last line written
        self._closed = disable

    def __iter__(self) -> Iterator[Any]:
        if self.iterable is None:
            raise TypeError(
                "progress: nothing to iterate; pass an iterable, or count by hand "
                "with bar.update(n)"
            )
        if self.disable:
            yield from self.iterable
            return
        try:
            for item in self.iterable:
                yield item
                self.update()  # counted when the loop body is done, as tqdm does
        finally:
            self.close()

    def __len__(self) -> int:
        if self.total is None:
            raise TypeError("progress: the bar has no total (pass total=)")
        return self.total

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, n: int = 1) -> None:
        """Count ``n`` more items; write the line if ``interval`` has passed."""
        if self.disable:
            return
        self.n += n
        now = _clock()
        if now - self._last >= self.interval:
            self._last = now
            self._write(self.format(now))

    def set_postfix(self, **values: Any) -> None:
        """Show ``name=value`` pairs after the count (floats with 4 digits)."""
        self.postfix = ", ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in values.items()
        )

    def set_description(self, desc: str | None = None) -> None:
        """Change the label before the count."""
        self.desc = desc

    def close(self) -> None:
        """Write the final line (once, unless already shown); later calls do nothing."""
        if self._closed:
            return
        self._closed = True
        line = self.format(_clock())
        if self._tty or line != self._shown:
            self._write(line, end="\n")

    def format(self, now: float | None = None) -> str:
        """The line as it would be written now."""
        elapsed = (_clock() if now is None else now) - self._start
        parts = [f"{self.desc}:"] if self.desc else []
        if self.total is None:
            parts.append(f"{self.n} it")
        else:
            percent = 100 * self.n // self.total if self.total else 100
            parts.append(f"{self.n}/{self.total} ({percent}%)")
        parts.append(_rate(self.n, elapsed))
        timing = _clock_text(elapsed)
        if self.total is not None and 0 < self.n < self.total and elapsed > 0:
            timing += "<" + _clock_text(elapsed / self.n * (self.total - self.n))
        parts.append(timing)
        if self.postfix:
            parts.append(self.postfix)
        return " ".join(parts)

    def _write(self, line: str, end: str = "") -> None:
        self._shown = line
        if self._tty:
            padding = " " * max(0, self._width - len(line))
            self._width = len(line)
            self.file.write(f"\r{line}{padding}{end}")
        else:
            self.file.write(line + "\n")
        self.file.flush()


def _isatty(file: Any) -> bool:
    try:
        return bool(file.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _rate(n: int, elapsed: float) -> str:
    """``12.3 it/s``, or ``2.50 s/it`` for slow loops."""
    if n == 0 or elapsed <= 0:
        return "? it/s"
    rate = n / elapsed
    return f"{rate:.1f} it/s" if rate >= 1 else f"{1 / rate:.2f} s/it"


def _clock_text(seconds: float) -> str:
    """``mm:ss``, or ``h:mm:ss`` from an hour on."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
