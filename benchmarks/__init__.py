"""Benchmarks: scripts that measure speed and print a Markdown table (never timed tests).

Run them all with ``python -m benchmarks.run``. Each ``benchmarks/bench_*.py`` module has a
``TITLE`` and a ``run(repeat: int) -> list[Row]``; the helpers below keep them alike.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One measured line of a benchmark table.

    Parameters
    ----------
    benchmark : str
        What was timed.
    seconds : float
        Median wall time of our code.
    reference : str
        What it is compared with (empty for an absolute target).
    reference_seconds : float or None
        Median wall time of the reference.
    ratio : float or None
        The ratio the target is about, as the target states it.
    target : str
        The target in words, e.g. ``"ours / bare <= 1.5"`` or ``"< 2 s"``.
    met : bool or None
        Whether the target was met (``None`` without a target).
    """

    benchmark: str
    seconds: float
    reference: str = ""
    reference_seconds: float | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None


def interleaved_medians(
    candidates: dict[str, Callable[[], object]], repeat: int, warmup: int = 1
) -> dict[str, float]:
    """Median wall time of each callable, timed round-robin in the same run.

    Interleaving the candidates (rather than timing one after the other) spreads any change
    in machine load evenly over them, so their ratios stay meaningful on a busy machine.
    ``warmup`` untimed rounds first take lazy imports and thread-pool start-up out of the
    numbers.
    """
    for _ in range(warmup):
        for fn in candidates.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeat):
        for name, fn in candidates.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}
