"""Opening a JSON release: the reader that goes a record at a time against parsing it whole.

Each run is a fresh process that opens one JSON release file (``open_release`` with its SHA-256,
which reads every table) or, for the comparison, parses the same bytes whole with the package's
strict ``parse_json`` and writes each table as CSV, as the loader did before it read records one
at a time. Prints the median wall time and peak resident memory of each, whole process.

    python benchmarks/bench_json_release.py FILE.json [FILE.json ...] [--runs 3]

Build a large release with ``make_synthetic.py --scale 1000 --out DIR`` and ``china-ai-claims
release DIR --out OUT``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from _timing import measure

RECORD_AT_A_TIME = """
import hashlib, sys
from china_ai_claims.opening import open_release
path = sys.argv[1]
with open(path, "rb") as file:
    pin = hashlib.file_digest(file, "sha256").hexdigest()
package = open_release(path, pin)
print(sum(len(package.read_csv(table)) for table in package.table_names()))
"""

WHOLE = """
import csv, io, sys
from china_ai_claims.descriptors import parse_json
from china_ai_claims.opening import csv_text
with open(sys.argv[1], "rb") as file:
    document = parse_json(file.read(), sys.argv[1])
total = 0
for resource in document["metadata"]["resources"]:
    fields = [field["name"] for field in resource["schema"]["fields"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\\n")
    writer.writerow(fields)
    rows = document[resource["name"]]
    writer.writerows([csv_text(row.get(field)) for field in fields] for row in rows)
    total += len(buffer.getvalue().encode("utf-8"))
print(total)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="JSON release files")
    parser.add_argument("--runs", type=int, default=3, help="measured runs of each way")
    arguments = parser.parse_args()
    print("| file | MB | way | median s | median peak MiB |")
    print("|---|---|---|---|---|")
    for path in arguments.files:
        size = path.stat().st_size / 1e6
        totals: set[str] = set()
        for way, program in (("a record at a time", RECORD_AT_A_TIME), ("parsed whole", WHOLE)):
            runs = [
                measure([sys.executable, "-c", program, str(path)], keep_output=True)
                for _ in range(max(1, arguments.runs))
            ]
            if any(run.code for run in runs):
                raise SystemExit(f"{path}: {way} failed")
            outputs = {run.output for run in runs}
            seconds = statistics.median(run.seconds for run in runs)
            peak = statistics.median(run.peak_mib for run in runs)
            print(f"| {path.name} | {size:.1f} | {way} | {seconds:.2f} | {peak:.0f} |")
            assert len(outputs) == 1, outputs  # every run wrote the same tables
            totals.add(outputs.pop())
        assert len(totals) == 1, totals  # both ways wrote the same number of CSV bytes


if __name__ == "__main__":
    main()
