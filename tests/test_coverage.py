"""A contributor sees what of a source is still unextracted: every uncited sentence that writes a
number or names an entity, unless it is deliberately left out with a reason."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from _claims import ARTICLE, COUNTED, FICTION, ROWS, csv_rows
from china_ai_claims.cli import app
from china_ai_claims.coverage import (
    EXCLUSIONS_FILE,
    CoverageError,
    CoverageReport,
    coverage,
    render_text,
    source_coverage,
    split_sentences,
)
from china_ai_claims.models import RECORD_TYPES
from china_ai_claims.passages import sentences as passage_sentences

HEADLINE = "Example Labs plans a chip fund"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A dataset folder holding only what coverage reads: the tables and the fictional source."""
    root = tmp_path / "data"
    (root / "sources").mkdir(parents=True)
    (root / "datapackage.json").write_text("{}", encoding="utf-8")  # marks it as a dataset folder
    (root / "sources" / f"{FICTION}.txt").write_text(ARTICLE, encoding="utf-8")
    tables = {**ROWS, "sources": [{"id": FICTION}]}
    for record in RECORD_TYPES:
        rows = tables.get(record.table, [])
        (root / f"{record.table}.csv").write_text(
            csv_rows(record.table, rows, header=True), encoding="utf-8"
        )
    return root


def _exclude(root: Path, *rows: tuple[str, str, str]) -> None:
    lines = ["source_id,sentence,reason", *(",".join(f'"{c}"' for c in row) for row in rows)]
    (root / EXCLUSIONS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_uncited_sentences_with_a_number_or_a_name_are_listed_with_their_line(
    folder: Path,
) -> None:
    report = coverage(folder)
    (source,) = report.sources
    assert source.source_id == FICTION
    assert source.sentences == len(split_sentences(ARTICLE))
    omitted = {(o.line, o.sentence): (o.numbers, o.entities) for o in source.omissions}
    assert omitted == {
        (1, HEADLINE): ([], ["organizations/example-labs"]),
        (3, COUNTED): (["12"], ["organizations/example-research"]),
    }
    # "The weather was fine." is uncited but names nothing and writes no number.
    assert source.cited == source.sentences - 3
    assert not report.empty


def test_an_omission_writes_its_numbers_as_a_row_would_in_their_order() -> None:
    text = "It raised $30 million, then 1.5 billion yuan and 4.1 million euros, from 12 funds.\n"
    (omission,) = source_coverage("s", text, [], {}, {}).omissions
    # not 3e+07, 1.5e+09 or 4099999.9999999995 (the float of 4.1 times a million)
    assert omission.numbers == ["12", "4100000", "30000000", "1500000000"]
    report = render_text(CoverageReport([source_coverage("s", text, [], {}, {})]))
    assert "0 of 1 sentence cited (0%); 0 left out on purpose; 1 likely omission\n" in report


def test_deliberately_left_out_sentences_are_acknowledged(folder: Path) -> None:
    _exclude(folder, (FICTION, HEADLINE, "headline"), (FICTION, COUNTED, "out of scope"))
    report = coverage(folder)
    assert report.empty
    assert report.sources[0].acknowledged == 2


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        ("A sentence the source never wrote.", "not in the source"),
        (ROWS["funding_claims"][0]["quote"], "cited by a row"),
    ],
    ids=["not-in-source", "already-cited"],
)
def test_a_stale_exclusion_is_reported(folder: Path, sentence: str, why: str) -> None:
    _exclude(
        folder,
        (FICTION, HEADLINE, "headline"),
        (FICTION, COUNTED, "out of scope"),
        (FICTION, sentence, why),
    )
    report = coverage(folder)
    assert not report.empty
    assert report.sources[0].stale_exclusions == [sentence]


def test_an_exclusion_without_a_reason_is_an_error_naming_its_line(folder: Path) -> None:
    _exclude(folder, (FICTION, HEADLINE, "headline"), (FICTION, COUNTED, " "))
    with pytest.raises(CoverageError, match=rf"{EXCLUSIONS_FILE}:3: .*reason"):
        coverage(folder)
    result = CliRunner().invoke(app, ["coverage", str(folder)])
    assert result.exit_code == 2
    assert f"{EXCLUSIONS_FILE}:3" in result.output


def test_cli_text_and_json_and_exit_codes(folder: Path) -> None:
    result = CliRunner().invoke(app, ["coverage", str(folder)])
    assert result.exit_code == 1
    assert f"  line 3: {COUNTED} [number 12, organizations/example-research]" in result.output
    result = CliRunner().invoke(app, ["coverage", str(folder), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)  # stderr names the data read
    assert document["empty"] is False
    assert [o["line"] for o in document["sources"][0]["omissions"]] == [1, 3]
    _exclude(folder, (FICTION, HEADLINE, "headline"), (FICTION, COUNTED, "out of scope"))
    assert CliRunner().invoke(app, ["coverage", str(folder)]).exit_code == 0


def test_a_missing_table_is_a_usage_error_not_a_traceback(folder: Path) -> None:
    (folder / "people.csv").unlink()
    result = CliRunner().invoke(app, ["coverage", str(folder)])
    assert result.exit_code == 2
    assert "people.csv" in result.output


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One. Two.", ["One.", "Two."]),
        ("The Impact of U.S. Chip Bans", ["The Impact of U.S. Chip Bans"]),
        # one initial ends no sentence either, as quote cuts it (the two cut alike)
        ("Jane D. Smith spoke. Then", ["Jane D. Smith spoke.", "Then"]),
        ("He said “it can.” Then he left.", ["He said “it can.”", "Then he left."]),
        ("Costs fell 3.5 percent. Prices did not.", ["Costs fell 3.5 percent.", "Prices did not."]),
        ("Title\nBody one. Body two.", ["Title", "Body one.", "Body two."]),
        # what opens a line without being its words is left out, as quote leaves it out
        ("Intro.\n- Labs grew. They hired.", ["Intro.", "Labs grew.", "They hired."]),
        ("  12. Labs grew.\n## Why", ["Labs grew.", "Why"]),
    ],
)
def test_sentences_are_split_where_a_reader_would(text: str, sentences: list[str]) -> None:
    assert [sentence.text for sentence in split_sentences(text)] == sentences
    for sentence in split_sentences(text):
        assert text[sentence.start : sentence.end] == sentence.text
    # quote prints the same sentences, so that each can be pasted or listed as it is printed
    assert list(passage_sentences(text)) == [(s.line, s.text) for s in split_sentences(text)]


def test_the_shipped_data_leaves_no_sentence_unacknowledged(packaged_dataset: Path) -> None:
    # A requirement on every pull request (CONTRIBUTING): cite the sentence in a row, or list it
    # in coverage-exclusions.csv with the reason.
    report = coverage(packaged_dataset)
    assert report.empty, report.as_dict()
    assert all(0 < source.cited <= source.sentences for source in report.sources)


def test_the_validator_checks_the_exclusions_file_that_the_report_reads() -> None:
    """Validation checks the file the report reads (neither imports the other)."""
    from china_ai_claims.validators import exclusions

    assert exclusions.EXCLUSIONS_FILE == EXCLUSIONS_FILE


def test_a_sentence_coverage_asks_for_can_be_listed_as_it_prints_it(
    dataset_copy: Path, tmp_path: Path
) -> None:
    """A list item's sentence and a sentence holding a tab, left out as coverage prints them,
    satisfy coverage and the validator alike."""
    from china_ai_claims.archiving import add_source
    from china_ai_claims.validators import validate

    article = tmp_path / "article.txt"
    article.write_text(
        "A fictional list, written for the tests only\n"
        "- Example Labs raised $5 million.\n"
        "Example Labs\tgrew 7 percent.\n",
        encoding="utf-8",
    )
    add_source(article, source_id="fictional-list", title="A fictional list", data_dir=dataset_copy)
    (source,) = [s for s in coverage(dataset_copy).sources if s.source_id == "fictional-list"]
    asked = [omission.sentence for omission in source.omissions]
    assert "Example Labs raised $5 million." in asked
    assert "Example Labs\tgrew 7 percent." in asked
    with (dataset_copy / EXCLUSIONS_FILE).open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(
            ["fictional-list", sentence, "Fictional: for the tests only."] for sentence in asked
        )
    assert coverage(dataset_copy).empty
    errors = [e for e in validate(dataset_copy).errors if e.file == EXCLUSIONS_FILE]
    assert errors == []
