"""Every ratio of the performance targets, side by side, from paired whole-process runs.

At each scale (a synthetic dataset from make_synthetic.py) each comparison runs its two commands
one after the other, ``--repeats`` times, swapping which goes first from one pair to the next, so
that both see the same load on the machine; the ratio of each pair is taken and the table shows
the minimum, median and maximum over the pairs. Peak memory is the maximum resident set size of
the measured process, read through a wrapper process (see ``_timing.py``).

Comparisons (target in brackets, met when the median meets it):

- ``floor``: ``china-ai-claims validate DIR`` / ``floor.py DIR``, time (<= 1.5 at 100x and up);
- ``frictionless``: ``china-ai-claims validate DIR`` / ``frictionless validate
  DIR/datapackage.json``, time (<= 0.5 at 100x and up);
- ``release``: ``china-ai-claims release DIR`` / ``china-ai-claims validate DIR``, time (<= 1.3)
  and peak memory (<= 1.5);
- ``load``: ``load(t)`` / ``pandas.read_csv(t)`` in a warm process (<= 1.5);
- ``load_all``: ``load_all()`` / a ``read_csv`` of every table in a warm process (<= 1.5);
- ``records``: ``records(t)`` / reading the CSV and validating it through one ``TypeAdapter``, in
  a warm process (<= 2);
- ``import``: ``python -c 'import china_ai_claims'`` minus ``python -c pass``, in ms (< 50 ms;
  measured once, not per scale, with ten times as many pairs: each run is short).

Beside each ratio of whole processes over the whole dataset (``floor``, ``frictionless``,
``release``), the table gives what ours costs beyond base: the median of the pairs'
differences, in time per row of the dataset and in peak MiB. A ratio mixes both sides' start-up
with their work; the difference per row is the price of what ours does and base does not (for
``floor``, every check beyond the least work), which a linear tool keeps flat as rows grow.

The warm comparisons (see ``warm_work.py``) compare the seconds the processes measure around the
work itself, after imports and one unmeasured run; their peak memory is the whole process's.

    python benchmarks/ratios.py [--scales 1 100 1000] [--repeats 5] [--only floor release ...]
        [--clock wall|cpu]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from _timing import Run, measure
from make_synthetic import make

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PACKAGE_COMMAND = str(BIN / "china-ai-claims")

Command = Callable[[Path], list[str]]


@dataclass(frozen=True)
class Comparison:
    """Two commands run in pairs on one dataset folder; ``ours`` is the numerator."""

    name: str
    ours: Command
    base: Command
    time_target: float | None = None
    peak_target: float | None = None
    warm: bool = False  # compare the seconds the commands print, not their wall time
    difference: bool = False  # report ours - base in ms, not a ratio (import overhead)
    per_scale: bool = True
    pair_factor: int = 1  # more pairs for a short, noisy measurement


@dataclass(frozen=True)
class Pairs:
    """The measured pairs of one comparison at one scale."""

    ours: list[Run]
    base: list[Run]
    warm: bool

    def seconds(self, side: list[Run]) -> list[float]:
        return [float(run.output) if self.warm else run.seconds for run in side]

    def time_ratios(self) -> list[float]:
        return [
            a / b for a, b in zip(self.seconds(self.ours), self.seconds(self.base), strict=True)
        ]

    def time_differences(self) -> list[float]:
        return [
            a - b for a, b in zip(self.seconds(self.ours), self.seconds(self.base), strict=True)
        ]

    def peak_ratios(self) -> list[float]:
        return [a.peak_mib / b.peak_mib for a, b in zip(self.ours, self.base, strict=True)]

    def peak_differences(self) -> list[float]:
        return [a.peak_mib - b.peak_mib for a, b in zip(self.ours, self.base, strict=True)]


def _validate(folder: Path) -> list[str]:
    return [PACKAGE_COMMAND, "validate", str(folder)]


def comparisons(
    load_table: str, records_table: str, release_out: Path, clock: str = "wall"
) -> list[Comparison]:
    """Every comparison of the targets, in the order the table shows them; the warm ones time
    their work by ``clock`` (see ``warm_work.py``)."""

    def release(folder: Path) -> list[str]:
        shutil.rmtree(release_out, ignore_errors=True)  # before the run, so outside its time
        return [PACKAGE_COMMAND, "release", str(folder), "--out", str(release_out)]

    def warm(kind: str, table: str | None = None) -> Command:
        option = ["--table", table] if table else []
        option += ["--clock", clock]
        script = str(HERE / "warm_work.py")
        return lambda folder: [sys.executable, script, kind, str(folder), *option]

    return [
        Comparison(
            "floor",
            _validate,
            lambda folder: [sys.executable, str(HERE / "floor.py"), str(folder)],
            time_target=1.5,
        ),
        Comparison(
            "frictionless",
            _validate,
            lambda folder: [str(BIN / "frictionless"), "validate", f"{folder}/datapackage.json"],
            time_target=0.5,
        ),
        Comparison("release", release, _validate, time_target=1.3, peak_target=1.5),
        Comparison(
            "load",
            warm("load", load_table),
            warm("read_csv", load_table),
            time_target=1.5,
            warm=True,
        ),
        Comparison("load_all", warm("load_all"), warm("read_csv_all"), time_target=1.5, warm=True),
        Comparison(
            "records",
            warm("records", records_table),
            warm("adapter", records_table),
            time_target=2.0,
            warm=True,
        ),
        Comparison(
            "import",
            lambda _: [sys.executable, "-c", "import china_ai_claims"],
            lambda _: [sys.executable, "-c", "pass"],
            time_target=0.050,
            difference=True,
            per_scale=False,
            pair_factor=10,
        ),
    ]


LABELS = {
    "floor": "validate / floor",
    "frictionless": "validate / frictionless",
    "release": "release / validate",
    "load": "load(t) / read_csv(t), warm",
    "load_all": "load_all() / sum of read_csv, warm",
    "records": "records(t) / (csv + one TypeAdapter), warm",
    "import": "import overhead (ms)",
}


def _run(command: Sequence[str], keep_output: bool) -> Run:
    run = measure(command, keep_output=keep_output)
    if run.code != 0:
        raise SystemExit(f"{' '.join(command)} exited with {run.code}")
    return run


def measure_pairs(comparison: Comparison, folder: Path, repeats: int, warmup: int) -> Pairs:
    """``repeats`` pairs of runs (after ``warmup`` unmeasured pairs), the first side alternating."""
    ours: list[Run] = []
    base: list[Run] = []
    repeats *= comparison.pair_factor
    for index in range(warmup + repeats):
        sides = [(comparison.ours, ours), (comparison.base, base)]
        for build, runs in sides if index % 2 == 0 else sides[::-1]:
            run = _run(build(folder), keep_output=comparison.warm)
            if index >= warmup:
                runs.append(run)
    return Pairs(ours, base, comparison.warm)


def _spread(values: list[float], digits: int = 2) -> str:
    return " / ".join(
        f"{v:.{digits}f}" for v in (min(values), statistics.median(values), max(values))
    )


def _met(values: list[float], target: float | None) -> str:
    if target is None:
        return ""
    return "yes" if statistics.median(values) <= target else "no"


def beyond(pairs: Pairs, rows: int) -> str:
    """What ``ours`` costs beyond ``base``: the median of the pairs' differences in time, per row
    (µs), and in peak memory (MiB); why, in the module's docstring."""
    time = statistics.median(pairs.time_differences()) / rows * 1e6
    peak = statistics.median(pairs.peak_differences())
    return f"{time:.1f} µs; {peak:+.0f} MiB"


def row(comparison: Comparison, scale: str, rows: int | None, pairs: Pairs) -> str:
    """One line of the table."""
    ours_seconds, base_seconds = pairs.seconds(pairs.ours), pairs.seconds(pairs.base)
    if comparison.difference:
        times = [1000 * d for d in pairs.time_differences()]
        time_cell, target = _spread(times, 1), comparison.time_target
        met = _met(times, None if target is None else target * 1000)
        target_cell = f"< {1000 * target:.0f} ms" if target is not None else ""
        peak_cell = ""
    else:
        times = pairs.time_ratios()
        time_cell, met = _spread(times), _met(times, comparison.time_target)
        peaks = pairs.peak_ratios()
        peak_cell = _spread(peaks)
        if comparison.peak_target is not None:
            peak_cell += f" (<= {comparison.peak_target}: {_met(peaks, comparison.peak_target)})"
        target_cell = f"<= {comparison.time_target}" if comparison.time_target else ""
    # per row of the whole dataset: only for the comparisons of processes that read all of it
    beyond_cell = (
        "" if rows is None or comparison.warm or comparison.difference else beyond(pairs, rows)
    )
    rows_cell = "" if rows is None else f"{rows:,}"
    return (
        f"| {scale} | {rows_cell} | {LABELS[comparison.name]} | {time_cell} | {target_cell} "
        f"| {met} "
        f"| {peak_cell} | {statistics.median(ours_seconds):.3f} s "
        f"| {statistics.median(base_seconds):.3f} s "
        f"| {max(r.peak_mib for r in pairs.ours):.0f} / {max(r.peak_mib for r in pairs.base):.0f} "
        f"| {beyond_cell} | {os.getloadavg()[0]:.1f} |"
    )


HEADER = (
    "| scale | rows | comparison | time ratio min / median / max | target | met "
    "| peak ratio min / median / max | ours median | base median | peak MiB ours / base "
    "| ours - base: time per row; peak | load |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def _setting(repeats: int, warmup: int) -> str:
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("pandas", "pydantic", "pydantic-core", "frictionless")
    )
    return (
        f"{time.strftime('%Y-%m-%d %H:%M')}; {os.cpu_count()} CPUs; CPython "
        f"{platform.python_version()}, {versions}; {repeats} pairs per comparison after "
        f"{warmup} unmeasured; load: the 1-minute load average when the row was done"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 100, 1000])
    parser.add_argument("--repeats", type=int, default=5, help="measured pairs per comparison")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured pairs first")
    parser.add_argument("--only", nargs="+", choices=list(LABELS), help="these comparisons only")
    parser.add_argument("--load-table", default="cost_claims")
    parser.add_argument("--records-table", default="funding_claims")
    default_work = Path(tempfile.gettempdir()) / "china-ai-claims-ratios"
    parser.add_argument("--work", type=Path, default=default_work, help="where datasets go")
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="what the warm comparisons time: the wall clock, or the CPU seconds of the process",
    )
    arguments = parser.parse_args()
    repeats, warmup = max(1, arguments.repeats), max(0, arguments.warmup)
    chosen = [
        comparison
        for comparison in comparisons(
            arguments.load_table,
            arguments.records_table,
            arguments.work / "release",
            arguments.clock,
        )
        if arguments.only is None or comparison.name in arguments.only
    ]
    started = time.perf_counter()
    cpu = "; the warm work in CPU seconds" if arguments.clock == "cpu" else ""
    print(_setting(repeats, warmup) + cpu)
    print(HEADER, flush=True)
    for comparison in chosen:
        if not comparison.per_scale:
            pairs = measure_pairs(comparison, arguments.work, repeats, warmup)
            print(row(comparison, "any", None, pairs), flush=True)
    per_scale = [comparison for comparison in chosen if comparison.per_scale]
    for scale in arguments.scales if per_scale else []:
        folder = arguments.work / f"synthetic-{scale}"
        rows = make(scale, folder)
        for comparison in per_scale:
            pairs = measure_pairs(comparison, folder, repeats, warmup)
            print(row(comparison, f"{scale}x", rows, pairs), flush=True)
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
