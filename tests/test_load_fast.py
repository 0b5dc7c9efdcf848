"""An analyst loads tables fast and gets exactly what the cell-by-cell road gives.

``load()`` types a table by whole-column operations (:mod:`china_ai_claims.fast_frames`) and falls
back to the checked road (the one that names a bad cell) on anything unusual. These tests hold the
fast road to the checked one: the same frame, or a refusal that leaves the checked road to answer;
and they show that the descriptor of a dataset folder, checked once per content, is read again
and checked again whenever it changes.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import china_ai_claims as cac
from china_ai_claims import limits, opening
from china_ai_claims.arrow_frames import arrow_frame, arrow_is_pandas_text
from china_ai_claims.errors import DataError, ReleaseFormatError
from china_ai_claims.fast_frames import (
    INTEGER_CELL,
    NUMBER_CELL,
    BytesOutsideDialect,
    check_dialect_bytes,
    date_dtype,
    pandas_frame,
    quick_frame,
)
from china_ai_claims.loading import _checked_frame
from china_ai_claims.opening import _CHECKED_FOLDER_DESCRIPTORS, _CHECKED_KEPT


def _descriptor(folder: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return loaded


def _checked(content: bytes, fields: list[dict[str, Any]]) -> pd.DataFrame:
    return _checked_frame(content, fields, "table.csv", DataError)


Road = Callable[[bytes, list[dict[str, Any]]], "pd.DataFrame | None"]

# Every fast road this pandas can take: by read_csv, and through Arrow where pandas keeps its text
# in Arrow arrays (the road quick_frame then takes).
ROADS: list[Road] = [pandas_frame, *([arrow_frame] if arrow_is_pandas_text() else [])]
each_road = pytest.mark.parametrize("road", ROADS, ids=[road.__name__ for road in ROADS])


def assert_same_frame(ours: pd.DataFrame, reference: pd.DataFrame) -> None:
    """Equal values, dtypes (categories included), index and column labels, and list cells."""
    pd.testing.assert_frame_equal(ours, reference, check_exact=True)
    assert ours.dtypes.to_dict() == reference.dtypes.to_dict()
    assert ours.columns.dtype == reference.columns.dtype
    assert type(ours.index) is type(reference.index)
    for name in ours.columns:
        if ours[name].dtype == object:
            assert ours[name].tolist() == reference[name].tolist(), name


def _assert_each_road_agrees(
    content: bytes, fields: list[dict[str, Any]] | None = None, roads: list[Road] = ROADS
) -> None:
    """Every one of ``roads`` gives the checked road's frame of ``content`` (typed as ``fields``,
    :data:`FIELDS` by default), or ``None`` where the checked road raises."""
    fields = FIELDS if fields is None else fields
    try:
        reference = _checked(content, fields)
    except DataError:
        reference = None
    for road in roads:
        fast = road(content, fields)
        if reference is None:
            assert fast is None, f"{road.__name__} read what the checked road refuses"
        elif fast is not None:
            assert_same_frame(fast, reference)


# --- every table of the real dataset ----------------------------------------------------------


def test_every_table_loads_by_the_fast_road_as_the_checked_road_types_it(
    packaged_dataset: Path,
) -> None:
    descriptor = _descriptor(packaged_dataset)
    for resource in descriptor["resources"]:
        fields = resource["schema"]["fields"]
        content = (packaged_dataset / resource["path"]).read_bytes()
        fast = quick_frame(content, fields)
        assert fast is not None, f"{resource['name']}: the valid table left the fast road"
        assert_same_frame(fast, _checked(content, fields))
        loaded = cac.load(resource["name"])
        assert_same_frame(loaded, _checked(content, fields))
        assert loaded.attrs["columns"].keys() == {field["name"] for field in fields}


# --- cells that are hard to type --------------------------------------------------------------

FIELDS: list[dict[str, Any]] = [
    {"name": "text", "type": "string"},
    {"name": "kind", "type": "string", "constraints": {"enum": ["a", "b", "7"]}},
    {"name": "amount", "type": "number"},
    {"name": "count", "type": "integer"},
    {"name": "named", "type": "boolean", "trueValues": ["true"], "falseValues": ["false"]},
    {"name": "day", "type": "date"},
    {"name": "aliases", "type": "list", "delimiter": "|"},
]
VALID_ROW = {
    "text": "x",
    "kind": "a",
    "amount": "1.5",
    "count": "3",
    "named": "true",
    "day": "2025-01-27",
    "aliases": "p|q",
}


def _csv(rows: list[dict[str, str]]) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[field["name"] for field in FIELDS])
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


# (case, column, cells): a column of the valid row set to each cell in turn, below a valid row.
TYPED_CELLS = [
    ("text that reads as numbers", "text", ["007", "1e5", "-0", "12345678901234567890"]),
    ("text that reads as booleans", "text", ["True", "false", "TRUE"]),
    ("text that reads as missing markers", "text", ["NA", "null", "NaN", "None", "nan"]),
    ("text across lines and with quotes", "text", ['a "quoted"\nline', " padded ", ","]),
    ("an enumeration of digits", "kind", ["7", "7", "7"]),
    ("empty enumerated cells", "kind", ["", "", ""]),
    ("numbers in every written form", "amount", ["0", "-2", ".5", "5.", "1e-3", "6E+06", "007"]),
    ("long decimals rounded once", "amount", ["0.1000000000000000055511151231257827", "1e308"]),
    ("integers up to 18 digits", "count", ["0", "-0", "+5", "007", "999999999999999999"]),
    ("empty cells everywhere", "amount", ["", "", ""]),
    ("booleans both ways", "named", ["true", "false", ""]),
    ("dates and missing dates", "day", ["2020-02-29", ""]),
    ("lists: empty, one item, empty items", "aliases", ["", "one", "a||b", "|"]),
]


def _rows(column: str, cells: list[str]) -> list[dict[str, str]]:
    return [VALID_ROW, *({**VALID_ROW, column: cell} for cell in cells)]


@each_road
@pytest.mark.parametrize(("case", "column", "cells"), TYPED_CELLS, ids=[c[0] for c in TYPED_CELLS])
def test_hard_cells_load_as_the_checked_road_types_them(
    road: Road, case: str, column: str, cells: list[str]
) -> None:
    content = _csv(_rows(column, cells))
    reference = _checked(content, FIELDS)
    fast = road(content, FIELDS)
    assert fast is not None, f"{case}: valid cells left the fast road"
    assert_same_frame(fast, reference)


def test_an_enumeration_of_digits_only_loads_as_its_values() -> None:
    """Every cell "7": pandas, asked for categories, would read the number 7, not the value."""
    content = _csv([{**VALID_ROW, "kind": "7"}, {**VALID_ROW, "kind": "7"}])
    reference = _checked(content, FIELDS)
    assert reference["kind"].tolist() == ["7", "7"]
    assert list(reference["kind"].cat.categories) == ["a", "b", "7"]
    _assert_each_road_agrees(content)


# (case, column, cell): a cell the checked road refuses; the fast road must leave it to that
# road, so that the user reads its message (file, row, column, rule).
REFUSED_CELLS = [
    ("a number with spaces", "amount", " 5"),
    ("a number written as infinity", "amount", "inf"),
    ("a number too large for a float", "amount", "1e999"),
    ("two numbers on two lines", "amount", "1\n2"),
    ("a decimal integer", "count", "1.0"),
    ("an integer of 19 digits beyond 64 bits", "count", "9999999999999999999"),
    ("a boolean spelled otherwise", "named", "True"),
    ("a date in another format", "day", "27/01/2025"),
    ("a date that does not exist", "day", "2025-02-30"),
    ("a value outside the enumeration", "kind", "c"),
    ("an integer in fullwidth digits", "count", "\uff11\uff12"),
    ("a number in Arabic-Indic digits", "amount", "\u0663"),
    ("a number with no exponent after its e", "amount", "1e"),
    ("a number with two signs", "amount", "+-1"),
    ("a number with two points", "amount", "1..2"),
    ("an integer with a sign after its digits", "count", "5+"),
    ("an integer with two signs", "count", "++5"),
    ("a date with a sign for its first digit", "day", "+025-01-27"),
    ("a date with its dashes elsewhere", "day", "2025-0-127"),
    ("a date with a space for a digit", "day", "2025-01-2 "),
    ("a date with slashes", "day", "2025/01/27"),
    ("a date with a one-digit month", "day", "2025-1-27"),
    ("a date in fullwidth digits", "day", "\uff12\uff10\uff12\uff15-01-27"),
]


@each_road
@pytest.mark.parametrize(
    ("case", "column", "cell"), REFUSED_CELLS, ids=[c[0] for c in REFUSED_CELLS]
)
def test_a_refused_cell_is_reported_by_the_checked_road(
    road: Road, case: str, column: str, cell: str
) -> None:
    content = _csv(_rows(column, [cell]))
    assert road(content, FIELDS) is None, f"{case}: the fast road accepted it"
    with pytest.raises(DataError) as refused:
        _checked(content, FIELDS)
    assert refused.value.row == 3
    assert refused.value.column == column


@each_road
@pytest.mark.parametrize("column", ["amount", "count"])
def test_digits_of_other_scripts_are_left_to_the_checked_road(road: Road, column: str) -> None:
    # Whether "\u0663" (ARABIC-INDIC DIGIT THREE) matches \d there depends on the regular
    # expression engine pandas picks; the fast road takes ASCII digits only.
    assert road(_csv(_rows(column, ["\u0663"])), FIELDS) is None


@each_road
def test_a_text_column_that_reads_as_numbers_loads_as_text(road: Road) -> None:
    content = _csv([{**VALID_ROW, "text": text} for text in ("007", "1", "-2")])
    reference = _checked(content, FIELDS)
    assert reference["text"].tolist() == ["007", "1", "-2"]
    fast = road(content, FIELDS)  # read_csv reads numbers there: that road leaves it
    if fast is not None:
        assert_same_frame(fast, reference)


@each_road
@pytest.mark.parametrize("huge", ["9223372036854775808", "-9223372036854775809", "1" * 25])
def test_an_empty_text_cell_is_missing_beside_an_integer_too_large_for_64_bits(
    road: Road, huge: str
) -> None:
    """pandas skips its missing-value rule in a column it tried as integers and found too large:
    the empty cell must still load as missing, as the checked road reads it."""
    content = _csv([{**VALID_ROW, "text": text} for text in ("", huge, "")])
    reference = _checked(content, FIELDS)
    assert reference["text"].isna().tolist() == [True, False, True]
    fast = road(content, FIELDS)
    if fast is not None:
        assert_same_frame(fast, reference)
    loaded = fast if fast is not None else reference
    assert loaded["text"].isna().tolist() == [True, False, True]


# (case, cells of one text column, the first of them the header): pandas 2 reads -2**63, its
# mark of a missing integer, as missing in a column it reads as integers with an empty cell.
INT64_MIN_TEXT = [
    ("-2**63 beside an empty cell", ["a", "", "-9223372036854775808"]),
    ("-2**63 quoted, with zeros", ["a", '"-09223372036854775808"', ""]),
    ("-2**63 in an enumeration", ["kind", "-9223372036854775808", ""]),
]


@each_road
@pytest.mark.parametrize(("case", "cells"), INT64_MIN_TEXT, ids=[c[0] for c in INT64_MIN_TEXT])
def test_the_number_pandas_2_marks_missing_integers_with_stays_text(
    road: Road, case: str, cells: list[str]
) -> None:
    fields = [
        {"name": "a", "type": "string"},
        {"name": "kind", "type": "string", "constraints": {"enum": ["a", "b"]}},
        {"name": "other", "type": "string"},
    ]
    column = fields[[spec["name"] for spec in fields].index(cells[0])]["name"]
    rows = [",".join(cell if spec["name"] == column else "" for spec in fields) for cell in cells]
    rows[0] = ",".join(spec["name"] for spec in fields)
    content = "\n".join([*rows, ""]).encode("utf-8")
    _assert_each_road_agrees(content, fields, [road])
    if column == "a":  # the text is kept, by whichever road loads it
        loaded = road(content, fields)
        frame = loaded if loaded is not None else _checked(content, fields)
        written = [cell.strip('"') for cell in cells[1:] if cell]
        assert frame["a"].dropna().tolist() == written, case
    else:  # a value outside the enumeration is refused, not read as missing
        assert road(content, fields) is None, case
        with pytest.raises(DataError):
            _checked(content, fields)


CELL_TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(list('ab7 0.-+eE|,"\n1TtrufalsN2025-0137/'))),
    # beyond 64 bits, and the number pandas 2 marks a missing integer with
    st.sampled_from(["9223372036854775808", "-9223372036854775809", "-9223372036854775808"]),
)


# No deadline: a busy machine may take long over one example, and no test times the code.
@settings(deadline=None, database=None)
@given(st.lists(st.fixed_dictionaries({field["name"]: CELL_TEXT for field in FIELDS}), max_size=6))
def test_any_cells_load_as_the_checked_road_types_or_refuses_them(
    rows: list[dict[str, str]],
) -> None:
    _assert_each_road_agrees(_csv(rows))


# Raw text, not written by a CSV writer: quotes, separators and line ends anywhere.
RAW_TEXT = st.text(alphabet=st.sampled_from(list('a7,"\n\r 1.-|tre2025-01\ufeff\x00')), max_size=12)
# A raw line: each column's valid cell or raw text, joined by commas as they come.
RAW_LINE = st.tuples(
    *(st.one_of(st.just(VALID_ROW[field["name"]]), st.just(""), RAW_TEXT) for field in FIELDS)
).map(",".join)


@settings(deadline=None, database=None)
@given(st.lists(RAW_LINE, max_size=4), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_any_text_after_the_header_loads_as_the_checked_road_reads_it_or_not_at_all(
    lines: list[str], line_end: str, ended: bool
) -> None:
    """Both CSV readers meet text no writer of the dialect gives (stray quotes, short and long
    rows, lone carriage returns): a fast road may refuse it but never read it otherwise."""
    header = ",".join(field["name"] for field in FIELDS)
    text = line_end.join([header, *lines]) + (line_end if ended else "")
    _assert_each_road_agrees(text.encode("utf-8"))


# (case, text after the header row's cells): files the checked road cannot read, whichever
# reader a fast road uses; each must leave them to the checked road.
REFUSED_FILES = [
    ("a quote left open at the end of the file", '\nx,a,1.5,3,true,2025-01-27,p|q\nx,a,,,,,"'),
    ("a row with a cell too many", "\nx,a,1.5,3,true,2025-01-27,p|q,extra\n"),
    # pandas reads the blank line of a file with lone carriage returns as the start of a row
    ("a blank line between carriage returns", "\rx,a,1.5,3,true,2025-01-27,\r\r,a,1.5,3"),
    # pandas 2 reads a line that a space starts after a lone CR again and again, without end
    ("a space after a lone carriage return", "\nx,a,1.5,3,true,2025-01-27,p|q\n\r x,a\n"),
    ("a tab after a lone CR, in a CRLF file", "\r\nx,a,,,,,\r\n\r\tx,a,,,,,\r\n"),
    # pandas 2 ends a cell at a NUL byte, pandas 3 keeps it
    ("a NUL byte in a cell", "\nx\x00y,a,1.5,3,true,2025-01-27,p|q\n"),
]


@each_road
@pytest.mark.parametrize(("case", "text"), REFUSED_FILES, ids=[c[0] for c in REFUSED_FILES])
def test_a_file_the_checked_road_refuses_leaves_the_fast_road(
    road: Road, case: str, text: str
) -> None:
    content = (",".join(field["name"] for field in FIELDS) + text).encode("utf-8")
    assert road(content, FIELDS) is None, f"{case}: the fast road read it"
    with pytest.raises(DataError):
        _checked(content, FIELDS)


# (text, the line of its first byte outside the dialect, counted by line feeds, or None; the
# start of the message there)
OUTSIDE_DIALECT = [
    (b"a,b\n1,2\n", None, ""),
    (b"a,b\r\n1,2\r\n", None, ""),
    (b"", None, ""),
    (b"a,b\r1,2", 1, "a carriage return (CR)"),
    (b"a,b\n1,2\r", 2, "a carriage return (CR)"),
    (b"a,b\r\n1,2\r\n\r 3,4\r\n", 3, "a carriage return (CR)"),
    # quoted or not: no cell of the dialect holds a CR or a NUL
    (b'a,b\n"1\r\n2",3\n"4\r",5\n', 4, "a carriage return (CR)"),
    (b"a,b\ntest\x00test,x\n", 2, "a NUL byte"),  # pandas 2 reads "test"
    (b'a,b\n"1\n\x00",2\n\r', 3, "a NUL byte"),  # the first of the two
    (b"a\x00,b\n", 1, "a NUL byte"),
]


@pytest.mark.parametrize(("text", "line", "words"), OUTSIDE_DIALECT)
def test_a_byte_pandas_misreads_is_refused_at_its_line(
    text: bytes, line: int | None, words: str
) -> None:
    if line is None:
        check_dialect_bytes(text)
        return
    with pytest.raises(BytesOutsideDialect) as caught:
        check_dialect_bytes(text)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"line {line}: {words}")


# (case, fields, content): tables where the two CSV readers part, or odd descriptors; each fast
# road gives the checked road's frame or leaves the table to it, and never raises.
TEXT = {"type": "string"}
ODD_TABLES = [
    (
        "a quote left open after a quote inside an unquoted cell",
        [{"name": "a", **TEXT}, {"name": "b", **TEXT}],
        b'a,b\nx"y,"w\n',
    ),
    (
        "the same without a line end at the end of the file",
        [{"name": "a", **TEXT}, {"name": "b", **TEXT}],
        b'a,b\nx"y,"w',
    ),
    ("a line of spaces in a table of one column", [{"name": "a", **TEXT}], b"a\nx\n \ny\n"),
    (
        "a value both true and false",
        [
            {"name": "a", **TEXT},
            {"name": "b", "type": "boolean", "trueValues": ["x"], "falseValues": ["x"]},
        ],
        b"a,b\n1,x\n",
    ),
    (
        "a column named by an empty cell",
        [{"name": "", **TEXT}, {"name": "b", **TEXT}],
        b",b\nx,y\n",
    ),
    ("bad UTF-8 in the header", [{"name": "a", **TEXT}, {"name": "b", **TEXT}], b"\xff,b\nx,y\n"),
    ("a header and no rows", FIELDS, _csv([])),
    ("rows of empty cells only", FIELDS, _csv([dict.fromkeys(VALID_ROW, "")] * 3)),
]


@pytest.mark.parametrize(("case", "fields", "content"), ODD_TABLES, ids=[c[0] for c in ODD_TABLES])
def test_where_the_readers_part_the_checked_road_answers(
    case: str, fields: list[dict[str, Any]], content: bytes
) -> None:
    _assert_each_road_agrees(content, fields, [quick_frame, *ROADS])


def _arrow_reads(convert: Callable[[Any, dict[str, Any]], Any], cells: list[str]) -> Any:
    """What one of the Arrow road's column conversions gives a column of ``cells``, or ``None``
    where it leaves the column to the checked road."""
    import pyarrow as pa

    from china_ai_claims import arrow_frames

    try:
        return convert(pa.chunked_array([pa.array(cells, pa.large_string())]), {})
    except arrow_frames._Refused:
        return None


def _short_cells(alphabet: str, longest: int) -> list[str]:
    return [
        "".join(cell)
        for length in range(1, longest + 1)
        for cell in itertools.product(alphabet, repeat=length)
    ]


# Every cell of up to 4 characters written with these, and cells around the 18 digits of Int64
# (the numbers were also compared by hand up to 6 characters: no difference).
NUMBER_LIKE = _short_cells("01.+-eE", 4)
INTEGER_LIKE = _short_cells("09+- ", 5) + [
    sign + "9" * digits for sign in ("", "+", "-", "+-") for digits in range(16, 21)
]


@pytest.mark.parametrize(
    ("kind", "pattern", "cells", "read"),
    [("number", NUMBER_CELL, NUMBER_LIKE, float), ("integer", INTEGER_CELL, INTEGER_LIKE, int)],
    ids=["number", "integer"],
)
def test_arrow_reads_a_short_cell_exactly_when_the_checked_road_does(
    kind: str, pattern: str, cells: list[str], read: Callable[[str], Any]
) -> None:
    """The Arrow road checks the bytes of a whole column, then lets Arrow's cast read it: each
    cell alone is read, to the same value, exactly when it is what the checked road reads."""
    import re

    from china_ai_claims import arrow_frames

    convert = {"number": arrow_frames._numbers, "integer": arrow_frames._integers}[kind]
    readable = [cell for cell in cells if re.fullmatch(pattern, cell)]
    values = _arrow_reads(convert, readable)
    assert values is not None
    assert list(values) == [read(cell) for cell in readable]
    wrongly = [cell for cell in cells if cell not in readable and _arrow_reads(convert, [cell])]
    assert wrongly == []


@pytest.mark.parametrize(
    ("kind", "cells", "read"),
    [
        ("number", ["1.5", None, "+7", "2e3", None, "-0"], float),
        ("integer", ["15", None, "+7", "-0", None, "9"], int),
        ("date", ["2020-02-29", None, "1999-12-31", None, "2025-01-27", None], pd.Timestamp),
    ],
    ids=["number", "integer", "date"],
)
def test_a_column_in_slices_of_several_chunks_is_typed_as_its_cells(
    kind: str, cells: list[str | None], read: Callable[[str], Any]
) -> None:
    """Arrow's reader gives a long file's columns in chunks; the bytes are read from each
    chunk's buffers, which a slice shares with the whole."""
    import pyarrow as pa

    from china_ai_claims import arrow_frames

    convert = {
        "number": arrow_frames._numbers,
        "integer": arrow_frames._integers,
        "date": arrow_frames._dates,
    }[kind]
    whole = pa.array(["x", *cells, "y", *cells], pa.large_string())
    first, second = whole.slice(1, len(cells)), whole.slice(len(cells) + 2)
    for chunks in ([first], [second], [first, second]):
        expected = [None if cell is None else read(cell) for cell in cells * len(chunks)]
        typed = convert(pa.chunked_array(chunks), {})
        assert [None if pd.isna(value) else value for value in typed] == expected


def test_the_text_settings_follow_the_option_that_makes_text_str() -> None:
    """What keys the enumerations kept is the dtype pandas gives text under the options now."""
    import warnings

    from china_ai_claims.fast_frames import text_settings

    for infer in (True, False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas 3.1 deprecates the option
            with pd.option_context("future.infer_string", infer):
                assert text_settings() == (pd.Index(["text"]).dtype, pd.StringDtype().storage)


def test_a_text_option_changed_after_a_load_is_followed() -> None:
    content = _csv([VALID_ROW, {**VALID_ROW, "kind": "b"}])
    assert quick_frame(content, FIELDS) is not None  # whatever is kept, is kept now
    for storage in ("python", "pyarrow"):
        with pd.option_context("mode.string_storage", storage):
            _assert_each_road_agrees(content, roads=[quick_frame, *ROADS])


@each_road
def test_loading_leaves_the_garbage_collector_as_it_found_it(
    road: Road, collector_enabled: bool
) -> None:
    import gc

    content = _csv([VALID_ROW, {**VALID_ROW, "aliases": "x|y|z"}])  # a list column
    assert road(content, FIELDS) is not None
    assert gc.isenabled() is collector_enabled


# --- the descriptor, checked once per content -------------------------------------------------


def _first_text_field(descriptor: dict[str, Any], table: str) -> dict[str, Any]:
    (resource,) = [r for r in descriptor["resources"] if r["name"] == table]
    return next(f for f in resource["schema"]["fields"] if f["type"] == "string")


def test_a_descriptor_changed_between_two_loads_is_read_again(dataset_copy: Path) -> None:
    table = _descriptor(dataset_copy)["resources"][0]["name"]
    before = cac.load(table, data_dir=dataset_copy)
    descriptor = _descriptor(dataset_copy)
    field = _first_text_field(descriptor, table)
    field["description"] = "A description written after the first load."
    values = sorted({str(value) for value in before[field["name"]].dropna()})
    field.setdefault("constraints", {})["enum"] = values
    (dataset_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")

    after = cac.load(table, data_dir=dataset_copy)
    assert after.attrs["columns"][field["name"]]["description"] == field["description"]
    assert isinstance(after[field["name"]].dtype, pd.CategoricalDtype)
    assert list(after[field["name"]].cat.categories) == values
    assert isinstance(before[field["name"]].dtype, pd.StringDtype)


def _unknown_type(descriptor: dict[str, Any]) -> None:
    descriptor["resources"][0]["schema"]["fields"][0]["type"] = "complex"


def _no_version(descriptor: dict[str, Any]) -> None:
    del descriptor["version"]


def _nested_too_deep(descriptor: dict[str, Any]) -> None:
    nested: list[Any] = []
    for _ in range(limits.LIMITS.json_depth + 1):
        nested = [nested]
    descriptor["deep"] = nested


# (case, damage): a descriptor the loader refuses, written over one it loaded a moment before.
HOSTILE_DESCRIPTORS = [
    ("a field of an unknown type", _unknown_type),
    ("no version", _no_version),
    ("nested too deep", _nested_too_deep),
]


@pytest.mark.parametrize(
    ("case", "damage"), HOSTILE_DESCRIPTORS, ids=[c[0] for c in HOSTILE_DESCRIPTORS]
)
def test_a_hostile_descriptor_after_a_good_one_is_still_refused(
    dataset_copy: Path, case: str, damage: Any
) -> None:
    table = _descriptor(dataset_copy)["resources"][0]["name"]
    cac.load(table, data_dir=dataset_copy)  # the good descriptor, now checked and kept
    descriptor = _descriptor(dataset_copy)
    damage(descriptor)
    (dataset_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(ReleaseFormatError):
        cac.load(table, data_dir=dataset_copy)


def test_lower_limits_apply_to_a_descriptor_checked_before(
    dataset_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = _descriptor(dataset_copy)["resources"][0]["name"]
    cac.load(table, data_dir=dataset_copy)
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, json_depth=2))
    with pytest.raises(ReleaseFormatError, match="nested"):
        cac.load(table, data_dir=dataset_copy)


def test_the_checked_descriptors_kept_are_bounded(tmp_path: Path, packaged_dataset: Path) -> None:
    import shutil

    table = _descriptor(packaged_dataset)["resources"][0]["name"]
    for copy in range(_CHECKED_KEPT + 3):
        folder = tmp_path / f"copy-{copy}"
        shutil.copytree(packaged_dataset, folder, ignore=shutil.ignore_patterns("__pycache__"))
        descriptor = _descriptor(folder)
        descriptor["title"] = f"copy {copy}"  # a descriptor of its own
        (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
        cac.load(table, data_dir=folder)
        assert len(_CHECKED_FOLDER_DESCRIPTORS) <= _CHECKED_KEPT


def test_a_large_descriptor_is_checked_on_every_load_and_not_kept(
    dataset_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    descriptor = _descriptor(dataset_copy)
    descriptor["title"] = "A descriptor no other test loads"
    (dataset_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    size = (dataset_copy / "datapackage.json").stat().st_size
    monkeypatch.setattr(opening, "_CHECKED_KEPT_BYTES", size - 1)
    kept = dict(_CHECKED_FOLDER_DESCRIPTORS)
    cac.load(descriptor["resources"][0]["name"], data_dir=dataset_copy)
    assert kept == _CHECKED_FOLDER_DESCRIPTORS


def test_changing_load_all_metadata_changes_no_later_load(dataset_copy: Path) -> None:
    first = cac.load_all(data_dir=dataset_copy)
    table = first.metadata["resources"][0]["name"]
    field = _first_text_field(first.metadata, table)
    field["type"] = "integer"
    field["description"] = "changed by the user"
    again = cac.load(table, data_dir=dataset_copy)
    assert isinstance(again[field["name"]].dtype, pd.StringDtype)
    assert again.attrs["columns"][field["name"]]["description"] != "changed by the user"
    assert cac.load_all(data_dir=dataset_copy).metadata == _descriptor(dataset_copy)


@each_road
def test_a_date_column_has_one_dtype_whether_or_not_a_cell_holds_a_date(road: Road) -> None:
    """A table's dtypes do not depend on its cells: pandas' ``to_datetime`` gives a column with
    no date a unit of seconds and one with dates a finer unit (in pandas 3); every road gives
    the second to both."""
    with_dates = _checked(_csv([VALID_ROW, VALID_ROW]), FIELDS)
    content = _csv([{**VALID_ROW, "day": ""}, {**VALID_ROW, "day": ""}])
    without = _checked(content, FIELDS)
    assert without["day"].isna().all()
    assert without["day"].dtype == with_dates["day"].dtype
    fast = road(content, FIELDS)
    if fast is not None:
        assert_same_frame(fast, without)


@each_road
@pytest.mark.parametrize("day", ["2300-01-01", "1677-09-21"])
def test_a_date_beyond_the_years_of_nanoseconds_loads_or_is_refused_saying_why(
    road: Road, day: str
) -> None:
    """pandas 2 holds dates in nanoseconds (1677 to 2262), pandas 3 in microseconds: a real day
    outside those years loads where the unit holds it, and is otherwise refused for that reason,
    not as a date that does not exist."""
    content = _csv([{**VALID_ROW, "day": day}])
    if np.datetime_data(date_dtype())[0] == "ns":
        assert road(content, FIELDS) is None
        with pytest.raises(DataError, match=r"'[0-9-]+' is a date outside the years this pandas"):
            _checked(content, FIELDS)
        return
    reference = _checked(content, FIELDS)
    assert reference["day"].tolist() == [pd.Timestamp(day)]
    fast = road(content, FIELDS)
    if fast is not None:
        assert_same_frame(fast, reference)


@each_road
def test_the_year_0000_is_refused_as_the_validator_refuses_it(road: Road) -> None:
    """pandas 3 and Arrow read 0000-01-01 as a day; Python's dates, so the validator, do not."""
    content = _csv([VALID_ROW, {**VALID_ROW, "day": "0000-01-01"}])
    assert road(content, FIELDS) is None
    with pytest.raises(DataError, match="row 3, column day: '0000-01-01' is not a valid date"):
        _checked(content, FIELDS)


# (text, whether a line of it holds spaces and tabs alone): pandas skips such a line as blank,
# where the csv module and the validator read a row of one cell.
WHITESPACE_LINES = [
    (b"a\n \t\nb", True),
    (b"a\n  ", True),
    (b" \nx", True),
    (b"\t", True),
    (b"a\n\t\r\nb", True),
    (b"a\n x\n", False),
    (b"a\n\n", False),
    (b"a,b\n1, \n", False),
    (b"a\n \r x\n", False),
]


@pytest.mark.parametrize(("content", "expected"), WHITESPACE_LINES)
def test_a_line_of_spaces_and_tabs_alone_is_found(content: bytes, expected: bool) -> None:
    from china_ai_claims.fast_frames import holds_whitespace_line

    assert holds_whitespace_line(content) is expected
