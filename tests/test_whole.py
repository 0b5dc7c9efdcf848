"""A contribution that breaks the dataset as a whole is refused: a loop in a hierarchy, a row that
names itself, one text archived twice, source dates that cannot both be true, a date resolved
from a publication date where its words cannot be, a row repeated under another id.

The cases change a copy of the dataset to which the FICTIONAL sources of ``_fictional`` were added,
so they rest on rows the tests write themselves, not on the shipped data."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import _fictional
from _mutations import Mutation, Row, both, cell
from china_ai_claims.relative_time import possible_dates
from china_ai_claims.validators import validate
from china_ai_claims.validators.problems import RULES

LABS = Row("organizations", "example-labs")
CAPITAL = Row("organizations", "example-capital")
EXAMPLE_1 = Row("models", "example-1")
NEWS = Row("sources", _fictional.NEWS)
PLEDGE = Row("funding_claims", "example-capital-pledge-news")
LAST = -2  # the line of the row appended last


@pytest.fixture
def fictional(dataset_copy: Path, tmp_path: Path) -> Path:
    """A copy of the dataset with the fictional sources and their rows added."""
    return _fictional.build(dataset_copy, tmp_path / "articles")


def append(table: str, **values: str) -> Mutation:
    def apply(root: Path) -> None:
        _fictional.append_rows(root, table, [values])

    return apply


def copy_row(table: str, row_id: str, new_id: str) -> Mutation:
    """Append a copy of the row ``row_id`` under ``new_id``."""

    def apply(root: Path) -> None:
        with (root / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            row = next(row for row in csv.DictReader(handle) if row["id"] == row_id)
        _fictional.append_rows(root, table, [{**row, "id": new_id}])

    return apply


def archive_again(source_id: str, new_id: str) -> Mutation:
    """Archive the text of ``source_id`` a second time, as ``new_id``, by hand (``add-source``
    refuses a text already archived, so only a hand-made copy gets this far)."""

    def apply(root: Path) -> None:
        sources = root / "sources"
        (sources / f"{new_id}.txt").write_bytes((sources / f"{source_id}.txt").read_bytes())
        with (root / "sources.csv").open(encoding="utf-8", newline="") as handle:
            row = next(row for row in csv.DictReader(handle) if row["id"] == source_id)
        _fictional.append_rows(
            root, "sources", [{**row, "id": new_id, "path": f"sources/{new_id}.txt"}]
        )

    return apply


LOOP_OF_THREE = both(
    append(
        "organizations",
        id="example-holding",
        name="Example Labs",
        kind="company",
        parent_id="example-labs",
        source_id=_fictional.NEWS,
        quote="Example Labs, a fictional AI lab",
    ),
    cell("organizations", "example-capital", parent_id="example-holding"),
    cell("organizations", "example-labs", parent_id="example-capital"),
)


@dataclass(frozen=True)
class Bad:
    case: str
    mutation: Mutation
    rule: str
    file: str
    line: int | Row
    column: str


BAD_WHOLES = [
    Bad("owner-loop", both(cell("organizations", "example-labs", parent_id="example-capital"),
                           cell("organizations", "example-capital", parent_id="example-labs")),
        "hierarchy-cycle", "organizations.csv", LABS, "parent_id"),
    Bad("owner-loop-of-three", LOOP_OF_THREE,
        "hierarchy-cycle", "organizations.csv", LABS, "parent_id"),
    Bad("own-owner", cell("organizations", "example-labs", parent_id="example-labs"),
        "self-reference", "organizations.csv", LABS, "parent_id"),
    Bad("series-loop", both(cell("models", "example-1", series_id="example-2"),
                            cell("models", "example-2", series_id="example-1")),
        "hierarchy-cycle", "models.csv", EXAMPLE_1, "series_id"),
    Bad("own-series", cell("models", "example-1", series_id="example-1"),
        "self-reference", "models.csv", EXAMPLE_1, "series_id"),
    Bad("built-on-itself", append("other_claims", id="example-1-built-on-itself",
                                  claim_kind="built_on", subject_model_id="example-1",
                                  object_model_id="example-1", source_id=_fictional.NEWS,
                                  quote="said it trained its Example-1 model"),
        "self-reference", "other_claims.csv", LAST, "object_model_id"),
    Bad("partner-of-itself", append("events", id="example-labs-partners-itself",
                                    event_kind="partnership", status="occurred",
                                    organization_id="example-labs",
                                    counterpart_organization_id="example-labs",
                                    source_id=_fictional.NEWS,
                                    quote="Example Labs, a fictional AI lab"),
        "self-reference", "events.csv", LAST, "counterpart_organization_id"),
    Bad("text-archived-twice", archive_again(_fictional.NEWS, "fictional-example-news-again"),
        "duplicate-source-text", "sources.csv", LAST, "sha256"),
    Bad("retrieved-before-published", cell("sources", _fictional.NEWS, retrieved="2026-03-01"),
        "published-after-retrieved", "sources.csv", NEWS, "published"),
    Bad("published-in-the-future", cell("sources", _fictional.NEWS, published="2999-01-01",
                                        retrieved="2999-01-01"),
        "date-in-future", "sources.csv", NEWS, "published"),
    Bad("retrieved-in-the-future", cell("sources", _fictional.NEWS, retrieved="2999-01-01"),
        "date-in-future", "sources.csv", NEWS, "retrieved"),
    Bad("last-month-ends-after-publication", cell("funding_claims", PLEDGE.row_id,
                                                  end_date="2026-03-31"),
        "resolved-date-mismatch", "funding_claims.csv", PLEDGE, "end_date"),
    Bad("last-month-starts-a-year-early", cell("funding_claims", PLEDGE.row_id,
                                               start_date="2025-02-01"),
        "resolved-date-mismatch", "funding_claims.csv", PLEDGE, "start_date"),
    Bad("publication-date-moved-away", cell("sources", _fictional.NEWS, published="2026-06-10"),
        "resolved-date-mismatch", "funding_claims.csv", PLEDGE, "start_date"),
    Bad("claim-repeated-under-another-id", copy_row("cost_claims", "example-2-cost-wire",
                                                    "example-2-cost-wire-again"),
        "duplicate-row", "cost_claims.csv", LAST, "id"),
    Bad("organization-repeated-under-another-id", copy_row("organizations", "example-capital",
                                                           "example-capital-again"),
        "duplicate-row", "organizations.csv", LAST, "id"),
]  # fmt: skip


@pytest.mark.parametrize("case", BAD_WHOLES, ids=lambda case: case.case)
def test_a_whole_data_fault_is_refused_with_rule_file_line_and_column(
    case: Bad, fictional: Path
) -> None:
    line = case.line.line(fictional) if isinstance(case.line, Row) else case.line
    case.mutation(fictional)
    if line == LAST:  # appended rows are one line each
        line = len((fictional / case.file).read_text(encoding="utf-8").rstrip("\n").split("\n"))
    report = validate(fictional)
    found = {(e.rule, e.file, e.line, e.column) for e in report.errors}
    assert (case.rule, case.file, line, case.column) in found, found


def test_every_whole_data_rule_has_a_case_and_the_cases_are_distinct() -> None:
    whole_rules = {rule for rule, (layer, _) in RULES.items() if layer == "whole"}
    assert {case.rule for case in BAD_WHOLES} == whole_rules
    assert len({case.case for case in BAD_WHOLES}) == len(BAD_WHOLES)


def test_the_shipped_data_and_the_fictional_sources_break_no_whole_data_rule(
    packaged_dataset: Path, fictional: Path
) -> None:
    for folder in (packaged_dataset, fictional):
        report = validate(folder)
        assert report.valid, [error.as_dict() for error in report.errors]


def test_a_loop_names_every_row_on_it(fictional: Path) -> None:
    LOOP_OF_THREE(fictional)
    (loop,) = [e for e in validate(fictional).errors if e.rule == "hierarchy-cycle"]
    assert "example-labs -> example-capital -> example-holding -> example-labs" in loop.message


def test_a_loop_of_built_on_claims_is_recorded_not_refused(fictional: Path) -> None:
    # Two sources may each claim the other direction; the dataset records what they claim.
    # Both models are named in the paragraph of this quote.
    quote = "Training Example-2 cost Example Labs less than $10 million"
    for subject, target in (("example-1", "example-2"), ("example-2", "example-1")):
        append(
            "other_claims",
            id=f"{subject}-built-on-{target}",
            claim_kind="built_on",
            modality="assertion",
            subject_model_id=subject,
            object_model_id=target,
            source_id=_fictional.NEWS,
            quote=quote,
        )(fictional)
    report = validate(fictional)
    assert report.valid, [error.as_dict() for error in report.errors]


D = date.fromisoformat
POSSIBLE_DATES = [
    # (words, published, first and last day they can mean, or None: nothing is judged)
    ("last month", "2026-03-10", ("2026-02-01", "2026-03-09")),
    ("Last month", "2026-03-31", ("2026-02-01", "2026-03-30")),
    ("this month", "2026-02-14", ("2026-02-01", "2026-02-28")),
    ("next month", "2026-01-31", ("2026-02-01", "2026-03-03")),
    ("last week", "2026-11-02", ("2026-10-25", "2026-11-01")),  # a Monday: Sunday's week too
    ("last week", "2026-11-08", ("2026-10-26", "2026-11-07")),  # a Sunday: Monday's week began
    ("this week", "2026-11-04", ("2026-11-01", "2026-11-08")),  # from Sunday, to Sunday
    ("next week", "2026-11-07", ("2026-11-08", "2026-11-15")),  # a Saturday
    ("yesterday", "2026-03-01", ("2026-02-28", "2026-02-28")),
    ("today", "2026-03-01", ("2026-03-01", "2026-03-01")),
    ("this year", "2025-06-01", ("2025-01-01", "2025-12-31")),
    ("earlier this year", "2025-06-01", ("2025-01-01", "2025-12-31")),
    ("last year", "2025-06-01", ("2024-01-01", "2025-05-31")),
    ("next year", "2025-06-01", ("2025-06-02", "2026-12-31")),
    ("In the first quarter of this year", "2025-06-01", ("2025-01-01", "2025-03-31")),
    ("Q4 last year", "2025-01-15", ("2024-10-01", "2024-12-31")),
    ("the second half of next year", "2025-03-01", ("2026-07-01", "2026-12-31")),
    ("from last year to this year", "2025-06-01", ("2024-01-01", "2025-12-31")),
    ("mid-2024", "2025-06-01", None),
    ("in March 2025, last year", "2026-06-01", None),
    ("recently", "2025-06-01", None),
    ("in the coming weeks", "2025-06-01", None),
    ("the last months", "2025-06-01", None),
]


@pytest.mark.parametrize(("words", "published", "expected"), POSSIBLE_DATES,
                         ids=[case[0] + " " + case[1] for case in POSSIBLE_DATES])  # fmt: skip
def test_where_a_relative_time_can_lie(
    words: str, published: str, expected: tuple[str, str] | None
) -> None:
    interval = possible_dates(words, D(published))
    assert interval == (None if expected is None else (D(expected[0]), D(expected[1])))


def test_the_contributing_walkthrough_resolution_lies_where_its_words_say() -> None:
    low, high = possible_dates("last week", D("2026-11-02")) or (None, None)
    assert low is not None
    assert high is not None
    assert low <= D("2026-10-26") <= D("2026-11-01") <= high


def test_a_row_repeated_under_its_own_id_is_one_problem(fictional: Path) -> None:
    from _mutations import duplicate_row

    duplicate_row("cost_claims", "example-2-cost-wire")(fictional)
    rules = [e.rule for e in validate(fictional).errors]
    assert rules == ["primary-key"]


@given(published=st.dates(min_value=D("1990-01-01"), max_value=D("2150-12-31")))
def test_relative_words_lie_before_at_or_after_the_publication_date(published: date) -> None:
    for unit in ("year", "month", "week"):
        for word, where in (("last", "before"), ("this", "around"), ("next", "after")):
            interval = possible_dates(f"{word} {unit}", published)
            assert interval is not None
            low, high = interval
            assert low <= high
            if where == "before":
                assert high < published
            elif where == "after":
                assert low > published
            else:
                assert low <= published <= high
    last_month = possible_dates("last month", published)
    assert last_month is not None
    first_of_month = published.replace(day=1)
    assert last_month[0] <= (first_of_month - timedelta(days=1)).replace(day=1)
