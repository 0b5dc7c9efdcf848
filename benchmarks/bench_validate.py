"""Full validation against frictionless's structure-only validation, whole process, by scale.

For each scale (1x, 100x, 1000x the real dataset, built by make_synthetic.py) runs
``china-ai-claims validate DIR`` (every layer, provenance included) and
``frictionless validate DIR/datapackage.json`` (types, constraints, keys) five times each and
reports the median wall time and the peak resident memory of each.

Target: ours no slower and no larger than frictionless at every size, time linear in rows.

    python benchmarks/bench_validate.py [--runs 5] [--scales 1 100 1000] [--work DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _timing import median_and_peak
from make_synthetic import make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 100, 1000])
    default_work = Path(tempfile.gettempdir()) / "china-ai-claims-bench"
    parser.add_argument("--work", type=Path, default=default_work)
    arguments = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    ours_command = [str(bin_dir / "china-ai-claims"), "validate"]
    theirs_command = [str(bin_dir / "frictionless"), "validate"]
    print(f"runs per command: {arguments.runs} (median time, maximum peak memory)")
    print("| scale | rows | ours | frictionless | ours / frictionless | ours peak | "
          "frictionless peak | ours µs per row |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for scale in arguments.scales:
        folder = arguments.work / f"synthetic-{scale}"
        rows = make(scale, folder)
        ours, ours_peak = median_and_peak([*ours_command, str(folder)], arguments.runs)
        theirs, theirs_peak = median_and_peak(
            [*theirs_command, str(folder / "datapackage.json")], arguments.runs
        )
        print(
            f"| {scale}x | {rows} | {ours:.2f} s | {theirs:.2f} s | {ours / theirs:.2f} | "
            f"{ours_peak:.0f} MiB | {theirs_peak:.0f} MiB | {ours / rows * 1e6:.0f} |"
        )


if __name__ == "__main__":
    main()
