"""Three FICTIONAL articles about an invented lab, written for these tests only, and the rows a
contributor would add for them: a copy of the dataset where the same claims are reported the same,
differently, within each other's bounds and in another currency.

Every name here (Example Labs, Example-1, Example Capital, Example News, ...) is invented; no
third-party text is copied. Rows are written by column name, so columns the tables gain later are
left empty (or filled, where the row below gives them).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from china_ai_claims.archiving import add_source

NEWS = "fictional-example-news"
REVIEW = "fictional-example-review"
WIRE = "fictional-example-wire"

ARTICLES = {
    NEWS: (
        "2026-03-10",
        "Example Labs trains Example-1 for $6 million\n"
        "This article is fictional, written for the china-ai-claims tests only; every name in it "
        "is invented.\n"
        "Example Labs, a fictional AI lab, said it trained its Example-1 model for approximately "
        "$6 million. The $6 million model is the lab’s first. Training Example-2 cost Example Labs "
        "less than $10 million, the lab added.\n"
        "Last month, Example Capital pledged $1 billion over three years to Example Labs.\n"
        "Example Labs said the cost of training Example-1 fell 30%.\n",
    ),
    REVIEW: (
        "2026-04-02",
        "Example-1 cost twice as much, says Example Review\n"
        "This article is fictional, written for the china-ai-claims tests only; every name in it "
        "is invented.\n"
        "Example Review, a fictional newsletter, estimates that training Example-1 cost Example "
        "Labs $12 million.\n"
        "In February, Example Capital pledged about $1 billion over three years to Example Labs.\n",
    ),
    WIRE: (
        "2026-05-01",
        "Example Labs spends more, reports Example Wire\n"
        "This article is fictional, written for the china-ai-claims tests only; every name in it "
        "is invented.\n"
        "Example Wire, a fictional news service, reports that Example Labs spent more than "
        "$5 million to train Example-2.\n"
        "In yuan, training Example-1 cost Example Labs 40 million yuan.\n"
        "The cost of training Example-1 at Example Labs rose, Example Wire reports, without "
        "giving a figure.\n",
    ),
}

FICTIONAL = "Fictional: written for the tests only."
# Columns the claim tables may have; a row gives them only where the table has them.
ONE_OFF_ASSERTION = {"modality": "assertion", "period_kind": "not_stated"}
PLEDGE = {
    "modality": "plan",
    "period_kind": "span",
    "period_value": "3",
    "period_unit": "year",
    "period_text": "over three years",
}


def _cost(
    row_id: str, source: str, quote: str, model: str, claimant: str = "", **amount: str
) -> dict[str, str]:
    return {
        "id": row_id,
        "claim_kind": "training_cost",
        "model_id": model,
        "organization_id": "example-labs",
        "claimed_by_organization_id": claimant,
        "source_id": source,
        "quote": quote,
        "note": FICTIONAL,
        **ONE_OFF_ASSERTION,
        **amount,
    }


def _pledge(row_id: str, source: str, quote: str, time_text: str, **amount: str) -> dict[str, str]:
    return {
        "id": row_id,
        "claim_kind": "investment_pledge",
        "funder_organization_id": "example-capital",
        "target_text": "Example Labs",
        "currency": "USD",
        "horizon_value": "3",
        "horizon_unit": "year",
        "horizon_text": "over three years",
        "time_text": time_text,
        "start_date": "2026-02-01",
        "end_date": "2026-02-28",
        "time_resolved_from": "publication_date",
        "source_id": source,
        "quote": quote,
        "note": FICTIONAL,
        **PLEDGE,
        **amount,
    }


def _change(
    row_id: str, source: str, quote: str, claimant: str = "", **change: str
) -> dict[str, str]:
    return {
        "id": row_id,
        "claim_kind": "training_cost_change",
        "model_id": "example-1",
        "organization_id": "example-labs",
        "claimed_by_organization_id": claimant,
        "source_id": source,
        "quote": quote,
        "note": FICTIONAL,
        "modality": "assertion",  # a change states no amount, so it has no period_kind
        **change,
    }


ROWS: dict[str, list[dict[str, str]]] = {
    "organizations": [
        {
            "id": "example-labs",
            "name": "Example Labs",
            "kind": "ai_lab",
            "source_id": NEWS,
            "quote": "Example Labs, a fictional AI lab",
            "note": FICTIONAL,
        },
        {
            "id": "example-capital",
            "name": "Example Capital",
            "kind": "investor",
            "source_id": NEWS,
            "quote": "Example Capital pledged $1 billion",
            "note": FICTIONAL,
        },
    ],
    "models": [
        {
            "id": "example-1",
            "name": "Example-1",
            "named_in_source": "true",
            "kind": "model",
            "developer_id": "example-labs",
            "source_id": NEWS,
            "quote": "Example Labs, a fictional AI lab, said it trained its Example-1 model",
            "note": FICTIONAL,
        },
        {
            "id": "example-2",
            "name": "Example-2",
            "named_in_source": "true",
            "kind": "model",
            "developer_id": "example-labs",
            "source_id": NEWS,
            "quote": "Training Example-2 cost Example Labs less than $10 million",
            "note": FICTIONAL,
        },
    ],
    "cost_claims": [
        # Example-1 in dollars: about $6 million (and $6 million again) against $12 million.
        _cost(
            "example-1-cost-news",
            NEWS,
            "Example Labs, a fictional AI lab, said it trained its Example-1 model for "
            "approximately $6 million.",
            "example-1",
            "example-labs",
            amount="6000000",
            currency="USD",
            bound="approximate",
            amount_text="approximately $6 million",
        ),
        _cost(
            "example-1-cost-news-restated",
            NEWS,
            "The $6 million model is the lab’s first.",
            "example-1",
            amount="6000000",
            currency="USD",
            bound="exact",
            amount_text="$6 million",
        ),
        _cost(
            "example-1-cost-review",
            REVIEW,
            "Example Review, a fictional newsletter, estimates that training Example-1 cost "
            "Example Labs $12 million.",
            "example-1",
            amount="12000000",
            currency="USD",
            bound="exact",
            amount_text="$12 million",
        ),
        # Example-1 in yuan: another currency, never compared with dollars.
        _cost(
            "example-1-cost-wire-yuan",
            WIRE,
            "In yuan, training Example-1 cost Example Labs 40 million yuan.",
            "example-1",
            amount="40000000",
            currency="CNY",
            bound="exact",
            amount_text="40 million yuan",
        ),
        # Example-2: under $10 million and over $5 million bound each other.
        _cost(
            "example-2-cost-news",
            NEWS,
            "Training Example-2 cost Example Labs less than $10 million, the lab added.",
            "example-2",
            "example-labs",
            amount="10000000",
            currency="USD",
            bound="less_than",
            amount_text="less than $10 million",
        ),
        _cost(
            "example-2-cost-wire",
            WIRE,
            "Example Wire, a fictional news service, reports that Example Labs spent more than "
            "$5 million to train Example-2.",
            "example-2",
            amount="5000000",
            currency="USD",
            bound="more_than",
            amount_text="more than $5 million",
        ),
        # How Example-1's cost changes: down 30% against up, by direction only.
        _change(
            "example-1-cost-change-news",
            NEWS,
            "Example Labs said the cost of training Example-1 fell 30%.",
            "example-labs",
            change_direction="decrease",
            change_percent="30",
            change_bound="exact",
            change_text="fell 30%",
        ),
        _change(
            "example-1-cost-change-wire",
            WIRE,
            "The cost of training Example-1 at Example Labs rose, Example Wire reports, without "
            "giving a figure.",
            change_direction="increase",
            change_bound="unquantified",
            change_text="rose",
        ),
    ],
    "funding_claims": [
        # The pledge: exactly $1 billion and about $1 billion agree.
        _pledge(
            "example-capital-pledge-news",
            NEWS,
            "Last month, Example Capital pledged $1 billion over three years to Example Labs.",
            "Last month",
            amount="1000000000",
            bound="exact",
            amount_text="$1 billion",
        ),
        _pledge(
            "example-capital-pledge-review",
            REVIEW,
            "In February, Example Capital pledged about $1 billion over three years to Example "
            "Labs.",
            "In February",
            amount="1000000000",
            bound="approximate",
            amount_text="about $1 billion",
        ),
    ],
}


def append_rows(root: Path, table: str, rows: list[dict[str, str]]) -> None:
    """Append ``rows`` to ``table`` by column name; columns the table lacks are dropped."""
    path = root / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=header, restval="", extrasaction="ignore", lineterminator="\n"
    )
    writer.writerows(rows)
    current = path.read_bytes()
    separator = b"" if current.endswith(b"\n") else b"\n"
    path.write_bytes(current + separator + buffer.getvalue().encode("utf-8"))


def build(dataset: Path, articles: Path) -> Path:
    """Archive the fictional articles into ``dataset`` (a copy) and append their rows."""
    articles.mkdir(exist_ok=True)
    for source_id, (published, text) in ARTICLES.items():
        file = articles / f"{source_id}.txt"
        file.write_text(text, encoding="utf-8")
        title = text.split("\n", 1)[0]
        add_source(
            file,
            source_id=source_id,
            title=title,
            data_dir=dataset,
            publisher="Fictional publisher",
            published=published,
        )
    for table, rows in ROWS.items():
        append_rows(dataset, table, rows)
    return dataset
