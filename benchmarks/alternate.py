"""Timing steps side by side, as the pair benchmarks (mlp.py, gpt_step.py) do.

Each round runs every step once, one round right after the other, so that
the machine's noise reaches all alike; a ratio is the median of the
per-round ratios of two steps' times.

The orders matter beyond noise: a step that streams megabytes leaves the
next one's arrays out of the caches, and one that allocates a lot leaves the
allocator in another state. Rotating a fixed order does not balance that
for three steps or more: in ``a b c``, ``b c a``, ``c a b`` the step ``c``
runs right after ``b`` in every round but one in three. :func:`orders` makes
a cycle of rounds in which every step runs right after every other step
exactly once (two steps take turns going first, ``a b``, ``b a``, so each
runs after itself and after the other equally often); a number of rounds
that is not a whole number of cycles leaves the last one partial.
"""

from __future__ import annotations

import itertools
import json
import statistics
import subprocess
import sys
import time
from typing import Any


def alternate(steps: dict[str, Any], ours: str, theirs: str, repeats: int) -> dict:
    """Run ``steps[name].step()`` ``repeats`` times each, in the rounds of :func:`orders`.

    Returns the median per-round ratio ``ours / theirs``, that of every step
    against ``theirs`` (``ratios``) and each step's median time in milliseconds.
    """
    cycle = orders(list(steps))
    times: dict[str, list[float]] = {name: [] for name in steps}
    for r in range(repeats):
        for name in cycle[r % len(cycle)]:
            start = time.perf_counter()
            steps[name].step()
            times[name].append(time.perf_counter() - start)

    def ratio(name: str) -> float:
        pairs = zip(times[name], times[theirs], strict=True)
        return statistics.median([a / b for a, b in pairs])

    return {
        "ratio": ratio(ours),
        "ratios": {name: ratio(name) for name in steps},
        "ms": {name: statistics.median(v) * 1e3 for name, v in times.items()},
    }


def orders(names: list[str]) -> list[list[str]]:
    """``len(names) - 1`` rounds (two for two names), each running every name
    once, such that run one after the other, and again from the first, every
    name comes right after every other name exactly once (found by a short
    search; instant for the few steps a benchmark compares)."""
    n = len(names)
    if n < 3:  # two take turns going first (a rotation, balanced for two)
        return [names, names[::-1]] if n == 2 else [names]
    rounds = list(itertools.permutations(range(n)))

    def extend(chosen: list[tuple[int, ...]], used: set) -> list | None:
        if len(chosen) == n - 1:  # closing the cycle: last name, then the first
            last = (chosen[-1][-1], chosen[0][0])
            return chosen if last[0] != last[1] and last not in used else None
        for order in rounds:
            follows = list(itertools.pairwise(order))
            if chosen:
                follows.append((chosen[-1][-1], order[0]))
            if all(a != b and (a, b) not in used for a, b in follows):
                found = extend([*chosen, order], used | set(follows))
                if found:
                    return found
        return None

    found = extend([], set())
    if found is None:
        raise ValueError(f"no balanced order for {n} steps")
    return [[names[i] for i in order] for order in found]


def in_child(script: str, *flags: str) -> dict[str, Any]:
    """Run ``python script *flags`` in a fresh process; its printed JSON.

    A fresh process per measurement: where the big arrays land in memory
    moves a single process's ratio, so the benchmarks take medians over many.
    """
    done = subprocess.run(
        [sys.executable, script, *flags], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{script} {' '.join(flags)} failed:\n{done.stderr}")
    return json.loads(done.stdout)
