"""The claims explorer says each row in words: who claims what, the amount as written and as a
number, the bound, the period; nothing the row does not record."""

from __future__ import annotations

import pytest

from china_ai_claims.site.words import number, statement

NAMES = {
    ("organizations", "deepseek"): "DeepSeek",
    ("organizations", "alibaba"): "Alibaba",
    ("models", "deepseek-v3"): "DeepSeek V3",
    ("people", "robin-li"): "Robin Li",
}


def _name(table: str, row_id: str) -> str:
    return NAMES.get((table, row_id), row_id)


@pytest.mark.parametrize(
    ("table", "row", "said"),
    [
        pytest.param(
            "cost_claims",
            {"model_id": "deepseek-v3", "amount": "6000000", "currency": "USD",
             "bound": "approximate", "amount_text": "approximately $6 million",
             "claimed_by_organization_id": "deepseek"},
            "DeepSeek claims that training DeepSeek V3 cost approximately $6 million "
            "(USD 6,000,000; approximate).",
            id="attributed-point",
        ),
        pytest.param(
            "cost_claims",
            {"model_id": "deepseek-v3", "bound": "unquantified",
             "amount_text": "significantly less"},
            "The source states that training DeepSeek V3 cost significantly less "
            "(no number given).",
            id="own-voice-unquantified",
        ),
        pytest.param(
            "cost_claims",
            {"scope": "budgets elsewhere", "amount_low": "1000000000", "amount_high": "2000000000",
             "currency": "USD", "bound": "range", "amount_text": "$1-2 billion"},
            "The source states that budgets elsewhere: $1-2 billion "
            "(USD 1,000,000,000–2,000,000,000; a range).",
            id="range",
        ),
        pytest.param(
            "cost_claims",
            {"scope": "the cost of model training", "change_direction": "decrease",
             "change_percent": "90", "change_bound": "more_than",
             "change_text": "reduced by more than 90%", "horizon_text": "over 12 months",
             "claimed_by_person_id": "robin-li"},
            "Robin Li claims that the cost of model training reduced by more than 90% over 12 "
            "months (decrease of more than 90%).",
            id="change",
        ),
        pytest.param(
            "funding_claims",
            {"claim_kind": "investment_pledge", "funder_organization_id": "alibaba",
             "target_text": "AI", "amount": "53000000000", "currency": "USD", "bound": "exact",
             "amount_text": "$53 billion", "horizon_text": "over the next three years",
             "claimed_by_organization_id": "alibaba", "modality": "plan"},
            "Alibaba claims investment pledge by Alibaba for AI of $53 billion over the next "
            "three years (USD 53,000,000,000; exact) [plan, not an assertion].",
            id="pledge-with-period-and-modality",
        ),
        pytest.param(
            "funding_claims",
            {"claim_kind": "investment", "amount": "5", "bound": "exact", "amount_text": "5"},
            "The source reports investment of 5 (5, no currency named; exact).",
            id="no-currency",
        ),
        pytest.param("organizations", {"name": "DeepSeek"}, "", id="a-thing-is-not-a-statement"),
    ],
)  # fmt: skip
def test_a_row_in_words(table: str, row: dict[str, str], said: str) -> None:
    assert statement(table, row, _name) == said


@pytest.mark.parametrize(
    ("text", "shown"),
    [("6000000", "6,000,000"), ("1200000000.0", "1,200,000,000"), ("2.5", "2.5"), ("x", "x")],
)
def test_numbers_get_thousands_separators_and_keep_their_fractions(text: str, shown: str) -> None:
    assert number(text) == shown
