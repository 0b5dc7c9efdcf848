"""Layer 3: table structure and types, with Frictionless Table Schema semantics.

Each CSV is parsed with the standard library, keeping the physical line each row starts on (the
header is line 1; a row whose quoted cell spans lines is reported at its first line). Cells are
checked against the table's schema (types, required, pattern, enum, lengths, bounds) and for text
hygiene; a row with no problem is marked ``ok`` for the later layers.
"""

from __future__ import annotations

import csv
import math
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import compress
from operator import is_
from typing import Any

from china_ai_claims.validators.files import MAX_FILE_BYTES, MAX_PROBLEMS_PER_FILE, Context
from china_ai_claims.validators.problems import MAX_SUGGESTIONS, did_you_mean
from china_ai_claims.validators.text import (
    FORMULA_STARTS,
    DecodedLines,
    cell_problems,
)

# Long cells are reported by the schema's maxLength, not cut off by the csv module's own limit
# (131072 characters), which would end the reading of the whole file.
csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))

MULTILINE_COLUMNS = frozenset({"quote", "note"})
INT64_MAX = 2**63 - 1
_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NON_FINITE = frozenset(
    {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
)
# A text column's pattern and the least and most characters of a cell (see _Field.plain_text).
_PlainText = tuple["re.Pattern[str] | None", int, int]
# What a quick reading returns for a cell it cannot vouch for: the full check then explains it.
_EXPLAIN: Any = object()
TYPE_HINTS = {
    "integer": "a whole number such as 144",
    "number": "a plain number such as 6000000 or 1.5 (no thousands separators, units or words)",
    "boolean": "true or false",
    "date": "an ISO 8601 date such as 2025-03-31",
}


@dataclass(slots=True)
class Row:
    """One data row: its first physical line, its raw cells and typed values in schema order.

    ``ok``: no problem at all so far (the record rules run only then, so that they do not report
    the same cause again). ``broken``: the columns whose value could not be read or breaks a rule;
    a later check that needs such a column skips it, and every other check still runs.
    """

    line: int
    cells: list[str]
    values: list[Any]
    ok: bool = True
    broken: set[str] = field(default_factory=set)
    unparsed: set[str] = field(default_factory=set)
    usable: bool = True


@dataclass
class Table:
    """A CSV being read: its name, file and column positions. Rows are streamed, not kept (a
    large dataset does not fit in memory twice); ``complete`` turns false when the file cannot be
    read to its end."""

    name: str
    file: str
    index: dict[str, int]
    complete: bool = True
    whole_header: bool = True
    rows: int = 0

    def cell(self, row: Row, column: str) -> str:
        """The raw text of ``column`` in ``row`` ("" when the header lacks the column)."""
        return row.cells[self.index[column]]

    def value(self, row: Row, column: str) -> Any:
        """The typed value of ``column`` in ``row`` (``None`` when empty or not parsed)."""
        return row.values[self.index[column]]

    def as_dict(self, row: Row) -> dict[str, str]:
        """The row's cells by column name."""
        return dict(zip(self.index, row.cells, strict=True))


class _Field:
    """A Table Schema field, compiled for fast checking."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.name: str = spec["name"]
        self.type: str = spec["type"]
        constraints = spec.get("constraints", {})
        self.required: bool = constraints.get("required", False)
        pattern = constraints.get("pattern")
        self.pattern = re.compile(pattern) if pattern else None
        self.enum: set[str] | None = set(constraints["enum"]) if "enum" in constraints else None
        self.enum_order: list[str] = constraints.get("enum", [])
        self.max_length: int | None = constraints.get("maxLength")
        self.min_length: int | None = constraints.get("minLength")
        self.minimum: float | None = constraints.get("minimum")
        self.maximum: float | None = constraints.get("maximum")
        self.delimiter: str = spec.get("delimiter", ",")
        self.multiline = self.name in MULTILINE_COLUMNS

    def check(self, value: str, clean: bool = False) -> tuple[Any, list[tuple[str, str]]]:
        """The typed value of a cell and the (rule, message) pairs it breaks (``clean``: the
        cell's lines hold no suspect character, see :func:`line_is_clean`)."""
        if value == "":
            if self.required:
                return None, [("constraint-error", "the cell is empty but required")]
            return None, []
        delimiter = self.delimiter if self.type == "list" else None
        found = cell_problems(
            value, multiline=self.multiline, list_delimiter=delimiter, clean=clean
        )
        # A cell with spaces around it is read and held to its rules without them: "USD " is
        # one problem (untrimmed-whitespace), not three (and a pattern and a length broken).
        value = value.strip() or value
        typed, type_problem = self._parse(value)
        if type_problem:
            return None, [*found, type_problem]
        found.extend(self._constraints(value, typed))
        return typed, found

    def quick_reader(self) -> Callable[[str], Any]:
        """A reader of a non-empty cell from clean lines (see :func:`line_is_clean`) that gives
        the typed value :meth:`check` gives when the cell breaks no rule, and ``_EXPLAIN``
        whenever it might break one: then :meth:`check` runs and says what is wrong. It reads
        the value with :meth:`_parse`, as :meth:`check` does, and makes the other checks without
        building their messages (some 8% of a whole validation at 1000x)."""
        parse, is_list, formula = self._parse, self.type == "list", FORMULA_STARTS
        enum, pattern = self.enum, self.pattern
        max_length, min_length = self.max_length, self.min_length
        minimum, maximum = self.minimum, self.maximum
        by_text = enum is not None or pattern is not None
        by_length = max_length is not None or min_length is not None
        by_size = minimum is not None or maximum is not None
        as_written = self.type == "string" and not by_size  # the text is the value

        def read(value: str) -> Any:
            if "\n" in value or value != value.strip() or value.startswith(formula):
                return _EXPLAIN
            if by_text and (
                (enum is not None and value not in enum)
                or (pattern is not None and not pattern.fullmatch(value))
            ):
                return _EXPLAIN
            if by_length and (
                (max_length is not None and len(value) > max_length)
                or (min_length is not None and len(value) < min_length)
            ):
                return _EXPLAIN
            if as_written:
                return value  # what _parse gives a string, without the call
            result, problem = parse(value)
            if problem is not None or (
                is_list and any(item.startswith(formula) for item in result)
            ):
                return _EXPLAIN
            if by_size and (
                (minimum is not None and result < minimum)
                or (maximum is not None and result > maximum)
            ):
                return _EXPLAIN
            return result

        return read

    def plain_text(self) -> _PlainText | None:
        """For a column whose value is its text (a string with no enumeration or bounds), what
        :func:`_quick_row` checks in place of :meth:`quick_reader`'s call, with the same
        outcome; ``None`` for any other column."""
        if self.type != "string" or self.enum is not None:
            return None
        if self.minimum is not None or self.maximum is not None:
            return None
        shortest = 0 if self.min_length is None else self.min_length
        longest = sys.maxsize if self.max_length is None else self.max_length
        return (self.pattern, shortest, longest)

    def _parse(self, value: str) -> tuple[Any, tuple[str, str] | None]:
        kind = self.type
        if kind == "string":
            return value, None
        if kind == "list":
            items = value.split(self.delimiter)
            if any(item == "" or item != item.strip() for item in items):
                return None, (
                    "constraint-error",
                    f"empty or padded item in a '{self.delimiter}' list",
                )
            return items, None
        if kind == "boolean":
            if value in ("true", "false"):
                return value == "true", None
        elif kind == "integer":
            if _INTEGER.fullmatch(value):
                if len(value) > 20:  # int() of thousands of digits is slow, and refused past 4300
                    return None, ("number-out-of-range", "the integer does not fit in 64 bits")
                whole = int(value)
                if abs(whole) > INT64_MAX:
                    return None, ("number-out-of-range", "the integer does not fit in 64 bits")
                return whole, None
        elif kind == "number":
            if value.lower() in _NON_FINITE:
                return None, ("non-finite-number", "NaN and infinity are not allowed")
            if len(value) <= 400 and _NUMBER.fullmatch(value):
                number = float(value)
                if not math.isfinite(number):
                    return None, ("non-finite-number", "the number overflows to infinity")
                return number, None
        elif kind == "date" and _DATE.fullmatch(value):
            try:
                return date.fromisoformat(value), None
            except ValueError:
                return None, ("type-error", "not a calendar date")
        return None, ("type-error", f"not {self.type}: expected {TYPE_HINTS.get(kind, kind)}")

    def _constraints(self, value: str, typed: Any) -> list[tuple[str, str]]:
        found = []
        if self.enum is not None and value not in self.enum:
            found.append(
                (
                    "constraint-error",
                    f"not one of: {', '.join(self.enum_order)}{did_you_mean(value, self.enum)}",
                )
            )
        if self.pattern is not None and not self.pattern.fullmatch(value):
            found.append(("constraint-error", f"does not match the pattern {self.pattern.pattern}"))
        if self.max_length is not None and len(value) > self.max_length:
            found.append(("constraint-error", f"longer than {self.max_length} characters"))
        if self.min_length is not None and len(value) < self.min_length:
            found.append(("constraint-error", f"shorter than {self.min_length} characters"))
        if self.minimum is not None and typed < self.minimum:
            found.append(("constraint-error", f"less than the minimum {self.minimum:g}"))
        if self.maximum is not None and typed > self.maximum:
            found.append(("constraint-error", f"more than the maximum {self.maximum:g}"))
        return found


def _check_header(context: Context, file: str, header: list[str], names: list[str]) -> bool:
    """Report label problems; ``False`` when a column is missing (rows cannot be whole)."""
    seen: set[str] = set()
    absent = set(names).difference(header)  # what a misspelt label most likely meant
    searches = MAX_SUGGESTIONS
    for position, label in enumerate(header, start=1):
        if label == "":
            context.add(file, 1, "blank-label", f"column {position} of the header has no name")
        elif label in seen:
            context.add(file, 1, "duplicate-label", f"column {label!r} appears twice", label)
        elif label not in names:
            searches -= 1
            suggestion = did_you_mean(label, absent) if searches >= 0 else ""
            context.add(
                file, 1, "extra-label", f"unknown column {label!r}{suggestion}", value=label
            )
        seen.add(label)
    missing = [name for name in names if name not in seen]
    for name in missing:
        context.add(file, 1, "missing-label", f"the header lacks column {name!r}", name)
    known = [label for label in header if label in names]
    if not missing and known != names:
        context.add(
            file, 1, "incorrect-label", f"the columns must be in this order: {', '.join(names)}"
        )
    return not missing


def read_rows(
    context: Context, table: Table, lines: DecodedLines, schema: dict[str, Any]
) -> Iterator[Row]:
    """Check the header, then yield each data row of ``lines`` checked against the Table Schema.
    A row's cells get the quick reading only when ``lines.suspect_lines`` did not grow while its
    lines were read."""
    fields = [_Field(spec) for spec in schema["fields"]]
    names = [spec.name for spec in fields]
    reader = csv.reader(lines, strict=True)
    last_line = 0
    try:
        header = next(reader, None)
        if header is None:
            context.add(table.file, 1, "format-error", "the file is empty: it needs a header")
            table.complete = False
            return
        last_line = reader.line_num
        whole_header = table.whole_header = _check_header(context, table.file, header, names)
        positions: dict[str, int] = {}
        for position, label in enumerate(header):
            positions.setdefault(label, position)
        # for each schema field, its position in the file's rows (None: the header lacks it)
        layout = [(positions.get(spec.name), spec) for spec in fields]
        width = len(header)
        quick = _quick_layout(layout, width)
        suspect = lines.suspect_lines
        for cells in reader:
            line, last_line = last_line + 1, reader.line_num
            clean = suspect == lines.suspect_lines
            suspect = lines.suspect_lines
            row = _quick_row(line, cells, quick) if clean and len(cells) == width else None
            if row is None:
                row = _check_row(context, table.file, line, cells, width, layout, clean)
            if not whole_header:
                row.ok = row.usable = False
            table.rows += 1
            yield row
    except csv.Error as error:
        context.add(table.file, last_line + 1, "format-error", f"unreadable CSV: {error}")
        table.complete = False


# A file's short cells repeat (enumerations, references, dates, currencies): their readings are
# remembered, a bounded number per column and file. Lists are not: a row's list is its own.
REMEMBERED_LENGTH = 200
REMEMBERED_PER_COLUMN = 1_000


@dataclass(frozen=True, slots=True)
class _QuickLayout:
    """How :func:`_quick_row` reads the rows of one file, column by column in schema order.

    ``readings``: for each column, the cells whose typed value is known (an empty cell of a
    column that is not required is ``None``; the readings of the columns that ``remembers``
    grow as the file is read), so that most cells of a row are read in one pass of C code.
    """

    in_order: bool  # the file's cells are already in schema order
    positions: list[int]  # each column's position in the file's rows
    readings: list[dict[str, Any]]
    readers: list[Callable[[str], Any]]
    remembers: list[bool]
    unknown: list[Any]  # _EXPLAIN for each column: what a cell without a reading gives
    columns: range  # every column's number
    plain: list[_PlainText | None]  # each column's _Field.plain_text


def _quick_layout(layout: list[tuple[int | None, _Field]], width: int) -> _QuickLayout | None:
    """How :func:`_quick_row` reads a row of this file; ``None`` when the header lacks a column
    (every row then needs the full check)."""
    positions = [position for position, _ in layout if position is not None]
    if len(positions) != len(layout):
        return None
    fields = [spec for _, spec in layout]
    return _QuickLayout(
        in_order=positions == list(range(width)),
        positions=positions,
        readings=[{} if spec.required else {"": None} for spec in fields],
        readers=[spec.quick_reader() for spec in fields],
        remembers=[_remembers(spec) for spec in fields],
        unknown=[_EXPLAIN] * len(fields),
        columns=range(len(fields)),
        plain=[spec.plain_text() for spec in fields],
    )


def _remembers(spec: _Field) -> bool:
    return spec.type != "list" and (spec.max_length is None or spec.max_length <= REMEMBERED_LENGTH)


def _quick_row(line: int, cells: list[str], quick: _QuickLayout | None) -> Row | None:
    """The row when every cell of clean lines passes its quick reader, else ``None`` (the full
    check then reads the row and explains each problem). Most rows of most files take this
    way; it reports nothing, so it cannot change what a report says."""
    if quick is None:
        return None
    row_cells = cells if quick.in_order else [cells[position] for position in quick.positions]
    readings_of, unknown = quick.readings, quick.unknown
    values = list(map(dict.get, readings_of, row_cells, unknown))
    plain_of, remembers = quick.plain, quick.remembers
    # the columns of the cells without a reading (ids, quotes, new values), found in C code
    for column in compress(quick.columns, map(is_, values, unknown)):
        value = row_cells[column]
        if value == "":
            return None  # a required cell is empty
        plain = plain_of[column]
        if plain is None:
            typed = quick.readers[column](value)
            if typed is _EXPLAIN:
                return None
        else:  # the text is the value: quick_reader's checks without its call
            pattern, shortest, longest = plain
            if (
                "\n" in value
                or value != value.strip()
                or value.startswith(FORMULA_STARTS)
                or (pattern is not None and not pattern.fullmatch(value))
                or not shortest <= len(value) <= longest
            ):
                return None
            typed = value
        if remembers[column]:
            readings = readings_of[column]
            if len(readings) <= REMEMBERED_PER_COLUMN:
                readings[value] = typed
        values[column] = typed
    if not any(cells):
        return None  # a blank row is a problem of its own
    return Row(line, row_cells, values)


def _check_row(
    context: Context,
    file: str,
    line: int,
    cells: list[str],
    width: int,
    layout: list[tuple[int | None, _Field]],
    clean: bool = False,
) -> Row:
    before = context.per_file.get(file, 0)
    if not any(cells):
        context.add(file, line, "blank-row", "the row is empty")
        return Row(line, [""] * len(layout), [None] * len(layout), ok=False, usable=False)
    if len(cells) != width:
        return _misshapen_row(context, file, line, cells, width, layout)
    row_cells: list[str] = []
    row_values: list[Any] = []
    broken: set[str] = set()
    unparsed: set[str] = set()
    for position, spec in layout:
        if position is None:
            row_cells.append("")
            row_values.append(None)
            broken.add(spec.name)
            unparsed.add(spec.name)
            continue
        value = cells[position]
        typed, found = spec.check(value, clean)
        row_cells.append(value)
        row_values.append(typed)
        if found:
            broken.add(spec.name)
            if typed is None:
                unparsed.add(spec.name)
        for rule, message in found:
            context.add(file, line, rule, message, spec.name, value)
    ok = context.per_file.get(file, 0) == before
    return Row(line, row_cells, row_values, ok=ok, broken=broken, unparsed=unparsed)


def _fits(cells: list[str], fields: list[_Field]) -> int:
    """How many of ``cells`` fit the column they stand in."""
    return sum(not spec.check(value)[1] for value, spec in zip(cells, fields, strict=False))


def _shift_start(cells: list[str], fields: list[_Field]) -> int | None:
    """Where one missing or extra cell most likely is: the position whose repair (an empty
    cell put there, or the cell there taken out) makes the most cells fit their columns, the
    earliest on a tie. ``None`` when more than one cell is missing or extra."""
    difference = len(fields) - len(cells)
    if abs(difference) != 1:
        return None
    candidates = range(len(cells) + 1) if difference == 1 else range(len(cells))
    repaired = (
        (position, [*cells[:position], "", *cells[position:]])
        if difference == 1
        else (position, [*cells[:position], *cells[position + 1 :]])
        for position in candidates
    )
    return max(repaired, key=lambda item: (_fits(item[1], fields), -item[0]))[0]


def _misshapen_row(
    context: Context,
    file: str,
    line: int,
    cells: list[str],
    width: int,
    layout: list[tuple[int | None, _Field]],
) -> Row:
    """A row with more or fewer cells than the header is one problem: every cell after the
    missing or extra one sits in the wrong column, so judging each would bury the cause under
    type errors. The problem says where the shift most likely starts (an unquoted comma in a
    cell, or a comma too few)."""
    rule = "extra-cell" if len(cells) > width else "missing-cell"
    fields = [spec for _, spec in sorted((p, s) for p, s in layout if p is not None)]
    message = f"{len(cells)} cells for {width} columns"
    column = value = None
    # The search tries every position: done only while the file's problems are still listed.
    # (A header that parses to no column at all leaves nothing to point at.)
    if fields and len(fields) == width and context.per_file.get(file, 0) < MAX_PROBLEMS_PER_FILE:
        position = _shift_start(cells, fields)
        if position is not None and position < width:
            column = fields[position].name
            message += f"; the shift most likely starts at column {position + 1} ({column})"
            message += (
                ": a cell is missing there (a comma too few?)"
                if rule == "missing-cell"
                else ": the cell there is one too many (an unquoted comma in a cell?)"
            )
            value = cells[position] if position < len(cells) else None
        elif position is not None:
            message += f"; the extra cell follows the last column ({fields[-1].name})"
            value = cells[position]
        elif rule == "missing-cell":
            message += f"; the row ends after column {len(cells)} ({fields[len(cells) - 1].name})"
    context.add(file, line, rule, message, column, value)
    padded = (cells + [""] * width)[:width]
    row_cells = ["" if position is None else padded[position] for position, _ in layout]
    names = {spec.name for _, spec in layout}
    return Row(
        line,
        row_cells,
        [None] * len(layout),
        ok=False,
        broken=set(names),
        unparsed=set(names),
        usable=False,
    )
