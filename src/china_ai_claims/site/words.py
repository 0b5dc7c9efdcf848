"""A row said in words: who claims what, with the amount as the source writes it and as a number.

Only what the row records is said; nothing is converted, annualised or filled in. A claim with no
claimant is said in the source's own voice ("The source states ...").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

Row = Mapping[str, str]
# The name a row's reference points to: (referenced table, id) -> name; the id itself if unknown.
Namer = Callable[[str, str], str]

BOUND_WORDS = {
    "exact": "exact",
    "approximate": "approximate",
    "at_least": "at least",
    "more_than": "more than",
    "at_most": "at most",
    "less_than": "less than",
    "range": "a range",
    "unquantified": "no number given",
}


def words(value: str) -> str:
    """An enumerated value as words: ``venture_capital_total`` -> ``venture capital total``."""
    return value.replace("_", " ")


def number(text: str) -> str:
    """A CSV number with thousands separators, as written (``6000000`` -> ``6,000,000``)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return f"{value:,}"


def amount_detail(row: Row) -> str:
    """The recorded amount and bound, e.g. ``USD 6,000,000; approximate``; "" without a bound."""
    bound = row.get("bound", "")
    if not bound:
        return ""
    if bound == "range" and row.get("amount_low") and row.get("amount_high"):
        amount, said = f"{number(row['amount_low'])}–{number(row['amount_high'])}", "a range"
    elif bound != "unquantified" and row.get("amount"):
        amount, said = number(row["amount"]), BOUND_WORDS.get(bound, words(bound))
    else:
        return BOUND_WORDS["unquantified"]
    currency = row.get("currency", "")
    return f"{currency} {amount}; {said}" if currency else f"{amount}, no currency named; {said}"


def change_detail(row: Row) -> str:
    """The recorded change, e.g. ``decrease of more than 90%``; "" when none is recorded."""
    if not row.get("change_direction") and not row.get("change_percent"):
        return ""
    parts = [row.get("change_direction", "") or "change"]
    if row.get("change_percent"):
        bound = row.get("change_bound", "")
        qualifier = (
            f"{BOUND_WORDS[bound]} "
            if bound in ("at_least", "more_than", "at_most", "less_than", "approximate")
            else ""
        )
        parts.append(f"of {qualifier}{number(row['change_percent'])}%")
    return " ".join(parts)


def claimant(row: Row, name: Namer) -> str:
    """Who makes the claim: the person, else the organization; "" in the source's own voice."""
    if row.get("claimed_by_person_id"):
        return name("people", row["claimed_by_person_id"])
    if row.get("claimed_by_organization_id"):
        return name("organizations", row["claimed_by_organization_id"])
    return ""


def _first(row: Row, name: Namer, *columns: tuple[str, str]) -> str:
    """The first filled column among (column, referenced table or "" for text), as a name."""
    for column, table in columns:
        if row.get(column):
            return name(table, row[column]) if table else row[column]
    return ""


def _joined(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _details(row: Row) -> str:
    details = "; ".join(part for part in (amount_detail(row), change_detail(row)) if part)
    return f" ({details})" if details else ""


def _modality(row: Row) -> str:
    modality = row.get("modality", "")
    return f" [{words(modality)}, not an assertion]" if modality and modality != "assertion" else ""


def _cost(row: Row, name: Namer, who: str) -> str:
    lead = f"{who} claims that" if who else "The source states that"
    model = _first(row, name, ("model_id", "models"))
    subject = model or _first(row, name, ("organization_id", "organizations"), ("scope", ""))
    what = row.get("amount_text", "")
    if row.get("change_text"):
        said = _joined(subject, row["change_text"], row.get("horizon_text", ""))
    elif model:
        said = _joined(f"training {model} cost", what, row.get("horizon_text", ""))
    else:
        said = _joined(f"{subject}:", what, row.get("horizon_text", ""))
    return f"{lead} {said}{_details(row)}"


def _funding(row: Row, name: Namer, who: str) -> str:
    funder = _first(row, name, ("funder_organization_id", "organizations"), ("funder_text", ""))
    target = row.get("target_text", "")
    phrase = _joined(
        words(row.get("claim_kind", "")),
        f"by {funder}" if funder else "",
        f"for {target}" if target else "",
        f"of {row['amount_text']}" if row.get("amount_text") else "",
        row.get("change_text", ""),
        row.get("comparison_text", ""),
        row.get("horizon_text", ""),
        row.get("time_text", ""),
    )
    lead = f"{who} claims" if who else "The source reports"
    return f"{lead} {phrase}{_details(row)}"


def _event(row: Row, name: Namer, who: str) -> str:
    organization = _first(row, name, ("organization_id", "organizations"))
    model = _first(row, name, ("model_id", "models"))
    counterpart = _first(row, name, ("counterpart_organization_id", "organizations"))
    phrase = _joined(
        words(row.get("event_kind", "")),
        f"of {model}" if model else "",
        f"by {organization}" if organization else "",
        f"with {counterpart}" if counterpart else "",
        row.get("time_text", ""),
    )
    status = f" ({words(row['status'])})" if row.get("status") else ""
    lead = f"{who} reports a" if who else "The source reports a"
    return f"{lead} {phrase}{status}"


def _other(row: Row, name: Namer, who: str) -> str:
    subject = _first(
        row, name, ("subject_model_id", "models"), ("subject_organization_id", "organizations")
    )
    counterpart = _first(
        row, name, ("object_model_id", "models"), ("object_organization_id", "organizations")
    )
    phrase = _joined(
        f"a claim of kind “{words(row.get('claim_kind', ''))}”",
        f"about {subject}" if subject else "",
        f"involving {counterpart}" if counterpart else "",
    )
    return f"{who or 'The source'} makes {phrase}"


SENTENCES: dict[str, Callable[[Row, Namer, str], str]] = {
    "cost_claims": _cost,
    "funding_claims": _funding,
    "events": _event,
    "other_claims": _other,
}


def statement(table: str, row: Row, name: Namer) -> str:
    """The row in words, or "" for a table whose rows are things, not statements."""
    sentence = SENTENCES.get(table)
    if sentence is None:
        return ""
    return f"{sentence(row, name, claimant(row, name))}{_modality(row)}."
