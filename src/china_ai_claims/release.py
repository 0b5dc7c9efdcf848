"""Build the downloadable release: CSV zip, one JSON file, SQLite with Datasette metadata, one
Parquet file per table, a Croissant JSON-LD file and ``SHA256SUMS``, byte for byte the same
whenever and wherever the same data is built (Parquet: with the same pyarrow version).

Reproducibility: zip members in sorted order with a fixed timestamp and permissions, stored (not
deflated: compressed bytes differ between zlib builds); JSON with sorted keys; SQLite built in one
transaction and written with ``VACUUM INTO``; no build time, host or path in any file. The SQLite
file header records the SQLite library version, so that file is identical for builds with the same
SQLite version.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from china_ai_claims._resources import dataset_dir, read_version
from china_ai_claims.models import RECORD_TYPES, record_type
from china_ai_claims.opening import SUMS_FILE, sha256_of
from china_ai_claims.schema_builder import (
    LICENSES,
    PACKAGE_DESCRIPTION,
    PACKAGE_NAME,
    PACKAGE_TITLE,
    csv_file,
    data_package,
    read_sources,
)

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
# NUMERIC, not REAL: SQLite then stores a whole amount as an integer (6000000, not 6000000.0) and
# keeps a fraction as a real number, so readers see the amounts as the CSV writes them.
SQLITE_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "NUMERIC", "boolean": "INTEGER",
                "date": "TEXT", "list": "TEXT"}  # fmt: skip
# Columns searched by full text, where a table has them: what a reader types is a name or words
# of a quote.
SEARCHED_COLUMNS = ("name", "aliases", "title", "quote", "amount_text", "note")
CODE_PATTERN = re.compile(r"^\^\[A-Z\]\{\d\}\$$")  # e.g. ^[A-Z]{3}$: currency or country codes


class BuildError(Exception):
    """The release cannot be built (invalid data); nothing was written. (Not to be confused with
    :class:`china_ai_claims.errors.ReleaseError`, a release that cannot be opened.)"""


def release_name(version: str) -> str:
    return f"{PACKAGE_NAME}-{version}"


def release_files(version: str) -> list[str]:
    """The files of a release, in the order ``SHA256SUMS`` lists them."""
    from china_ai_claims.croissant import croissant_file
    from china_ai_claims.parquet_release import parquet_file

    stem = release_name(version)
    ecosystem = [croissant_file(stem), *(parquet_file(stem, r.table) for r in RECORD_TYPES)]
    return sorted(
        [f"{stem}-csv.zip", f"{stem}.json", f"{stem}.sqlite", f"{stem}.datasette.json", *ecosystem]
    )


def _table_rows(data_dir: Path, table: str) -> Iterator[dict[str, Any]]:
    """The rows of a validated table as JSON-ready records, one at a time (a release never holds
    a whole table: its memory stays flat however many rows there are)."""
    model = record_type(table)
    with (data_dir / csv_file(table)).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield model.model_validate(row).model_dump(mode="json")


def _json_text(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True)


def _dump(document: Any) -> bytes:
    return (_json_text(document) + "\n").encode()


def _nested(document: Any, depth: int) -> str:
    """``document`` as :func:`_dump` lays it out ``depth`` levels down: JSON strings escape every
    newline, so each newline of the text is a line break of the layout."""
    return _json_text(document).replace("\n", "\n" + "  " * depth)


def _descriptor_with_hashes(data_dir: Path) -> dict[str, Any]:
    """The dataset's descriptor, each resource with its ``bytes`` and ``hash``."""
    descriptor = data_package(data_dir)
    for resource in descriptor["resources"]:
        data = (data_dir / resource["path"]).read_bytes()
        resource["bytes"] = len(data)
        resource["hash"] = f"sha256:{sha256_of(data)}"
    return descriptor


def release_readme(version: str) -> str:
    stem = release_name(version)
    tables = "\n".join(
        f"- {record.table}.csv: {(record.__doc__ or '').strip().splitlines()[0]}"
        for record in RECORD_TYPES
    )
    return f"""# {PACKAGE_TITLE} {version}

{PACKAGE_DESCRIPTION}

## Files

- {stem}-csv.zip: the CSV tables, `datapackage.json` (a Frictionless Data Package whose
  resources carry their `bytes` and `sha256` hash), the archived source texts, this README and
  the licence.
- {stem}.json: metadata and every table as an array of records, in one document.
- {stem}.sqlite: every table with typed columns, primary and foreign keys and indexes; open it
  with `datasette {stem}.sqlite -m {stem}.datasette.json` for a documented browser.
- {stem}-<table>.parquet: one Parquet file per table, typed as its Table Schema says
  (enumerations as categoricals, lists as lists, dates as dates), for pandas, polars or DuckDB.
- {stem}.croissant.json: MLCommons Croissant 1.1 metadata (schema.org Dataset) describing every
  file with its sha256 and every table with its typed fields, for dataset search and ML tools.
- SHA256SUMS: check every file with `sha256sum -c SHA256SUMS`.

## Tables

{tables}

Every row but a source's carries `source_id` and a verbatim `quote` from the archived source.

## Licence

Data: CC BY 4.0 (see LICENSE); the archived source texts are third-party works kept as
quotations for verification. Cite as: China AI claims, by the china-ai-claims contributors,
version {version}.
"""


def _zip(target: Path, members: dict[str, Callable[[], bytes]]) -> None:
    """Write the zip of ``members`` (name -> its bytes, read when its turn comes, so that one
    member at a time is in memory) in sorted order."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, members[name]())


def _csv_zip(target: Path, data_dir: Path, version: str, descriptor: dict[str, Any]) -> None:
    members: dict[str, Callable[[], bytes]] = {"datapackage.json": lambda: _dump(descriptor)}
    for item in [*descriptor["resources"], *descriptor["sources"]]:
        members[item["path"]] = functools.partial((data_dir / item["path"]).read_bytes)
    members["README.md"] = lambda: _card(data_dir, version, descriptor)
    members["LICENSE"] = lambda: _licence(data_dir)
    _zip(target, members)


def _file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read a mebibyte at a time (the JSON release can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _card(data_dir: Path, version: str, descriptor: dict[str, Any]) -> bytes:
    """The zip's README: the release README as a Hugging Face dataset card."""
    from china_ai_claims.dataset_card import dataset_card

    languages = sorted({row["language"] for row in read_sources(data_dir)})
    return dataset_card(descriptor, release_readme(version), languages).encode()


def _parquet_and_croissant(
    staging: Path, data_dir: Path, version: str, descriptor: dict[str, Any]
) -> None:
    """Write each table's Parquet file, then the Croissant file describing every other file."""
    from china_ai_claims.croissant import croissant, croissant_file
    from china_ai_claims.parquet_release import parquet_file, parquet_files

    stem = release_name(version)
    for name, data in parquet_files(stem, descriptor, lambda path: (data_dir / path).read_bytes()):
        (staging / name).write_bytes(data)
    described = [name for name in release_files(version) if name != croissant_file(stem)]
    hashes = {name: _file_sha256(staging / name) for name in described}
    tables = {r["name"]: parquet_file(stem, r["name"]) for r in descriptor["resources"]}
    document = croissant(descriptor, read_sources(data_dir), hashes, tables)
    (staging / croissant_file(stem)).write_bytes(_dump(document))


def _licence(data_dir: Path) -> bytes:
    return (data_dir / "LICENSE").read_bytes()


def metadata(descriptor: dict[str, Any]) -> dict[str, Any]:
    """The ``metadata`` object of the JSON release: the package fields and each table's schema."""
    fields = {
        key: value for key, value in descriptor.items() if key not in ("resources", "$schema")
    }
    fields["resources"] = [
        {key: resource[key] for key in ("name", "description", "schema")}
        for resource in descriptor["resources"]
    ]
    return fields


def _write_json_release(data_dir: Path, descriptor: dict[str, Any], target: IO[bytes]) -> None:
    """The JSON release, table by table and record by record, byte for byte what :func:`_dump`
    writes for ``{"metadata": ..., "<table>": [records], ...}``."""
    parts: dict[str, Any] = {"metadata": metadata(descriptor)}
    parts.update({record.table: None for record in RECORD_TYPES})
    target.write(b"{")
    for number, key in enumerate(sorted(parts)):
        target.write(f"{',' if number else ''}\n  {_json_text(key)}: ".encode())
        if key == "metadata":
            target.write(_nested(parts[key], 1).encode())
            continue
        empty = True
        for row in _table_rows(data_dir, key):
            target.write(f"{'[' if empty else ','}\n    {_nested(row, 2)}".encode())
            empty = False
        target.write(b"[]" if empty else b"\n  ]")
    target.write(b"\n}\n")


def _sqlite_column(field: dict[str, Any], table: str) -> str:
    name = field["name"]
    constraints = field.get("constraints", {})
    parts = [f'"{name}"', SQLITE_TYPES[field["type"]]]
    if name == "id":
        parts.append("PRIMARY KEY")
    if constraints.get("required"):
        parts.append("NOT NULL")
    if field["type"] == "boolean":
        parts.append(f'CHECK ("{name}" IN (0, 1))')
    if "enum" in constraints:
        allowed = ", ".join(f"'{value}'" for value in constraints["enum"])
        parts.append(f'CHECK ("{name}" IN ({allowed}))')
    return " ".join(parts)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _sqlite_row(values: dict[str, Any], names: list[str]) -> list[Any]:
    return [_sqlite_value(values[name]) for name in names]


class _Filled:
    """How many rows a table has and how many of them fill each column, counted as they pass."""

    def __init__(self) -> None:
        self.rows = 0
        self.columns: dict[str, int] = {}

    def count(self, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            self.rows += 1
            for name, value in row.items():
                if value is not None:
                    self.columns[name] = self.columns.get(name, 0) + 1
            yield row


def _sqlite(data_dir: Path, descriptor: dict[str, Any], target: Path) -> dict[str, _Filled]:
    """Write the SQLite release; returns each table's filled columns, for the facets."""
    filled = {resource["name"]: _Filled() for resource in descriptor["resources"]}
    build = target.with_suffix(".building")
    connection = sqlite3.connect(build)
    try:
        connection.execute("PRAGMA page_size = 4096")
        connection.execute("PRAGMA foreign_keys = ON")
        with connection:
            for resource in descriptor["resources"]:
                table, schema = resource["name"], resource["schema"]
                columns = [_sqlite_column(field, table) for field in schema["fields"]]
                for key in schema.get("foreignKeys", []):
                    target_table = key["reference"]["resource"] or table
                    columns.append(
                        f'FOREIGN KEY ("{key["fields"][0]}") REFERENCES "{target_table}" ("id")'
                    )
                connection.execute(f'CREATE TABLE "{table}" ({", ".join(columns)})')
                for key in schema.get("foreignKeys", []):
                    column = key["fields"][0]
                    connection.execute(f'CREATE INDEX "{table}_{column}" ON "{table}" ("{column}")')
                names = [field["name"] for field in schema["fields"]]
                marks = ", ".join("?" for _ in names)
                connection.executemany(
                    f'INSERT INTO "{table}" VALUES ({marks})',  # noqa: S608 - names from the models
                    (
                        _sqlite_row(row, names)
                        for row in filled[table].count(_table_rows(data_dir, table))
                    ),
                )
                _full_text_index(connection, table, names)
        problems = connection.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise BuildError(f"foreign key problems in the SQLite build: {problems[:5]}")
        connection.execute("VACUUM INTO ?", (str(target),))
    finally:
        connection.close()
        build.unlink(missing_ok=True)
    return filled


def searched_columns(names: list[str]) -> list[str]:
    """The columns of a table that its full-text index covers."""
    return [name for name in SEARCHED_COLUMNS if name in names]


def _full_text_index(connection: sqlite3.Connection, table: str, names: list[str]) -> None:
    """An FTS5 index ``<table>_fts`` over the table's names and quotes (Datasette finds it by
    its ``content=`` table and offers a search box)."""
    columns = searched_columns(names)
    if not columns:
        return
    listed = ", ".join(f'"{name}"' for name in columns)
    connection.execute(
        f'CREATE VIRTUAL TABLE "{table}_fts" USING fts5({listed}, content="{table}")'
    )
    connection.execute(
        f'INSERT INTO "{table}_fts" (rowid, {listed}) '  # noqa: S608 - names from the models
        f'SELECT rowid, {listed} FROM "{table}" ORDER BY rowid'
    )


def category_columns(schema: dict[str, Any]) -> list[str]:
    """The columns whose values come from a short fixed list: an ``enum`` constraint, or a code
    pattern such as ISO currency or country codes. Readers filter and facet by these."""
    found = []
    for spec in schema["fields"]:
        constraints = spec.get("constraints", {})
        if "enum" in constraints or CODE_PATTERN.match(constraints.get("pattern", "")):
            found.append(spec["name"])
    return found


def _canned_queries(descriptor: dict[str, Any]) -> dict[str, Any]:
    """Queries a reader asks first: every claim with an amount; the claims of an organization."""
    columns = {
        resource["name"]: [spec["name"] for spec in resource["schema"]["fields"]]
        for resource in descriptor["resources"]
    }
    # Table and column names below come from the models' schemas, never from the data. What
    # kind of statement an amount is (modality) and what stretch of time it covers (period) stand
    # beside it: a three-year pledge is not a quarter's total, nor a plan money spent.
    readable = ("claim_kind", "modality", "period_kind", "period_value", "period_unit")
    with_amounts = [
        f"SELECT '{table}' AS table_name, id, "  # noqa: S608
        + "".join(f"{name}, " if name in names else f"NULL AS {name}, " for name in readable)
        + "amount, amount_low, amount_high, currency, bound, amount_text, "
        f'claimed_by_organization_id, claimed_by_person_id, quote FROM "{table}" '
        "WHERE amount IS NOT NULL OR amount_low IS NOT NULL"
        for table, names in columns.items()
        if {"amount", "amount_low", "claimed_by_organization_id"} <= set(names)
    ]
    claimed = [
        f"SELECT '{table}' AS table_name, id, claimed_by_organization_id, quote "  # noqa: S608
        f'FROM "{table}"'
        for table, names in columns.items()
        if "claimed_by_organization_id" in names
    ]
    queries: dict[str, Any] = {}
    if with_amounts:
        queries["claims_with_amounts"] = {
            "title": "Every claim with an amount",
            "description": "Cost and funding claims that state a number, largest first; "
            "compare only rows of the same modality and period (amounts are never converted).",
            "sql": "SELECT * FROM ("  # noqa: S608
            + " UNION ALL ".join(with_amounts)
            + ") ORDER BY coalesce(amount, amount_high) DESC, table_name, id",
        }
    if claimed and "organizations" in columns:
        queries["claims_by_organization"] = {
            "title": "Claims by organization",
            "description": "Every claim an organization makes, by organization; "
            "type part of a name to narrow it.",
            "sql": "SELECT o.name AS organization, c.table_name, c.id, c.quote FROM ("  # noqa: S608
            + " UNION ALL ".join(claimed)
            + ") AS c JOIN organizations AS o ON o.id = c.claimed_by_organization_id "
            "WHERE o.name LIKE '%' || :organization || '%' ORDER BY o.name, c.table_name, c.id",
        }
    return queries


def _described_columns(resource: dict[str, Any]) -> str:
    """The table's description, with its columns' meanings folded away so the rows come first."""
    from html import escape

    items = "".join(
        f"<dt>{escape(spec['name'])}</dt><dd>{escape(spec.get('description', ''))}</dd>"
        for spec in resource["schema"]["fields"]
    )
    count = len(resource["schema"]["fields"])
    return (
        f"<p>{escape(resource['description'])}</p><details><summary>What each of the {count} "
        f"columns means</summary><dl>{items}</dl></details>"
    )


def _facets(schema: dict[str, Any], filled: _Filled | None) -> list[str]:
    """The category columns worth a facet: those that at least half the rows fill (all of them
    when the counts are not given), so the facets do not push the rows off the first screen."""
    columns = category_columns(schema)
    if filled is None:
        return columns
    return [c for c in columns if 2 * filled.columns.get(c, 0) >= filled.rows]


def datasette_metadata(
    descriptor: dict[str, Any],
    version: str,
    database: str | None = None,
    filled: dict[str, _Filled] | None = None,
) -> dict[str, Any]:
    """Title, licence, source and, per table, its description with the column meanings (folded
    away so the rows come first), label column, facets, full-text search, and canned queries,
    for ``datasette -m``. ``database`` is the database's name in Datasette: the SQLite file's
    name without ``.sqlite`` (the release file's by default); ``filled``, each table's counts of
    filled cells, narrows the facets to the columns most rows fill."""
    tables = {}
    for resource in descriptor["resources"]:
        names = [spec["name"] for spec in resource["schema"]["fields"]]
        settings: dict[str, Any] = {
            "description_html": _described_columns(resource),
            "facets": _facets(
                resource["schema"], None if filled is None else filled[resource["name"]]
            ),
            "sort": "id",
        }
        label = next((name for name in ("name", "title") if name in names), None)
        if label is not None:
            settings["label_column"] = label
        if searched_columns(names):
            settings["fts_table"] = f"{resource['name']}_fts"
        tables[resource["name"]] = settings
    return {
        "title": f"{PACKAGE_TITLE} {version}",
        "description": PACKAGE_DESCRIPTION,
        "license": "CC BY 4.0",
        "license_url": LICENSES[0]["path"],
        "source": ", ".join(source["title"] for source in descriptor["sources"]),
        "databases": {
            database or release_name(version): {
                "tables": tables,
                "queries": _canned_queries(descriptor),
            }
        },
    }


def _sums(folder: Path, names: list[str]) -> bytes:
    lines = [f"{_file_sha256(folder / name)}  {name}\n" for name in names]
    return "".join(lines).encode()


def build_release(out: Path, data_dir: Path | None = None) -> list[Path]:
    """Validate ``data_dir`` (the packaged dataset by default) and write its release into ``out``.

    Raises :class:`BuildError` when the data is invalid; nothing is written then, and a build
    that fails part way leaves no partial file in ``out``.
    """
    from china_ai_claims.validators import validate

    source = dataset_dir() if data_dir is None else Path(data_dir)
    report = validate(source)
    if not report.valid:
        raise BuildError(report.refusal())
    version = read_version(source)
    descriptor = _descriptor_with_hashes(source)
    stem = release_name(version)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".release-", dir=out))
    try:
        _csv_zip(staging / f"{stem}-csv.zip", source, version, descriptor)
        with (staging / f"{stem}.json").open("wb") as json_file:
            _write_json_release(source, descriptor, json_file)
        filled = _sqlite(source, descriptor, staging / f"{stem}.sqlite")
        (staging / f"{stem}.datasette.json").write_bytes(
            _dump(datasette_metadata(descriptor, version, filled=filled))
        )
        _parquet_and_croissant(staging, source, version, descriptor)
        names = release_files(version)
        (staging / SUMS_FILE).write_bytes(_sums(staging, names))
        written = []
        for name in [*names, SUMS_FILE]:
            os.replace(staging / name, out / name)
            written.append(out / name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
