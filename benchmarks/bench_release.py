"""Time and peak memory of ``china-ai-claims release`` (validation included), whole process.

python benchmarks/bench_release.py [--runs 5] [--scales 1 1000] [--work DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from _timing import median_and_peak
from make_synthetic import make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 1000])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cac-bench")
    arguments = parser.parse_args()
    command = str(Path(sys.executable).parent / "china-ai-claims")
    print(f"runs per scale: {arguments.runs} (median time, maximum peak memory)")
    print("| scale | rows | release time | peak memory | release size |")
    print("|---|---|---|---|---|")
    for scale in arguments.scales:
        folder = arguments.work / f"synthetic-{scale}"
        out = arguments.work / f"release-{scale}"
        rows = make(scale, folder)
        shutil.rmtree(out, ignore_errors=True)
        seconds, peak = median_and_peak([command, "release", str(folder), "--out", str(out)],
                                        arguments.runs)  # fmt: skip
        size = sum(path.stat().st_size for path in out.iterdir()) / 2**20
        print(f"| {scale}x | {rows} | {seconds:.2f} s | {peak:.0f} MiB | {size:.1f} MiB |")


if __name__ == "__main__":
    main()
