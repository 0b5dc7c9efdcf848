"""Whole-process timing shared by the benchmarks: wall time and peak memory of repeated runs."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass


def median_seconds(command: Sequence[str], runs: int, warmup: int = 1) -> float:
    """Median wall-clock seconds of ``command`` over ``runs`` runs, after ``warmup`` unmeasured."""
    timings = []
    for index in range(warmup + runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=MEASURED_ENVIRONMENT)
        elapsed = time.perf_counter() - start
        if index >= warmup:
            timings.append(elapsed)
    return statistics.median(timings)


# The wrapper prints its child's peak and exit code on its first line, then, when asked (argv[1]
# is "keep"), the child's own output.
_PEAK_WRAPPER = (
    "import resource, subprocess, sys\n"
    "keep = sys.argv[1] == 'keep'\n"
    "child = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE if keep else subprocess.DEVNULL,"
    " stderr=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, child.returncode)\n"
    "sys.stdout.write(child.stdout.decode() if keep else '')\n"
)


# Measured processes may cache the bytecode of what they import, as an installed copy has it
# (pip compiles it at install time): with PYTHONDONTWRITEBYTECODE set, every run of a checkout
# would compile the package's modules again, some 0.1 s that no user pays, on one side of a
# ratio only (the other side's tools are installed and compiled).
MEASURED_ENVIRONMENT = {
    name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"
}


@dataclass(frozen=True)
class Run:
    """One measured run of a command: wall seconds, peak resident MiB, exit code and, when kept,
    what it printed."""

    seconds: float
    peak_mib: float
    code: int
    output: str = ""


def measure(command: Sequence[str], keep_output: bool = False) -> Run:
    """Run ``command`` once under a small wrapper interpreter that reports its child's peak.

    A child forked straight from this process would count this process's own memory (which may
    hold generated data) as its own.
    """
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _PEAK_WRAPPER, "keep" if keep_output else "drop", *command],
        capture_output=True,
        text=True,
        check=True,
        env=MEASURED_ENVIRONMENT,
    )
    elapsed = time.perf_counter() - start
    first, _, output = result.stdout.partition("\n")
    peak_kib, code = (int(field) for field in first.split())
    return Run(elapsed, peak_kib / 1024, code, output)


def run_with_peak(command: Sequence[str]) -> tuple[float, float, int]:
    """Wall seconds, peak resident MiB and exit code of one run of ``command``."""
    run = measure(command)
    return run.seconds, run.peak_mib, run.code


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
