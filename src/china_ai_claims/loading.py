"""Load the tables as typed pandas DataFrames or as pydantic records.

The dtypes come from the Table Schemas inside ``datapackage.json``, so loading a table reads one
small JSON file and one CSV and imports neither pydantic nor frictionless. pandas is imported by the
functions that need it, never by ``import china_ai_claims``.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from china_ai_claims.descriptors import copy_json
from china_ai_claims.errors import VALIDATE_FOR_DETAILS, DataError, ReleaseDataError
from china_ai_claims.fast_frames import (
    DATE_CELL,
    INTEGERS,
    NUMBER_CELL,
    NUMBERS,
    BytesOutsideDialect,
    all_match,
    check_dialect_bytes,
    date_dtype,
    first_short_row,
    holds_whitespace_line,
    quick_frame,
    read_cells,
    rows_are_whole,
    rows_fit_header,
)
from china_ai_claims.opening import Package, dataset_folder, open_data

if TYPE_CHECKING:
    import pandas as pd
    from pydantic import TypeAdapter

    from china_ai_claims.models import Record


class UnknownTableError(KeyError):
    """Raised for a table name the dataset does not have; the message lists the valid names. A
    ``KeyError`` (so a ``LookupError``), as a mapping's missing key is."""

    def __init__(self, table: str, valid: list[str]) -> None:
        from china_ai_claims.validators.problems import did_you_mean

        self.table = table
        self.valid = valid
        guess = did_you_mean(str(table), valid) or ";"  # "; did you mean 'x'?"
        super().__init__(f"unknown table {table!r}{guess} valid tables: {', '.join(valid)}")

    def __str__(self) -> str:  # KeyError's own would show the message as a quoted repr
        return str(self.args[0])


__all__ = ["DataError", "Dataset", "UnknownTableError", "load", "load_all", "records", "tables"]


def tables() -> list[str]:
    """The names of the dataset's tables, in dependency order."""
    return dataset_folder().table_names()


def _data_error(package: Package) -> type[DataError]:
    return ReleaseDataError if package.release else DataError


def _read_frame(package: Package, table: str) -> pd.DataFrame:
    from china_ai_claims.metadata import with_metadata

    resource = package.resource(table)
    fields = resource["schema"]["fields"]
    content = package.read_csv(table)
    frame = quick_frame(content, fields)
    path = Path(resource["path"]).name
    if frame is None:
        frame = _checked_frame(content, fields, path, _data_error(package))
    if package.release:  # a dataset folder is read as it is: validate checks the rest
        _refuse_broken_constraints(frame, fields, path, _data_error(package))
    return with_metadata(frame, package, table)


_CHECKED_CONSTRAINTS = {"required", "unique", "minimum", "maximum"}


def _refuse_broken_constraints(
    frame: pd.DataFrame, fields: list[dict[str, Any]], path: str, error: type[DataError]
) -> None:
    """Raise ``error`` naming the first row (and in it, the first column) with a cell of the
    right type that breaks a constraint a reader relies on: a required cell left empty, a unique
    value repeated, a number beyond its bounds; as records() names the first bad cell. Patterns
    and lengths are left to the validator: checked per cell, they would cost more than reading
    the table. Each is settled by one pass over the column in C (its array's missing cells, a
    uniqueness test, its least and greatest value); only a column that breaks one is searched
    for its first bad cell."""
    import numpy as np

    broken: list[tuple[int, int, str]] = []
    for index, spec in enumerate(fields):
        constraints = spec.get("constraints", {})
        if not _CHECKED_CONSTRAINTS & constraints.keys():
            continue
        column = frame[spec["name"]]
        if constraints.get("required") and spec["type"] != "list":
            missing = np.asarray(column.array.isna(), dtype=bool)
            if missing.any():
                broken.append((int(missing.argmax()), index, "is empty but required"))
        if constraints.get("unique") and not column.is_unique:  # empty cells are not counted
            repeated = (column.notna() & column.duplicated()).to_numpy(dtype=bool)
            if repeated.any():
                broken.append((int(repeated.argmax()), index, "repeats a value of a row above"))
        if spec["type"] not in ("integer", "number") or not column.count():
            continue
        for bound, extreme, beyond, words in (
            ("minimum", column.min, operator.lt, "less"),  # empty cells skipped
            ("maximum", column.max, operator.gt, "more"),
        ):
            limit = constraints.get(bound)
            if limit is not None and beyond(extreme(), limit):
                outside = beyond(column, limit).to_numpy(dtype=bool, na_value=False)
                reason = f"is {words} than the {bound} {limit}"
                broken.append((int(outside.argmax()), index, reason))
    if not broken:
        return
    position, index, reason = min(broken)
    row, name = position + 2, fields[index]["name"]
    value = frame[name].iloc[position]
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # as the CSV writes a whole number
    shown = "" if reason.startswith("is empty") else f" {str(value)[:60]!r}"
    raise error(
        f"{path}: row {row}, column {name}:{shown} {reason}",
        file=path,
        row=row,
        column=name,
    )


def _checked_frame(
    content: bytes, fields: list[dict[str, Any]], path: str, error: type[DataError]
) -> pd.DataFrame:
    """The table typed cell by cell: the road that names the first bad cell (file, row, column
    and rule) when there is one, and the reference that
    :func:`~china_ai_claims.fast_frames.quick_frame` agrees with."""

    names = [spec["name"] for spec in fields]
    try:
        frame = read_cells(content, _read_dtypes(fields))
    except BytesOutsideDialect as problem:
        raise outside_dialect_error(problem, path, error) from None
    except (ValueError, OverflowError) as problem:  # ParserError, EmptyDataError, bad UTF-8
        raise error(
            f"{path}: not a CSV file of the dataset's dialect ({type(problem).__name__})"
            f"{VALIDATE_FOR_DETAILS}",
            file=path,
        ) from None
    if list(frame.columns) != names:
        raise error(
            f"{path}: header {list(frame.columns)} does not match the schema's columns "
            f"{names}{VALIDATE_FOR_DETAILS}",
            file=path,
            row=1,
        )
    if not rows_fit_header(frame):
        raise error(
            f"{path}: the rows have more cells than the header has columns{VALIDATE_FOR_DETAILS}",
            file=path,
        )
    whole = rows_are_whole(content, frame)
    if not whole or holds_whitespace_line(content):
        short = first_short_row(content, len(names))
        if short is not None:
            row, line = short
            raise error(
                f"{path}: row {row} (line {line}) has fewer cells than the header"
                f"{VALIDATE_FOR_DETAILS}",
                file=path,
                row=row,
                line=line,
            )
        if not whole:  # pandas read a row otherwise than the csv format (pandas 2 can)
            raise error(
                f"{path}: pandas read the rows with fewer cells than the csv module reads"
                f"{VALIDATE_FOR_DETAILS}",
                file=path,
            )
    # The first bad cell row by row, and in its row column by column, as records() names it.
    first_bad: tuple[int, dict[str, Any]] | None = None
    for spec in fields:
        typed = _typed_or_first_bad(frame[spec["name"]], spec)
        if not isinstance(typed, int):
            frame[spec["name"]] = typed
        elif first_bad is None or typed < first_bad[0]:
            first_bad = (typed, spec)
    if first_bad is not None:
        position, spec = first_bad
        raise _bad_cell_error(frame[spec["name"]], position, spec, path, error)
    return frame


def dict_rows(content: bytes) -> csv.DictReader[str]:
    """The rows of a table's CSV ``content`` as the csv module reads them, for the readers that
    do not use pandas, refused where ``load`` refuses the text: a byte outside the dialect
    (:class:`BytesOutsideDialect`, though the csv module could read it) or bad UTF-8
    (``UnicodeDecodeError``). A byte-order mark (the validator warns of it) is dropped, as
    ``load``'s pandas drops it."""
    check_dialect_bytes(content)
    return csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline=""))


def cells_unlike_header(row: dict[str | None, Any]) -> str | None:
    """``"fewer"`` or ``"more"`` when a row of :func:`dict_rows` has fewer or more cells than
    the header (the csv module gives the missing ones as ``None``, the extra ones under the key
    ``None``), else ``None``: such a row's cells stand in the wrong columns."""
    if None in row.values():
        return "fewer"
    if None in row:
        return "more"
    return None


def outside_dialect_error(
    problem: BytesOutsideDialect, path: str, error: type[DataError]
) -> DataError:
    """The error that names the file and line of a byte outside the dialect, for every reader."""
    return error(
        f"{path}: {problem}{VALIDATE_FOR_DETAILS}",
        file=path,
        line=problem.line,
    )


def _read_dtypes(fields: list[dict[str, Any]]) -> dict[str, str]:
    """The dtype ``read_csv`` gives each column: text and enumerations as ``string`` (read as
    ``category``, a column whose every cell is a digit would get numbers as categories, and its
    cells would no longer be its enumerated values), the rest as text that :func:`_typed`
    converts and checks."""
    return {spec["name"]: "string" if spec["type"] == "string" else "str" for spec in fields}


class _BadCellAt(Exception):
    """A column holds a cell its type refuses, first at ``position`` (0 for the first row)."""

    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


def _refuse_bad_cells(column: pd.Series, allowed: pd.Series) -> None:
    """Raise :class:`_BadCellAt` for the first non-empty cell that ``allowed`` rejects."""
    accepted = allowed.eq(True).to_numpy(dtype=bool, na_value=False)
    bad = column.notna().to_numpy(dtype=bool) & ~accepted
    if bad.any():
        raise _BadCellAt(int(bad.argmax()))


def _bad_cell_error(
    column: pd.Series, position: int, spec: dict[str, Any], path: str, error: type[DataError]
) -> DataError:
    """The error naming the cell at ``position`` of ``column`` (the header is row 1)."""
    row, name = position + 2, spec["name"]
    value = str(column.iloc[position])
    shown = value if len(value) <= 60 else value[:59] + "…"
    enum = spec.get("constraints", {}).get("enum")
    choices = f" (one of {enum})" if enum is not None else ""
    reason = f"is not a valid {spec['type']}{choices}"
    if spec["type"] == "date" and _is_calendar_date(value):
        reason = (
            "is a date outside the years this pandas's datetime64[ns] holds "
            "(1677-09-22 to 2262-04-11; pandas 3 holds it)"
        )
    return error(
        f"{path}: row {row}, column {name}: {shown!r} {reason}", file=path, row=row, column=name
    )


def _is_calendar_date(value: str) -> bool:
    """Whether ``value`` is a day of the calendar written as the dialect writes dates."""
    if _DATE.fullmatch(value) is None:
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


_DATE = re.compile(DATE_CELL, re.ASCII)
# The validator's range of integers: 64 bits, both ways (so not -2**63). The fast roads read at
# most 18 digits (INTEGER_CELL) and leave a 19-digit cell to this test.
_INT64_MAX = 2**63 - 1
_UP_TO_19_DIGITS = re.compile(r"[+-]?[0-9]{1,19}", re.ASCII)


def _is_int64(value: str) -> bool:
    """Whether ``value`` is an integer in ASCII digits that 64 bits hold."""
    return _UP_TO_19_DIGITS.fullmatch(value) is not None and abs(int(value)) <= _INT64_MAX


def _typed_or_first_bad(column: pd.Series, spec: dict[str, Any]) -> pd.Series | int:
    """:func:`_typed`, or the position of the first cell it refuses."""
    try:
        return _typed(column, spec)
    except _BadCellAt as bad:
        return bad.position


def _typed(column: pd.Series, spec: dict[str, Any]) -> pd.Series:
    """``column``'s cells as ``spec``'s type; raises :class:`_BadCellAt` at the first it refuses."""
    import pandas as pd

    kind = spec["type"]
    enum = spec.get("constraints", {}).get("enum")
    if enum is not None:
        _refuse_bad_cells(column, column.isin(enum))
        return column.astype(pd.CategoricalDtype(categories=enum))
    if kind == "integer":
        shaped = column.str.fullmatch(_UP_TO_19_DIGITS.pattern)
        accepted = shaped.eq(True).to_numpy(dtype=bool, na_value=False).copy()  # may be read-only
        long = accepted & column.str.len().gt(18).to_numpy(dtype=bool, na_value=False)
        if long.any():  # only these may pass 64 bits
            accepted[long] = [_is_int64(text) for text in column[long]]
        _refuse_bad_cells(column, pd.Series(accepted, index=column.index))
        # Some pandas versions (their pyarrow cast) refuse a leading '+' that int() reads.
        integers: pd.Series = column.str.removeprefix("+").astype("Int64")
        return integers
    if kind == "number":
        written = column.str.fullmatch(NUMBER_CELL).eq(True).to_numpy(dtype=bool, na_value=False)
        numbers = column.where(written)
        values = numbers.map(float, na_action="ignore")
        finite = values.map(math.isfinite, na_action="ignore")
        _refuse_bad_cells(column, finite)
        floats: pd.Series = values.astype("Float64")
        return floats
    if kind == "boolean":
        truth = dict.fromkeys(spec.get("trueValues", ["true"]), True)
        truth.update(dict.fromkeys(spec.get("falseValues", ["false"]), False))
        _refuse_bad_cells(column, column.isin(list(truth)))
        booleans: pd.Series = column.map(truth, na_action="ignore").astype("boolean")
        return booleans
    if kind == "date":
        written = column.str.fullmatch(DATE_CELL).eq(True).to_numpy(dtype=bool, na_value=False)
        dates: pd.Series = pd.Series(
            pd.to_datetime(column.where(written), format="%Y-%m-%d", errors="coerce")
        )
        _refuse_bad_cells(column, dates.notna())  # not written as a date, or no such day
        return dates.astype(date_dtype())
    if kind == "list":
        delimiter = spec.get("delimiter", ",")
        # An empty cell is an empty list, as in the records, not a missing value.
        lists = column.map(lambda cell: [] if pd.isna(cell) else cell.split(delimiter))
        return lists.astype(object)
    return column.astype("string")


Source = str | Path | None


def load(
    table: str,
    *,
    data_dir: Source = None,
    release: Source = None,
    sha256: str | None = None,
    version: str | None = None,
    refresh: bool = False,
    with_key: bool = False,
) -> pd.DataFrame:
    """One table as a DataFrame with real dtypes.

    Text is ``string``, enumerations are ``category`` (with every allowed value as a category),
    integers ``Int64``, numbers ``Float64``, booleans ``boolean``, dates ``datetime64``, and list
    columns hold Python lists. Empty cells are missing values; no other text ("NA", "null") is.

    By default the packaged dataset is read; ``data_dir=`` reads a dataset folder (a checkout's
    ``dataset/``) as it is, refusing only a cell its type or allowed values refuse and a row of
    the wrong shape (required cells, unique ids, patterns and lengths are ``validate``'s to check,
    and :func:`records` checks every rule of a row); ``release=`` a release (its zip, JSON file,
    extracted folder or http(s) URL), whose required cells and unique ids are checked too,
    ``version=`` a published release, downloaded once and checked against the hashes this package
    carries. A release is used only when something outside it vouches for it: ``sha256=`` (the
    file's SHA-256), the ``SHA256SUMS`` beside it, or the registry of published releases; then
    every table is checked against its recorded hash. ``refresh=True`` downloads again. Any
    failure to open a release raises a :class:`~china_ai_claims.errors.ReleaseError`.

    ``with_key=True`` adds the ``claim_key`` column of a claim table: claims sharing it state the
    same quantity (see :mod:`china_ai_claims.comparing`).
    """
    package = open_data(data_dir, release, sha256, version=version, refresh=refresh)
    frame = _read_frame(package, table)
    if with_key:
        from china_ai_claims.comparing import with_claim_keys

        frame = with_claim_keys(table, frame)
    return frame


def records(
    table: str,
    *,
    data_dir: Source = None,
    release: Source = None,
    sha256: str | None = None,
    version: str | None = None,
    refresh: bool = False,
) -> list[Record]:
    """One table as validated pydantic records (see :mod:`china_ai_claims.models`); the sources
    are as for :func:`load`. A row its model refuses raises :class:`DataError` naming the file,
    row (the header is row 1) and column."""
    from pydantic import ValidationError

    from china_ai_claims.models import record_type

    package = open_data(data_dir, release, sha256, version=version, refresh=refresh)
    resource = package.resource(table)  # an unknown table fails here, listing the valid ones
    error = _data_error(package)
    path = Path(resource["path"]).name
    try:
        record = record_type(table)
    except LookupError:
        raise UnknownTableError(table, package.table_names()) from None
    try:
        reader = dict_rows(package.read_csv(table))
        rows = list(reader)
        header = list(reader.fieldnames or [])
    except BytesOutsideDialect as problem:
        raise outside_dialect_error(problem, path, error) from None
    except (UnicodeDecodeError, csv.Error) as problem:
        raise error(
            f"{path}: not a CSV file of the dataset's dialect ({problem})", file=path
        ) from None
    names = [spec["name"] for spec in resource["schema"]["fields"]]
    if header != names:
        raise error(
            f"{path}: header {header} does not match the schema's columns {names}"
            f"{VALIDATE_FOR_DETAILS}",
            file=path,
            row=1,
        )
    # The rows before the first one with too many or too few cells are validated in one call, up
    # to the first row with a cell not of its column's type; that row's own problem is reported
    # only when every row before it is valid, and after a problem of a column before it in its
    # own row, as row by row would.
    whole = next((index for index, row in enumerate(rows) if cells_unlike_header(row)), len(rows))
    mistyped = _first_mistyped_cell(rows[:whole], resource["schema"]["fields"])
    checked = whole if mistyped is None else mistyped.index + 1
    try:
        result = _list_adapter(record).validate_python(rows[:checked])
    except ValidationError as problem:
        first = problem.errors()[0]  # the first row's first error: rows are validated in order
        index, *inside = first["loc"]
        row_number, column = int(index) + 2, str(inside[0]) if inside else ""
        if mistyped is None or (int(index), _position(names, column)) < (
            mistyped.index,
            _position(names, mistyped.column),
        ):
            where = f"row {row_number}, column {column}" if column else f"row {row_number}"
            raise error(
                f"{path}: {where}: {first['msg']}",  # (a rule of the whole row has no column)
                file=path,
                row=row_number,
                column=column,
            ) from None
    if mistyped is not None:
        row_number, column = mistyped.index + 2, mistyped.column
        raise error(
            f"{path}: row {row_number}, column {column}: {mistyped.text!r} is not a valid "
            f"{mistyped.kind}",
            file=path,
            row=row_number,
            column=column,
        )
    if whole < len(rows):
        raise error(
            f"{path}: row {whole + 2} has {cells_unlike_header(rows[whole])} cells than the header",
            file=path,
            row=whole + 2,
        )
    for spec in resource["schema"]["fields"]:  # what one record cannot know: a repeated key
        if spec.get("constraints", {}).get("unique"):
            seen: set[Any] = set()
            for index, value in enumerate(getattr(one, spec["name"]) for one in result):
                if value is not None and value in seen:
                    raise error(
                        f"{path}: row {index + 2}, column {spec['name']}: {str(value)[:60]!r} "
                        "repeats a value of a row above",
                        file=path,
                        row=index + 2,
                        column=spec["name"],
                    )
                seen.add(value)
    return result


def _position(names: list[str], column: str) -> int:
    """Where ``column`` stands among ``names``; a problem of the whole row (a rule across its
    columns, which pydantic checks only once every cell reads) stands after its cells."""
    return names.index(column) if column in names else len(names)


@dataclass(frozen=True)
class _MistypedCell:
    index: int  # of the row, the first after the header being 0
    column: str
    kind: str
    text: str


def _first_mistyped_cell(
    rows: list[dict[str, str]], fields: list[dict[str, Any]]
) -> _MistypedCell | None:
    """The first cell, row by row, of a typed column that ``load`` would not read as its type.
    pydantic reads more ("yes" as true, " 7", "7.0" and "1_000" as 7, 7 and 1000, a timestamp
    as a date, an integer beyond 64 bits), so ``records`` and ``load`` would part on such a
    file: ``records`` refuses it as ``load`` does (a date beyond the years of pandas 2's
    nanoseconds aside: ``records`` uses no pandas). Each column of integers, numbers or booleans
    is first checked whole, in C code, and dates cell by cell; a column that fails is read again
    cell by cell, to find its first bad row."""
    first: _MistypedCell | None = None
    for spec in fields:
        kind, name = spec["type"], spec["name"]
        reader = _column_reader(spec)
        if reader is None:
            continue
        column_accepts, accepts = reader
        cells = [row[name] for row in rows]
        if column_accepts([text for text in cells if text]):
            continue
        index = next((i for i, text in enumerate(cells) if text and not accepts(text)), None)
        if index is not None and (first is None or index < first.index):
            first = _MistypedCell(index, name, kind, cells[index])
    return first


_ColumnCheck = Callable[[list[str]], bool]
_CellCheck = Callable[[str], bool]


def _column_reader(spec: dict[str, Any]) -> tuple[_ColumnCheck, _CellCheck] | None:
    """Whether ``load`` reads every one of some non-empty cells of the field ``spec`` as its
    type, and whether it reads one; ``None`` for a column of text, whose every cell is its
    value."""
    kind = spec["type"]
    if kind == "integer":
        return functools.partial(all_match, INTEGERS), _is_int64
    if kind == "number":
        return _all_numbers, _is_number
    if kind == "date":
        return _all_dates, _is_calendar_date
    if kind == "boolean":
        values = {*spec.get("trueValues", ["true"]), *spec.get("falseValues", ["false"])}
        return values.issuperset, values.__contains__
    return None


_NUMBER = re.compile(NUMBER_CELL, re.ASCII)


def _is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None and math.isfinite(float(text))


def _all_numbers(cells: list[str]) -> bool:
    return all_match(NUMBERS, cells) and all(map(math.isfinite, map(float, cells)))


def _all_dates(cells: list[str]) -> bool:
    return all(map(_is_calendar_date, cells))


@functools.cache
def _list_adapter(record: type[Record]) -> TypeAdapter[list[Record]]:
    """One validator for a whole table of ``record`` rows, built once per record type."""
    from pydantic import TypeAdapter

    adapter: TypeAdapter[list[Record]] = TypeAdapter(list[record])  # type: ignore[valid-type]
    return adapter


@dataclass(frozen=True, eq=False)
class Dataset(Mapping[str, "pd.DataFrame"]):  # pandas is imported only when a table is read
    """Every table of one version of the dataset, with its metadata: a read-only mapping of
    table names to frames (``"cost_claims" in dataset``, ``dataset.items()``, ``len(dataset)``),
    whose tables also read as attributes (``dataset.cost_claims``)."""

    version: str
    metadata: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(repr=False)

    def __getitem__(self, table: str) -> pd.DataFrame:
        if table not in self.tables:
            raise UnknownTableError(table, list(self.tables))
        return self.tables[table]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)

    # Equal to itself only: a mapping's == would compare frames, whose == is cell by cell.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    @property
    def sources(self) -> pd.DataFrame:
        """The archived sources every row quotes."""
        return self.tables["sources"]

    def __getattr__(self, name: str) -> pd.DataFrame:
        # Only names that are not attributes get here: tables read as ``dataset.cost_claims``.
        tables: dict[str, pd.DataFrame] = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"Dataset has no attribute or table {name!r}")

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.tables})

    def __repr__(self) -> str:
        rows = "".join(
            f"\n  {name}: {len(frame)} row{'' if len(frame) == 1 else 's'}"
            for name, frame in self.tables.items()
        )
        return f"Dataset(version {self.version}, {len(self.tables)} tables:{rows}\n)"


def load_all(
    *,
    data_dir: Source = None,
    release: Source = None,
    sha256: str | None = None,
    version: str | None = None,
    refresh: bool = False,
) -> Dataset:
    """Every table as a DataFrame, plus the version and the full descriptor as ``metadata``; the
    sources are as for :func:`load`."""
    package = open_data(data_dir, release, sha256, version=version, refresh=refresh)
    # The full descriptor, resources and schemas included: a copy of its own, as the package's
    # may be shared with later calls.
    metadata = copy_json(package.descriptor)
    frames = {table: _read_frame(package, table) for table in package.table_names()}
    return Dataset(version=package.version, metadata=metadata, tables=frames)
