"""Hints from the words: warnings where a quote's own words make a misreading of its row likely.

The provenance layer proves that a quote is in its source and that a row's numbers are in its
quote; it cannot prove that the row says what the quote means. Three patterns of words make a
misreading likely, and each gives a warning (never an error, never a change of exit code):

- ``modal-in-assertion``: a row marked ``assertion`` whose quote has a conditional ("if",
  "unless", "would") or a modal ("can", "could", "may", "might", "will", "should");
- ``hypothetical-number``: a ``hypothetical`` row that states a change, a horizon, a period or a
  deal count as if it were so (an amount there is already an error: ``hypothetical-amount``);
- ``claimant-mismatch``: the quote's speech verb ("said", "believes", "claims", "according to",
  ...) attributes the words, but the claimed_by columns are empty or name someone the words
  before the verb (after "according to") do not name.

A row's ``note`` that names a code explains that warning: it is counted, not shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from china_ai_claims.models import Modality, Organization, Person
from china_ai_claims.numbers import ascii_words, has_case_exception, places
from china_ai_claims.validators.problems import Problem, problem
from china_ai_claims.validators.provenance import Names
from china_ai_claims.validators.tables import Row, Table

MAX_WARNINGS = 1_000
MODAL_WORDS = ("if", "unless", "would", "can", "could", "may", "might", "will", "should")


def _words_pattern(
    groups: dict[str, tuple[str, ...]], flags: int = re.IGNORECASE
) -> re.Pattern[str]:
    """Any of the words of ``groups`` (lower case) as a whole word, in any case unless ``flags``
    mind it, in a regex group named after its group. The look-ahead for their first letters
    lets the search pass over most positions without trying every word there (same matches,
    about twice as fast)."""
    words = [word for group in groups.values() for word in group]
    first_letters = "".join(sorted({word[0] for word in words}))
    alternatives = "|".join(
        f"(?P<{name}>{'|'.join(map(re.escape, group))})" for name, group in groups.items()
    )
    return re.compile(rf"\b(?=[{first_letters}])(?:{alternatives})\b", flags)


SPEECH_VERBS = (
    "said",
    "says",
    "say",
    "believes",
    "believe",
    "claims",
    "claimed",
    "claiming",
    "suggests",
    "notes",
    "noted",
    "stated",
    "states",
    "emphasized",
    "argues",
    "told",
)
# One search finds both kinds of words: a row is searched once, not once for each. No word of
# one kind is part of a word of the other, so the matches are those of two separate searches.
_WORDS = {"modal": MODAL_WORDS, "speech": ("according to", *SPEECH_VERBS)}
_MODAL_OR_SPEECH = _words_pattern(_WORDS)
# A quote without CASE_EXCEPTIONS (see china_ai_claims.numbers), lowered, gives the same matches
# at the same places to a search that minds case, tried only where a word a match could begin
# with is written.
_LOWERED_MODAL_OR_SPEECH = _words_pattern(_WORDS, flags=0)
_CLAUSE_START = re.compile(r"(?:^|[.;:!?]\s)")
PRONOUNS = frozenset({"he", "she", "it", "they", "the company", "the firm"})
# Characters after "according to", and before any other verb back to the start of its sentence,
# that name the speaker (the subject of "said" may carry a long apposition).
AFTER_ACCORDING_TO = 80
BEFORE_VERB = 240
# the cells' words for the modalities that hint (an enum member per row would cost more)
ASSERTION = Modality.assertion.value
HYPOTHETICAL = Modality.hypothetical.value
NUMBERS_ON_HYPOTHETICAL = ("change_percent", "horizon_value", "period_value", "deal_count")


@dataclass
class HintCheck:
    """The hints for the rows of one claim or event table (one with a ``modality`` column)."""

    table: Table
    texts: dict[str, bytes]
    names: dict[str, dict[str, Names]]
    warnings: list[Problem] = field(default_factory=list)
    explained: int = 0

    def __post_init__(self) -> None:
        # where each row holds the values the hints read, found once per table
        index = self.table.index
        self._positions = {
            column: index.get(column)
            for column in (
                "quote",
                "modality",
                "note",
                "source_id",
                "claimed_by_person_id",
                "claimed_by_organization_id",
                *NUMBERS_ON_HYPOTHETICAL,
            )
        }

    def _value(self, row: Row, column: str) -> Any:
        position = self._positions[column]
        return None if position is None else row.values[position]

    def check(self, row: Row) -> None:
        if not row.usable or row.broken & {"quote", "modality"}:
            return
        value = self._value
        quote, modality = value(row, "quote"), value(row, "modality")
        if not quote or modality is None:
            return
        words = words_in(quote)
        if not words and modality != HYPOTHETICAL:
            return  # most rows: nothing to warn of
        note = value(row, "note") or ""
        if modality == ASSERTION:
            modal = next((word for word in words if word.kind == "modal"), None)
            if modal:
                self._warn(
                    row,
                    note,
                    "modal-in-assertion",
                    f"the quote says {modal.text!r} but the row is marked assertion",
                    "modality",
                    modality,
                )
        if modality == HYPOTHETICAL:
            for column in NUMBERS_ON_HYPOTHETICAL:
                if value(row, column) is not None:
                    self._warn(
                        row,
                        note,
                        "hypothetical-number",
                        f"a hypothetical row states {column}",
                        column,
                        self.table.cell(row, column),
                    )
        speech = [word for word in words if word.kind == "speech"]
        if speech:
            self._claimant(row, quote, note, speech)

    def _claimant(self, row: Row, quote: str, note: str, speech: list[Word]) -> None:
        speakers = _speaker_spans(quote, speech)
        if not speakers:
            return
        person = self._value(row, "claimed_by_person_id")
        organization = self._value(row, "claimed_by_organization_id")
        verbs = ", ".join(sorted({verb.casefold() for verb, _ in speakers}))
        if person is None and organization is None:
            self._warn(
                row,
                note,
                "claimant-mismatch",
                f"the quote attributes words ({verbs}) but claimed_by is empty",
                "claimed_by_person_id",
                None,
            )
            return
        source_id = self._value(row, "source_id") or ""
        if source_id not in self.texts:
            return  # the source's text could not be read: its own problem says why
        claimants = [
            self.names.get(table, {}).get(key)
            for table, key in ((Person.table, person), (Organization.table, organization))
            if key is not None
        ]
        paragraph = None  # decoded only for a pronoun ("he said"): most spans name the speaker
        for _, span in speakers:
            folded = span.casefold().strip(" ,")
            for names in claimants:
                if names is None or names.in_text(folded):
                    return
                if _ends_with_pronoun(folded):
                    if paragraph is None:
                        paragraph = self._paragraph(source_id, quote)
                    if names.in_text(paragraph):
                        return
        shown = person or organization
        self._warn(
            row,
            note,
            "claimant-mismatch",
            f"the quote's speech verb ({verbs}) does not attribute the words to {shown!r}",
            "claimed_by_person_id" if person else "claimed_by_organization_id",
            shown,
        )

    def _paragraph(self, source_id: str, quote: str) -> str:
        text = self.texts.get(source_id)
        encoded = quote.encode("utf-8")
        if text is None or not encoded:
            return ""
        at = text.find(encoded)
        if at < 0:
            return ""
        start = text.rfind(b"\n", 0, at) + 1
        end = text.find(b"\n", at)
        return text[start : len(text) if end < 0 else end].decode("utf-8", "replace").casefold()

    def _warn(
        self, row: Row, note: str, rule: str, message: str, column: str, value: str | None
    ) -> None:
        if rule in note:
            self.explained += 1
            return
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(problem(self.table.file, row.line, rule, message, column, value))


class Word(NamedTuple):
    """A modal word or a speech verb found in a quote: its kind, its text and where it is."""

    kind: str
    text: str
    start: int
    end: int


def words_in(quote: str) -> list[Word]:
    """The modal words and speech verbs of ``quote``, in order (see ``CASE_EXCEPTIONS``)."""
    if has_case_exception(quote):
        found: Iterable[re.Match[str]] = _MODAL_OR_SPEECH.finditer(quote)
    else:
        lowered = quote.lower()
        first_words = _FIRST_WORDS.keys() & ascii_words(lowered)
        if not first_words:
            return []  # most quotes: no word that a match could begin with, found in C code
        found = _matches_at(lowered, [_FIRST_WORDS[word] for word in first_words])
    return [
        Word(str(match.lastgroup), quote[match.start() : match.end()], *match.span())
        for match in found
    ]


def _matches_at(lowered: str, first_words: list[str]) -> list[re.Match[str]]:
    """What ``_LOWERED_MODAL_OR_SPEECH.finditer(lowered)`` finds, tried only where one of
    ``first_words`` (every first word of a match in ``lowered``) is written: each match begins
    there, so trying those places in order, from the end of the last match, finds the same
    matches without trying the search at every character."""
    starts = {at for word in first_words for at in places(lowered, word)}
    found = []
    end = 0
    match_at = _LOWERED_MODAL_OR_SPEECH.match  # its \b looks at the character before the start
    for start in sorted(starts):
        if start >= end:
            match = match_at(lowered, start)
            if match is not None:
                found.append(match)
                end = match.end()
    return found


# A match in a lowered quote begins with one of the quote's ascii_words: a quote none of whose
# words begins a match has no match, and the regex search (some 400 machine instructions a
# character) is not run for it. (Each first word as bytes, to meet ascii_words, and as text.)
_FIRST_WORDS = {
    first.encode("ascii"): first
    for first in (word.split()[0] for group in _WORDS.values() for word in group)
}


def _speaker_spans(quote: str, speech: list[Word]) -> list[tuple[str, str]]:
    """Each speech verb of ``quote`` (the ``speech`` matches in it) with the words that name its
    speaker: the words after "according to", else the words between the start of the clause and
    the verb."""
    spans = []
    for word in speech:
        verb = word.text
        if verb.casefold() == "according to":
            span = quote[word.end : word.end + AFTER_ACCORDING_TO]
            span = re.split(r"[.;]", span, maxsplit=1)[0]
        else:
            before = quote[max(0, word.start - BEFORE_VERB) : word.start]
            starts = [found.end() for found in _CLAUSE_START.finditer(before)]
            span = before[starts[-1] :] if starts else before
        spans.append((verb, span))
    return spans


def _ends_with_pronoun(folded_span: str) -> bool:
    words = folded_span.split()
    return bool(words) and (words[-1] in PRONOUNS or " ".join(words[-2:]) in PRONOUNS)
