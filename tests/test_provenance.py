"""A reader checks any row against the words of its archived source."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from china_ai_claims.models import RECORD_TYPES, Source
from china_ai_claims.passages import locate

QUOTED_TABLES = [record.table for record in RECORD_TYPES if record is not Source]


def _rows(data_dir: Path, table: str) -> list[dict[str, str]]:
    with (data_dir / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _source_texts(data_dir: Path) -> dict[str, str]:
    return {
        row["id"]: (data_dir / row["path"]).read_text(encoding="utf-8")
        for row in _rows(data_dir, "sources")
    }


def test_every_source_file_matches_its_sha256_and_size(packaged_dataset: Path) -> None:
    for row in _rows(packaged_dataset, "sources"):
        data = (packaged_dataset / row["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"], row["id"]
        assert len(data) == int(row["bytes"]), row["id"]


@pytest.mark.parametrize("table", QUOTED_TABLES)
def test_every_quote_occurs_verbatim_in_its_source(table: str, packaged_dataset: Path) -> None:
    texts = _source_texts(packaged_dataset)
    rows = _rows(packaged_dataset, table)
    assert rows, f"{table} is empty"
    missing = [row["id"] for row in rows if row["quote"] not in texts[row["source_id"]]]
    assert missing == []


def test_the_archived_source_keeps_its_curly_quotes_and_typos(packaged_dataset: Path) -> None:
    (row,) = [
        row
        for row in _rows(packaged_dataset, "sources")
        if row["id"] == "deepseek-impact-on-china-ai-industry"
    ]
    text = (packaged_dataset / row["path"]).read_text(encoding="utf-8")
    assert text.splitlines()[0] == row["title"] == "DeepSeek’s Impact on China’s AI Industry"
    assert "makingthe code" in text
    assert "'" not in text  # every apostrophe in this source is a curly one


SOURCE_TEXT = "Intro.\nThe fund, which was set up in 2024 by the city’s investors, raised money.\n"
MISQUOTES = [
    # (quote, what the message must say)
    ("The fund, which was set up in 2034 by the city’s investors, raised money.",
     "character 33 of the quote, after 'e fund, which was set up in 20', is '3' (U+0033) "
     "where the source has '2' (U+0032)"),
    ("The fund, which was set up in 2024 by the city’s investors, raised money!",
     "character 73 of the quote, after 'city’s investors, raised money', is '!'"),
    ("Xhe fund, which was set up in 2024", "character 1 of the quote is 'X' (U+0058) where"),
]  # fmt: skip


@pytest.mark.parametrize(("quote", "words"), MISQUOTES)
def test_a_misquote_names_the_character_and_the_words_just_before_it(
    quote: str, words: str
) -> None:
    mismatch = locate(quote, SOURCE_TEXT)
    assert mismatch is not None
    assert words in mismatch.describe()
