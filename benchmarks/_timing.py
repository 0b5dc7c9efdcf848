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


_PEAK_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)"
    ".returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
)


def run_with_peak(command: Sequence[str]) -> tuple[float, float, int]:
    """Wall seconds, peak resident MiB and exit code of one run of ``command``.

    The command runs under a small wrapper interpreter that reports its child's peak: a child
    forked straight from this process would count this process's own memory as its own.
    """
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _PEAK_WRAPPER, *command], capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - start
    peak_kib, code = (int(field) for field in result.stdout.split())
    return elapsed, peak_kib / 1024, code


def median_and_peak(command: Sequence[str], runs: int) -> tuple[float, float]:
    """Median wall seconds and largest peak resident MiB over ``runs`` successful runs."""
    results = [run_with_peak(command) for _ in range(runs)]
    codes = {code for _, _, code in results}
    if codes != {0}:
        raise SystemExit(f"{command[0]} exited with {codes}")
    return statistics.median(t for t, _, _ in results), max(m for _, m, _ in results)


def python(code: str) -> list[str]:
    """A command running ``code`` in a fresh interpreter of the current environment."""
    return [sys.executable, "-c", code]
