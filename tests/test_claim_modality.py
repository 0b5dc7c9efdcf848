"""A contributor says what kind of statement a row records and what period its amount covers: a
wrong combination is refused, and words that make a misreading likely give a warning that never
fails validation."""

from __future__ import annotations

import json
import re
import string
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from _claims import add_fiction
from _mutations import Mutation, Row, cell
from china_ai_claims.cli import app
from china_ai_claims.numbers import CASE_EXCEPTIONS
from china_ai_claims.validators import validate
from china_ai_claims.validators.hints import (
    MODAL_WORDS,
    SPEECH_VERBS,
    _words_pattern,
    words_in,
)

PLEDGE = Row("funding_claims", "example-labs-chip-fund")
HYPOTHETICAL = Row("cost_claims", "example-labs-cheaper-model")
CAPABILITY = Row("other_claims", "example-labs-own-chips")
GROWTH = Row("other_claims", "example-market-growth")
LARGEST = Row("other_claims", "example-labs-largest-fund")


@pytest.fixture
def fiction(dataset_copy: Path, tmp_path: Path) -> Path:
    """A copy of the dataset with the fictional article and its rows added."""
    add_fiction(dataset_copy, tmp_path)
    return dataset_copy


@dataclass(frozen=True)
class Case:
    case: str
    mutation: Mutation
    rule: str
    row: Row
    column: str


def _on(row: Row, **values: str) -> Mutation:
    return cell(row.table, row.row_id, **values)


REFUSED = [
    Case("modality-missing", _on(CAPABILITY, modality=""), "constraint-error", CAPABILITY,
         "modality"),
    Case("modality-unknown", _on(PLEDGE, modality="promise"), "constraint-error", PLEDGE,
         "modality"),
    Case("hypothetical-with-amount",
         _on(HYPOTHETICAL, amount="5000000", bound="exact"),
         "hypothetical-amount", HYPOTHETICAL, "amount"),
    Case("amount-without-period", _on(PLEDGE, period_kind="", period_value="", period_unit="",
                                      period_text=""),
         "period-mismatch", PLEDGE, "period_kind"),
    Case("period-without-amount",
         _on(HYPOTHETICAL, bound="", amount_text="", currency="", claim_kind="cost_comparison"),
         "period-mismatch", HYPOTHETICAL, "period_kind"),
    Case("span-without-unit", _on(PLEDGE, period_unit=""), "period-mismatch", PLEDGE,
         "period_unit"),
    Case("one-off-with-length", _on(PLEDGE, period_kind="one_off"), "period-mismatch", PLEDGE,
         "period_value"),
    Case("not-stated-with-words",
         _on(PLEDGE, period_kind="not_stated", period_value="", period_unit=""),
         "period-mismatch", PLEDGE, "period_text"),
    Case("period-value-not-in-its-words", _on(PLEDGE, period_value="3"),
         "number-not-in-quote", PLEDGE, "period_value"),
    Case("period-words-not-in-quote",
         _on(PLEDGE, period_text="over three years", period_value="3"),
         "text-not-in-quote", PLEDGE, "period_text"),
]  # fmt: skip


@pytest.mark.parametrize("case", REFUSED, ids=lambda case: case.case)
def test_a_wrong_modality_or_period_is_refused(case: Case, fiction: Path) -> None:
    line = case.row.line(fiction)
    case.mutation(fiction)
    report = validate(fiction)
    found = {(e.rule, e.file, e.line, e.column) for e in report.errors}
    assert (case.rule, f"{case.row.table}.csv", line, case.column) in found, found


def test_the_fictional_rows_are_valid_and_give_no_warning(fiction: Path) -> None:
    report = validate(fiction)
    assert report.valid, [e.as_dict() for e in report.errors]
    assert report.warnings == []


WARNED = [
    Case("modal-word-in-an-assertion", _on(CAPABILITY, modality="assertion"),
         "modal-in-assertion", CAPABILITY, "modality"),
    Case("conditional-in-an-assertion",
         _on(HYPOTHETICAL, modality="assertion"), "modal-in-assertion", HYPOTHETICAL,
         "modality"),
    Case("number-on-a-hypothetical",
         _on(PLEDGE, modality="hypothetical", amount="", bound="unquantified"),
         "hypothetical-number", PLEDGE, "period_value"),
    Case("speech-verb-but-no-claimant", _on(GROWTH, claimed_by_organization_id=""),
         "claimant-mismatch", GROWTH, "claimed_by_person_id"),
    Case("speech-verb-names-another-claimant",
         _on(GROWTH, claimed_by_organization_id="example-labs"),
         "claimant-mismatch", GROWTH, "claimed_by_organization_id"),
]  # fmt: skip


@pytest.mark.parametrize("case", WARNED, ids=lambda case: case.case)
def test_words_that_invite_a_misreading_warn_without_failing(case: Case, fiction: Path) -> None:
    line = case.row.line(fiction)
    case.mutation(fiction)
    report = validate(fiction)
    assert report.valid, [e.as_dict() for e in report.errors]
    found = {(w.rule, w.file, w.line, w.column) for w in report.warnings}
    assert (case.rule, f"{case.row.table}.csv", line, case.column) in found, found
    assert all(w.severity == "warning" for w in report.warnings)


def test_a_note_naming_the_code_explains_the_warning(fiction: Path) -> None:
    _on(CAPABILITY, modality="assertion")(fiction)
    warned = validate(fiction)
    _on(CAPABILITY, note="modal-in-assertion: “can train” states a capability")(fiction)
    explained = validate(fiction)
    assert len(explained.warnings) == len(warned.warnings) - 1
    assert explained.explained == warned.explained + 1


def test_a_pronoun_speaker_is_looked_up_in_the_paragraph(fiction: Path) -> None:
    # "It said ..." names no one; the claimant is named in the quote's paragraph.
    report = validate(fiction)
    assert not [w for w in report.warnings if w.rule == "claimant-mismatch"]
    _on(LARGEST, claimed_by_organization_id="")(fiction)
    found = {(w.rule, w.line) for w in validate(fiction).warnings}
    assert ("claimant-mismatch", LARGEST.line(fiction)) in found


@pytest.mark.parametrize("output_format", ["text", "json", "github"])
def test_warnings_show_in_every_format_and_keep_exit_code_zero(
    output_format: str, fiction: Path
) -> None:
    _on(CAPABILITY, modality="assertion")(fiction)
    result = CliRunner().invoke(app, ["validate", str(fiction), "--format", output_format])
    assert result.exit_code == 0, result.output
    if output_format == "json":
        document = json.loads(result.stdout)
        assert document["valid"] is True
        assert [w["rule"] for w in document["warnings"]] == ["modal-in-assertion"]
    elif output_format == "github":
        assert "::warning file=" in result.output
        assert "title=modal-in-assertion [modality]" in result.output
    else:
        assert "other_claims.csv:" in result.output
        assert ": warning: modal-in-assertion [modality]" in result.output
        assert result.output.splitlines()[-1].startswith("valid: ")


def test_the_shipped_data_has_no_unexplained_warning(packaged_dataset: Path) -> None:
    report = validate(packaged_dataset)
    assert report.valid
    assert [w.as_dict() for w in report.warnings] == []


def test_an_alias_is_proved_only_as_a_whole_word(fiction: Path) -> None:
    # "Example" is written only inside the names; "Exampl" only inside words.
    cell("organizations", "example-labs", aliases="Exampl")(fiction)
    rules = {(e.rule, e.column) for e in validate(fiction).errors}
    assert ("alias-not-in-source", "aliases") in rules
    cell("organizations", "example-labs", aliases="Labs")(fiction)
    assert validate(fiction).valid


HINT_WORDS = [
    *MODAL_WORDS,
    *SPEECH_VERBS,
    "according",
    "to",
    "IF",
    "Said",
    "ſaid",  # a long s: the search ignores case as Unicode does
    "ifs",
    "sayer",
    "_",
]


@given(
    st.lists(st.sampled_from(HINT_WORDS), max_size=12),
    st.lists(st.sampled_from([*" ,.'’-", *CASE_EXCEPTIONS, "K", "Σ", "ß", "é", "—", "1"])),
)
def test_one_search_finds_the_modal_and_speech_words_two_searches_find(
    words: list[str], separators: list[str]
) -> None:
    text = "".join(
        word + (separators[n % len(separators)] if separators else "")
        for n, word in enumerate(words)
    )
    found = [(word.kind, word.text, word.start, word.end) for word in words_in(text)]
    for kind, pattern in (
        ("modal", _words_pattern({"modal": MODAL_WORDS})),
        ("speech", _words_pattern({"speech": ("according to", *SPEECH_VERBS)})),
    ):
        expected = [(kind, m.group(), m.start(), m.end()) for m in pattern.finditer(text)]
        assert [word for word in found if word[0] == kind] == expected


def test_lowering_keeps_what_a_search_that_ignores_case_matches() -> None:
    """Every character but the ``CASE_EXCEPTIONS`` lowers to one character, a word character
    to a word character, and to an ASCII letter exactly when a search ignoring case pairs it
    with that letter: the grounds on which ``words_in`` searches a lowered quote."""
    letters = re.compile("[a-z]", re.IGNORECASE)
    for point in range(sys.maxunicode + 1):
        character = chr(point)
        if 0xD800 <= point <= 0xDFFF or character in CASE_EXCEPTIONS:
            continue
        lowered = character.lower()
        assert len(lowered) == 1, hex(point)
        assert (character.isalnum() or character == "_") == (lowered.isalnum() or lowered == "_"), (
            hex(point)
        )
        if letters.fullmatch(character):
            assert lowered in string.ascii_lowercase, hex(point)
            assert re.fullmatch(lowered, character, re.IGNORECASE), hex(point)
        else:
            assert lowered not in string.ascii_lowercase, hex(point)
