"""The claims explorer says each row in words: who claims what with the verb its modality calls for
(says, forecasts, plans, judges; a conditional never as a sum), the amount as written and as a
number, the bound, the period in the source's words; and, where the columns cannot make a faithful
sentence, a short frame and the quote itself. Nothing the row does not record."""

from __future__ import annotations

from pathlib import Path

import pytest

from china_ai_claims.site.builder import read_data
from china_ai_claims.site.words import article, number, spliced, statement

NAMES = {
    ("organizations", "deepseek"): "DeepSeek",
    ("organizations", "alibaba"): "Alibaba",
    ("organizations", "meituan"): "Meituan",
    ("organizations", "pitchbook"): "PitchBook",
    ("organizations", "gov"): "Chinese government",
    ("models", "deepseek-v3"): "DeepSeek V3",
    ("models", "qwen-next"): "Qwen next generation",
    ("people", "robin-li"): "Robin Li",
    ("people", "wang-xing"): "Wang Xing",
    ("people", "kevin-xu"): "Kevin Xu",
}
STATEMENT_TABLES = ("cost_claims", "funding_claims", "events", "other_claims")
# The word that tells a reader each modality that is not a plain assertion.
MARKERS = {
    "forecast": "forecast",
    "plan": "plan",
    "hypothetical": "hypothetical",
    "opinion": "opinion",
}


def _name(table: str, row_id: str) -> str:
    return NAMES.get((table, row_id), row_id)


V3_COST = {"claim_kind": "training_cost", "model_id": "deepseek-v3", "amount": "6000000",
           "currency": "USD", "bound": "approximate", "amount_text": "approximately $6 million",
           "period_kind": "one_off", "claimed_by_organization_id": "deepseek",
           "modality": "assertion", "quote": "a cost of approximately $6 million"}  # fmt: skip
CHANGE = {"claim_kind": "training_cost_change", "scope": "the cost of model training",
          "change_direction": "decrease", "change_percent": "90", "change_bound": "more_than",
          "change_text": "reduced by more than 90%", "horizon_text": "over 12 months",
          "claimed_by_person_id": "robin-li", "modality": "forecast",
          "quote": "can be reduced by more than 90% over 12 months"}  # fmt: skip
PLEDGE = {"claim_kind": "investment_pledge", "funder_organization_id": "alibaba",
          "target_text": "its AI infrastructure", "amount": "53000000000", "currency": "USD",
          "bound": "exact", "amount_text": "$53 billion", "period_kind": "span",
          "period_text": "over the next three years", "horizon_text": "over the next three years",
          "claimed_by_organization_id": "alibaba", "modality": "plan",
          "quote": "pledged to invest $53 billion over the next three years"}  # fmt: skip
VC_TOTAL = {"claim_kind": "venture_capital_total", "funder_text": "venture capitalists",
            "target_text": "Chinese AI, including robotics", "deal_count": "144",
            "amount": "1200000000", "currency": "USD", "bound": "exact",
            "amount_text": "$1.2 billion", "period_kind": "span",
            "period_text": "In the first quarter of this year",
            "time_text": "In the first quarter of this year",
            "claimed_by_organization_id": "pitchbook", "modality": "assertion",
            "quote": "In the first quarter of this year, venture capitalists invested"}  # fmt: skip
LAUNCH = {"event_kind": "launch", "status": "planned", "organization_id": "alibaba",
          "model_id": "qwen-next", "time_text": "in the coming weeks", "modality": "plan",
          "quote": "is launching the next generation in the coming weeks"}  # fmt: skip
OPINION = {"claim_kind": "market_assessment", "subject_organization_id": "deepseek",
           "claimed_by_person_id": "kevin-xu", "modality": "opinion",
           "quote": "DeepSeek’s success demonstrates that labs can compete"}  # fmt: skip
UNSAID = {"claim_kind": "government_funding", "funder_organization_id": "gov",
          "bound": "unquantified", "amount_text": "invested heavily", "period_kind": "cumulative",
          "modality": "assertion",
          "quote": "The government has invested heavily in this area"}  # fmt: skip


def _on(base: dict[str, str], **changes: str) -> dict[str, str]:
    row = {**base, **changes}
    return {column: value for column, value in row.items() if value}


PARTNERSHIP = _on(LAUNCH, event_kind="partnership", model_id="", status="occurred",
                  modality="assertion", counterpart_organization_id="deepseek",
                  time_text="recently")  # fmt: skip

CASES = [
    # cost_claims, training_cost: the verb follows the modality
    ("cost_claims", V3_COST,
     "DeepSeek says training DeepSeek V3 cost approximately $6 million "
     "(USD 6,000,000; approximate).",
     "assertion-claimant"),
    ("cost_claims", _on(V3_COST, claimed_by_organization_id=""),
     "The source says training DeepSeek V3 cost approximately $6 million "
     "(USD 6,000,000; approximate).", "assertion-own-voice"),
    ("cost_claims", _on(V3_COST, modality="forecast"),
     "DeepSeek forecasts that training DeepSeek V3 will cost approximately $6 million "
     "(USD 6,000,000; approximate; a forecast).", "forecast"),
    ("cost_claims", _on(V3_COST, modality="plan"),
     "DeepSeek says training DeepSeek V3 is planned to cost approximately $6 million "
     "(USD 6,000,000; approximate; a plan).", "plan"),
    ("cost_claims", _on(V3_COST, modality="opinion"),
     "DeepSeek judges that training DeepSeek V3 cost approximately $6 million "
     "(USD 6,000,000; approximate; an opinion).", "opinion"),
    ("cost_claims", _on(V3_COST, modality="hypothetical", amount="", currency="",
                        bound="unquantified", amount_text="billion-dollar",
                        claimed_by_organization_id="", quote="If models cost less, ..."),
     "Hypothetically (a conditional, not a sum anyone paid): “If models cost less, ...”",
     "hypothetical-never-an-amount"),
    ("funding_claims", _on(PLEDGE, modality="hypothetical"),
     "Hypothetically, according to Alibaba (a conditional, not a sum anyone paid): “pledged to "
     "invest $53 billion over the next three years”", "hypothetical-with-an-amount-is-only-quoted"),
    ("cost_claims", _on(V3_COST, amount="", amount_low="1000000", amount_high="2000000",
                        bound="range", amount_text="$1-2 million", period_kind="span",
                        period_text="in 2024"),
     "DeepSeek says training DeepSeek V3 cost $1-2 million in 2024 "
     "(USD 1,000,000–2,000,000; a range).", "range-with-period"),
    ("cost_claims", _on(V3_COST, amount="6", currency=""),
     "DeepSeek says training DeepSeek V3 cost approximately $6 million "
     "(6, no currency named; approximate).", "no-currency"),
    ("cost_claims", _on(V3_COST, bound="unquantified", amount="", amount_text="very little"),
     "DeepSeek (assertion; training cost: DeepSeek V3): “a cost of approximately $6 million”",
     "unquantified-is-quoted"),
    # cost_claims, training_cost_change
    ("cost_claims", CHANGE,
     "Robin Li forecasts a decrease of more than 90% in the cost of model training "
     "over 12 months (a forecast).", "change-forecast"),
    ("cost_claims", _on(CHANGE, modality="assertion", change_direction="increase",
                        change_percent="", claimed_by_person_id=""),
     "The source reports an increase in the cost of model training over 12 months.",
     "change-assertion-an-increase"),
    ("cost_claims", _on(CHANGE, modality="opinion"),
     "Robin Li (opinion; training cost change): “can be reduced by more than 90% over 12 months”",
     "change-opinion-is-quoted"),
    # cost_claims, cost_comparison: the comparator is no column, so the quote says it
    ("cost_claims", _on(V3_COST, claim_kind="cost_comparison", bound="unquantified", amount="",
                        amount_text="significantly less", claimed_by_organization_id="",
                        quote="This is significantly less than the cost of GPT-4."),
     "The source (assertion; cost comparison: DeepSeek V3): “This is significantly less than "
     "the cost of GPT-4.”", "comparison-names-its-comparator-by-quote"),
    # funding_claims
    ("funding_claims", PLEDGE,
     "Alibaba pledged to invest $53 billion in its AI infrastructure over the next three years "
     "(USD 53,000,000,000; exact; a plan).", "pledge-plan-by-its-funder"),
    ("funding_claims", _on(PLEDGE, claimed_by_organization_id="", claimed_by_person_id="wang-xing",
                           funder_organization_id="meituan", period_text="", horizon_text="",
                           period_kind="not_stated"),
     "Wang Xing says Meituan pledged to invest $53 billion in its AI infrastructure "
     "(USD 53,000,000,000; exact; a plan).", "pledge-by-a-person"),
    ("funding_claims", VC_TOTAL,
     "PitchBook says venture capitalists invested $1.2 billion across 144 deals in Chinese AI, "
     "including robotics, in the first quarter of this year "
     "(USD 1,200,000,000; exact; no date recorded).", "total-with-relative-time"),
    ("funding_claims", _on(VC_TOTAL, year="2025"),
     "PitchBook says venture capitalists invested $1.2 billion across 144 deals in Chinese AI, "
     "including robotics, in the first quarter of this year (USD 1,200,000,000; exact).",
     "total-with-a-recorded-year"),
    ("funding_claims", _on(VC_TOTAL, claim_kind="investment", modality="forecast", deal_count="",
                           target_text="AI", period_text="", time_text="",
                           period_kind="not_stated"),
     "PitchBook forecasts that venture capitalists will invest $1.2 billion in AI "
     "(USD 1,200,000,000; exact; a forecast).", "investment-forecast"),
    ("funding_claims", _on(VC_TOTAL, claim_kind="investment", modality="plan", deal_count="",
                           target_text="AI", period_text="", time_text="",
                           period_kind="not_stated"),
     "PitchBook says a plan by venture capitalists to invest $1.2 billion in AI "
     "(USD 1,200,000,000; exact; a plan).", "investment-plan"),
    ("funding_claims", _on(VC_TOTAL, claim_kind="venture_capital_change", amount="", currency="",
                           bound="", amount_text="", deal_count="", change_direction="decrease",
                           change_percent="30", change_text="fell 30%",
                           comparison_text="compared with the same period last year"),
     "PitchBook reports a decrease of 30% in venture capital investment by venture capitalists "
     "in Chinese AI, including robotics, in the first quarter of this year compared with the same "
     "period last year (no date recorded).", "change-with-comparison"),
    ("funding_claims", UNSAID,
     "The source (assertion; government funding by Chinese government): “The government has "
     "invested heavily in this area”", "unquantified-verb-phrase-is-quoted"),
    ("funding_claims", _on(UNSAID, modality="hypothetical", claimed_by_person_id="kevin-xu"),
     "Hypothetically, according to Kevin Xu (a conditional, not a sum anyone paid): “The "
     "government has invested heavily in this area”", "hypothetical-funding"),
    ("funding_claims", _on(UNSAID, modality="opinion"),
     "The source (opinion; government funding by Chinese government): “The government has "
     "invested heavily in this area”", "opinion-funding"),
    # events: the verb follows status and modality; what was launched is named or quoted
    ("events", LAUNCH,
     "The source says Alibaba plans to launch Qwen next generation in the coming weeks "
     "(no date recorded; a plan).", "launch-plan"),
    ("events", _on(LAUNCH, modality="forecast", time_text=""),
     "The source forecasts that Alibaba will launch Qwen next generation (a forecast).",
     "launch-forecast"),
    ("events", _on(LAUNCH, modality="assertion", status="occurred", time_text="mid-2024",
                   year="2024"),
     "The source says Alibaba launched Qwen next generation mid-2024.", "launch-occurred-dated"),
    ("events", _on(LAUNCH, modality="assertion", status="occurred", model_id="", time_text="",
                   quote="Alibaba has also launched new AI models."),
     "The source (assertion; launch by Alibaba): “Alibaba has also launched new AI models.”",
     "launch-of-what-is-quoted"),
    ("events", _on(LAUNCH, event_kind="adoption", model_id="",
                   counterpart_organization_id="deepseek", time_text=""),
     "The source says Alibaba plans to adopt DeepSeek (a plan).", "adoption-plan"),
    ("events", PARTNERSHIP,
     "The source says Alibaba entered a partnership with DeepSeek recently (no date recorded).",
     "partnership"),
    ("events", _on(PARTNERSHIP, claimed_by_organization_id="alibaba"),
     "Alibaba says it entered a partnership with DeepSeek recently (no date recorded).",
     "partnership-announced-by-its-party"),
    ("funding_claims", _on(PLEDGE, claim_kind="investment", modality="assertion"),
     "Alibaba says it invested $53 billion in its AI infrastructure over the next three years "
     "(USD 53,000,000,000; exact).", "investment-claimed-by-its-investor"),
    ("funding_claims", _on(PLEDGE, claim_kind="investment"),
     "Alibaba says it plans to invest $53 billion in its AI infrastructure over the next three "
     "years (USD 53,000,000,000; exact; a plan).", "investment-planned-by-its-claimant"),
    ("funding_claims", _on(PLEDGE, claim_kind="investment", modality="assertion",
                           funder_organization_id="", funder_text="Wang Xing",
                           claimed_by_organization_id="", claimed_by_person_id="wang-xing"),
     "Wang Xing says Wang Xing invested $53 billion in its AI infrastructure over the next "
     "three years (USD 53,000,000,000; exact).", "a-person-has-no-pronoun-the-row-gives"),
    ("funding_claims", _on(VC_TOTAL, claim_kind="venture_capital_change", amount="", currency="",
                           bound="", amount_text="", deal_count="", change_direction="decrease",
                           change_percent="30", change_text="fell 30%", funder_text="",
                           funder_organization_id="pitchbook", time_text="",
                           comparison_text="compared with the same period last year"),
     "PitchBook reports a decrease of 30% in venture capital investment in Chinese AI, including "
     "robotics, in the first quarter of this year compared with the same period last year.",
     "change-by-its-own-claimant"),
    ("events", _on(LAUNCH, event_kind="pivot", model_id="", status="ongoing", modality="assertion",
                   time_text="", quote="Alibaba pivots to services."),
     "The source (assertion; pivot by Alibaba): “Alibaba pivots to services.”", "pivot-is-quoted"),
    ("events", _on(LAUNCH, modality="opinion"),
     "The source (opinion; launch by Alibaba): “is launching the next generation in the coming "
     "weeks”", "event-opinion"),
    ("events", _on(LAUNCH, modality="hypothetical"),
     "Hypothetically (a conditional, not something that happened): “is launching the next "
     "generation in the coming weeks”", "event-hypothetical"),
    # other_claims: always the quote, framed by who, the modality and what it is about
    ("other_claims", OPINION,
     "Kevin Xu (opinion; market assessment: DeepSeek): “DeepSeek’s success demonstrates that "
     "labs can compete”", "other-opinion"),
    ("other_claims", _on(OPINION, modality="assertion", claim_kind="built_on",
                         subject_model_id="deepseek-v3", object_organization_id="alibaba"),
     "Kevin Xu (assertion; built on: DeepSeek V3, Alibaba): “DeepSeek’s success demonstrates "
     "that labs can compete”", "other-assertion-with-object"),
    ("other_claims", _on(OPINION, modality="forecast", claimed_by_person_id=""),
     "The source (forecast; market assessment: DeepSeek): “DeepSeek’s success demonstrates that "
     "labs can compete”", "other-forecast-own-voice"),
    ("other_claims", _on(OPINION, modality="plan", claim_kind="capability",
                         subject_organization_id="", quote="We will open our models."),
     "Kevin Xu (plan; capability): “We will open our models.”", "other-plan"),
    ("other_claims", _on(OPINION, modality="hypothetical"),
     "Hypothetically, according to Kevin Xu (a conditional, not something that happened): "
     "“DeepSeek’s success demonstrates that labs can compete”", "other-hypothetical"),
    # things, not statements
    ("organizations", {"name": "DeepSeek"}, "", "a-thing-is-not-a-statement"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("table", "row", "said"), [case[:3] for case in CASES], ids=[case[3] for case in CASES]
)
def test_a_row_in_words(table: str, row: dict[str, str], said: str) -> None:
    assert statement(table, row, _name) == said


@pytest.mark.parametrize(
    ("text", "shown"),
    [("6000000", "6,000,000"), ("1200000000.0", "1,200,000,000"), ("2.5", "2.5"), ("x", "x")],
)
def test_numbers_get_thousands_separators_and_keep_their_fractions(text: str, shown: str) -> None:
    assert number(text) == shown


@pytest.mark.parametrize(
    ("phrase", "said"),
    [("increase", "an increase"), ("decrease", "a decrease"), ("adoption", "an adoption")],
)
def test_an_article_fits_the_word_after_it(phrase: str, said: str) -> None:
    assert article(phrase) == said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("In the first quarter of this year", "in the first quarter of this year"),
        ("Even before DeepSeek", "even before DeepSeek"),
        ("Government funding", "Government funding"),
        ("DeepSeek’s launch", "DeepSeek’s launch"),
        ("AI spending", "AI spending"),
    ],
)
def test_source_words_placed_mid_sentence_lose_only_a_sentence_capital(
    text: str, said: str
) -> None:
    assert spliced(text) == said


def test_a_doubled_word_of_the_frame_is_said_once_and_the_quote_is_left_as_written() -> None:
    row = _on(VC_TOTAL, funder_text="the the investors", quote="the the quote")
    said = statement("funding_claims", row, _name)
    assert said.startswith("PitchBook says the investors invested $1.2 billion")
    doubled = _on(OPINION, quote="the the quote")
    assert statement("other_claims", doubled, _name).endswith("“the the quote”")


def _shipped_statements(packaged_dataset: Path) -> list[tuple[str, dict[str, str], str]]:
    data = read_data(packaged_dataset)
    return [
        (table, row, statement(table, row, data.name))
        for table in STATEMENT_TABLES
        for row in data.rows.get(table, [])
    ]


def test_every_shipped_claim_is_said_with_its_amount_as_written(packaged_dataset: Path) -> None:
    said = _shipped_statements(packaged_dataset)
    assert said, "the dataset has no claims or events to say"
    for table, row, sentence in said:
        assert sentence, f"{table} {row['id']} is not said in words"
        if row.get("amount") or row.get("amount_low"):
            assert row["amount_text"] in sentence, f"{table} {row['id']}: {sentence}"


def test_no_shipped_conditional_is_said_with_an_amount(packaged_dataset: Path) -> None:
    for table, row, sentence in _shipped_statements(packaged_dataset):
        if row.get("modality") == "hypothetical":
            frame = sentence.partition("“")[0]
            assert "Hypothetically" in frame, f"{table} {row['id']}: {sentence}"
            assert not any(character.isdigit() for character in frame), sentence


def test_every_shipped_claim_that_is_not_an_assertion_says_so(packaged_dataset: Path) -> None:
    for table, row, sentence in _shipped_statements(packaged_dataset):
        marker = MARKERS.get(row.get("modality", ""))
        if marker:
            frame = sentence.partition("“")[0]
            assert marker in frame.lower(), f"{table} {row['id']}: {sentence}"
