"""Small, composable edits of a dataset copy, for the tables of bad contributions."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Mutation = Callable[[Path], None]


def text(file: str, old: str, new: str, count: int = 1) -> Mutation:
    """Replace ``old`` by ``new`` in ``file`` (which must contain it)."""

    def apply(root: Path) -> None:
        path = root / file
        content = path.read_text(encoding="utf-8")
        assert old in content, f"{old!r} not in {file}"
        path.write_text(content.replace(old, new, count), encoding="utf-8", newline="")

    return apply


def raw(file: str, change: Callable[[bytes], bytes]) -> Mutation:
    """Rewrite the bytes of ``file``."""

    def apply(root: Path) -> None:
        path = root / file
        path.write_bytes(change(path.read_bytes()))

    return apply


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def cell(table: str, row_id: str, **values: str) -> Mutation:
    """Set cells of the row ``row_id`` of ``table``."""

    def apply(root: Path) -> None:
        path = root / f"{table}.csv"
        header, rows = _rows(path)
        (row,) = [row for row in rows if row["id"] == row_id]
        for column, value in values.items():
            assert column in header, column
            row[column] = value
        _write(path, header, rows)

    return apply


def cells_at(table: str, cells: dict[tuple[int, str], str]) -> Mutation:
    """Set cells of ``table`` by position: ``(row index, the first after the header being 0;
    column): text``."""

    def apply(root: Path) -> None:
        path = root / f"{table}.csv"
        header, rows = _rows(path)
        for (index, column), value in cells.items():
            assert column in header, column
            rows[index][column] = value
        _write(path, header, rows)

    return apply


def rows_of(root: Path, table: str) -> list[dict[str, str]]:
    """The rows of ``table`` in the dataset folder ``root``, by column name."""
    return _rows(root / f"{table}.csv")[1]


def duplicate_row(table: str, row_id: str) -> Mutation:
    """Append a copy of the row ``row_id`` at the end of ``table``."""

    def apply(root: Path) -> None:
        path = root / f"{table}.csv"
        header, rows = _rows(path)
        rows.append(next(dict(row) for row in rows if row["id"] == row_id))
        _write(path, header, rows)

    return apply


def descriptor(change: Callable[[dict[str, Any]], object]) -> Mutation:
    """Edit ``datapackage.json`` as a dict and write it back in the generated layout."""

    def apply(root: Path) -> None:
        path = root / "datapackage.json"
        document = json.loads(path.read_text(encoding="utf-8"))
        change(document)
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")

    return apply


def resource(name: str, **values: object) -> Mutation:
    """Set properties of one resource of the descriptor."""

    def change(document: dict[str, Any]) -> None:
        (found,) = [item for item in document["resources"] if item["name"] == name]
        found.update(values)

    return descriptor(change)


def both(*mutations: Mutation) -> Mutation:
    def apply(root: Path) -> None:
        for mutation in mutations:
            mutation(root)

    return apply


@dataclass(frozen=True)
class Row:
    """The line a row of the unmodified dataset starts on, looked up by id."""

    table: str
    row_id: str

    def line(self, root: Path) -> int:
        with (root / f"{self.table}.csv").open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            start = reader.line_num + 1
            for cells in reader:
                if cells and cells[0] == self.row_id:
                    return start
                start = reader.line_num + 1
        raise LookupError(self)
