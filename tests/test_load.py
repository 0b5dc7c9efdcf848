"""An analyst installs the package and loads typed tables."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import china_ai_claims as cac
from _mutations import cells_at, rows_of
from china_ai_claims.cli import app
from china_ai_claims.models import RECORD_TYPES, columns

EXPECTED_DTYPE_KIND = {
    "string": pd.StringDtype,
    "integer": pd.Int64Dtype,
    "number": pd.Float64Dtype,
    "boolean": pd.BooleanDtype,
}


@pytest.mark.parametrize("table", [record.table for record in RECORD_TYPES])
def test_every_table_loads_with_the_dtypes_its_schema_declares(
    table: str, packaged_dataset: Path
) -> None:
    descriptor = json.loads((packaged_dataset / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = [r for r in descriptor["resources"] if r["name"] == table]
    frame = cac.load(table)
    assert list(frame.columns) == columns(next(r for r in RECORD_TYPES if r.table == table))
    assert len(frame) > 0
    for spec in resource["schema"]["fields"]:
        dtype = frame[spec["name"]].dtype
        enum = spec.get("constraints", {}).get("enum")
        if enum:
            assert isinstance(dtype, pd.CategoricalDtype), spec["name"]
            assert list(dtype.categories) == enum
        elif spec["type"] == "date":
            assert pd.api.types.is_datetime64_dtype(dtype), spec["name"]
        elif spec["type"] == "list":
            assert dtype is np.dtype(object) or dtype == np.dtype(object)
            assert all(isinstance(cell, list) for cell in frame[spec["name"]])
        else:
            assert isinstance(dtype, EXPECTED_DTYPE_KIND[spec["type"]]), (spec["name"], dtype)


def test_cost_claims_hold_numbers_not_words() -> None:
    frame = cac.load("cost_claims").set_index("id")
    deepseek = frame.loc["deepseek-v3-training-cost"]
    assert deepseek["amount"] == 6_000_000
    assert deepseek["currency"] == "USD"
    assert deepseek["bound"] == "approximate"
    assert pd.isna(frame.loc["model-training-cost-reduction", "amount"])


def test_dates_are_datetimes_and_missing_is_missing() -> None:
    sources = cac.load("sources")
    assert sources.loc[0, "retrieved"] == pd.Timestamp("2026-11-29")
    assert pd.isna(sources.loc[0, "published"])


def test_text_that_looks_like_a_missing_marker_stays_text(dataset_copy: Path) -> None:
    path = dataset_copy / "people.csv"
    text = path.read_text(encoding="utf-8").replace(",CEO,", ",NA,", 1)
    path.write_text(text, encoding="utf-8")
    people = cac.load("people", data_dir=dataset_copy).set_index("id")
    assert people.loc["robin-li", "role"] == "NA"


@pytest.mark.parametrize("table", [record.table for record in RECORD_TYPES])
def test_a_table_whose_every_row_has_an_extra_cell_is_refused(
    dataset_copy: Path, table: str
) -> None:
    """pandas would quietly take the first cells of such rows as an index and shift every
    column by one; loading refuses the table instead."""
    import csv
    import io

    from china_ai_claims.errors import DataError

    path = dataset_copy / f"{table}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    if len(rows) < 2:
        rows.append([""] * len(rows[0]))  # an empty table: one row, then the extra cell
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([rows[0], *([*row, "x"] for row in rows[1:])])
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    with pytest.raises(DataError, match="more cells than the header"):
        cac.load(table, data_dir=dataset_copy)


def _leave_out(column: str) -> Callable[[list[str], list[str]], list[str]]:
    """A row's cells without the one in ``column``: the cells after it move one column left."""

    def cut(header: list[str], cells: list[str]) -> list[str]:
        at = header.index(column)
        return [*cells[:at], *cells[at + 1 :]]

    return cut


# (case, table, the short row (its index, the first after the header being 0), how its cells
# are cut, what comes before it (a note of several lines, a blank line), the row readers name
# (the header is row 1) and the line the validator names). pandas fills the cells missing from
# a short row as empty: without the check, the first case loads the note as the quote.
SHORT_ROWS: list[tuple[str, str, int, Callable[[list[str], list[str]], list[str]], str, int, int]]
SHORT_ROWS = [
    ("the quote's cell left out", "cost_claims", 1, _leave_out("quote"), "", 3, 3),
    ("the last cell left out", "cost_claims", 2, lambda header, cells: cells[:-1], "", 4, 4),
    ("a row of one cell", "people", 0, lambda header, cells: cells[:1], "", 2, 2),
    ("after a note of three lines", "cost_claims", 1, _leave_out("note"), "note", 3, 5),
    ("after a blank line", "models", 1, _leave_out("name"), "blank", 3, 4),
    # pandas skips it as blank; the csv module and the validator read one cell
    ("a line of spaces and a tab", "people", 1, lambda header, cells: ["  \t"], "", 3, 3),
]


@pytest.mark.parametrize(
    ("table", "index", "cut", "before", "row", "line"),
    [case[1:] for case in SHORT_ROWS],
    ids=[case[0] for case in SHORT_ROWS],
)
def test_a_row_with_a_cell_too_few_is_refused_by_every_reader(
    table: str,
    index: int,
    cut: Callable[[list[str], list[str]], list[str]],
    before: str,
    row: int,
    line: int,
    dataset_copy: Path,
) -> None:
    import csv
    import io

    from china_ai_claims.fast_frames import pandas_frame, quick_frame
    from china_ai_claims.validators import validate

    path = dataset_copy / f"{table}.csv"
    header, *rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    if before == "note":
        rows[index - 1][header.index("note")] = "one\ntwo\nthree"
    rows[index] = cut(header, rows[index])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([header, *rows[:index]])
    buffer.write("\n" if before == "blank" else "")
    writer.writerows(rows[index:])
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")

    missing = [(e.file, e.line) for e in validate(dataset_copy).errors if e.rule == "missing-cell"]
    assert missing == [(path.name, line)]
    with pytest.raises(cac.DataError) as caught:
        cac.load(table, data_dir=dataset_copy)
    assert (caught.value.file, caught.value.row, caught.value.line) == (path.name, row, line)
    assert str(caught.value).startswith(
        f"{path.name}: row {row} (line {line}) has fewer cells than the header"
    )
    with pytest.raises(cac.DataError) as caught:
        cac.records(table, data_dir=dataset_copy)
    assert (caught.value.file, caught.value.row) == (path.name, row)
    assert f"row {row} has fewer cells than the header" in str(caught.value)
    fields = json.loads((dataset_copy / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = [r for r in fields["resources"] if r["name"] == table]
    for road in (quick_frame, pandas_frame):  # the fast roads leave it to the checked road
        assert road(path.read_bytes(), resource["schema"]["fields"]) is None


def test_records_refuse_a_repeated_id_which_no_one_record_shows(dataset_copy: Path) -> None:
    rows = rows_of(dataset_copy, "people")
    cells_at("people", {(len(rows) - 1, "id"): rows[0]["id"]})(dataset_copy)
    with pytest.raises(cac.DataError) as caught:
        cac.records("people", data_dir=dataset_copy)
    assert (caught.value.file, caught.value.row, caught.value.column) == (
        "people.csv",
        len(rows) + 1,
        "id",
    )
    assert "repeats a value of a row above" in str(caught.value)


def test_a_windows_checkout_gives_a_cell_over_lines_as_written(dataset_copy: Path) -> None:
    note = "line one\nline two"
    cells_at("people", {(0, "note"): note})(dataset_copy)
    for table in dataset_copy.glob("*.csv"):  # as Git's core.autocrlf checks them out
        table.write_bytes(table.read_bytes().replace(b"\n", b"\r\n"))
    assert cac.load("people", data_dir=dataset_copy)["note"].iloc[0] == note
    assert cac.load_all(data_dir=dataset_copy)["people"]["note"].iloc[0] == note
    assert cac.records("people", data_dir=dataset_copy)[0].note == note


def test_a_line_of_spaces_inside_a_quoted_cell_is_no_short_row(dataset_copy: Path) -> None:
    note = "one\n  \t\nthree"
    cells_at("people", {(0, "note"): note})(dataset_copy)
    assert cac.load("people", data_dir=dataset_copy)["note"].iloc[0] == note
    assert cac.records("people", data_dir=dataset_copy)[0].note == note


def test_the_checked_road_never_loads_a_row_as_pandas_alone_reads_it(
    packaged_dataset: Path,
) -> None:
    """pandas 2 drops spaces that end at its 262,144-byte read boundary: a cell after them then
    reads as quoted, and the row has a cell too few where the csv module reads it whole. The
    checked road refuses such a table, or reads the row as the csv module does."""
    from china_ai_claims.loading import _checked_frame

    fields = json.loads((packaged_dataset / "datapackage.json").read_text(encoding="utf-8"))
    (people,) = [r for r in fields["resources"] if r["name"] == "people"]
    header = b"id,name,aliases,role,organization_id,source_id,quote,note\n"
    assert header.decode().rstrip().split(",") == [f["name"] for f in people["schema"]["fields"]]

    def row(length: int) -> bytes:
        return b"p,P,,r,o,s," + b"q" * length + b",n\n"

    content = header
    while len(content) < 2**18 - 300:
        content += row(50)
    content += row(2**18 - 3 - len(content) - len(row(0)))
    content += b'   "x,y",P,,r,o,s,q\n'  # its spaces end at byte 262,144
    try:
        frame = _checked_frame(content, people["schema"]["fields"], "people.csv", cac.DataError)
    except cac.DataError as refused:
        last_id = f"refused in {refused.file}"
    else:
        last_id = frame["id"].iloc[-1]
    assert last_id in ("refused in people.csv", '   "x')  # '   "x': the csv module's 8 cells


# (case, change to cost_claims.csv's lines (split at each LF), the line the byte is on, the
# validator's rule there, its message's words, the readers' message's words)
BYTES_OUTSIDE_DIALECT = [
    (  # the line pandas 2 reads again and again, until memory runs out
        "a space after a lone CR starts the third line",
        lambda lines: [*lines[:2], b"\r " + lines[2], *lines[3:]],
        3,
        "format-error",
        "a bare carriage return (CR)",
        "a carriage return (CR)",
    ),
    (
        "the second line ends in an old Mac CR, not an LF",
        lambda lines: [lines[0], lines[1] + b"\r" + lines[2], *lines[3:]],
        2,
        "format-error",
        "a bare carriage return (CR)",
        "a carriage return (CR)",
    ),
    (  # pandas 2 ends the cell at it
        "a NUL byte in the second row's first cell",
        lambda lines: [*lines[:2], lines[2][:1] + b"\x00" + lines[2][1:], *lines[3:]],
        3,
        "control-character",
        "U+0000",
        "a NUL byte (U+0000)",
    ),
]


@pytest.mark.parametrize(
    ("change", "line", "rule", "validator_words", "reader_words"),
    [case[1:] for case in BYTES_OUTSIDE_DIALECT],
    ids=[case[0] for case in BYTES_OUTSIDE_DIALECT],
)
def test_a_byte_pandas_misreads_is_named_at_one_line_by_the_validator_and_every_reader(
    change: Callable[[list[bytes]], list[bytes]],
    line: int,
    rule: str,
    validator_words: str,
    reader_words: str,
    dataset_copy: Path,
) -> None:
    from china_ai_claims.validators import validate

    table = "cost_claims"
    path = dataset_copy / f"{table}.csv"
    path.write_bytes(b"\n".join(change(path.read_bytes().split(b"\n"))))
    reported = [e for e in validate(dataset_copy).errors if validator_words in e.message]
    assert [(e.file, e.line, e.rule) for e in reported] == [(path.name, line, rule)]
    for read in (cac.load, cac.records):
        with pytest.raises(cac.DataError) as caught:
            read(table, data_dir=dataset_copy)
        assert (caught.value.file, caught.value.line, caught.value.row) == (path.name, line, None)
        assert str(caught.value).startswith(f"{path.name}: line {line}: {reader_words}")


# (table, column, a cell written otherwise than the dataset writes it, the value read): forms
# both readers read (the validator asks for the plain form), with the same value.
READ_ALIKE = [
    ("funding_claims", "deal_count", "+007", 7),
    ("funding_claims", "deal_count", "9223372036854775807", 2**63 - 1),  # 19 digits, 64 bits
    ("cost_claims", "amount", "5.e6", 5e6),
    ("cost_claims", "amount", "+.5E7", 5e6),
]


@pytest.mark.parametrize(("table", "column", "written", "value"), READ_ALIKE)
def test_load_and_records_read_a_cell_alike(
    table: str, column: str, written: str, value: float, dataset_copy: Path
) -> None:
    rows = rows_of(dataset_copy, table)
    index = next(i for i, row in enumerate(rows) if row[column])  # a row that states it
    cells_at(table, {(index, column): written})(dataset_copy)
    assert cac.load(table, data_dir=dataset_copy)[column].iloc[index] == value
    assert getattr(cac.records(table, data_dir=dataset_copy)[index], column) == value


def test_a_byte_order_mark_is_read_alike_by_every_reader(
    dataset_copy: Path, packaged_dataset: Path
) -> None:
    path = dataset_copy / "cost_claims.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    frame = cac.load("cost_claims", data_dir=dataset_copy)
    models = cac.records("cost_claims", data_dir=dataset_copy)
    assert frame["id"].tolist() == [model.id for model in models]
    assert models == cac.records("cost_claims", data_dir=packaged_dataset)
    result = CliRunner().invoke(app, ["diff", str(packaged_dataset), str(dataset_copy)])
    assert result.exit_code == 0, result.output
    assert "no differences" in result.output


# (case, cells written in events.csv ((row index, column): text), the (row, column) records()
# names, the start of its words there). "1800" reads as an integer but its model refuses it;
# "x" is no date, which records() says in load()'s words.
FIRST_PROBLEMS = [
    ("a mistyped cell alone", {(1, "start_date"): "x"}, (3, "start_date"), "'x' is not a valid"),
    (
        "a row the model refuses before a row with a mistyped cell",
        {(0, "year"): "1800", (1, "start_date"): "x"},
        (2, "year"),
        "Input should be",
    ),
    (
        "a mistyped cell before a row the model refuses",
        {(0, "start_date"): "x", (1, "year"): "1800"},
        (2, "start_date"),
        "'x' is not a valid date",
    ),
    (
        "the model refuses a column before the mistyped one, in one row",
        {(0, "year"): "1800", (0, "start_date"): "x"},
        (2, "year"),
        "Input should be",
    ),
    (
        "the model refuses a column after the mistyped one, in one row",
        {(0, "year"): "x", (0, "time_resolved_from"): "never"},
        (2, "year"),
        "'x' is not a valid integer",
    ),
    (  # pydantic reads the timestamp as a day, then refuses the row: a date but no resolution
        "the model refuses the whole row whose cell is mistyped",
        {(0, "start_date"): "1737936000", (0, "time_resolved_from"): ""},
        (2, "start_date"),
        "'1737936000' is not a valid date",
    ),
]


@pytest.mark.parametrize(
    ("cells", "named", "words"),
    [case[1:] for case in FIRST_PROBLEMS],
    ids=[case[0] for case in FIRST_PROBLEMS],
)
def test_records_names_the_first_problem_row_by_row_and_column_by_column(
    cells: dict[tuple[int, str], str], named: tuple[int, str], words: str, dataset_copy: Path
) -> None:
    cells_at("events", cells)(dataset_copy)
    with pytest.raises(cac.DataError) as caught:
        cac.records("events", data_dir=dataset_copy)
    assert (caught.value.row, caught.value.column) == named
    assert f"events.csv: row {named[0]}, column {named[1]}: {words}" in str(caught.value)


# (case, cells written in events.csv ((row index, column): text), the (row, column) that load()
# and records() both name): the first bad cell row by row, and in its row column by column.
FIRST_BAD_CELLS = [
    (
        "an earlier row's later column",
        {(1, "year"): "x", (0, "start_date"): "y"},
        (2, "start_date"),
    ),
    ("two in one row", {(0, "start_date"): "y", (0, "year"): "x"}, (2, "year")),
    (
        "an enumeration in a later row",
        {(2, "event_kind"): "nope", (1, "year"): "x"},
        (3, "year"),
    ),
    (  # the day that does not exist comes first, though the other is not written as a date
        "no such day before no date at all",
        {(2, "start_date"): "x", (1, "start_date"): "2025-02-30"},
        (3, "start_date"),
    ),
]


@pytest.mark.parametrize(
    ("cells", "named"),
    [case[1:] for case in FIRST_BAD_CELLS],
    ids=[case[0] for case in FIRST_BAD_CELLS],
)
def test_load_and_records_name_the_same_first_bad_cell(
    cells: dict[tuple[int, str], str], named: tuple[int, str], dataset_copy: Path
) -> None:
    cells_at("events", cells)(dataset_copy)
    for read in (cac.load, cac.records):
        with pytest.raises(cac.DataError) as caught:
            read("events", data_dir=dataset_copy)
        assert (caught.value.row, caught.value.column) == named, read.__name__
        assert f"events.csv: row {named[0]}, column {named[1]}: " in str(caught.value)


def test_unknown_table_error_lists_the_valid_names() -> None:
    with pytest.raises(cac.UnknownTableError) as caught:
        cac.load("cost_claim")
    message = str(caught.value)
    assert "'cost_claim'" in message
    for table in cac.tables():
        assert table in message


def test_records_are_validated_pydantic_models() -> None:
    from china_ai_claims.models import Bound, CostClaim

    claims = cac.records("cost_claims")
    assert all(isinstance(claim, CostClaim) for claim in claims)
    by_id = {claim.id: claim for claim in claims}
    assert by_id["gpt-4-training-cost"].bound is Bound.at_least
    with pytest.raises(cac.UnknownTableError):
        cac.records("nope")


def test_load_all_gives_every_table_and_the_metadata() -> None:
    dataset = cac.load_all()
    assert list(dataset.tables) == cac.tables()
    assert dataset.version == cac.__version__
    assert dataset.metadata["name"] == "china-ai-claims"
    assert dataset.sources.loc[0, "id"] == "deepseek-impact-on-china-ai-industry"
    assert dataset["models"].equals(cac.load("models"))
    with pytest.raises(cac.UnknownTableError):
        dataset["nope"]


def _run_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_import_is_light(tmp_path: Path) -> None:
    result = _run_python(
        "import sys, china_ai_claims as c; c.__version__; heavy = "
        "('pandas', 'pydantic', 'frictionless', 'typer'); "
        "print(sorted(m for m in heavy if m in sys.modules))",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_loading_works_from_any_working_directory(tmp_path: Path) -> None:
    result = _run_python(
        "import china_ai_claims as c; print(c.load('cost_claims')['id'].tolist())", tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "deepseek-v3-training-cost" in result.stdout


def test_a_rule_of_the_whole_row_names_the_row_without_an_empty_column(
    dataset_copy: Path,
) -> None:
    cells_at("cost_claims", {(0, "amount_low"): "9", (0, "amount_high"): "1"})(dataset_copy)
    with pytest.raises(cac.DataError) as caught:
        cac.records("cost_claims", data_dir=dataset_copy)
    assert caught.value.row == 2
    assert str(caught.value).startswith("cost_claims.csv: row 2")
    assert "column :" not in str(caught.value)


def test_load_all_is_a_read_only_mapping_of_its_tables() -> None:
    from collections.abc import Mapping

    from china_ai_claims.comparing import related_claims

    dataset = cac.load_all()
    assert isinstance(dataset, Mapping)
    assert list(dataset) == list(dataset.tables) == cac.tables()
    assert len(dataset) == len(dataset.tables)
    assert "cost_claims" in dataset
    assert "no_such_table" not in dataset
    assert dataset.get("no_such_table") is None
    assert all(frame is dataset.tables[name] for name, frame in dataset.items())
    assert dataset == dataset  # itself; never a cell-by-cell comparison of frames
    assert dataset != cac.load_all()
    assert {dataset: 1}[dataset] == 1
    claims = dataset["cost_claims"]
    for row_id in claims["id"]:  # the mapping is what related_claims reads
        related_claims(dataset, "cost_claims", row_id)


@pytest.mark.parametrize(
    ("asked", "words"),
    [("cost_claim", "did you mean 'cost_claims'? valid tables: "),
     ("Funding_Claims", "did you mean 'funding_claims'? "),
     ("x" * 100_000, "; valid tables: ")],
    ids=["plural", "capitals", "long"],
)  # fmt: skip
def test_a_misspelt_table_is_refused_with_the_table_it_most_likely_meant(
    asked: str, words: str
) -> None:
    with pytest.raises(cac.UnknownTableError) as caught:
        cac.load(asked)
    assert words in str(caught.value)
    assert str(caught.value).endswith(", ".join(cac.tables()))
