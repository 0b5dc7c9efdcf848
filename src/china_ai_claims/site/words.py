"""A row said in words: who claims what, with the verb its modality calls for, the amount as the
source writes it and as a number, and the period in the source's words.

Only what the row records is said; nothing is converted, annualised or filled in. Where the row's
columns cannot make a faithful sentence (a comparison whose comparator is no column, an amount
without a number, an opinion or a conditional, every other_claims row), the sentence is a short
frame and the quote itself: a faithful quote beats an invented paraphrase.
"""

from __future__ import annotations

import re
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

# What a conditional is not, said where a hypothetical row is shown.
NOT_A_SUM = "a conditional, not a sum anyone paid"
NOT_A_FACT = "a conditional, not something that happened"
AMOUNT_TABLES = ("cost_claims", "funding_claims")

# Words that open a spliced phrase mid-sentence in lower case ("In the first quarter" -> "in ...").
_FUNCTION_WORDS = frozenset(
    ("in", "on", "at", "over", "during", "by", "since", "last", "this", "next", "even", "before",
     "after", "within", "the", "a", "an", "from", "until", "for", "about", "around", "early",
     "late")
)  # fmt: skip


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


def article(phrase: str) -> str:
    """The phrase with "a" or "an" before it, chosen by its first letter."""
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"


def spliced(text: str) -> str:
    """Source words placed mid-sentence: a capitalised function word is lowered ("In" -> "in");
    names keep their capitals."""
    first, _, rest = text.partition(" ")
    if first.lower() in _FUNCTION_WORDS and first[:1].isupper() and first[1:].islower():
        return f"{first.lower()} {rest}".rstrip()
    return text


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


def _quantified(row: Row) -> bool:
    return bool(row.get("amount_text")) and row.get("bound", "") not in ("", "unquantified")


def _when(row: Row, *columns: str) -> tuple[str, str]:
    """The period or time in the source's words (each distinct text once, spliced), and a note
    when the row's time is words only: no year or date says which one is meant."""
    texts: list[str] = []
    for column in columns:
        text = row.get(column, "")
        if text and text.lower() not in (said.lower() for said in texts):
            texts.append(text)
    said = ", ".join(spliced(text) for text in texts)
    undated = row.get("time_text") and not any(
        row.get(column) for column in ("year", "start_date", "end_date")
    )
    return said, "no date recorded" if said and undated and "time_text" in columns else ""


def _details(row: Row, *more: str) -> str:
    parts = [amount_detail(row) if _quantified(row) else "", *more]
    modality = row.get("modality", "")
    if modality and modality != "assertion":
        parts.append(f"{'an' if modality == 'opinion' else 'a'} {modality}")
    details = "; ".join(part for part in parts if part)
    return f" ({details})" if details else ""


def _lead(
    row: Row,
    who: str,
    clause: str,
    actor: str = "",
    *,
    acts_by_saying: bool = False,
    an_organization: bool = True,
) -> str:
    """Who says the clause, with the verb of the row's modality. A claimant who is the clause's
    actor, where its act is a saying, speaks for itself ("Alibaba pledged ..."); otherwise an
    organization is "it" ("Butterfly Effect says it entered ...", not "... says Butterfly
    Effect entered ..."), and a person or a group, whose pronoun the row does not give, is
    named again."""
    modality = row.get("modality", "") or "assertion"
    speaker = who or "The source"
    if who and who == actor and clause.startswith(f"{actor} "):
        if acts_by_saying and modality not in ("forecast", "opinion"):
            return clause
        if an_organization:
            clause = f"it{clause[len(actor) :]}"
    if modality == "forecast":
        return f"{speaker} forecasts that {clause}"
    if modality == "opinion":
        return f"{speaker} judges that {clause}"
    return f"{speaker} says {clause}"


def quoted(table: str, row: Row, name: Namer, topic: str = "") -> str:
    """The frame-and-quote fallback: who, in which voice, about what, then the quote itself."""
    who = claimant(row, name)
    modality = row.get("modality", "") or "assertion"
    quote = row.get("quote", "")
    if modality == "hypothetical":
        caveat = NOT_A_SUM if table in AMOUNT_TABLES else NOT_A_FACT
        said_by = f", according to {who}" if who else ""
        return f"Hypothetically{said_by} ({caveat}): “{quote}”"
    label = "; ".join(part for part in (modality, topic) if part)
    return f"{who or 'The source'} ({label}): “{quote}”"


def _change(row: Row, what: str, who: str, when: str) -> str:
    """A recorded change as "a decrease of 30% in WHAT WHEN"; the quote for an opinion, plan or
    conditional, whose verb the row cannot give."""
    if row.get("modality", "assertion") not in ("assertion", "forecast") or not what:
        return ""
    percent = change_detail(row).partition(" of ")[2]
    direction = row.get("change_direction", "") or "change"
    change = _joined(article(direction), f"of {percent}" if percent else "")
    verb = "forecasts" if row.get("modality") == "forecast" else "reports"
    return f"{who or 'The source'} {verb} {_joined(f'{change} in {what}', when)}"


def _cost(row: Row, name: Namer, who: str) -> str:
    model = _first(row, name, ("model_id", "models"))
    kind = row.get("claim_kind", "")
    modality = row.get("modality", "") or "assertion"
    if kind == "training_cost_change":
        if model:
            what = f"the cost of training {model}"
        else:
            what = _first(row, name, ("scope", ""), ("organization_id", "organizations"))
        when, note = _when(row, "horizon_text", "period_text")
        said = _change(row, what, who, when)
        if said:
            return f"{said}{_details(row, note)}."
        return quoted("cost_claims", row, name, words(kind))
    if kind == "training_cost" and model and _quantified(row) and modality != "hypothetical":
        verb = {
            "forecast": "will cost",
            "plan": "is planned to cost",
        }.get(modality, "cost")
        when, note = _when(row, "period_text")
        clause = _joined(f"training {model} {verb}", row["amount_text"], when)
        return f"{_lead(row, who, clause)}{_details(row, note)}."
    return quoted("cost_claims", row, name, f"{words(kind)}: {model}" if model else words(kind))


# Funding kinds with an amount: the verb in the past, its infinitive, and the target's preposition.
_FUNDING_VERBS = {
    "investment_pledge": ("pledged to invest", "pledge to invest", "in"),
    "investment": ("invested", "invest", "in"),
    "government_funding": ("provided funding of", "provide funding of", "for"),
    "venture_capital_total": ("invested", "invest", "in"),
}
_CHANGE_NOUNS = {"venture_capital_change": "venture capital investment"}


def _funding(row: Row, name: Namer, who: str) -> str:
    funder = _first(row, name, ("funder_organization_id", "organizations"), ("funder_text", ""))
    target = row.get("target_text", "")
    kind = row.get("claim_kind", "")
    modality = row.get("modality", "") or "assertion"
    when, note = _when(row, "period_text", "horizon_text", "time_text")
    if row.get("change_direction") or row.get("change_percent"):
        noun = _CHANGE_NOUNS.get(kind, words(kind))
        target_said = f"in {target}," if "," in target and when else f"in {target}"
        by = f"by {funder}" if funder and funder != who else ""  # "PitchBook reports ..."
        what = _joined(noun, by, target_said if target else "")
        said = _change(row, what, who, _joined(when, row.get("comparison_text", "")))
        if said:
            return f"{said}{_details(row, note)}."
    elif kind in _FUNDING_VERBS and funder and _quantified(row) and modality != "hypothetical":
        past, infinitive, preposition = _FUNDING_VERBS[kind]
        actor, verb = funder, past
        by_id = bool(row.get("funder_organization_id"))
        if modality == "forecast":
            verb = f"will {infinitive}"
        elif modality == "plan" and kind != "investment_pledge":
            if who == funder and by_id:  # "Alibaba says it plans to invest ..."
                verb = f"plans to {infinitive}"
            else:  # "a plan by" agrees with any funder, one company or "venture capitalists"
                actor, verb = f"a plan by {funder}", f"to {infinitive}"
        deals = f"across {number(row['deal_count'])} deals" if row.get("deal_count") else ""
        target_said = f"{preposition} {target}" if target else ""
        if "," in target and when:
            target_said += ","
        clause = _joined(actor, verb, row["amount_text"], deals, target_said, when)
        pledged = kind == "investment_pledge"  # a pledge is made by saying it
        said = _lead(row, who, clause, actor, acts_by_saying=pledged, an_organization=by_id)
        return f"{said}{_details(row, note)}."
    topic = _joined(words(kind), f"by {funder}" if funder else "")
    return quoted("funding_claims", row, name, topic)


# Event kinds the columns can say: the verb in the past, ongoing, infinitive; and what it takes.
_EVENT_VERBS = {
    "launch": ("launched", "is launching", "launch", "model"),
    "release": ("released", "is releasing", "release", "model"),
    "adoption": ("adopted", "is adopting", "adopt", "thing"),
    "partnership": ("entered a partnership with", "is in a partnership with", "partner with",
                    "counterpart"),
}  # fmt: skip


def _event(row: Row, name: Namer, who: str) -> str:
    organization = _first(row, name, ("organization_id", "organizations"))
    model = _first(row, name, ("model_id", "models"))
    counterpart = _first(row, name, ("counterpart_organization_id", "organizations"))
    kind = row.get("event_kind", "")
    modality = row.get("modality", "") or "assertion"
    objects = {"model": model, "counterpart": counterpart, "thing": model or counterpart}
    if kind in _EVENT_VERBS and organization and modality in ("assertion", "plan", "forecast"):
        past, ongoing, infinitive, takes = _EVENT_VERBS[kind]
        thing = objects[takes]
        if thing:
            status = row.get("status", "")
            if modality == "forecast":
                verb = f"will {infinitive}"
            elif modality == "plan" or status == "planned":
                verb = f"plans to {infinitive}"
            else:
                verb = ongoing if status == "ongoing" else past
            when, note = _when(row, "time_text")
            clause = _joined(organization, verb, thing, when)
            return f"{_lead(row, who, clause, organization)}{_details(row, note)}."
    topic = _joined(words(kind), f"by {organization}" if organization else "")
    return quoted("events", row, name, topic)


def _other(row: Row, name: Namer, who: str) -> str:
    subject = _first(
        row, name, ("subject_model_id", "models"), ("subject_organization_id", "organizations")
    )
    counterpart = _first(
        row, name, ("object_model_id", "models"), ("object_organization_id", "organizations")
    )
    named = ", ".join(part for part in (subject, counterpart) if part)
    kind = words(row.get("claim_kind", ""))
    return quoted("other_claims", row, name, f"{kind}: {named}" if named else kind)


SENTENCES: dict[str, Callable[[Row, Namer, str], str]] = {
    "cost_claims": _cost,
    "funding_claims": _funding,
    "events": _event,
    "other_claims": _other,
}

_DOUBLED = re.compile(r"\b(\w+) \1\b", re.IGNORECASE)


def statement(table: str, row: Row, name: Namer) -> str:
    """The row in words, or "" for a table whose rows are things, not statements."""
    sentence = SENTENCES.get(table)
    if sentence is None:
        return ""
    said = sentence(row, name, claimant(row, name))
    frame, mark, quote = said.partition("“")
    frame = _DOUBLED.sub(r"\1", frame)  # the frame is ours to mend; the quote stays as written
    return f"{frame[:1].upper()}{frame[1:]}{mark}{quote}"
