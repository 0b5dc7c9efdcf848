"""The Parquet files of a release: one per table, typed as its Table Schema says.

Types: ``string`` -> UTF-8 string; ``integer`` -> nullable int64; ``number`` -> float64 (the
schema's numbers are plain decimals in units, exact in a double up to 2**53); ``boolean`` -> bool;
``date`` -> date32; a field with an ``enum`` -> dictionary (categorical) whose dictionary is every
allowed value in the schema's order, used or not; ``list`` -> list of strings (an empty cell is an
empty list, as in the records). Empty cells are nulls. Each field carries its description, and the
file carries the table's Table Schema, in the Parquet key-value metadata.

Streaming: a table is written from its validated records as they come, :data:`ROW_GROUP_SIZE`
rows at a time, each batch one row group, so that memory stays flat however many rows a table
has. A table of at most :data:`ROW_GROUP_SIZE` rows is one row group; a larger table gets several
(the same values, read back as one table, in the same order).

Reproducibility: the same records give the same Parquet bytes for a given pyarrow version (fixed
row groups and compression, no statistics of time or host; the writer records its own version,
``created_by``, in the footer), so a release is byte-identical only when built with the same
pyarrow.

pyarrow comes from the ``release`` extra and is imported only here, only when the first rows of a
release are written.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

MEDIA_TYPE = "application/vnd.apache.parquet"
COMPRESSION = "zstd"
COMPRESSION_LEVEL = 9
# Rows per row group: each table holds at most this many rows in memory before writing them.
# Small enough that the rows waiting to be written stay a few MiB whatever the table's size,
# large enough that every table of the dataset, and of a dataset a hundred times its size, is
# one row group.
ROW_GROUP_SIZE = 8192


class ParquetUnavailableError(ImportError):
    """pyarrow is not installed: the release's Parquet files cannot be written."""


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ParquetUnavailableError(
            "writing the release's Parquet files needs pyarrow: "
            "pip install 'china-ai-claims[release]'"
        ) from None
    return pyarrow


def parquet_file(stem: str, table: str) -> str:
    """File name of a table's Parquet file in a release whose files start with ``stem``."""
    return f"{stem}-{table}.parquet"


def _arrow_type(pa: Any, field: dict[str, Any]) -> pa.DataType:
    if "enum" in field.get("constraints", {}):
        return pa.dictionary(pa.int32(), pa.string())
    kinds = {
        "string": pa.string(),
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "list": pa.list_(pa.string()),
    }
    return kinds[field["type"]]


def arrow_schema(resource: dict[str, Any]) -> pa.Schema:
    """The Arrow schema of a table: its fields typed, described, nullable unless required."""
    pa = _pyarrow()
    fields = [
        pa.field(
            field["name"],
            _arrow_type(pa, field),
            nullable=not field.get("constraints", {}).get("required", False),
            metadata={"description": field.get("description", "")},
        )
        for field in resource["schema"]["fields"]
    ]
    metadata = {
        "description": resource.get("description", ""),
        "table_schema": json.dumps(resource["schema"], ensure_ascii=False, sort_keys=True),
    }
    return pa.schema(fields, metadata=metadata)


def _as_stored(value: Any) -> Any:
    """A record's value as the Parquet file holds it: an enumeration by its value (a text of
    the schema's ``enum``), anything else as it is (int, float, bool, date, text, list of texts,
    ``None``)."""
    return value.value if isinstance(value, Enum) else value


class TableWriter:
    """Writes one table's Parquet file at ``target`` from the table's records, given one at a
    time as their values by column (``add``), :data:`ROW_GROUP_SIZE` rows to a row group;
    ``close`` writes the last rows (an empty table still gets its file) and closes the file."""

    def __init__(self, resource: dict[str, Any], target: Path) -> None:
        self._resource = resource
        self._fields: list[dict[str, Any]] = resource["schema"]["fields"]
        self._names = [field["name"] for field in self._fields]
        self._target = target
        self._columns: list[list[Any]] = [[] for _ in self._fields]
        self._writer: Any = None
        self._schema: Any = None

    def add(self, values: dict[str, Any]) -> None:
        """Take one record's values (its fields by name, as the record holds them)."""
        for column, name in zip(self._columns, self._names, strict=True):
            column.append(_as_stored(values[name]))
        if len(self._columns[0]) >= ROW_GROUP_SIZE:
            self._write()

    def close(self) -> None:
        if self._writer is None or self._columns[0]:
            self._write()
        self.abandon()

    def abandon(self) -> None:
        """Close the file, leaving out the rows not yet written (when a build is given up)."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.close()

    def _write(self) -> None:
        pa = _pyarrow()
        if self._writer is None:
            import pyarrow.parquet as pq

            self._schema = arrow_schema(self._resource)
            self._writer = pq.ParquetWriter(
                self._target,
                self._schema,
                compression=COMPRESSION,
                compression_level=COMPRESSION_LEVEL,
                store_schema=True,
            )
        arrays = [
            _array(pa, values, field)
            for values, field in zip(self._columns, self._fields, strict=True)
        ]
        self._writer.write_table(
            pa.Table.from_arrays(arrays, schema=self._schema),
            row_group_size=max(len(self._columns[0]), 1),
        )
        self._columns = [[] for _ in self._fields]


def _array(pa: Any, values: list[Any], field: dict[str, Any]) -> pa.Array:
    enum = field.get("constraints", {}).get("enum")
    if enum is not None:
        positions = {value: index for index, value in enumerate(enum)}
        indices = pa.array([None if v is None else positions[v] for v in values], pa.int32())
        return pa.DictionaryArray.from_arrays(indices, pa.array(enum, pa.string()))
    return pa.array(values, _arrow_type(pa, field))
