"""Import and load time, whole process, median of repeated runs.

Targets: ``import china_ai_claims`` at most 50 ms above bare Python; ``load("cost_claims")`` at most
1.1x a plain ``pandas.read_csv`` of the same file (both including interpreter start and imports).

    python benchmarks/bench_import_and_load.py [--runs 15]
"""

from __future__ import annotations

import argparse

from _timing import median_seconds, python
from china_ai_claims._resources import dataset_dir

IMPORT_BUDGET_SECONDS = 0.050
LOAD_BUDGET_RATIO = 1.1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="measured runs per command (>= 5)")
    runs = max(5, parser.parse_args().runs)
    csv_path = dataset_dir() / "cost_claims.csv"

    bare = median_seconds(python("pass"), runs)
    imported = median_seconds(python("import china_ai_claims"), runs)
    plain = median_seconds(python(f"import pandas; pandas.read_csv({str(csv_path)!r})"), runs)
    ours = median_seconds(python("import china_ai_claims as c; c.load('cost_claims')"), runs)

    import_overhead = imported - bare
    ratio = ours / plain
    print(f"runs per command: {runs} (median)")
    print("| measurement | median | target | met |")
    print("|---|---|---|---|")
    print(f"| `python -c pass` | {bare * 1000:.1f} ms | | |")
    print(f"| `python -c 'import china_ai_claims'` | {imported * 1000:.1f} ms | | |")
    print(
        f"| import overhead | {import_overhead * 1000:.1f} ms | "
        f"<= {IMPORT_BUDGET_SECONDS * 1000:.0f} ms | {import_overhead <= IMPORT_BUDGET_SECONDS} |"
    )
    print(f"| plain `pandas.read_csv` of cost_claims.csv | {plain * 1000:.1f} ms | | |")
    print(f"| `china_ai_claims.load('cost_claims')` | {ours * 1000:.1f} ms | | |")
    print(
        f"| load / plain | {ratio:.3f}x | <= {LOAD_BUDGET_RATIO}x | {ratio <= LOAD_BUDGET_RATIO} |"
    )


if __name__ == "__main__":
    main()
