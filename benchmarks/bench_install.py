"""What `pip install .` costs a user: wall time and installed size, each in a fresh venv.

Usage: ``python benchmarks/bench_install.py --runs 3 SOURCE [SOURCE ...]``, each SOURCE a source
tree of the package (e.g. ``git archive <commit> | tar -x -C /tmp/before``). Per source and run:
a new venv with an upgraded pip (unmeasured), then ``pip install SOURCE`` timed, then the size of
site-packages and the number of distributions in it (pip, setuptools and the package included).
Rounds alternate between the sources so that a slow moment of the machine hits all of them.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def _run(*command: str) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _install(source: Path, folder: Path) -> tuple[float, int, int]:
    venv = folder / "venv"
    _run("python3", "-m", "venv", str(venv))
    python = str(venv / "bin" / "python")
    _run(python, "-m", "pip", "install", "-q", "--upgrade", "pip")
    start = time.perf_counter()
    _run(python, "-m", "pip", "install", "-q", str(source))
    seconds = time.perf_counter() - start
    (site,) = (venv / "lib").glob("python3*/site-packages")
    size = sum(path.stat().st_size for path in site.rglob("*") if path.is_file())
    return seconds, size, len(list(site.glob("*.dist-info")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sources", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results: dict[Path, list[tuple[float, int, int]]] = {source: [] for source in args.sources}
    for _ in range(args.runs):
        for source in args.sources:
            with tempfile.TemporaryDirectory() as folder:
                results[source].append(_install(source.resolve(), Path(folder)))
    print("| source | install time: median (min-max) | site-packages | distributions |")
    print("|---|---|---|---|")
    for source, runs in results.items():
        times = [run[0] for run in runs]
        spread = f"{statistics.median(times):.1f} s ({min(times):.1f}-{max(times):.1f} s)"
        print(f"| {source} | {spread} | {runs[-1][1] / 2**20:.1f} MiB | {runs[-1][2]} |")


if __name__ == "__main__":
    main()
