"""Timing two steps side by side, as the pair benchmarks (mlp.py, gpt_step.py) do.

Rounds alternate which step runs first, so the machine's noise reaches both
alike; the ratio is the median of the per-round ratios of the two times.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from typing import Any


def alternate(steps: dict[str, Any], ours: str, theirs: str, repeats: int) -> dict:
    """Run ``steps[name].step()`` ``repeats`` times each, alternating the order.

    Returns the median per-round ratio ``ours / theirs``, that of every step
    against ``theirs`` (``ratios``) and each step's median time in milliseconds.
    """
    order = list(steps)
    times: dict[str, list[float]] = {name: [] for name in steps}
    for r in range(repeats):
        shift = r % len(order)
        for name in order[shift:] + order[:shift]:
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
