"""Write a valid synthetic dataset N times the size of the real one.

Copy ``k`` of every row gets ids suffixed ``-k`` and quotes source ``<source>-k``: the real source
text with a generated preamble (so every copy has its own bytes and hash) and a generated
paragraph of venture deals, which an extra funding claim of each copy quotes (an assertion whose
period the generated sentence does not state). Every row passes every layer of
``china-ai-claims validate``.

    python benchmarks/make_synthetic.py --scale 100 --out /tmp/synthetic-100
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import random
import shutil
from pathlib import Path

from china_ai_claims._resources import dataset_dir, read_version
from china_ai_claims.models import RECORD_TYPES, columns
from china_ai_claims.schema_builder import package_descriptor, references

SECTORS = ["robotics", "speech recognition", "chip design", "medical imaging", "logistics"]


def _rows(table: str) -> list[dict[str, str]]:
    with (dataset_dir() / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _copy_text(original: str, copy: int, rng: random.Random) -> tuple[str, str]:
    millions = rng.randint(2, 900)
    deals = rng.randint(2, 400)
    sector = rng.choice(SECTORS)
    deal = (
        f"Synthetic Capital {copy} invested ${millions} million across {deals} deals "
        f"in Chinese {sector} startups."
    )
    preamble = f"Synthetic copy {copy} of the archived text, generated for benchmarks."
    return f"{preamble}\n{original}\n{deal}", deal


def make(scale: int, out: Path, seed: int = 0, keep_real: bool = False) -> int:
    """Write the dataset; returns its number of rows.

    ``keep_real``: the real rows, source and other files come first, unchanged, followed by
    ``scale - 1`` copies, so that edits aimed at the real rows (the tests' tables of bad
    contributions) apply; at scale 1 the folder holds the real dataset.
    """
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "sources").mkdir(parents=True)
    tables = {record.table: _rows(record.table) for record in RECORD_TYPES}
    (source,) = tables["sources"]
    original = (dataset_dir() / source["path"]).read_text(encoding="utf-8")
    written: dict[str, list[dict[str, str]]] = {record.table: [] for record in RECORD_TYPES}
    if keep_real:
        shutil.copyfile(dataset_dir() / source["path"], out / source["path"])
        for record in RECORD_TYPES:
            written[record.table].extend(tables[record.table])
    for copy in range(1 if keep_real else 0, scale):
        text, deal = _copy_text(original, copy, rng)
        data = text.encode("utf-8")
        source_id = f"{source['id']}-{copy}"
        (out / "sources" / f"{source_id}.txt").write_bytes(data)
        written["sources"].append(
            {**source, "id": source_id, "title": f"{source['title']} ({copy})",
             "path": f"sources/{source_id}.txt", "sha256": hashlib.sha256(data).hexdigest(),
             "bytes": str(len(data))}
        )  # fmt: skip
        for record in RECORD_TYPES[1:]:
            linked = references(record)
            for row in tables[record.table]:
                clone = dict(row)
                clone["id"] = f"{row['id']}-{copy}"
                clone["source_id"] = source_id
                for column in linked:
                    if column != "source_id" and clone[column]:
                        clone[column] = f"{clone[column]}-{copy}"
                written[record.table].append(clone)
        amount, deals = (
            deal.split("$")[1].split(" million")[0],
            deal.split(" across ")[1].split()[0],
        )
        written["funding_claims"].append(
            {**dict.fromkeys(columns(RECORD_TYPES[5]), ""), "id": f"synthetic-deals-{copy}",
             "claim_kind": "venture_capital_total", "funder_text": f"Synthetic Capital {copy}",
             "deal_count": deals, "modality": "assertion", "amount": str(int(amount) * 1_000_000),
             "currency": "USD", "bound": "exact", "amount_text": f"${amount} million",
             "period_kind": "not_stated", "source_id": source_id, "quote": deal}
        )  # fmt: skip
    for record in RECORD_TYPES:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns(record), lineterminator="\n")
        writer.writeheader()
        writer.writerows(written[record.table])
        (out / f"{record.table}.csv").write_text(buffer.getvalue(), encoding="utf-8")
    shutil.copyfile(dataset_dir() / "LICENSE", out / "LICENSE")
    for path in dataset_dir().iterdir() if keep_real else ():
        if path.is_file() and not (out / path.name).exists():  # files beside the tables
            shutil.copyfile(path, out / path.name)
    descriptor = package_descriptor(read_version(dataset_dir()), written["sources"])
    (out / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return sum(len(rows) for rows in written.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    arguments = parser.parse_args()
    rows = make(arguments.scale, arguments.out)
    print(f"wrote {rows} rows at {arguments.scale}x to {arguments.out}")


if __name__ == "__main__":
    main()
