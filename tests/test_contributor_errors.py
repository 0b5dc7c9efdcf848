"""A contributor's mistakes get one clear message they can act on: the root cause of a row, the
closest existing id or value, the folder they meant, and never a traceback."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from _mutations import Mutation, Row, cell
from china_ai_claims.cli import app
from china_ai_claims.validators import validate
from china_ai_claims.validators.problems import did_you_mean
from china_ai_claims.validators.text import nfc_change

ROBIN_LI = Row("people", "robin-li")
KEVIN_XU = Row("people", "kevin-xu")
GPT4 = Row("cost_claims", "gpt-4-training-cost")
MANUS = Row("models", "manus")


def _row_line(row: Row, change: Callable[[str], str]) -> Mutation:
    """Rewrite the raw CSV line of ``row`` (a one-line row)."""

    def apply(root: Path) -> None:
        path = root / f"{row.table}.csv"
        lines = path.read_text(encoding="utf-8").split("\n")
        (index,) = [n for n, line in enumerate(lines) if line.startswith(f"{row.row_id},")]
        lines[index] = change(lines[index])
        path.write_text("\n".join(lines), encoding="utf-8", newline="")

    return apply


def _drop_cell(position: int) -> Callable[[str], str]:
    def change(line: str) -> str:
        cells = line.split(",")
        assert '"' not in ",".join(cells[: position + 1])
        return ",".join(cells[:position] + cells[position + 1 :])

    return change


@dataclass(frozen=True)
class Mistake:
    """A contributor's mistake and the one problem that must name its cause."""

    case: str
    mutation: Mutation
    rule: str
    row: Row
    column: str | None
    message: str  # a regular expression the message must match


MISTAKES = [
    Mistake("empty-aliases-cell-dropped", _row_line(ROBIN_LI, _drop_cell(2)),
            "missing-cell", ROBIN_LI, "aliases",
            r"^7 cells for 8 columns; the shift most likely starts at column 3 \(aliases\)"),
    Mistake("organization-cell-dropped", _row_line(ROBIN_LI, _drop_cell(4)),
            "missing-cell", ROBIN_LI, "organization_id",
            r"^7 cells for 8 columns; the shift most likely starts at column 5 \(organization_id"),
    Mistake("unquoted-comma-in-the-last-cell", _row_line(KEVIN_XU, lambda line: line + "a, b"),
            "extra-cell", KEVIN_XU, None,
            r"^9 cells for 8 columns; the extra cell follows the last column \(note\)"),
    Mistake("unquoted-comma-in-a-middle-cell",
            _row_line(ROBIN_LI, lambda line: line.replace(",CEO,", ",CEO, Baidu,")),
            "extra-cell", ROBIN_LI, "organization_id",
            r"^9 cells for 8 columns; the shift most likely starts at column 5"),
    Mistake("row-cut-short", _row_line(ROBIN_LI, lambda line: line.split(",")[0]),
            "missing-cell", ROBIN_LI, None,
            r"^1 cells for 8 columns; the row ends after column 1 \(id\)$"),
    Mistake("model-id-typo", cell("cost_claims", GPT4.row_id, model_id="gpt4"),
            "foreign-key", GPT4, "model_id",
            r"^no row of models has id 'gpt4'; did you mean 'gpt-4'\?$"),
    Mistake("organization-id-typo", cell("people", ROBIN_LI.row_id, organization_id="baidoo"),
            "foreign-key", ROBIN_LI, "organization_id", r"did you mean 'baidu'\?$"),
    Mistake("bound-with-a-hyphen", cell("cost_claims", GPT4.row_id, bound="at-least"),
            "constraint-error", GPT4, "bound", r"^not one of: .*; did you mean 'at_least'\?$"),
    Mistake("enum-in-capitals", cell("models", MANUS.row_id, kind="Agent"),
            "constraint-error", MANUS, "kind", r"did you mean 'agent'\?$"),
    Mistake("decomposed-letter", cell("models", MANUS.row_id, note="Cafe\u0301 de Flore"),
            "unicode-not-nfc", MANUS, "note",
            r"^the cell is not in Unicode NFC at character 4: "
            r"U\+0065 U\+0301 is written U\+00E9 in NFC$"),
]  # fmt: skip


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda mistake: mistake.case)
def test_a_mistake_is_one_problem_naming_its_cause_first(
    mistake: Mistake, dataset_copy: Path, packaged_dataset: Path
) -> None:
    mistake.mutation(dataset_copy)
    line = mistake.row.line(packaged_dataset)
    on_the_line = [
        error
        for error in validate(dataset_copy).errors
        if error.file == f"{mistake.row.table}.csv" and error.line == line
    ]
    first = on_the_line[0]
    assert (first.rule, first.column) == (mistake.rule, mistake.column), on_the_line
    assert re.search(mistake.message, first.message), first.message
    if mistake.rule in ("missing-cell", "extra-cell"):  # no cascade of type errors after it
        assert len(on_the_line) == 1, [error.as_dict() for error in on_the_line]


def test_a_misspelt_source_id_is_one_problem_not_one_more_for_its_missing_date(
    dataset_copy: Path, packaged_dataset: Path
) -> None:
    rollout = Row("events", "manus-rollout")
    cell("events", rollout.row_id, start_date="2025-03-01", time_resolved_from="publication_date",
         source_id="no-such-source")(dataset_copy)  # fmt: skip
    line = rollout.line(packaged_dataset)
    on_the_line = [
        (error.rule, error.column)
        for error in validate(dataset_copy).errors
        if (error.file, error.line) == ("events.csv", line)
    ]
    assert on_the_line == [("foreign-key", "source_id")]


@pytest.mark.parametrize(("column", "value"), [("currency", " USD"), ("amount", "100000000 ")])
def test_a_cell_with_spaces_around_it_is_one_problem_not_one_per_rule_it_would_break(
    column: str, value: str, dataset_copy: Path, packaged_dataset: Path
) -> None:
    cell("cost_claims", GPT4.row_id, **{column: value})(dataset_copy)
    on_the_line = [
        (error.rule, error.column)
        for error in validate(dataset_copy).errors
        if (error.file, error.line) == ("cost_claims.csv", GPT4.line(packaged_dataset))
    ]
    assert on_the_line[0] == ("untrimmed-whitespace", column)
    assert [rule for rule, where in on_the_line if where == column] == ["untrimmed-whitespace"]


HEADER_TYPOS = [
    # (file, the column, as misspelt)
    ("funding_claims.csv", "amount_text", "amount_txt"),
    ("organizations.csv", "note", "notes"),
    ("cost_claims.csv", "model_id", "Model_ID"),
]


@pytest.mark.parametrize(("file", "column", "typo"), HEADER_TYPOS)
def test_a_misspelt_column_label_is_named_with_the_column_it_most_likely_meant(
    file: str, column: str, typo: str, dataset_copy: Path
) -> None:
    path = dataset_copy / file
    header, rest = path.read_text(encoding="utf-8").split("\n", 1)
    labels = header.split(",")
    labels[labels.index(column)] = typo
    path.write_text(",".join(labels) + "\n" + rest, encoding="utf-8", newline="")
    on_the_header = [e for e in validate(dataset_copy).errors if (e.file, e.line) == (file, 1)]
    assert [e.rule for e in on_the_header] == ["extra-label", "missing-label"], on_the_header
    extra, missing = on_the_header
    assert extra.message == f"unknown column {typo!r}; did you mean {column!r}?"
    assert missing.column == column


def _checkout(tmp_path: Path, packaged_dataset: Path) -> Path:
    """A folder laid out like a clone: dataset/ (a copy of the real one) at its root."""
    root = tmp_path / "clone"
    shutil.copytree(packaged_dataset, root / "dataset", ignore=shutil.ignore_patterns("__py*"))
    return root


def _release_folder(root: Path) -> Path:
    folder = root / "release"
    folder.mkdir()
    for name in ("china-ai-claims-9.9.9-csv.zip", "china-ai-claims-9.9.9.json", "SHA256SUMS"):
        (folder / name).write_bytes(b"")
    return folder


@dataclass(frozen=True)
class Usage:
    """A command run in a checkout (``cwd`` relative to it) that must stop with one line."""

    case: str
    args: list[str]
    code: int
    message: str  # a regular expression the single error line must match
    cwd: str = "."


USAGE_MISTAKES = [
    Usage("validate-the-repository-root", ["validate", "."], 2,
          r"no dataset here: \. holds no datapackage\.json; did you mean dataset/\?"),
    Usage("validate-a-folder-without-data", ["validate", "empty"], 2,
          r"no dataset here: empty holds no datapackage\.json$"),
    Usage("validate-a-missing-folder", ["validate", "nowhere"], 2, r"nowhere: no such folder"),
    Usage("info-of-a-missing-folder", ["info", "nowhere"], 2, r"nowhere: no such file or folder"),
    Usage("info-of-the-repository-root", ["info", "."], 2, r"did you mean dataset/\?"),
    Usage("info-from-a-subfolder", ["info", ".."], 2, r"did you mean \.\./dataset/\?", "empty"),
    Usage("show-of-a-folder-without-data", ["show", "people", "--data-dir", "empty"], 2,
          r"no dataset here: empty"),
    Usage("show-where-not-an-allowed-value", ["show", "cost_claims", "--where", "bound=at-least"],
          2, r"'at-least' is not an allowed value of bound \(exact, .*\); did you mean 'at_least'"),
    Usage("validate-a-folder-of-release-files", ["validate", "release"], 2,
          r"release is a release, and validate checks a dataset folder .*sha256sum -c SHA256SUMS"),
    Usage("validate-a-release-file", ["validate", "release/china-ai-claims-9.9.9-csv.zip"], 2,
          r"is a release, and validate checks a dataset folder"),
    Usage("diff-of-a-missing-folder", ["diff", "nowhere", "dataset"], 2,
          r"nowhere: no such file or folder"),
    Usage("diff-of-a-folder-of-release-files", ["diff", "release", "dataset"], 2,
          r"release is a folder of release files: pass one of them, such as release/china-ai-"),
    Usage("diff-of-a-missing-release-file", ["diff", "dataset", "old.zip"], 2,
          r"old\.zip: no such file or folder"),
    Usage("quote-from-a-missing-folder", ["quote", "x", "y", "--data-dir", "nowhere"], 2,
          r"nowhere: no such file or folder"),
    Usage("empty-data-dir", ["info", ""], 2, r"DATA_DIR is an empty string"),
    Usage("chart-to-a-file-that-is-not-svg", ["chart", "--out", "chart.png"], 2,
          r"--out chart\.png: the chart is drawn as SVG; name a file ending in \.svg"),
    Usage("add-source-published-in-the-future",
          ["add-source", "dataset/LICENSE", "--id", "future-text", "--title", "X", "--published",
           "2999-01-01"], 1, r"published 2999-01-01: after today \(\d{4}-\d\d-\d\d\)"),
    Usage("quote-of-no-words", ["quote", "deepseek-impact-on-china-ai-industry", " ... "], 2,
          r"WORDS ' \.\.\. ': give some words of the passage"),
    Usage("quote-of-a-misspelt-source", ["quote", "deepseek-impact-on-china-ai", "x"], 2,
          r"no source 'deepseek-impact-on-china-ai' in dataset/sources; did you mean "
          r"'deepseek-impact-on-china-ai-industry'\?"),
]  # fmt: skip


@pytest.mark.parametrize("usage", USAGE_MISTAKES, ids=lambda usage: usage.case)
def test_a_command_on_the_wrong_folder_says_so_in_one_line(
    usage: Usage, tmp_path: Path, packaged_dataset: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _checkout(tmp_path, packaged_dataset)
    (root / "empty").mkdir()
    _release_folder(root)
    monkeypatch.chdir(root / usage.cwd)
    result = CliRunner().invoke(app, usage.args)
    assert result.exit_code == usage.code, result.output
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("china-ai-claims: error: ")
    assert re.search(usage.message, line), line
    assert "Errno" not in line
    assert "internal error" not in line


def test_validate_without_a_folder_in_a_broken_checkout_checks_that_checkout(
    tmp_path: Path, packaged_dataset: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _checkout(tmp_path, packaged_dataset)
    cell("cost_claims", GPT4.row_id, currency="XYZ")(root / "dataset")
    (root / "docs").mkdir()
    monkeypatch.chdir(root / "docs")  # anywhere inside the checkout
    result = CliRunner().invoke(app, ["validate"])
    assert result.exit_code == 1
    summary = result.stdout.splitlines()[-1]
    assert summary.startswith("invalid: 1 problem")
    assert summary.endswith(f" in {(root / 'dataset').as_posix()}/ (checkout)")


def test_add_source_refuses_a_text_already_archived_under_another_id(
    tmp_path: Path, packaged_dataset: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _checkout(tmp_path, packaged_dataset)
    archived = sorted((root / "dataset" / "sources").glob("*.txt"))[0]
    again = tmp_path / "same-article.txt"
    again.write_bytes(archived.read_bytes().replace(b"\n", b"\r\n"))  # same text once normalised
    before = (root / "dataset" / "sources.csv").read_bytes()
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["add-source", str(again), "--id", "copy", "--title", "X"])
    assert result.exit_code == 1
    assert f"already archived as source {archived.stem!r}" in result.stderr
    assert (root / "dataset" / "sources.csv").read_bytes() == before
    assert not (root / "dataset" / "sources" / "copy.txt").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add-source", "{article}", "--id", "new-one", "--title", "X"], "this is not a checkout"),
        (["schemas"], "not in a checkout"),
        (["chart"], "pass --out"),
        (["release"], "pass --out"),
        (["site"], "pass --out"),
    ],
    ids=["add-source", "schemas", "chart", "release", "site"],
)
def test_writing_commands_outside_a_checkout_write_nothing(
    args: list[str],
    message: str,
    tmp_path: Path,
    packaged_dataset: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    article = tmp_path / "article.txt"
    article.write_text("A new text\n", encoding="utf-8")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    monkeypatch.chdir(outside)
    snapshot = {p: p.read_bytes() for p in sorted(packaged_dataset.rglob("*")) if p.is_file()}
    result = CliRunner().invoke(app, [arg.format(article=article) for arg in args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert {p: p.read_bytes() for p in snapshot} == snapshot
    assert sorted(packaged_dataset.rglob("*.txt")) == sorted(
        p for p in snapshot if p.suffix == ".txt"
    )
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [["show"], ["validate", "--nope"], ["show", "cost_claims", "--limit", "-1"]],
    ids=["missing-argument", "unknown-option", "out-of-range"],
)
def test_a_usage_error_is_plain_lines_that_point_to_the_help(args: list[str]) -> None:
    """A usage error reads the same in a terminal and in a CI log: plain lines, no box drawn
    around them (a box breaks every line into pieces in a log or an email)."""
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "Error: " in result.output
    assert f"china-ai-claims {args[0]} --help" in result.output
    assert not set("╭╮╰╯│─") & set(result.output)


NOT_NFC = [
    # (text, where and how it differs)
    ("Cafe\u0301", "at character 4: U+0065 U+0301 is written U+00E9 in NFC"),
    ("\u1100\u1161", "at character 1: U+1100 U+1161 is written U+AC00 in NFC"),  # Hangul jamo
    ("\u0b47\u0b3e", "at character 1: U+0B47 U+0B3E is written U+0B4B in NFC"),  # Oriya signs
    ("q\u0301\u0323", "at character 2: U+0301 U+0323 is written U+0323 U+0301 in NFC"),
    ("x" * 700 + "\u212b", "at character 701: U+212B is written U+00C5 in NFC"),
    ("a" + "\u0301\u0316" * 50_000, "at character 1: U+0061 U+0301 U+0316 U+0301 U+0316 U+0301 "
     "U+0316 U+0301 and 504 more is written U+00E1 U+0316"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "words"), NOT_NFC, ids=range(len(NOT_NFC)))
def test_text_not_in_nfc_is_named_by_the_code_points_that_differ_in_a_short_message(
    text: str, words: str
) -> None:
    message = nfc_change(text)
    assert message.startswith(f"is not in Unicode NFC {words}")
    assert len(message) < 300  # however long the run of marks (and in time linear in it)


def test_a_label_far_longer_than_any_column_is_unknown_without_a_search_for_a_close_one(
    dataset_copy: Path,
) -> None:
    path = dataset_copy / "people.csv"
    header, rest = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(header.replace(",note", ",n" + "o" * 1_000_000 + "te") + "\n" + rest,
                    encoding="utf-8", newline="")  # fmt: skip
    (extra,) = [e for e in validate(dataset_copy).errors if e.rule == "extra-label"]
    assert extra.message.startswith("unknown column 'noooo")
    assert "did you mean" not in extra.message
    assert did_you_mean("amount_txt" * 3, ["amount_text"]) == ""  # 2b / (a + b) < 0.6: none close
