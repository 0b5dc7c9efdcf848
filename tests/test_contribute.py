"""A contributor adds a source and a claim: add-source, quote, and the CONTRIBUTING walkthrough."""

from __future__ import annotations

import csv
import datetime
import re
import shlex
import subprocess
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from _installed import CHINA_AI_CLAIMS
from china_ai_claims.archiving import SourceError, add_source
from china_ai_claims.cli import app
from china_ai_claims.validators import validate

COMMAND = CHINA_AI_CLAIMS


def _add(dataset: Path, file: Path, source_id: str = "new-article", **extra: str) -> Path:
    return add_source(file, source_id=source_id, title="A new article", data_dir=dataset, **extra)


def test_add_source_archives_nfc_lf_text_and_stays_valid(
    dataset_copy: Path, tmp_path: Path
) -> None:
    article = tmp_path / "article.txt"
    decomposed = unicodedata.normalize("NFD", "Café ’quoted’ text")
    article.write_bytes(b"\xef\xbb\xbf" + f"Title\r\n{decomposed}\rlast line\n".encode())
    sources_before = len(list((dataset_copy / "sources").glob("*.txt")))
    target = _add(dataset_copy, article, published="2025-03-01")
    assert target == dataset_copy / "sources" / "new-article.txt"
    text = target.read_text(encoding="utf-8")
    assert text == "Title\nCafé ’quoted’ text\nlast line\n"
    assert unicodedata.is_normalized("NFC", text)
    with (dataset_copy / "sources.csv").open(encoding="utf-8", newline="") as handle:
        row = list(csv.DictReader(handle))[-1]
    assert row["id"] == "new-article"
    assert row["published"] == "2025-03-01"
    assert row["retrieved"] == datetime.date.today().isoformat()
    assert int(row["bytes"]) == len(target.read_bytes())
    report = validate(dataset_copy)
    assert report.valid, [error.as_dict() for error in report.errors]
    assert report.sources == sources_before + 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        ("caf\xe9 latin-1\n".encode("latin-1"), "is not UTF-8"),
        ("line one\nhidden\u200bspace\n".encode(), "zero-width character U+200B"),
        ("text with \u202e override\n".encode(), "bidi character U+202E"),
        (b"   \n\n", "empty"),
    ],
    ids=["binary", "latin-1", "zero-width", "bidi", "empty"],
)
def test_add_source_refuses_bad_text_and_writes_nothing(
    dataset_copy: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    article = tmp_path / "article.txt"
    article.write_bytes(content)
    before = (dataset_copy / "sources.csv").read_bytes()
    with pytest.raises(SourceError, match=re.escape(message)):
        _add(dataset_copy, article)
    assert (dataset_copy / "sources.csv").read_bytes() == before
    assert not (dataset_copy / "sources" / "new-article.txt").exists()


@pytest.mark.parametrize(
    "url",
    ['https://example.com/a"b', "https://example.com/<script>", "https://example.com/a b",
     "https://example.com/a\\b", "ftp://example.com/a", "https://example.com/café"],
)  # fmt: skip
def test_add_source_refuses_an_address_that_would_break_out_of_a_link(
    dataset_copy: Path, tmp_path: Path, url: str
) -> None:
    article = tmp_path / "article.txt"
    article.write_text("A text.\n", encoding="utf-8")
    before = (dataset_copy / "sources.csv").read_bytes()
    with pytest.raises(SourceError, match="an http\\(s\\) address"):
        _add(dataset_copy, article, url=url)
    assert (dataset_copy / "sources.csv").read_bytes() == before


def test_add_source_keeps_an_address_with_a_query_and_escapes(
    dataset_copy: Path, tmp_path: Path
) -> None:
    article = tmp_path / "article.txt"
    article.write_text("A text.\n", encoding="utf-8")
    url = "https://example.com/a/b-c_d~e?x=1&y=%E4%B8%AD#part"
    _add(dataset_copy, article, url=url)
    assert url in (dataset_copy / "sources.csv").read_text(encoding="utf-8")
    assert validate(dataset_copy).valid


def test_add_source_never_overwrites(dataset_copy: Path, tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text("Some text\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"already in sources\.csv"):
        _add(dataset_copy, article, source_id="deepseek-impact-on-china-ai-industry")
    (dataset_copy / "sources" / "orphan.txt").write_text("x\n", encoding="utf-8")
    with pytest.raises(SourceError, match="already exists"):
        _add(dataset_copy, article, source_id="orphan")
    with pytest.raises(SourceError, match="lower-case ASCII"):
        _add(dataset_copy, article, source_id="Bad Id")


def test_add_source_command_reports_errors_in_one_line(dataset_copy: Path, tmp_path: Path) -> None:
    article = tmp_path / "article.bin"
    article.write_bytes(b"\x00\x01\x02")
    result = CliRunner().invoke(
        app,
        ["add-source", str(article), "--id", "x", "--title", "X", "--data-dir", str(dataset_copy)],
    )
    assert result.exit_code == 1
    assert result.output.startswith("china-ai-claims: error: ")
    assert "binary" in result.output


def test_quote_prints_the_passage_exactly_as_written_with_its_line(packaged_dataset: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["quote", "deepseek-impact-on-china-ai-industry", "baidu ceo said training cost 90 percent",
         "--data-dir", str(packaged_dataset), "--limit", "1"],
    )  # fmt: skip
    assert result.exit_code == 0
    # what was read goes to stderr: stdout is the passage, ready to paste
    assert result.stderr.startswith("read ")
    assert "dataset/" in result.stderr
    assert result.stdout == (
        "line 17: Baidu CEO Robin Li stated that the cost of model training “can be reduced by "
        "more than 90% over 12 months.”\n"
    )


def test_quote_says_so_when_no_sentence_shares_a_word(packaged_dataset: Path) -> None:
    source = sorted((packaged_dataset / "sources").glob("*.txt"))[0].stem
    result = CliRunner().invoke(
        app, ["quote", source, "zzqx wobblefrotz", "--data-dir", str(packaged_dataset)]
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"no sentence of {source} shares a word with 'zzqx wobblefrotz'" in result.stderr


def test_quote_keeps_a_sentence_whole_across_initials_and_abbreviations() -> None:
    from china_ai_claims.passages import closest_passages

    text = "The U.S. President spoke. John F. Kennedy Airport is busy! Then it rained."
    found = closest_passages(text, "president kennedy rained", 5)
    assert sorted(passage.text for passage in found) == [
        "John F. Kennedy Airport is busy!",
        "The U.S. President spoke.",
        "Then it rained.",
    ]


# (a line of a source, the passage that quote prints for it)
LINE_MARKS = [
    ("- Alibaba: The giant launched a model.", "Alibaba: The giant launched a model."),
    ("* Baidu launched Ernie.  ", "Baidu launched Ernie."),
    ("  12. Zhipu launched an agent.", "Zhipu launched an agent."),
    ("## Why it matters", "Why it matters"),
    ("> -- Robin Li said so.", "Robin Li said so."),
    ("=SUM(A1) is no formula here.", "SUM(A1) is no formula here."),
    ("2024 was the year of DeepSeek.", "2024 was the year of DeepSeek."),
]


@pytest.mark.parametrize(("line", "passage"), LINE_MARKS, ids=[p for _, p in LINE_MARKS])
def test_quote_leaves_out_what_opens_a_line_without_being_its_words(
    line: str, passage: str
) -> None:
    from china_ai_claims.passages import closest_passages

    (found,) = closest_passages(f"Intro.\n{line}\n", passage, 1)
    assert (found.line, found.text) == (2, passage)


def test_every_passage_quote_prints_can_be_pasted_as_a_quote(packaged_dataset: Path) -> None:
    from china_ai_claims.passages import sentences
    from china_ai_claims.validators.text import cell_problems

    for source in sorted((packaged_dataset / "sources").glob("*.txt")):
        text = source.read_text(encoding="utf-8")
        passages = list(sentences(text))  # what closest_passages chooses among
        assert passages
        for line, passage in passages:
            assert passage in text.split("\n")[line - 1], (line, passage)
            # what the cutting answers for; the rest is what the source holds (a tab, say)
            rules = {rule for rule, _ in cell_problems(passage, multiline=True)}
            assert not rules & {"formula-injection", "untrimmed-whitespace"}, (line, passage)


def test_quote_of_an_unknown_source_is_a_usage_error(packaged_dataset: Path) -> None:
    result = CliRunner().invoke(app, ["quote", "nope", "x", "--data-dir", str(packaged_dataset)])
    assert result.exit_code == 2
    assert "no source 'nope'" in result.output


def _walkthrough(repo_root: Path) -> list[tuple[str, str]]:
    text = (repo_root / "CONTRIBUTING.md").read_text(encoding="utf-8")
    return re.findall(r"<!-- walkthrough: (.+?) -->\n```\w*\n(.*?)```", text, re.DOTALL)


def test_the_contributing_walkthrough_ends_in_a_passing_validate(
    repo_root: Path, dataset_copy: Path
) -> None:
    work = dataset_copy.parent
    sources_before = len(list((dataset_copy / "sources").glob("*.txt")))
    steps = _walkthrough(repo_root)
    assert [step for step, _ in steps] == [
        "article.txt",
        "commands",
        "append organizations.csv",
        "append funding_claims.csv",
        "append coverage-exclusions.csv",
        "validate",
    ]
    for step, body in steps:
        if step == "article.txt":
            (work / "article.txt").write_text(body, encoding="utf-8")
        elif step.startswith("append "):
            table = dataset_copy / step.removeprefix("append ")
            table.write_text(table.read_text(encoding="utf-8") + body, encoding="utf-8")
        else:
            for line in body.strip().splitlines():
                arguments = shlex.split(line)
                assert arguments[0] == "china-ai-claims"
                result = subprocess.run(
                    [COMMAND, *arguments[1:]], cwd=work, capture_output=True, text=True, check=False
                )
                assert result.returncode == 0, f"{line}\n{result.stdout}{result.stderr}"
    assert result.stdout.startswith("valid: ")
    assert f"{sources_before + 1} sources" in result.stdout
    assert result.stdout.rstrip("\n").endswith(" in dataset/ (checkout)")
