"""Rows of a fictional source, appended to a copy of the dataset, for the tests of claim modality,
amount periods, warnings and coverage: they hold for any valid dataset the copy starts from."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from china_ai_claims.archiving import add_source
from china_ai_claims.models import columns, record_type

FICTION = "fictional-example-labs"
ARTICLE = (
    "Example Labs plans a chip fund\n"
    "Example Labs said it will spend $40 million over two years on chips. If prices fall, the "
    "lab could train a model for $5 million. Example Labs can train models on its own chips. "
    "According to Example Research, the market grew 20% over 6 months. It said the fund is its "
    "largest.\n"
    "The weather was fine. Example Research counted 12 new labs.\n"
)
SPEND = "Example Labs said it will spend $40 million over two years on chips."
IF_PRICES_FALL = "If prices fall, the lab could train a model for $5 million."
OWN_CHIPS = "Example Labs can train models on its own chips."
GREW = "According to Example Research, the market grew 20% over 6 months."
COUNTED = "Example Research counted 12 new labs."
LARGEST = "It said the fund is its largest."

ROWS: dict[str, list[dict[str, str]]] = {
    "organizations": [
        {"id": "example-labs", "name": "Example Labs", "kind": "company", "quote": SPEND},
        {"id": "example-research", "name": "Example Research", "kind": "company", "quote": GREW},
    ],
    "funding_claims": [
        {
            "id": "example-labs-chip-fund",
            "claim_kind": "investment_pledge",
            "funder_organization_id": "example-labs",
            "target_text": "chips",
            "modality": "plan",
            "amount": "40000000",
            "currency": "USD",
            "bound": "exact",
            "amount_text": "$40 million",
            "period_kind": "span",
            "period_value": "2",
            "period_unit": "year",
            "period_text": "over two years",
            "claimed_by_organization_id": "example-labs",
            "quote": SPEND,
        }
    ],
    "cost_claims": [
        {
            "id": "example-labs-cheaper-model",
            "claim_kind": "training_cost",
            "organization_id": "example-labs",
            "modality": "hypothetical",
            "currency": "USD",
            "bound": "unquantified",
            "amount_text": "$5 million",
            "period_kind": "not_stated",
            "quote": IF_PRICES_FALL,
        }
    ],
    "other_claims": [
        {
            "id": "example-labs-own-chips",
            "claim_kind": "capability",
            "subject_organization_id": "example-labs",
            "modality": "opinion",
            "quote": OWN_CHIPS,
        },
        {
            "id": "example-market-growth",
            "claim_kind": "market_assessment",
            "modality": "assertion",
            "claimed_by_organization_id": "example-research",
            "quote": GREW,
        },
        {
            "id": "example-labs-largest-fund",
            "claim_kind": "market_assessment",
            "subject_organization_id": "example-labs",
            "modality": "assertion",
            "claimed_by_organization_id": "example-labs",
            "quote": LARGEST,
        },
    ],
}


def csv_rows(table: str, rows: list[dict[str, str]], header: bool = False) -> str:
    """``rows`` of ``table`` as CSV text in the table's column order (source_id filled in)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=columns(record_type(table)), lineterminator="\n", restval=""
    )
    if header:
        writer.writeheader()
    own_source = {"source_id": FICTION} if table != "sources" else {}
    writer.writerows([{**own_source, **row} for row in rows])
    return buffer.getvalue()


def add_fiction(data_dir: Path, tmp_path: Path) -> None:
    """Archive the fictional article in ``data_dir`` and append its rows to the tables."""
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    add_source(
        article, source_id=FICTION, title="Example Labs plans a chip fund", data_dir=data_dir
    )
    for table, rows in ROWS.items():
        path = data_dir / f"{table}.csv"
        current = path.read_text(encoding="utf-8")
        path.write_text(current + csv_rows(table, rows), encoding="utf-8", newline="")
