"""An analyst sees which claims state the same quantity and whether their sources agree:
``compare`` in text and JSON, ``load(table, with_key=True)`` and ``related_claims``.

The sources compared are FICTIONAL, written for the tests (see ``_fictional``): one pair agrees,
one conflicts, one bounds each other, one changes in opposite directions, and one claim is in
another currency."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import _fictional
from _mutations import cell
from china_ai_claims import load
from china_ai_claims.cli import app
from china_ai_claims.comparing import (
    APPROXIMATE_TOLERANCE,
    KEY_COLUMN,
    claim_key,
    compare_claims,
    related_claims,
    render_text,
)
from china_ai_claims.loading import load_all
from china_ai_claims.validators import validate

# the fictional groups: the claims each holds and the verdict compare must give
EXPECTED = {
    ("example-1-cost-news", "example-1-cost-news-restated", "example-1-cost-review"): "conflict",
    ("example-2-cost-news", "example-2-cost-wire"): "agree",
    ("example-1-cost-change-news", "example-1-cost-change-wire"): "conflict",
    ("example-capital-pledge-news", "example-capital-pledge-review"): "agree",
}
FICTIONAL_IDS = {row["id"] for rows in _fictional.ROWS.values() for row in rows}


@pytest.fixture
def fictional(dataset_copy: Path, tmp_path: Path) -> Path:
    return _fictional.build(dataset_copy, tmp_path / "articles")


def _compare(folder: Path, *options: str) -> str:
    result = CliRunner().invoke(app, ["compare", str(folder), *options])
    assert result.exit_code == 0, result.output  # a conflict is information, not an error
    return result.stdout


def _fictional_groups(document: dict[str, Any]) -> dict[tuple[str, ...], dict[str, Any]]:
    groups = {}
    for group in document["groups"]:
        ids = tuple(claim["id"] for claim in group["claims"])
        if set(ids) & FICTIONAL_IDS:
            groups[ids] = group
    return groups


def test_the_fictional_sources_validate(fictional: Path) -> None:
    report = validate(fictional)
    assert report.valid, [error.as_dict() for error in report.errors]


def test_compare_json_says_which_sources_agree_and_which_conflict(fictional: Path) -> None:
    document = json.loads(_compare(fictional, "--format", "json"))
    groups = _fictional_groups(document)
    assert {ids: group["verdict"] for ids, group in groups.items()} == EXPECTED
    assert document["approximate_tolerance"] == APPROXIMATE_TOLERANCE
    assert sum(document["counts"].values()) == len(document["groups"])
    bounded = groups["example-2-cost-news", "example-2-cost-wire"]
    assert bounded["common"] == {
        "low": 5000000,
        "high": 10000000,
        "low_open": True,
        "high_open": True,
    }
    conflict = groups[next(ids for ids in EXPECTED if "example-1-cost-review" in ids)]
    assert conflict["sources"] == [_fictional.NEWS, _fictional.REVIEW]
    assert "example-1-cost-review" in conflict["reason"]
    pledge = groups["example-capital-pledge-news", "example-capital-pledge-review"]
    (approximate,) = [c for c in pledge["claims"] if c["bound"] == "approximate"]
    assert approximate["interval"]["low"] == pytest.approx(1e9 * (1 - APPROXIMATE_TOLERANCE))
    assert approximate["interval"]["high"] == pytest.approx(1e9 * (1 + APPROXIMATE_TOLERANCE))


def test_compare_never_compares_across_currencies(fictional: Path) -> None:
    document = json.loads(_compare(fictional, "--format", "json"))
    compared = {claim["id"] for group in document["groups"] for claim in group["claims"]}
    assert "example-1-cost-wire-yuan" not in compared
    for group in document["groups"]:
        assert len({claim["currency"] for claim in group["claims"]}) == 1


def test_compare_text_shows_each_group_its_verdict_and_its_claims(fictional: Path) -> None:
    output = _compare(fictional)
    assert output.startswith(f"compared the claims of {fictional}")
    blocks = {block.split("\n")[0]: block for block in output.split("\n\n")[1:]}
    for ids, verdict in EXPECTED.items():
        (block,) = [block for block in blocks.values() if f"- {ids[0]} " in block]
        assert block.split("\n")[1].startswith(f"  {verdict}: ")
        assert all(f"- {row_id} [" in block for row_id in ids)
    restated = next(block for block in blocks.values() if "example-1-cost-review" in block)
    assert "example-1-cost-news [fictional-example-news] (restated in the same source)" in restated
    assert "“$12 million” (exact: 12,000,000 USD)" in restated
    assert "example-1-cost-wire-yuan" not in output


def test_compare_reads_the_default_dataset_and_names_it() -> None:
    from china_ai_claims.locating import locate

    document = json.loads(
        CliRunner().invoke(app, ["compare", "--format", "json"], catch_exceptions=False).stdout
    )
    # The checkout around the current folder, else the installed copy (see locating).
    assert document["read"].startswith(locate(None).label)
    for group in document["groups"]:
        assert group["verdict"] in {"agree", "conflict", "not_compared"}
        assert len(group["claims"]) >= 2


def test_compare_of_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["compare", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "missing" in result.output


def test_load_returns_the_claim_key_as_a_column(fictional: Path) -> None:
    costs = load("cost_claims", data_dir=fictional, with_key=True)
    assert costs.columns[-1] == KEY_COLUMN
    assert str(costs[KEY_COLUMN].dtype) == "string"
    key = dict(zip(costs["id"], costs[KEY_COLUMN], strict=True))
    assert key["example-1-cost-news"] == key["example-1-cost-review"]
    assert key["example-1-cost-news"] != key["example-1-cost-wire-yuan"]
    assert "currency=CNY" in key["example-1-cost-wire-yuan"]
    assert key["example-1-cost-news"] != key["example-2-cost-news"]
    plain = load("cost_claims", data_dir=fictional)
    assert KEY_COLUMN not in plain.columns
    pd.testing.assert_frame_equal(plain, costs.drop(columns=KEY_COLUMN))
    with pytest.raises(ValueError, match="claim keys are defined for"):
        load("organizations", data_dir=fictional, with_key=True)


def test_related_claims_gives_a_claim_the_others_on_its_key(fictional: Path) -> None:
    tables = load_all(data_dir=fictional).tables
    group = related_claims(tables, "cost_claims", "example-1-cost-review")
    assert group is not None
    assert group.verdict == "conflict"
    others = {statement.id for statement in group.others("example-1-cost-review")}
    assert others == {"example-1-cost-news", "example-1-cost-news-restated"}
    assert related_claims(tables, "cost_claims", "example-1-cost-wire-yuan") is None
    assert related_claims(tables, "cost_claims", "no-such-claim") is None
    assert related_claims(tables, "organizations", "example-labs") is None


BASE = {"claim_kind": "training_cost", "model_id": "m", "currency": "USD", "bound": "exact"}


@pytest.mark.parametrize(
    ("change", "same"),
    [
        ({}, True),
        ({"modality": "forecast"}, False),
        ({"period_kind": "span", "period_value": 3, "period_unit": "year"}, False),
        ({"period_value": 5.0}, False),
        ({"currency": "CNY"}, False),
        ({"model_id": "other"}, False),
        ({"organization_id": "o"}, False),
        ({"start_date": pd.Timestamp("2026-02-01")}, False),
        ({"amount": 5, "bound": "at_least", "amount_text": "5+", "source_id": "s2"}, True),
        ({"claimed_by_organization_id": "c", "quote": "other words", "note": "n"}, True),
    ],
    ids=[
        "same",
        "modality",
        "period",
        "period-length",
        "currency",
        "model",
        "organization",
        "date",
        "amount-and-source",
        "claimant-and-quote",
    ],
)
def test_what_makes_two_claims_state_the_same_quantity(change: dict[str, Any], same: bool) -> None:
    first = {**BASE, "modality": "assertion", "period_kind": "one_off", "period_value": 3.0}
    second = {**first, **change}
    assert (claim_key("cost_claims", first) == claim_key("cost_claims", second)) is same


def test_a_claim_without_a_subject_id_or_quantity_has_no_key() -> None:
    assert claim_key("cost_claims", {**BASE, "model_id": None, "scope": "training budgets"}) is None
    assert claim_key("cost_claims", {**BASE, "claim_kind": "cost_comparison"}) is None
    funding = {"claim_kind": "investment", "funder_text": "venture capitalists"}
    assert claim_key("funding_claims", funding) is None


def test_funding_targets_in_words_are_matched_ignoring_case_and_spacing() -> None:
    pledge = {"claim_kind": "investment_pledge", "funder_organization_id": "f", "currency": "USD"}
    one = claim_key("funding_claims", {**pledge, "target_text": "AI  infrastructure"})
    assert one == claim_key("funding_claims", {**pledge, "target_text": "ai infrastructure"})
    assert one != claim_key("funding_claims", {**pledge, "target_text": "chip making"})


# (first statement, second statement, verdict): bound, amount (or low and high for a range)
AMOUNT_PAIRS = [
    (("exact", 100), ("exact", 100), "agree"),
    (("exact", 100), ("exact", 101), "conflict"),
    (("approximate", 100), ("exact", 109), "agree"),
    (("approximate", 100), ("exact", 111), "conflict"),
    (("approximate", 100), ("approximate", 122), "agree"),
    (("at_least", 100), ("exact", 100), "agree"),
    (("more_than", 100), ("exact", 100), "conflict"),
    (("at_most", 100), ("exact", 100), "agree"),
    (("less_than", 100), ("exact", 100), "conflict"),
    (("at_least", 10), ("at_most", 10), "agree"),
    (("more_than", 10), ("at_most", 10), "conflict"),
    (("more_than", 5), ("less_than", 10), "agree"),
    (("range", 50, 150), ("at_least", 150), "agree"),
    (("range", 50, 150), ("more_than", 150), "conflict"),
    (("range", 50, 150), ("range", 160, 170), "conflict"),
    (("unquantified",), ("exact", 100), "not_compared"),
    (("unquantified",), ("unquantified",), "not_compared"),
]


def _row(number: int, statement: tuple[Any, ...]) -> dict[str, Any]:
    bound, *amounts = statement
    row = {**BASE, "id": f"claim-{number}", "source_id": f"source-{number}", "bound": bound}
    row["amount_text"] = "words"
    if bound == "range":
        row["amount_low"], row["amount_high"] = (float(value) for value in amounts)
    elif amounts:
        row["amount"] = float(amounts[0])
    return row


@pytest.mark.parametrize(
    ("first", "second", "verdict"),
    AMOUNT_PAIRS,
    ids=[f"{a[0]}-{b[0]}-{verdict}" for a, b, verdict in AMOUNT_PAIRS],
)
def test_amounts_agree_when_one_value_satisfies_every_bound(
    first: tuple[Any, ...], second: tuple[Any, ...], verdict: str
) -> None:
    for pair in ((first, second), (second, first)):  # the order of the rows does not matter
        frame = pd.DataFrame([_row(number, statement) for number, statement in enumerate(pair)])
        (group,) = compare_claims({"cost_claims": frame})
        assert group.verdict == verdict, group.reason
        if verdict == "agree":
            assert group.common is not None
            assert not group.common.empty
            assert not math.isnan(group.common.low)


CHANGE_PAIRS = [
    (("decrease", "exact", 30), ("decrease", "more_than", 20), "agree"),
    (("decrease", "exact", 30), ("decrease", "more_than", 30), "conflict"),
    (("decrease", "exact", 30), ("increase", "exact", 30), "conflict"),
    (("decrease", "unquantified", None), ("decrease", "unquantified", None), "agree"),
    (("decrease", "unquantified", None), ("increase", "unquantified", None), "conflict"),
]


@pytest.mark.parametrize(
    ("first", "second", "verdict"),
    CHANGE_PAIRS,
    ids=[f"{a[0]}-{a[1]}-{b[0]}-{b[1]}-{verdict}" for a, b, verdict in CHANGE_PAIRS],
)
def test_changes_compare_direction_then_percent(
    first: tuple[Any, ...], second: tuple[Any, ...], verdict: str
) -> None:
    rows = [
        {
            "id": f"change-{number}",
            "claim_kind": "training_cost_change",
            "model_id": "m",
            "source_id": f"source-{number}",
            "change_direction": direction,
            "change_bound": bound,
            "change_percent": percent,
            "change_text": "words",
        }
        for number, (direction, bound, percent) in enumerate((first, second))
    ]
    (group,) = compare_claims({"cost_claims": pd.DataFrame(rows)})
    assert group.verdict == verdict, group.reason


def test_the_contributing_example_is_what_compare_prints(fictional: Path, repo_root: Path) -> None:
    guide = (repo_root / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = guide.split("## When a source reports an existing claim differently", 1)[1]
    example = section.split("```text\n", 1)[1].split("```", 1)[0]
    # The example has one row per source: drop the restatement the fixture adds.
    path = fictional / "cost_claims.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(
        "".join(line for line in lines if not line.startswith("example-1-cost-news-restated,")),
        encoding="utf-8",
    )
    output = _compare(fictional)
    assert example.strip()
    for line in example.splitlines():
        assert f"\n{line}\n" in output


def test_claim_groups_maps_every_grouped_claim_to_its_group(fictional: Path) -> None:
    from china_ai_claims.comparing import claim_groups

    tables = load_all(data_dir=fictional).tables
    groups = claim_groups(tables)
    for ids, verdict in EXPECTED.items():
        for row_id in ids:
            assert (
                groups["cost_claims" if "cost" in row_id else "funding_claims", row_id].verdict
                == verdict
            )
    assert ("cost_claims", "example-1-cost-wire-yuan") not in groups


_ends = st.floats(min_value=0, max_value=1e12, allow_nan=False)


@given(
    first=st.tuples(_ends, _ends, st.booleans(), st.booleans()),
    second=st.tuples(_ends, _ends, st.booleans(), st.booleans()),
    value=_ends,
)
def test_a_value_meets_two_intervals_exactly_when_it_is_in_both(
    first: tuple[float, float, bool, bool], second: tuple[float, float, bool, bool], value: float
) -> None:
    from china_ai_claims.comparing import Interval

    def holds(interval: Interval, number: float) -> bool:
        above = number > interval.low if interval.low_open else number >= interval.low
        below = number < interval.high if interval.high_open else number <= interval.high
        return above and below

    one, two = Interval(*first), Interval(*second)
    both = one.meet(two)
    assert holds(both, value) == (holds(one, value) and holds(two, value))
    if holds(both, value):
        assert not both.empty


def test_the_explorer_shows_a_claims_related_claims_and_the_verdict(
    fictional: Path, tmp_path: Path
) -> None:
    from china_ai_claims.site import build_site

    site = tmp_path / "site"
    build_site(site, fictional)
    news = (site / "cost_claims" / "example-1-cost-news.html").read_text(encoding="utf-8")
    assert "Other claims of the same quantity" in news
    assert "<strong>Conflict</strong>" in news
    assert 'href="../cost_claims/example-1-cost-review.html"' in news
    wire = (site / "cost_claims" / "example-2-cost-wire.html").read_text(encoding="utf-8")
    assert "<strong>Agree</strong>" in wire
    assert 'href="../cost_claims/example-2-cost-news.html"' in wire
    # A claim that no other claim restates shows no such section.
    alone = next(
        path
        for path in sorted((site / "cost_claims").glob("*.html"))
        if path.name != "index.html" and "Other claims of the same quantity" not in path.read_text()
    )
    assert alone.stem not in {"example-1-cost-news", "example-2-cost-wire"}


def test_show_with_key_names_each_claims_group_and_verdict(fictional: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["show", "cost_claims", "--with-key", "--format", "csv", "--data-dir", str(fictional)],
    )
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["example-1-cost-review"]["same_key_verdict"] == "conflict"
    assert "example-1-cost-news" in rows["example-1-cost-review"]["same_key_claims"].split("|")
    assert rows["example-2-cost-news"]["same_key_verdict"] == "agree"
    key = rows["example-2-cost-news"]["claim_key"]
    assert key
    assert key == rows["example-2-cost-wire"]["claim_key"]
    # --where on the key lists the claims of one quantity.
    same = CliRunner().invoke(
        app,
        ["show", "cost_claims", "--with-key", "--format", "csv", "--where", f"claim_key={key}",
         "--data-dir", str(fictional)],
    )  # fmt: skip
    ids = {row["id"] for row in csv.DictReader(io.StringIO(same.stdout))}
    assert ids == {"example-2-cost-news", "example-2-cost-wire"}
    refused = CliRunner().invoke(app, ["show", "people", "--with-key"])
    assert refused.exit_code == 2
    assert "claim keys are defined for" in refused.output


@pytest.mark.parametrize("width", [40, 60, 80])
def test_compare_for_a_terminal_is_wrapped_to_its_width_and_loses_no_word(
    fictional: Path, width: int
) -> None:
    cell("cost_claims", "example-1-cost-review", id="x" * 80)(fictional)  # the longest id
    groups = compare_claims(load_all(data_dir=fictional).tables)
    whole = render_text(groups, "fictional/")
    wrapped = render_text(groups, "fictional/", width)
    assert wrapped.split() == whole.split()  # no word lost, cut or moved
    for line in wrapped.splitlines():  # past the width only a word that cannot be cut
        assert len(line) <= width or len(line.lstrip(" -").split()) == 1, line
        assert line.strip() != "-", wrapped  # a bullet stays with its claim
    agreeing = next(group for group in groups if group.verdict == "agree")
    assert agreeing.reason.startswith("every amount stated allows ")
