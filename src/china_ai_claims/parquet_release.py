"""The Parquet files of a release: one per table, typed as its Table Schema says.

Types: ``string`` -> UTF-8 string; ``integer`` -> nullable int64; ``number`` -> float64 (the
schema's numbers are plain decimals in units, exact in a double up to 2**53); ``boolean`` -> bool;
``date`` -> date32; a field with an ``enum`` -> dictionary (categorical) whose dictionary is every
allowed value in the schema's order, used or not; ``list`` -> list of strings (an empty cell is an
empty list, as in the records). Empty cells are nulls. Each field carries its description, and the
file carries the table's Table Schema, in the Parquet key-value metadata.

Reproducibility: the same CSV bytes give the same Parquet bytes for a given pyarrow version (one
row group, fixed compression, no statistics of time or host; the writer records its own version,
``created_by``, in the footer), so a release is byte-identical only when built with the same
pyarrow.

pyarrow comes from the ``release`` extra and is imported only here, only when a release is built.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from china_ai_claims._resources import LIST_DELIMITER

if TYPE_CHECKING:
    import pyarrow as pa

MEDIA_TYPE = "application/vnd.apache.parquet"
COMPRESSION = "zstd"
COMPRESSION_LEVEL = 9


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


def _value(cell: str, field: dict[str, Any]) -> Any:
    kind = field["type"]
    if kind == "list":
        return cell.split(field.get("delimiter", LIST_DELIMITER)) if cell else []
    if cell == "":
        return None
    if kind == "integer":
        return int(cell)
    if kind == "number":
        return float(cell)
    if kind == "boolean":
        return cell in field.get("trueValues", ["true"])
    if kind == "date":
        return datetime.date.fromisoformat(cell)
    return cell


def _column(pa: Any, cells: list[str], field: dict[str, Any]) -> pa.Array:
    values = [_value(cell, field) for cell in cells]
    enum = field.get("constraints", {}).get("enum")
    if enum is not None:
        positions = {value: index for index, value in enumerate(enum)}
        indices = pa.array([None if v is None else positions[v] for v in values], pa.int32())
        return pa.DictionaryArray.from_arrays(indices, pa.array(enum, pa.string()))
    return pa.array(values, _arrow_type(pa, field))


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


def parquet_bytes(resource: dict[str, Any], csv_bytes: bytes) -> bytes:
    """One table's CSV (the dataset's dialect) as Parquet bytes typed by its Table Schema."""
    pa = _pyarrow()
    import pyarrow.parquet as pq

    fields = resource["schema"]["fields"]
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8"), newline="")))
    header, body = rows[0], rows[1:]
    names = [field["name"] for field in fields]
    if header != names:
        raise ValueError(f"{resource['path']}: header {header} is not the schema's {names}")
    columns = [_column(pa, [row[i] for row in body], field) for i, field in enumerate(fields)]
    table = pa.Table.from_arrays(columns, schema=arrow_schema(resource))
    buffer = io.BytesIO()
    pq.write_table(
        table,
        buffer,
        compression=COMPRESSION,
        compression_level=COMPRESSION_LEVEL,
        row_group_size=max(len(body), 1),
        store_schema=True,
    )
    return buffer.getvalue()


def parquet_files(
    stem: str, descriptor: dict[str, Any], read_csv: Any
) -> Iterator[tuple[str, bytes]]:
    """Every table's Parquet file: ``(file name, bytes)``, given ``read_csv(path) -> bytes``; one
    table at a time, so that only one is held in memory."""
    for resource in descriptor["resources"]:
        yield (
            parquet_file(stem, resource["name"]),
            parquet_bytes(resource, read_csv(resource["path"])),
        )
