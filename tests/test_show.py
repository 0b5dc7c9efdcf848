"""A reader looks at a table in the terminal with ``show``, or pipes it into another program."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

import china_ai_claims as cac
from china_ai_claims.cli import app
from china_ai_claims.terminal import write_lines

COMMAND = str(Path(sys.executable).with_name("china-ai-claims"))


def _show(*args: str, width: int = 100) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["show", *args], env={"COLUMNS": str(width)})
    return result.exit_code, result.stdout  # stderr names the data read


def _csv_rows(dataset: Path, table: str) -> list[dict[str, str]]:
    with (dataset / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _as_csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "|".join(value)
    return str(value)


@pytest.mark.parametrize("width", [60, 100, 160])
def test_a_wide_table_fits_the_terminal_with_every_id_whole(
    width: int, packaged_dataset: Path
) -> None:
    for table in cac.tables():
        code, output = _show(table, width=width)
        assert code == 0, output
        lines = output.splitlines()
        ids = [row["id"] for row in _csv_rows(packaged_dataset, table)]
        for line in lines:
            # Only a word too long to share a line (an id is never cut) may overflow.
            assert cell_len(line) <= width or max(map(cell_len, line.split())) > width // 2, line
        words = {word for line in lines for word in line.split()}
        assert set(ids) <= words, table


def test_a_table_that_fits_is_shown_as_columns(packaged_dataset: Path) -> None:
    code, output = _show("people", "--columns", "id,name", width=100)
    assert code == 0
    title, header, rule, *rows, read = output.splitlines()
    assert read.startswith("read ")  # the last line names the data
    assert title == f"people ({len(rows)} rows)"
    assert header.split() == ["id", "name"]
    assert set(rule.replace(" ", "")) == {"─"}
    expected = [f"{row['id']} {row['name']}" for row in _csv_rows(packaged_dataset, "people")]
    assert [" ".join(row.split(maxsplit=1)) for row in rows] == expected


def test_columns_empty_in_every_shown_row_are_left_out(packaged_dataset: Path) -> None:
    for table in cac.tables():
        (row, *_) = _csv_rows(packaged_dataset, table)
        code, output = _show(table, "--where", f"id={row['id']}", width=100)
        assert code == 0
        labels = {word[:-1] for word in output.split() if word.endswith(":")}
        for column, value in row.items():
            if column != "id" and f"{column}:" in output.split():
                assert value, f"{table}.{column} is empty but shown"
        assert {column for column, value in row.items() if value and column != "id"} <= labels


def test_limit_and_columns_pick_the_rows_and_columns(packaged_dataset: Path) -> None:
    code, output = _show("cost_claims", "--columns", "bound,id", "--limit", "2", "--format", "csv")
    assert code == 0
    expected = [["bound", "id"]] + [
        [row["bound"], row["id"]] for row in _csv_rows(packaged_dataset, "cost_claims")[:2]
    ]
    assert list(csv.reader(io.StringIO(output))) == expected


def test_json_has_iso_dates_and_whole_numbers_as_integers(packaged_dataset: Path) -> None:
    for table in cac.tables():
        code, output = _show(table, "--format", "json")
        assert code == 0
        records = json.loads(output)
        rows = _csv_rows(packaged_dataset, table)
        assert [list(record) for record in records] == [list(row) for row in rows]
        for record, row in zip(records, rows, strict=True):
            assert {k: _as_csv_text(v) for k, v in record.items()} == row, table
            for value in record.values():
                assert not (isinstance(value, float) and value.is_integer())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cost_claims", "--columns", "id,nope"], "unknown nope"),
        (["cost_claims", "--columns", ","], "--columns"),
        (["cost_claims", "--limit", "-1"], "--limit"),
    ],
)
def test_bad_columns_or_limit_are_usage_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["show", *args])
    assert result.exit_code == 2
    assert message in result.output


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError


def test_a_closed_pipe_stops_the_output_quietly() -> None:
    produced: list[int] = []

    def lines() -> Any:
        for number in range(1000):
            produced.append(number)
            yield f"{number}\n"

    write_lines(lines(), _ClosedPipe())
    assert produced == [0]


@pytest.mark.parametrize("output_format", ["table", "csv", "json"])
def test_show_into_a_pipe_closed_early_exits_without_a_traceback(output_format: str) -> None:
    process = subprocess.Popen(
        [COMMAND, "show", "cost_claims", "--format", output_format],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    process.stdout.close()  # like `| head -0`: the reader is gone before the first line
    _, errors = process.communicate(timeout=60)
    # No traceback, no message about the pipe: only the line naming the data read.
    assert [line for line in errors.splitlines() if not line.startswith(b"read ")] == []
    assert process.returncode == 0


@pytest.mark.parametrize(
    ("table", "condition", "says"),
    [
        ("cost_claims", "amount=abc", "amount holds numbers"),
        ("cost_claims", "amount=nan", "amount holds numbers"),
        ("sources", "retrieved=2025-02-30", "retrieved holds dates"),
        ("models", "named_in_source=yes", "named_in_source is true or false"),
    ],
)
def test_a_where_value_that_no_cell_could_hold_is_an_error(
    table: str, condition: str, says: str
) -> None:
    """Filtering a number, date or true/false column by something it cannot hold would show
    no row and say nothing: it is an error that says what the column holds."""
    result = CliRunner().invoke(app, ["show", table, "--where", condition])
    assert result.exit_code == 2
    assert says in result.output


def test_a_number_matches_however_it_is_written(packaged_dataset: Path) -> None:
    rows = _csv_rows(packaged_dataset, "cost_claims")
    written = next(row["amount"] for row in rows if row["amount"])
    every_id = {row["id"] for row in rows}
    wanted = {row["id"] for row in rows if row["amount"] and float(row["amount"]) == float(written)}
    for form in (written, f"{float(written):e}", f"{float(written)}"):
        code, output = _show("cost_claims", "--where", f"amount={form}", "--columns", "id")
        assert code == 0, output
        assert set(output.split()) & every_id == wanted, form
