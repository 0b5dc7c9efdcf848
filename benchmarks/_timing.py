"""Whole-process timing shared by the benchmarks: median wall time of repeated runs."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Sequence


def median_seconds(command: Sequence[str], runs: int, warmup: int = 1) -> float:
    """Median wall-clock seconds of ``command`` over ``runs`` runs, after ``warmup`` unmeasured."""
    timings = []
    for index in range(warmup + runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        if index >= warmup:
            timings.append(elapsed)
    return statistics.median(timings)


def python(code: str) -> list[str]:
    """A command running ``code`` in a fresh interpreter of the current environment."""
    return [sys.executable, "-c", code]
