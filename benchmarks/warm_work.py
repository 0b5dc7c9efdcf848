"""One piece of loading work timed in a warm process; prints the median seconds of its runs.

The process imports what the work needs, runs it once unmeasured (lazy imports, caches, the page
cache), then times more runs (at least one, more while they take under ``--budget`` seconds in
all, at most ``--max-runs``) and prints their median seconds. ``ratios.py`` pairs the
package's functions with what plain pandas or pydantic would do:

- ``load`` ``china_ai_claims.load(TABLE)`` against ``read_csv``, a plain ``pandas.read_csv``;
- ``load_all`` ``china_ai_claims.load_all()`` against ``read_csv_all``, a plain ``read_csv`` of
  every table the descriptor lists;
- ``records`` ``china_ai_claims.records(TABLE)`` against ``adapter``, reading the CSV with
  ``csv.DictReader`` and validating the rows through one ``TypeAdapter(list[Model])``, built once.

``--clock cpu`` times the CPU seconds of the process (``time.process_time``) instead of the wall
clock: on a machine whose cores other jobs share, the wall clock also counts the time the process
waited for a core.

    python benchmarks/warm_work.py WORK DIR [--table cost_claims] [--budget 0.5] [--clock cpu]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pandas

import china_ai_claims


def _read_csv_all(folder: Path) -> None:
    descriptor = json.loads((folder / "datapackage.json").read_bytes())
    for resource in descriptor["resources"]:
        pandas.read_csv(folder / resource["path"])


def _adapter(folder: Path, table: str) -> Callable[[], object]:
    from pydantic import TypeAdapter

    from china_ai_claims.models import record_type

    model = record_type(table)
    adapter: TypeAdapter[list[object]] = TypeAdapter(list[model])  # type: ignore[valid-type]
    path = folder / f"{table}.csv"

    def read_and_validate() -> object:
        with path.open(encoding="utf-8", newline="") as handle:
            return adapter.validate_python(list(csv.DictReader(handle)))

    return read_and_validate


def work(kind: str, folder: Path, table: str) -> Callable[[], object]:
    """The call that ``kind`` names, on ``table`` of the dataset in ``folder``."""
    if kind == "adapter":
        return _adapter(folder, table)
    calls: dict[str, Callable[[], object]] = {
        "load": lambda: china_ai_claims.load(table, data_dir=folder),
        "read_csv": lambda: pandas.read_csv(folder / f"{table}.csv"),
        "load_all": lambda: china_ai_claims.load_all(data_dir=folder),
        "read_csv_all": lambda: _read_csv_all(folder),
        "records": lambda: china_ai_claims.records(table, data_dir=folder),
    }
    return calls[kind]


KINDS = ("load", "read_csv", "load_all", "read_csv_all", "records", "adapter")
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("folder", type=Path, help="dataset folder holding datapackage.json")
    parser.add_argument("--table", default="cost_claims")
    parser.add_argument(
        "--budget", type=float, default=0.5, help="seconds of timed runs (at least one run)"
    )
    parser.add_argument("--max-runs", type=int, default=30)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    arguments = parser.parse_args()
    call = work(arguments.kind, arguments.folder, arguments.table)
    clock = CLOCKS[arguments.clock]
    call()
    timings: list[float] = []
    while not timings or (sum(timings) < arguments.budget and len(timings) < arguments.max_runs):
        start = clock()
        call()
        timings.append(clock() - start)
    print(statistics.median(timings))


if __name__ == "__main__":
    main()
