"""Learning-rate schedules: ``StepLR``, ``CosineLR``, and the ``LRScheduler`` base.

Also importable from :mod:`xgrad.optimizers`, as before.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .recording.host import host

if TYPE_CHECKING:
    from .optimizers import Optimizer

__all__ = ["CosineLR", "LRScheduler", "StepLR"]


class LRScheduler:
    """Base of the schedules: ``step()`` sets the lr to ``get_lr(last_step)``.

    The lr is the optimizer's ``lr_attr`` (``lr``; Adam's ``alpha``), and
    ``base_lr`` its value at the start; to resume, restore ``last_step``.
    """

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer, self.attr = optimizer, getattr(optimizer, "lr_attr", "lr")
        if self.attr is None:
            kind = type(optimizer).__name__
            raise TypeError(f"{type(self).__name__}: {kind} has no learning rate")
        self.base_lr = float(getattr(optimizer, self.attr))
        self.last_step = 0

    def get_lr(self, step: int) -> float:
        """The learning rate after ``step`` calls of :meth:`step`."""
        raise NotImplementedError(f"{type(self).__name__}.get_lr")

    @host  # inside a step that xgrad.jit replays, the schedule still moves on
    def step(self) -> float:
        """Advance one step (an epoch or an iteration, as you call it); returns the lr."""
        self.last_step += 1
        lr = self.get_lr(self.last_step)
        setattr(self.optimizer, self.attr, lr)
        return lr


class StepLR(LRScheduler):
    """``lr = base_lr * gamma ** (step // step_size)``: decay every ``step_size``."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        super().__init__(optimizer)
        self.step_size, self.gamma = step_size, gamma

    def get_lr(self, step: int) -> float:
        return self.base_lr * self.gamma ** (step // self.step_size)


class CosineLR(LRScheduler):
    """Cosine annealing from ``base_lr`` to ``min_lr`` over ``total_steps``, then flat."""

    def __init__(self, optimizer: Optimizer, total_steps: int, min_lr: float = 0.0):
        super().__init__(optimizer)
        self.total_steps, self.min_lr = total_steps, min_lr

    def get_lr(self, step: int) -> float:
        s = min(step, self.total_steps)
        cosine = (1 + math.cos(math.pi * s / self.total_steps)) / 2
        return self.min_lr + (self.base_lr - self.min_lr) * cosine
