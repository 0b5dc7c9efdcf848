"""A reader looks at the data before reading code: info, show, the chart, and browsing."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

import china_ai_claims as cac
from _installed import CHINA_AI_CLAIMS
from _mutations import cell
from china_ai_claims.cli import app

COMMAND = CHINA_AI_CLAIMS


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _stdout(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr apart: machine formats keep stdout for the data."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_info_lists_version_tables_with_row_counts_and_sources() -> None:
    code, output = _run("info")
    assert code == 0
    lines = output.splitlines()
    assert lines[0] == f"china-ai-claims {cac.__version__}"
    for table in cac.tables():
        (line,) = [line for line in lines if line.split()[:1] == [table]]
        assert line.split()[1] == str(len(cac.load(table)))
    assert (
        "  deepseek-impact-on-china-ai-industry: DeepSeek’s Impact on China’s AI Industry" in lines
    )


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_show_csv_is_every_cell_of_the_table_as_the_dataset_writes_it(
    packaged_dataset: Path,
) -> None:
    for table in cac.tables():
        code, output, said = _stdout("show", table, "--format", "csv")
        assert code == 0
        assert said.startswith("read ")
        # the cells, not the bytes: a valid file may quote a cell that needs no quotes
        written = (packaged_dataset / f"{table}.csv").read_text(encoding="utf-8")
        assert _cells(output) == _cells(written), table


def test_show_csv_quotes_only_where_csv_needs_it(dataset_copy: Path) -> None:
    table = dataset_copy / "people.csv"
    rows = _cells(table.read_text(encoding="utf-8"))
    with table.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    code, output, _ = _stdout("show", "people", "--format", "csv", "--data-dir", str(dataset_copy))
    assert code == 0
    assert _cells(output) == rows
    minimal = io.StringIO()
    csv.writer(minimal, lineterminator="\n").writerows(rows)
    assert output == minimal.getvalue()


def test_show_where_filters_rows_by_the_cell_as_written(packaged_dataset: Path) -> None:
    code, output, _ = _stdout(
        "show", "models", "--where", "named_in_source=false", "--format", "json"
    )
    assert code == 0
    rows = json.loads(output)
    with (packaged_dataset / "models.csv").open(encoding="utf-8", newline="") as handle:
        expected = {
            row["id"] for row in csv.DictReader(handle) if row["named_in_source"] == "false"
        }
    assert expected
    assert {row["id"] for row in rows} == expected
    code, output, _ = _stdout(
        "show",
        "cost_claims",
        "--where",
        "bound=at_least",
        "--where",
        "model_id=gpt-4",
        "--format",
        "csv",
    )
    assert output.splitlines()[1].startswith("gpt-4-training-cost,")
    assert len(output.splitlines()) == 2


def test_show_prints_a_rich_table_by_default() -> None:
    code, output = _run("show", "people", "--where", "role=CEO")
    assert code == 0
    assert "people (1 row)" in output
    assert "Robin Li" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "nope"], "unknown table 'nope'"),
        (["show", "people", "--where", "shoe=1"], "use COLUMN=VALUE"),
        (["show", "people", "--where", "role"], "use COLUMN=VALUE"),
    ],
)
def test_show_usage_errors_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    code, output = _run(*args)
    assert code == 2
    assert message in output


def test_chart_is_drawn_from_the_data_it_is_given(
    repo_root: Path, tmp_path: Path, dataset_copy: Path
) -> None:
    # The chart follows from the data at release time (release.yml draws and attaches it), so a
    # contribution need not redraw it, and its bytes depend on the matplotlib release: the test
    # checks what it shows, on a copy of the data with a claim of its own.
    cell("models", "gpt-4", name="A Model Renamed For This Test")(dataset_copy)
    fresh = tmp_path / "claims.svg"
    code, output = _run("chart", str(dataset_copy), "--out", str(fresh))
    assert code == 0, output
    assert output.splitlines()[-1] == f"read {dataset_copy.as_posix()}/ (checkout)"
    drawn = fresh.read_text(encoding="utf-8")
    assert "A Model Renamed For This Test" in drawn
    assert "mathdefault" not in drawn  # amounts in words ("10 million"), not powers of ten
    assert "docs/claims.svg" in (repo_root / "README.md").read_text(encoding="utf-8")


def test_chart_draws_every_quantified_claim_and_lists_the_rest() -> None:
    from china_ai_claims.chart import claims_to_draw

    bars, words = claims_to_draw()
    quantified = sum(
        int(frame["bound"].notna().sum() - (frame["bound"] == "unquantified").sum())
        for frame in (cac.load("cost_claims"), cac.load("funding_claims"))
    )
    assert len(bars) == quantified
    labels = {bar.label for bar in bars}
    assert "DeepSeek V3, per DeepSeek" in labels
    assert any("“billions of yuan”" in line and "Wang Xing" in line for line in words)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1 only
        return json.loads(response.read())


def test_browse_serves_the_release_on_localhost_and_stops(tmp_path: Path) -> None:
    port = _free_port()
    log = (tmp_path / "browse.log").open("wb")
    process = subprocess.Popen(
        [COMMAND, "browse", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                databases = _get(f"{base}/-/databases.json")
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, (tmp_path / "browse.log").read_text()
                assert time.monotonic() < deadline, "datasette did not start"
                time.sleep(0.05)
        assert isinstance(databases, list)
        (database,) = databases
        assert database["name"] == "china-ai-claims"  # no version: links survive a release
        route = database["route"].replace(".", "~2E")
        rows = _get(f"{base}/{route}/cost_claims.json?_shape=array&id=deepseek-v3-training-cost")
        assert isinstance(rows, list)
        (row,) = rows
        assert row["amount"] == 6000000
        assert row["bound"] == "approximate"
        metadata = _get(f"{base}/-/metadata.json")
        assert isinstance(metadata, dict)
        assert metadata["license"] == "CC BY 4.0"
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
    assert process.returncode is not None


def test_each_kind_of_point_has_a_mark_of_its_own() -> None:
    """A reader tells an approximate amount from a claim that is not an assertion (and both
    from an exact assertion) by the mark alone, as the chart's legend says."""
    from china_ai_claims.chart import Point, _draw_point

    class Axis:
        def __init__(self) -> None:
            self.marks: list[tuple[str, bool]] = []

        def plot(self, x: object, y: object, shape: str = "", **style: object) -> None:
            self.marks.append((shape, style.get("markerfacecolor") == "white"))

        def annotate(self, *args: object, **kwargs: object) -> None:
            pass

    marks = set()
    for bound in ("exact", "approximate"):
        for modality in ("assertion", "forecast"):
            axis = Axis()
            _draw_point(axis, 0, Point("t", "l", "p", "USD", 1, 1, bound, "a", modality), "#000")
            (mark,) = axis.marks
            marks.add(mark)
    assert len(marks) == 4


def _leave_out_a_quote_cell(dataset: Path) -> None:
    """The second row of ``cost_claims.csv`` without its quote cell (line 3)."""
    path = dataset / "cost_claims.csv"
    header, *rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    at = header.index("quote")
    rows[1] = [*rows[1][:at], *rows[1][at + 1 :]]
    with path.open("w", encoding="utf-8", newline="") as written:
        csv.writer(written, lineterminator="\n").writerows([header, *rows])


# (command, its arguments): each reads the tables of a folder whose cost_claims.csv has a row
# without its quote cell, which no reader may take as whole.
READERS_OF_A_SHORT_ROW = [
    ("info", ["info", "{dataset}"]),
    ("show", ["show", "cost_claims", "--data-dir", "{dataset}"]),
    ("compare", ["compare", "{dataset}"]),
]


@pytest.mark.parametrize(
    "arguments",
    [case[1] for case in READERS_OF_A_SHORT_ROW],
    ids=[c[0] for c in READERS_OF_A_SHORT_ROW],
)
def test_data_that_cannot_be_read_is_bad_data_exit_1_with_one_hint(
    arguments: list[str], dataset_copy: Path
) -> None:
    _leave_out_a_quote_cell(dataset_copy)
    code, stdout, stderr = _stdout(*(a.format(dataset=dataset_copy) for a in arguments))
    assert (code, stdout) == (1, "")
    assert stderr.startswith("china-ai-claims: error: ")
    assert "cost_claims.csv: row 3 (line 3) has fewer cells than the header; " in stderr
    assert stderr.count("china-ai-claims validate") == 1  # one hint, naming the folder
    assert stderr.endswith(f"'china-ai-claims validate {dataset_copy}' lists every problem\n")


def test_the_coverage_report_refuses_a_row_a_cell_short(dataset_copy: Path) -> None:
    _leave_out_a_quote_cell(dataset_copy)
    code, stdout, stderr = _stdout("coverage", str(dataset_copy))
    assert (code, stdout) == (2, "")
    assert stderr.startswith("china-ai-claims: error: cost_claims.csv: row 3 has fewer cells than")


def test_a_chart_of_one_claim_a_panel_marks_its_axis_in_words_too(
    dataset_copy: Path, tmp_path: Path
) -> None:
    """A panel spanning less than a decade gets labelled minor ticks (30 billion, 40 billion):
    they are in words too."""
    for table in ("cost_claims", "funding_claims"):
        path = dataset_copy / f"{table}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        kept = [row for row in rows if row["amount"]][:1]
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(kept)
    drawn = tmp_path / "claims.svg"
    code, output = _run("chart", str(dataset_copy), "--out", str(drawn))
    assert code == 0, output
    assert "mathdefault" not in drawn.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("value", "said"),
    [(1e7, "10 million"), (1e9, "1 billion"), (5e10, "50 billion"), (2.5e6, "2.5 million"),
     (1e12, "1 trillion"), (500, "500"), (1e3, "1 thousand"), (999999.9, "1 million"),
     (1e18, "1e+18"), (float("inf"), "inf")],
)  # fmt: skip
def test_the_chart_marks_its_axis_in_words_a_reader_says(value: float, said: str) -> None:
    from china_ai_claims.chart import amount_words

    assert amount_words(value) == said
