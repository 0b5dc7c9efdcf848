"""Which claims state the same quantity, and whether their amounts agree.

Two rows of ``cost_claims`` or ``funding_claims`` state the same quantity when they share a
*claim key*: the same table and ``claim_kind``; the same subject ids (the model and organization
a cost is about; the funder, and the target where the table names one by id, else the target's
words, ignoring case and spacing); the same currency;
the same modality and period (``modality``, ``period_kind``, ``period_value``, ``period_unit`` and
the ``horizon_*`` length, where the table has them); and the same time (``year``, ``start_date``,
``end_date``, where the table has them). A claim that names no subject by id has no key: words
such as "venture capitalists" differ from source to source, and a machine cannot tell that two
descriptions mean the same thing. Comparisons (``cost_comparison``) and trends
(``venture_capital_trend``) state no quantity of their own and have no key either. A key never
matches across currencies or periods, and nothing is converted.

Claims sharing a key are compared by the interval each one's ``bound`` states: ``exact`` a point,
``approximate`` the amount give or take :data:`APPROXIMATE_TOLERANCE`, ``at_least`` and
``more_than`` a lower end (closed or open), ``at_most`` and ``less_than`` an upper end, ``range``
its two ends. They *agree* when one amount satisfies every statement, and *conflict* when none
does. Changes (``*_change`` kinds) compare their direction first, then ``change_percent`` by its
``change_bound`` the same way. ``unquantified`` amounts are words only and are listed, not
compared; an unquantified change is compared by its direction.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from china_ai_claims.opening import csv_text

if TYPE_CHECKING:
    import pandas as pd

KEY_COLUMN = "claim_key"
APPROXIMATE_TOLERANCE = 0.10
"""An ``approximate`` amount stands for any amount within 10% of it, either way."""

# table -> the columns naming what a claim is about (those the table has are used)
SUBJECT_COLUMNS: dict[str, tuple[str, ...]] = {
    "cost_claims": ("model_id", "organization_id"),
    "funding_claims": ("funder_organization_id", "target_organization_id", "target_model_id"),
}
CLAIM_TABLES = tuple(SUBJECT_COLUMNS)
TARGET_IDS = ("target_organization_id", "target_model_id")
# table -> the words naming what the money goes to, used when no target id is given
TARGET_WORDS = {"funding_claims": "target_text"}
# kinds that relate a quantity to another, or describe a trend, rather than state one
NO_QUANTITY_KINDS = frozenset({"cost_comparison", "venture_capital_trend"})
# the further columns two claims must share to state the same quantity (those the table has)
QUANTITY_COLUMNS = (
    "currency",
    "modality",
    "period_kind",
    "period_value",
    "period_unit",
    "horizon_value",
    "horizon_unit",
    "year",
    "start_date",
    "end_date",
)
VERDICTS = ("agree", "conflict", "not_compared")


def _cell(row: Mapping[str, Any], column: str) -> str:
    return csv_text(row.get(column))


def claim_key(table: str, row: Mapping[str, Any]) -> str | None:
    """The claim key of a row of ``table`` (a mapping of column to value: a DataFrame row, a
    dict of CSV cells), or ``None`` when the row states no quantity of its own subject.

    The key is readable: the table, the claim_kind, then ``column=value`` for each key column
    that is not empty, e.g. ``cost_claims training_cost model_id=deepseek-v3
    organization_id=deepseek currency=USD``; words are written as a JSON string. Columns the
    table lacks count as empty.
    """
    if table not in SUBJECT_COLUMNS:
        raise ValueError(f"claim keys are defined for {', '.join(CLAIM_TABLES)}, not {table!r}")
    kind = _cell(row, "claim_kind")
    subjects = [(column, _cell(row, column)) for column in SUBJECT_COLUMNS[table]]
    if kind in NO_QUANTITY_KINDS or not any(value for _, value in subjects):
        return None
    if table in TARGET_WORDS and not any(_cell(row, column) for column in TARGET_IDS):
        # No target by id: the target's words tell a pledge to one thing from one to another.
        words = " ".join(_cell(row, TARGET_WORDS[table]).casefold().split())
        subjects.append((TARGET_WORDS[table], json.dumps(words, ensure_ascii=False)))
    parts = [table, kind]
    for column, value in [*subjects, *((name, _cell(row, name)) for name in QUANTITY_COLUMNS)]:
        if value and value != '""':
            parts.append(f"{column}={value}")
    return " ".join(parts)


def with_claim_keys(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (a loaded ``table``) with a ``claim_key`` string column added at the end."""
    import pandas as pd

    keys = pd.array([claim_key(table, row) for row in _rows(frame)], dtype="string")
    keyed: pd.DataFrame = frame.assign(**{KEY_COLUMN: keys})
    return keyed


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(column): value for column, value in row.items()} for row in frame.to_dict("records")
    ]


@dataclass(frozen=True)
class Interval:
    """The values a statement allows: from ``low`` to ``high`` (``math.inf`` for no upper end),
    each end included unless it is open."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    @property
    def empty(self) -> bool:
        return self.low > self.high or (self.low == self.high and (self.low_open or self.high_open))

    def meet(self, other: Interval) -> Interval:
        """The values both intervals allow."""
        # The higher low end wins, and at the same end an open one; likewise for the high end.
        low, low_open = max((self.low, self.low_open), (other.low, other.low_open))
        high, high_closed = min((self.high, not self.high_open), (other.high, not other.high_open))
        return Interval(low, high, low_open, not high_closed)

    def as_dict(self) -> dict[str, object]:
        return {
            "low": self.low,
            "high": None if math.isinf(self.high) else self.high,
            "low_open": self.low_open,
            "high_open": self.high_open,
        }


def bound_interval(
    bound: str, value: float | None, low: float | None, high: float | None
) -> Interval | None:
    """The interval a ``bound`` states for ``value`` (or ``low`` to ``high`` for a range);
    ``None`` when it states no number (``unquantified``, or a number missing)."""
    if bound == "range":
        return None if low is None or high is None else Interval(low, high)
    if value is None:
        return None
    shapes = {
        "exact": Interval(value, value),
        "approximate": Interval(
            value * (1 - APPROXIMATE_TOLERANCE), value * (1 + APPROXIMATE_TOLERANCE)
        ),
        "at_least": Interval(value, math.inf),
        "more_than": Interval(value, math.inf, low_open=True),
        "at_most": Interval(0, value),
        "less_than": Interval(0, value, high_open=True),
    }
    return shapes.get(bound)


@dataclass(frozen=True)
class Statement:
    """One claim of a group: its row, what it states and the interval that allows."""

    table: str
    id: str
    source_id: str
    words: str
    bound: str
    currency: str
    direction: str
    interval: Interval | None

    def as_dict(self) -> dict[str, object]:
        return {
            "table": self.table,
            "id": self.id,
            "source_id": self.source_id,
            "words": self.words,
            "bound": self.bound or None,
            "currency": self.currency or None,
            "direction": self.direction or None,
            "interval": None if self.interval is None else self.interval.as_dict(),
        }


@dataclass(frozen=True)
class Group:
    """Claims sharing one key, and whether they agree."""

    key: str
    statements: tuple[Statement, ...]
    verdict: str
    reason: str
    common: Interval | None

    @property
    def sources(self) -> list[str]:
        return sorted({statement.source_id for statement in self.statements})

    def others(self, row_id: str) -> list[Statement]:
        """The statements of the group other than the row ``row_id``."""
        return [statement for statement in self.statements if statement.id != row_id]

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "verdict": self.verdict,
            "reason": self.reason,
            "sources": self.sources,
            "common": None if self.common is None else self.common.as_dict(),
            "claims": [statement.as_dict() for statement in self.statements],
        }


def _number(row: Mapping[str, Any], column: str) -> float | None:
    text = _cell(row, column)
    return float(text) if text else None


def _statement(table: str, row: Mapping[str, Any]) -> Statement:
    direction = _cell(row, "change_direction")
    if _cell(row, "claim_kind").endswith("_change"):
        bound = _cell(row, "change_bound")
        interval = bound_interval(bound, _number(row, "change_percent"), None, None)
        words = _cell(row, "change_text")
    else:
        bound = _cell(row, "bound")
        interval = bound_interval(
            bound,
            _number(row, "amount"),
            _number(row, "amount_low"),
            _number(row, "amount_high"),
        )
        words = _cell(row, "amount_text")
    return Statement(
        table=table,
        id=_cell(row, "id"),
        source_id=_cell(row, "source_id"),
        words=words,
        bound=bound,
        currency=_cell(row, "currency"),
        direction=direction,
        interval=interval,
    )


def _judge(key: str, statements: tuple[Statement, ...]) -> Group:
    directions = {statement.direction for statement in statements if statement.direction}
    if len(directions) > 1:
        return Group(key, statements, "conflict", "they change in opposite directions", None)
    numbered = [(s.id, s.interval) for s in statements if s.interval is not None]
    if len(numbered) < 2:
        if directions and len(statements) > 1:
            return Group(key, statements, "agree", f"all say {next(iter(directions))}", None)
        return Group(key, statements, "not_compared", "fewer than two state a number", None)
    unit = "percent" if directions else next(s.currency for s in statements if s.interval)
    common = numbered[0][1]
    for _, interval in numbered[1:]:
        common = common.meet(interval)
    if common.empty:
        # On a line, intervals that cannot all hold include two that cannot both hold: the one
        # with the highest low end and the one with the lowest high end.
        high_id, high = max(numbered, key=lambda item: (item[1].low, item[1].low_open))
        low_id, low = min(numbered, key=lambda item: (item[1].high, not item[1].high_open))
        reason = (
            f"{low_id} says {_span(low)} {unit}, {high_id} says {_span(high)} {unit}: "
            "no value satisfies both"
        )
        return Group(key, statements, "conflict", reason, None)
    reason = f"every amount stated allows {_span(common)} {unit}, so they can all be true"
    return Group(key, statements, "agree", reason, common)


def compare_claims(tables: Mapping[str, pd.DataFrame]) -> list[Group]:
    """Every group of two or more claims sharing a key, sorted by key, from the claim tables
    in ``tables`` (table name -> loaded frame)."""
    grouped: dict[str, list[Statement]] = {}
    for table in CLAIM_TABLES:
        frame = tables.get(table)
        if frame is None:
            continue
        for row in _rows(frame):
            key = claim_key(table, row)
            if key is not None:
                grouped.setdefault(key, []).append(_statement(table, row))
    return [
        _judge(key, tuple(sorted(statements, key=lambda s: (s.source_id, s.id))))
        for key, statements in sorted(grouped.items())
        if len(statements) > 1
    ]


def claim_groups(tables: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str], Group]:
    """Each claim that shares its key with another, ``(table, id)``, mapped to its group: for a
    reading surface that shows every claim beside what other sources say."""
    return {
        (statement.table, statement.id): group
        for group in compare_claims(tables)
        for statement in group.statements
    }


def related_claims(tables: Mapping[str, pd.DataFrame], table: str, row_id: str) -> Group | None:
    """The group of the claim ``row_id`` of ``table``: every claim on its key (the row too) and
    whether they agree; ``None`` when the row has no key or no other claim shares it. For a
    reading surface that shows, beside one claim, what other sources say (``Group.others``)."""
    return claim_groups(tables).get((table, row_id))


def _amount(value: float) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text


def _span(interval: Interval) -> str:
    """The values an interval allows, in words: "6,000,000", "more than 5,000,000", ..."""
    low, high = _amount(interval.low), _amount(interval.high)
    if interval.low == interval.high:
        return low
    above = f"more than {low}" if interval.low_open else f"at least {low}"
    below = f"less than {high}" if interval.high_open else f"at most {high}"
    if math.isinf(interval.high):
        return above
    if interval.low == 0 and not interval.low_open:
        return below
    if not interval.low_open and not interval.high_open:
        return f"from {low} to {high}"
    return f"{above} and {below}"


def _statement_line(statement: Statement, repeated: set[str]) -> str:
    words = f"“{statement.words}”" if statement.words else "(no words)"
    stated = statement.bound or "no bound"
    if statement.direction:
        stated = f"{statement.direction}, {stated}"
    if statement.interval is not None:
        unit = "percent" if statement.direction else statement.currency
        stated += f": {_span(statement.interval)} {unit}"
    restated = " (restated in the same source)" if statement.source_id in repeated else ""
    return f"  - {statement.id} [{statement.source_id}]{restated}: {words} ({stated})"


def render_text(groups: Iterable[Group], read: str, width: int | None = None) -> str:
    """The groups for people: each key, its verdict and reason, then its claims; with ``width``
    (a terminal's), each line wrapped to it, its continuations indented under its words."""
    groups = list(groups)
    counts = {verdict: sum(group.verdict == verdict for group in groups) for verdict in VERDICTS}
    lines = [
        f"compared the claims of {read}: {len(groups)} group"
        f"{'' if len(groups) == 1 else 's'} of claims on the same key "
        f"({', '.join(f'{verdict}: {count}' for verdict, count in counts.items())})"
    ]
    for group in groups:
        sources = [statement.source_id for statement in group.statements]
        repeated = {source for source in sources if sources.count(source) > 1}
        lines += ["", group.key, f"  {group.verdict}: {group.reason}"]
        lines += [_statement_line(statement, repeated) for statement in group.statements]
    if width is not None:
        lines = [wrapped for line in lines for wrapped in _wrapped(line, width)]
    return "\n".join(lines) + "\n"


def _wrapped(line: str, width: int) -> list[str]:
    """``line`` wrapped to ``width``, its bullet kept with its first word and its continuations
    indented under its words; an id or a key's part is never cut (it may then pass ``width``)."""
    import textwrap

    words = line.lstrip(" ")
    bullet = " " * (len(line) - len(words)) + ("- " if words.startswith("- ") else "")
    return textwrap.wrap(
        line[len(bullet) :],
        max(width, 40),
        initial_indent=bullet,
        subsequent_indent=" " * (len(bullet) + 2),
        break_long_words=False,
        break_on_hyphens=False,
    ) or [""]


def render_json(groups: Iterable[Group], read: str) -> str:
    """The groups for machines: ``{"read", "tolerance", "counts", "groups"}``."""
    groups = list(groups)
    document = {
        "read": read,
        "approximate_tolerance": APPROXIMATE_TOLERANCE,
        "counts": {
            verdict: sum(group.verdict == verdict for group in groups) for verdict in VERDICTS
        },
        "groups": [group.as_dict() for group in groups],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
