"""Build the downloadable release: CSV zip, one JSON file, SQLite with Datasette metadata, one
Parquet file per table, a Croissant JSON-LD file and ``SHA256SUMS``, byte for byte the same
whenever and wherever the same data is built (Parquet: with the same pyarrow version).

Streaming: validation hands each table's records to the release as it checks them (see
:class:`china_ai_claims.validators.RecordSink`); each record's values are taken once and written,
a batch at a time, to its table's part of the JSON file, to the SQLite database and (through the
JSON text) to its Parquet file, so no table is held in memory and no row is read or validated
twice. The files are kept only if the report is valid. The work done in C code that releases the
GIL (reading the JSON text for Parquet, compressing and writing row groups, copying each SQLite
table into the build file, indexing it, ``VACUUM INTO``) runs in one background thread
(:class:`china_ai_claims.background.Background`), in the order it is given, while validation goes
on; a failure there is the build's failure.

Reproducibility: zip members in sorted order with a fixed timestamp and permissions, stored (not
deflated: compressed bytes differ between zlib builds); JSON with sorted keys; SQLite built table
by table, by the same statements in the same order, and written with ``VACUUM INTO``; no build
time, host or path in any file. The SQLite file header records the SQLite library version, so that
file is identical for builds with the same SQLite version.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import itertools
import json
import operator
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from china_ai_claims._resources import dataset_dir, read_version
from china_ai_claims.background import Background, run_in
from china_ai_claims.models import RECORD_TYPES, Record
from china_ai_claims.opening import SUMS_FILE
from china_ai_claims.schema_builder import (
    LICENSES,
    PACKAGE_DESCRIPTION,
    PACKAGE_NAME,
    PACKAGE_TITLE,
    data_package,
    read_sources,
    resource_descriptor,
)

if TYPE_CHECKING:
    from china_ai_claims.parquet_release import TableWriter

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
# NUMERIC, not REAL: SQLite then stores a whole amount as an integer (6000000, not 6000000.0) and
# keeps a fraction as a real number, so readers see the amounts as the CSV writes them.
SQLITE_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "NUMERIC", "boolean": "INTEGER",
                "date": "TEXT", "list": "TEXT"}  # fmt: skip
# Columns searched by full text, where a table has them: what a reader types is a name or words
# of a quote.
SEARCHED_COLUMNS = ("name", "aliases", "title", "quote", "amount_text", "note")
CODE_PATTERN = re.compile(r"^\^\[A-Z\]\{\d\}\$$")  # e.g. ^[A-Z]{3}$: currency or country codes
SQLITE_BATCH = 1000  # rows inserted with one executemany: fewer calls, little memory
# The page cache of each scratch connection and attached file, in SQLite's negative KiB form (see
# ``_scratch``).
SCRATCH_CACHE_KIB = -256


class BuildError(Exception):
    """The release cannot be built (invalid data); nothing was written. (Not to be confused with
    :class:`china_ai_claims.errors.ReleaseError`, a release that cannot be opened.)"""


class OutputInsideDataError(BuildError):
    """The folder given for the release lies inside the dataset folder: the request is at fault,
    not the data (the command line exits 2); nothing was written."""


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


def _json_text(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True, default=_json_default)


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
        path = data_dir / resource["path"]
        resource["bytes"] = path.stat().st_size
        resource["hash"] = f"sha256:{_file_sha256(path)}"
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


def _zip(target: Path, members: dict[str, Callable[[], bytes] | Path]) -> None:
    """Write the zip of ``members`` in sorted order: each name with its bytes (read when its
    turn comes) or the file whose bytes it holds (copied a mebibyte at a time, so that no member
    is held in memory whole). Both give the bytes ``ZipFile.writestr`` writes."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_STORED
            member = members[name]
            if not isinstance(member, Path):
                archive.writestr(info, member())
                continue
            info.file_size = member.stat().st_size  # decides the header's layout, as writestr's
            with member.open("rb") as source, archive.open(info, "w") as written:
                shutil.copyfileobj(source, written, 1 << 20)


def _csv_zip(target: Path, data_dir: Path, version: str, descriptor: dict[str, Any]) -> None:
    members: dict[str, Callable[[], bytes] | Path] = {"datapackage.json": lambda: _dump(descriptor)}
    for item in [*descriptor["resources"], *descriptor["sources"]]:
        members[item["path"]] = data_dir / item["path"]
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


def _croissant(
    staging: Path,
    data_dir: Path,
    version: str,
    descriptor: dict[str, Any],
    known: dict[str, str],
) -> dict[str, str]:
    """Write the Croissant file describing every other file of the release in ``staging``; give
    the SHA-256 of each file it describes (read once: ``SHA256SUMS`` lists them too), reading
    only those whose hash is not ``known``."""
    from china_ai_claims.croissant import croissant, croissant_file
    from china_ai_claims.parquet_release import parquet_file

    stem = release_name(version)
    described = [name for name in release_files(version) if name != croissant_file(stem)]
    hashes = {name: known.get(name) or _file_sha256(staging / name) for name in described}
    tables = {r["name"]: parquet_file(stem, r["name"]) for r in descriptor["resources"]}
    document = croissant(descriptor, read_sources(data_dir), hashes, tables)
    (staging / croissant_file(stem)).write_bytes(_dump(document))
    return hashes


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


class _Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


def _write_json_release(
    descriptor: dict[str, Any], tables: dict[str, Path], target: _Writable
) -> None:
    """The JSON release, byte for byte what :func:`_dump` writes for ``{"metadata": ...,
    "<table>": [records], ...}``, from each table's array already written to its own file
    (``tables``, see :class:`_JsonArray`), copied in the document's sorted order."""
    parts: dict[str, Any] = {"metadata": metadata(descriptor), **tables}
    target.write(b"{")
    for number, key in enumerate(sorted(parts)):
        target.write(f"{',' if number else ''}\n  {_json_text(key)}: ".encode())
        if key == "metadata":
            target.write(_nested(parts[key], 1).encode())
            continue
        with tables[key].open("rb") as array:
            shutil.copyfileobj(array, target, 1 << 20)
    target.write(b"\n}\n")


# The layout of a record two levels down ({"table": [record, ...]}): its keys on lines indented
# by six spaces, the items of a list by eight, the record closed at four.
_KEY_LINE = "\n" + " " * 6
_LIST_ITEM = "\n" + " " * 8
_RECORD_END = "\n" + " " * 4 + "}"
# Between two records of a batch: found nowhere else, as a record's own lines are indented
# further and a text holds no raw line break. Without the comma, the records are JSON objects
# one after another, as pyarrow's JSON reader reads them.
_BETWEEN_RECORDS = f"{_RECORD_END},\n    {{".encode()
_RECORDS_APART = f"{_RECORD_END}\n{{".encode()
# The C encoder of the json module writes the values of a record in one call, separated by a
# control character: no encoded value holds one raw (strings escape every character below
# U+0020), so splitting on it gives back each value's text. Containers are the exception: their
# items are separated the same way, and they start with "[" or "{" (texts with '"', numbers with
# a digit or "-", the rest with a letter), which is how a value that is not flat is found.
_SEPARATOR = "\x00"
_CONTAINER_STARTS = ("[", "{")
# Records laid out and written together: the steps of a batch are shared by its records, and
# the text waiting to be written stays a few hundred KiB (a thousand records cost a release of
# a hundred times the data 3 MiB more at its peak, and were no faster).
_RECORDS_PER_WRITE = 128


def _json_default(value: Any) -> str:
    """A record's value that JSON has no type for, as its JSON form writes it: a date as ISO
    8601 text (an enumeration is text already: its class derives from ``str``)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_flat_values = json.JSONEncoder(
    ensure_ascii=False, check_circular=False, separators=(_SEPARATOR, ": "), default=_json_default
).encode


def _flat(encoded: str) -> list[str] | None:
    """The texts of the values in ``encoded``, an array that :data:`_flat_values` wrote, or
    ``None`` if a value is an array or object (whose items the separator also separates)."""
    if (
        encoded[1:2] in _CONTAINER_STARTS
        or f"{_SEPARATOR}[" in encoded
        or f"{_SEPARATOR}{{" in encoded
    ):
        return None
    return encoded[1:-1].split(_SEPARATOR)


_list_items = json.JSONEncoder(ensure_ascii=False, separators=(f",{_LIST_ITEM}", ": ")).encode


def _laid_out_lists(lists: list[Any]) -> list[str] | None:
    """Each of ``lists`` laid out as a record's list is, all encoded in one call; or ``None``
    unless each is a list of texts. (A text holds no raw line break, so ``"],\\n        ["``
    is found only between two of the lists.)"""
    if not set(map(type, lists)) <= {list}:
        return None
    if not set(map(type, itertools.chain.from_iterable(lists))) <= {str}:
        return None
    items = _list_items(lists)[2:-2].split(f"],{_LIST_ITEM}[")
    return [f"[{_LIST_ITEM}{part}{_KEY_LINE}]" if part else "[]" for part in items]


def _in_order(keys: Sequence[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving the items of ``keys`` (positions of a list, or keys of a mapping), in
    that order, as a tuple (in one call of C code for two keys or more)."""
    if not keys:
        return lambda items: ()
    if len(keys) == 1:
        (key,) = keys
        return lambda items: (items[key],)
    return operator.itemgetter(*keys)


class _JsonArray:
    """One table's array of the JSON release, written to its own file as the records come: what
    :func:`_nested` lays out two levels down for the list of records.

    The layout the JSON module's ``indent`` gives is done in pure Python (a tenth of a release's
    time when it lays out every record), so here a ``%`` template per table holds the layout and
    the keys in sorted order. Records are written :data:`_RECORDS_PER_WRITE` at a time: all their
    values are encoded by the C encoder in one call (:data:`_flat_values`), all their lists in one
    more (:func:`_laid_out_lists`), and one template lays them out, with no Python step per
    record or value. A batch holding a value that is not flat, or a list of anything but texts
    (values no record type gives), is laid out by :func:`_nested`, record by record."""

    def __init__(
        self,
        target: Path,
        fields: list[dict[str, Any]],
        also: Callable[[bytes, int], None] | None = None,
        rows: Callable[[list[tuple[Any, ...]]], None] | None = None,
    ) -> None:
        self.path = target
        self.also = also
        self.rows = rows
        self._names = [str(field["name"]) for field in fields]
        list_fields = {n for n, field in enumerate(fields) if field.get("type") == "list"}
        by_key = sorted(range(len(fields)), key=lambda n: self._names[n])
        keys = [
            f"{_KEY_LINE}{encode_basestring(self._names[n])}: ".replace("%", "%%") for n in by_key
        ]
        self._template = "{" + ",".join(f"{key}%s" for key in keys) + _RECORD_END
        # For a batch: the values of the keys in order, lists apart, and where each key's texts
        # come from (a list, or a value; its place among those).
        scalars = [n for n in by_key if n not in list_fields]
        lists = [n for n in by_key if n in list_fields]
        self._scalars_in_key_order = _in_order(scalars)
        self._lists_in_key_order = _in_order(lists)
        self._slots = [(n in lists, (lists if n in lists else scalars).index(n)) for n in by_key]
        self._batch_templates: dict[int, str] = {}
        self._handle: IO[bytes] = target.open("wb")
        self._pending: list[tuple[Any, ...]] = []
        self._empty = True

    def add(self, values: tuple[Any, ...]) -> None:
        """Take one record's values, in the order of the table's fields."""
        self._pending.append(values)
        if len(self._pending) >= _RECORDS_PER_WRITE:
            self._write()

    def _batch(self, records: list[tuple[Any, ...]]) -> str | None:
        """``records`` laid out, each after ``",\\n    "``: their values in one encoding, their
        lists in one more, then one template; or ``None`` if a value is not flat or a list holds
        anything but texts."""
        values = list(itertools.chain.from_iterable(map(self._scalars_in_key_order, records)))
        texts = _flat(_flat_values(values)) if values else []
        if texts is None or len(texts) != len(values):
            return None
        lists = list(itertools.chain.from_iterable(map(self._lists_in_key_order, records)))
        laid_out = _laid_out_lists(lists) if lists else []
        if laid_out is None:
            return None
        if lists:  # each key's texts into its place in every record: a slice per key
            width, per_record = len(self._slots), len(values) // len(records)
            texts, scalar_texts = [""] * (width * len(records)), texts
            for place, (is_list, index) in enumerate(self._slots):
                if is_list:
                    texts[place::width] = laid_out[index :: len(lists) // len(records)]
                else:
                    texts[place::width] = scalar_texts[index::per_record]
        template = self._batch_templates.get(len(records))
        if template is None:
            template = f",\n    {self._template}" * len(records)
            self._batch_templates[len(records)] = template
        return template % tuple(texts)

    def _nested(self, values: tuple[Any, ...]) -> str:
        return _nested(dict(zip(self._names, values, strict=True)), 2)

    def _write(self) -> None:
        records, self._pending = self._pending, []
        if not records:
            return
        laid_out = self._batch(records)
        if laid_out is None:
            laid_out = "".join([f",\n    {self._nested(values)}" for values in records])
        if self._empty:  # the array opens where the first record's comma would be
            laid_out = f"[{laid_out[1:]}"
            self._empty = False
        encoded = laid_out.encode()
        self._handle.write(encoded)
        if self.also is not None:  # the records' objects, one after another
            self.also(encoded[1:].replace(_BETWEEN_RECORDS, _RECORDS_APART), len(records))
        if self.rows is not None:  # the records' values, for another writer
            self.rows(records)

    def close(self) -> None:
        if not self._handle.closed:
            try:
                self._write()
                self._handle.write(b"[]" if self._empty else b"\n  ]")
            finally:
                self._handle.close()


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


# How a record's value becomes what the SQLite release stores, for the column types that need it
# (sqlite3 stores True and False as 1 and 0, and an enumeration, a ``str``, as its text): a list
# as JSON text, a date as ISO 8601 text.
_SQLITE_CONVERSIONS: dict[str, Callable[[Any], Any]] = {
    "list": json.JSONEncoder(ensure_ascii=False).encode,
    "date": datetime.date.isoformat,
}


# The sqlite3 module binds an int, a float or a str at once. Any other value (None, a boolean, an
# enumeration's member) first goes through its adaptation step: a registry lookup and two attribute
# lookups that fail, one with a formatted error, thousands of instructions a value, most of the
# time of the inserts, as most cells of a claim are empty. So each column is given in those types,
# one pass of C code for most columns: a null as NaN, which SQLite stores as NULL (as it stores
# any NaN), a boolean as 1 or 0 and an enumeration as its text (what the module binds them as).
_NULL: dict[Any, Any] = {None: float("nan")}
_BOOLEAN: dict[Any, Any] = {**_NULL, True: 1, False: 0}


class _Texts(dict[Any, Any]):
    """The text of each value of a column of texts (an enumeration's member as its value's text,
    a null as NaN), found once per distinct value: later ones are one dictionary lookup."""

    def __init__(self) -> None:
        super().__init__(_NULL)

    def __missing__(self, value: Any) -> Any:
        # A member's text as the sqlite3 module binds it (any other value as it is).
        self[value] = text = str.__str__(value) if isinstance(value, str) else value
        return text


def _bindable(field: dict[str, Any]) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """How a column of ``field``'s values becomes what the SQLite release binds (see
    :data:`_NULL`); the values bind as before whatever their types, only more slowly when not
    as the field's type says."""
    convert = _SQLITE_CONVERSIONS.get(field["type"])
    if convert is not None:  # a list or a date: a text

        def converted(column: Sequence[Any]) -> Sequence[Any]:
            return [_NULL[None] if v is None else convert(v) for v in column]

        return converted
    if field["type"] == "string" and "enum" in field.get("constraints", {}):
        texts = _Texts().__getitem__
        return lambda column: list(map(texts, column))
    if field["type"] == "boolean":
        return lambda column: list(map(_BOOLEAN.get, column, column))

    def without_nulls(column: Sequence[Any]) -> Sequence[Any]:
        return list(map(_NULL.get, column, column)) if None in column else column

    return without_nulls


@dataclasses.dataclass
class _Filled:
    """How many rows a table has and how many of them fill each column (the Parquet writer
    counts them as it writes the columns)."""

    rows: int = 0
    columns: dict[str, int] = dataclasses.field(default_factory=dict)


def _create_table(connection: sqlite3.Connection, table: str, schema: dict[str, Any]) -> None:
    """The table with its typed columns, primary and foreign keys."""
    columns = [_sqlite_column(field, table) for field in schema["fields"]]
    for key in schema.get("foreignKeys", []):
        target_table = key["reference"]["resource"] or table
        columns.append(f'FOREIGN KEY ("{key["fields"][0]}") REFERENCES "{target_table}" ("id")')
    connection.execute(f'CREATE TABLE "{table}" ({", ".join(columns)})')


def _create_rows_table(connection: sqlite3.Connection, table: str, schema: dict[str, Any]) -> None:
    """A table holding the rows as they come, before they are copied into the release's table:
    its columns typed alike (so each value is stored as the release stores it), without keys,
    whose indexes the copy builds, in C code that releases the GIL."""
    columns = [f'"{field["name"]}" {SQLITE_TYPES[field["type"]]}' for field in schema["fields"]]
    connection.execute(f'CREATE TABLE "{table}" ({", ".join(columns)})')


def _create_indexes(connection: sqlite3.Connection, table: str, schema: dict[str, Any]) -> None:
    """An index per foreign key, made once the table holds its rows: sorting them once is about
    twice as fast as keeping each index in order row by row. (``VACUUM INTO`` writes the same
    file either way: it rebuilds every table and index from the schema, in the schema's order.)"""
    for key in schema.get("foreignKeys", []):
        column = key["fields"][0]
        connection.execute(f'CREATE INDEX "{table}_{column}" ON "{table}" ("{column}")')


def _scratch(path: Path, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection to a scratch SQLite file of the build, in autocommit mode."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=check_same_thread)
    connection.execute("PRAGMA page_size = 4096")
    # A scratch file: the release is the copy VACUUM INTO writes, and a build that fails is
    # deleted, never recovered. So no rollback journal and no waiting for the disk (neither is
    # recorded in the file VACUUM INTO writes).
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    # A page cache of 256 KiB instead of 2 MiB (an attached file needs its own PRAGMA): the rows
    # are appended, read once in order and sorted once per index, so a larger cache saves no
    # measurable time, while each connection open at once keeps its own (not recorded in the
    # file VACUUM INTO writes either).
    connection.execute(f"PRAGMA cache_size = {SCRATCH_CACHE_KIB}")
    # Rules the rows already kept, not checked again row by row (the file still holds them):
    # every CHECK (an enumeration's values, 0 or 1 for a boolean) is a rule of the record's
    # type, which validation enforced on every record; the foreign keys are checked once, all
    # tables in, by ``_Database.write`` (a row may name a parent or series that a later row of
    # its own table holds: the data allows any order). Checking them per row was half the time
    # of the inserts.
    connection.execute("PRAGMA ignore_check_constraints = ON")
    connection.execute("PRAGMA foreign_keys = OFF")
    return connection


class _Database:
    """The SQLite release, built table by table as the records come: each table's rows inserted
    (:data:`SQLITE_BATCH` at a time, each column in types the sqlite3 module binds at once: see
    :func:`_bindable`) into a scratch file of its own, in a table without keys,
    then, in ``background`` when given (else at once), copied into the build file's table (whose
    primary key is built, and checked, as the copy goes), where the table's indexes and its
    full-text index are made; ``write`` checks the foreign keys and writes the file with
    ``VACUUM INTO``, also in ``background``.

    The build file is made by the same statements in the same order whether or not there is a
    background thread (tables, rows, indexes, full-text indexes, table after table), so the file
    ``VACUUM INTO`` writes is the same; only the C work of copying, indexing and writing, which
    releases the GIL, overlaps with the inserts of the next table."""

    def __init__(self, build: Path, background: Background | None = None) -> None:
        self._build = build
        self._background = background
        # Used by the background thread only, once made (in turn with nothing else).
        self._connection = _scratch(build, check_same_thread=False)
        self._rows_file: Path | None = None  # the table's scratch file, once started
        self._rows_connection: sqlite3.Connection | None = None
        self._insert = ""
        self._schema: dict[str, Any] = {}
        self._names: list[str] = []
        self._conversions: list[Callable[[Sequence[Any]], Sequence[Any]]] = []  # see _bindable
        self._rows: list[tuple[Any, ...]] = []

    def start(self, table: str, schema: dict[str, Any]) -> None:
        self._rows_file = self._build.with_name(f"{self._build.name}.{table}")
        self._rows_file.unlink(missing_ok=True)
        self._rows_connection = _scratch(self._rows_file)
        _create_rows_table(self._rows_connection, table, schema)
        self._rows_connection.execute("BEGIN")
        self._schema = schema
        self._names = [field["name"] for field in schema["fields"]]
        self._conversions = [_bindable(field) for field in schema["fields"]]
        marks = ", ".join("?" for _ in self._names)
        self._insert = f'INSERT INTO "{table}" VALUES ({marks})'  # noqa: S608 - model names

    def add_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """Take records' values, each in the order of the table's fields."""
        self._rows += rows
        if len(self._rows) >= SQLITE_BATCH:
            self._flush()

    def finish(self, table: str) -> None:
        self._flush()
        if self._rows_connection is not None:
            rows, self._rows_connection = self._rows_connection, None
            rows.execute("COMMIT")
            rows.close()
        file, schema, names = self._rows_file, self._schema, self._names
        assert file is not None, "a table is started before it is finished"

        def build() -> None:
            connection = self._connection
            connection.execute("ATTACH DATABASE ? AS rows", (str(file),))
            connection.execute(f"PRAGMA rows.cache_size = {SCRATCH_CACHE_KIB}")  # not inherited
            connection.execute("BEGIN")
            _create_table(connection, table, schema)
            connection.execute(  # in the order the rows came
                f'INSERT INTO main."{table}" SELECT * FROM rows."{table}" ORDER BY rowid'  # noqa: S608
            )
            connection.execute("COMMIT")
            connection.execute("DETACH DATABASE rows")
            file.unlink()
            connection.execute("BEGIN")
            _create_indexes(connection, table, schema)
            _full_text_index(connection, table, names)
            connection.execute("COMMIT")

        run_in(self._background, build)

    def _flush(self) -> None:
        rows, self._rows = self._rows, []
        if self._rows_connection is None or not rows:
            return
        # Column by column: a few steps per batch, not per row.
        columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
        for position, bindable in enumerate(self._conversions):
            columns[position] = bindable(columns[position])
        self._rows_connection.executemany(self._insert, list(zip(*columns, strict=True)))

    def write(self, target: Path) -> None:
        """Check the foreign keys and write the release's file at ``target`` (in the
        background, when there is one: ``target`` is written once its jobs are done)."""

        def write() -> None:
            problems = self._connection.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise BuildError(f"foreign key problems in the SQLite build: {problems[:5]}")
            self._connection.execute("VACUUM INTO ?", (str(target),))

        run_in(self._background, write)

    def interrupt(self) -> None:
        """Cut short the statement the background thread is running on the build file, if any
        (copying, indexing or ``VACUUM INTO`` a large table takes seconds): it fails, and the
        build with it."""
        with contextlib.suppress(sqlite3.ProgrammingError):  # already closed: nothing runs
            self._connection.interrupt()

    def close(self) -> None:
        """Close the connections and delete the scratch files (once no job is left to run)."""
        try:
            if self._rows_connection is not None:
                self._rows_connection.close()
                self._rows_connection = None
        finally:
            self._connection.close()
        if self._rows_file is not None:
            self._rows_file.unlink(missing_ok=True)
        self._build.unlink(missing_ok=True)


# What writing a record of invalid data may raise: sqlite3's errors of keys and constraints;
# pyarrow's errors of values are ValueError and TypeError.
_WRITE_ERRORS = (sqlite3.Error, ValueError, TypeError, KeyError)


class _ReleaseSink:
    """Receives the records validation builds (a :class:`~china_ai_claims.validators.RecordSink`)
    and writes their values, taken once, to its table's JSON array, which hands each batch it
    lays out to the SQLite database and (as its text) to the table's Parquet file, all in
    ``staging``.

    A record of invalid data may break a rule of the database (a key that is missing or
    repeated): the first such failure stops the writing without stopping validation, whose
    report then says what is wrong; :meth:`check` raises it if the report was valid after all.
    """

    def __init__(self, staging: Path) -> None:
        self._staging = staging
        self.resources = {record.table: resource_descriptor(record) for record in RECORD_TYPES}
        self.filled = {table: _Filled() for table in self.resources}
        self.json_arrays: dict[str, Path] = {}
        self.parquet_files: dict[str, Path] = {}
        self.finished: list[str] = []
        self.failure: Exception | None = None
        self.background = Background("release-writer")
        try:
            self.database = _Database(staging / "release.sqlite.building", self.background)
        except BaseException:
            self.background.stop()
            raise
        self._json: _JsonArray | None = None
        self._parquet_writers: dict[str, TableWriter] = {}
        self._values = _in_order([])

    def start(self, table: str) -> None:
        from china_ai_claims.parquet_release import TableWriter

        if self.failure is not None:
            return
        resource = self.resources[table]
        fields = resource["schema"]["fields"]
        self.parquet_files[table] = self._staging / f"{table}.parquet-part"
        parquet = TableWriter(resource, self.parquet_files[table], self.background)
        self._parquet_writers[table] = parquet
        # The Parquet file is read from the JSON text of the records, encoded once for both.
        # The SQLite table's rows are the records' values, handed over a batch at a time.
        self._json = _JsonArray(
            self._staging / f"{table}.json-array",
            fields,
            also=parquet.add_json,
            rows=self.database.add_rows,
        )
        self.json_arrays[table] = self._json.path
        # A record's values in the order of the table's fields, taken once for the JSON array,
        # which hands them to SQLite and its text to Parquet (from the record's own values: its
        # JSON form would cost a conversion).
        self._values = _in_order([field["name"] for field in fields])
        try:
            self.database.start(table, resource["schema"])
        except _WRITE_ERRORS as error:
            self._stop(error)

    def add(self, record: Record) -> None:
        if self._json is None:
            return  # stopped, or a record outside a table
        try:
            self._json.add(self._values(vars(record)))
        except _WRITE_ERRORS as error:
            self._stop(error)

    def finish(self, table: str) -> None:
        if self._json is None:
            return
        try:
            self._json.close()
            self._parquet_writers[table].close()
            self.database.finish(table)
        except _WRITE_ERRORS as error:
            self._stop(error)
            return
        self.finished.append(table)
        self._json = None

    def _stop(self, error: Exception) -> None:
        self.failure = error
        self.close()

    def check(self) -> None:
        """After a valid report: raise what stopped the writing, if anything did."""
        if self.failure is not None:
            raise self.failure
        self.background.raise_failure()
        missing = [table for table in self.resources if table not in self.finished]
        if missing:
            raise BuildError(f"validation gave no records for {', '.join(missing)}")

    def close(self) -> None:
        """Close the JSON array of a table left unfinished (after a failure part way, or once
        validation is done); its Parquet file and SQLite table are never kept. The other files
        are closed by :meth:`give_up`."""
        if self._json is not None:
            self._json.also = self._json.rows = None
            self._json.close()
        self._json = None

    def wait(self) -> None:
        """Wait for the background jobs (raising what one raised); then every file but those
        still to be written after validation is complete, and ``filled`` is known."""
        self.background.join()
        for table, writer in self._parquet_writers.items():
            self.filled[table] = _Filled(writer.rows, writer.filled())

    def give_up(self) -> None:
        """Stop the background work and close every file (the build is over, done or not).

        Raises nothing: after a failure part way, the failure that ended the build is the one to
        report, and a full disk fails the closing writes too. Each step is taken whatever the
        one before did, the thread stopped first (its SQLite statement interrupted, so that
        Ctrl-C does not wait for a long one), so that no job runs on while the build's folder is
        removed, and no file stays open (Windows cannot remove an open file)."""
        self.background.stop(interrupt=self.database.interrupt)
        with contextlib.suppress(Exception):
            self.close()
        for writer in self._parquet_writers.values():
            with contextlib.suppress(Exception):
                writer.abandon()
        with contextlib.suppress(Exception):  # its scratch files go with the staging folder
            self.database.close()


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


def _sums(folder: Path, names: list[str], hashes: dict[str, str]) -> bytes:
    """``SHA256SUMS`` of the files ``names`` in ``folder``, reading only those not in ``hashes``."""
    lines = [f"{hashes.get(name) or _file_sha256(folder / name)}  {name}\n" for name in names]
    return "".join(lines).encode()


def build_release(out: Path, data_dir: Path | None = None) -> list[Path]:
    """Validate ``data_dir`` (the packaged dataset by default) and write its release into ``out``.

    Raises :class:`BuildError` when the data is invalid; nothing is written then, and a build
    that fails part way leaves no partial file in ``out``.
    """
    from china_ai_claims.validators import validate

    source = dataset_dir() if data_dir is None else Path(data_dir)
    if out.resolve().is_relative_to(source.resolve()):
        # The build's files would be in the folder being validated (and the release in the data).
        raise OutputInsideDataError(
            f"{out} is inside the dataset folder {source}: write the release beside the data, "
            "for example --out release"
        )
    created = [folder for folder in (out, *out.parents) if not folder.exists()]
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".release-", dir=out))
    try:
        sink = _ReleaseSink(staging)
        try:
            report = validate(source, sink=sink)
            sink.close()
            if not report.valid:
                raise BuildError(report.refusal())
            sink.check()
            return _finish_release(out, staging, source, sink)
        finally:
            sink.give_up()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in created:  # deepest first, each only if empty: folders this build made
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _finish_release(out: Path, staging: Path, source: Path, sink: _ReleaseSink) -> list[Path]:
    """Write the files that need the whole data or the other files (the zip, the JSON document,
    the SQLite file, metadata, Croissant, sums) around what ``sink`` wrote, then move every file
    of the release from ``staging`` into ``out``."""
    from china_ai_claims.parquet_release import parquet_file

    version = read_version(source)
    descriptor = _descriptor_with_hashes(source)
    stem = release_name(version)
    sink.database.write(staging / f"{stem}.sqlite")  # in the background, meanwhile:
    _csv_zip(staging / f"{stem}-csv.zip", source, version, descriptor)
    with (staging / f"{stem}.json").open("wb") as json_file:
        hashing = _HashingWriter(json_file)  # hashed as it is written, not read again
        _write_json_release(descriptor, sink.json_arrays, hashing)
    known = {
        f"{stem}-csv.zip": _file_sha256(staging / f"{stem}-csv.zip"),
        f"{stem}.json": hashing.digest.hexdigest(),
    }
    sink.wait()
    (staging / f"{stem}.datasette.json").write_bytes(
        _dump(datasette_metadata(descriptor, version, filled=sink.filled))
    )
    for table, written in sink.parquet_files.items():
        os.replace(written, staging / parquet_file(stem, table))
    hashes = _croissant(staging, source, version, descriptor, known)
    names = release_files(version)
    (staging / SUMS_FILE).write_bytes(_sums(staging, names, hashes))
    finished = []
    for name in [*names, SUMS_FILE]:
        os.replace(staging / name, out / name)
        finished.append(out / name)
    return finished


class _HashingWriter:
    """Writes to ``target`` and hashes what it writes (SHA-256), so that a file is not read
    again to be hashed."""

    def __init__(self, target: IO[bytes]) -> None:
        self._target = target
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self._target.write(data)
