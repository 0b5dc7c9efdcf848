"""The Python floor of ``china-ai-claims validate``: the least work its checks need.

Reads every file of a dataset folder (``datapackage.json``, ``LICENSE``, every table and every
source), decodes and CSV-parses every row, hashes every source with sha256 (and counts its bytes),
finds every quote in its source's bytes, and validates every row with pydantic-core through the
package's own record models: the same field types, constraints and record rules, with the
validators built once per table and fed rows in batches.

The one part of the models left out is their before-validator, which turns CSV cells into model
input one cell at a time; the floor does the least equivalent work instead (drops empty cells,
splits the list cells of the columns known once per table). ``--types-only`` also leaves out the
record rules (the models' after-validators), to show what they cost.

The floor does not compare the descriptor with the generated one, check text hygiene, keys or
references, look for numbers, names and verbatim cells in the quotes, run the whole-data rules or
hints, or explain what is wrong: it is a lower bound of the work, not a validator. It expects valid
data: a row, hash or quote that fails is counted and the exit code is 1.

    python benchmarks/floor.py DIR [--types-only] [--batch 1000]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic_core import CoreSchema, SchemaValidator, ValidationError

from china_ai_claims._resources import LIST_DELIMITER
from china_ai_claims.models import RECORD_TYPES, Record, without_cell_conversion

CELL_CONVERSION = "_from_csv_cells"  # the models' before-validator that the floor replaces

# Long cells are the schema's to refuse, as in the validator.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))


def row_validator(record: type[Record], types_only: bool = False) -> SchemaValidator:
    """A validator of a list of rows of ``record``, from the model's own core schema."""
    schema: Any = record.__pydantic_core_schema__
    if types_only:
        while schema["type"] == "function-after":  # the record rules wrap the model
            schema = schema["schema"]
    stripped = without_cell_conversion(schema)
    if stripped is None:
        raise SystemExit(f"{record.__name__}: expected one {CELL_CONVERSION} validator")
    items: CoreSchema = {"type": "list", "items_schema": stripped}
    return SchemaValidator(items)


def list_columns(record: type[Record]) -> frozenset[str]:
    """The columns whose cells the models split into lists (as ``Record._from_csv_cells`` does)."""
    return frozenset(
        name
        for name, info in record.model_fields.items()
        if getattr(info.annotation, "__origin__", None) is list
    )


def _batches(
    rows: Iterator[list[str]], header: list[str], lists: frozenset[str], size: int
) -> Iterator[list[dict[str, Any]]]:
    """The rows as model input (empty cells dropped, list cells split), ``size`` at a time."""
    split = [name for name in header if name in lists]
    batch: list[dict[str, Any]] = []
    for cells in rows:
        row: dict[str, Any] = {
            name: value for name, value in zip(header, cells, strict=False) if value
        }
        for name in split:
            if name in row:
                row[name] = row[name].split(LIST_DELIMITER)
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Floor:
    """The counts of one run over a dataset folder."""

    def __init__(self, folder: Path, types_only: bool, batch: int) -> None:
        self.folder = folder
        self.types_only = types_only
        self.batch = batch
        self.rows = self.quotes = self.failures = 0
        self.texts: dict[str, bytes] = {}

    def run(self) -> None:
        json.loads((self.folder / "datapackage.json").read_bytes())
        (self.folder / "LICENSE").read_bytes()
        for record in RECORD_TYPES:  # dependency order: sources first
            self._table(record)

    def _table(self, record: type[Record]) -> None:
        text = (self.folder / f"{record.table}.csv").read_bytes().decode("utf-8")
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(reader)
        validator = row_validator(record, self.types_only)
        for batch in _batches(reader, header, list_columns(record), self.batch):
            self.rows += len(batch)
            try:
                validator.validate_python(batch)
            except ValidationError as error:
                self.failures += len({detail["loc"][0] for detail in error.errors()})
            if record.table == "sources":
                self._sources(batch)
            else:
                self._quotes(batch)

    def _sources(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            data = (self.folder / row["path"]).read_bytes()
            if hashlib.sha256(data).hexdigest() != row["sha256"] or len(data) != int(row["bytes"]):
                self.failures += 1
            self.texts[row["id"]] = data

    def _quotes(self, rows: list[dict[str, Any]]) -> None:
        texts = self.texts
        for row in rows:
            text = texts.get(row["source_id"])
            if text is None or text.find(row["quote"].encode("utf-8")) < 0:
                self.failures += 1
            else:
                self.quotes += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="dataset folder holding datapackage.json")
    parser.add_argument("--types-only", action="store_true", help="leave out the record rules")
    parser.add_argument("--batch", type=int, default=1000, help="rows per pydantic-core call")
    arguments = parser.parse_args()
    floor = Floor(arguments.folder, arguments.types_only, max(1, arguments.batch))
    floor.run()
    print(
        f"floor: {floor.rows} rows, {len(floor.texts)} sources, {floor.quotes} quotes found, "
        f"{floor.failures} failures"
    )
    sys.exit(1 if floor.failures else 0)


if __name__ == "__main__":
    main()
