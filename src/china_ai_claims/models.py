"""The records of the dataset: one pydantic model per table, the single definition of every field.

Everything else is derived from these classes: the Frictionless Table Schemas and the JSON Schema
in ``schemas/`` (``china-ai-claims schemas``), the data dictionary, the pandas dtypes of the loader,
the SQLite column types of the release, and the record rules of the validator.

Three markers in a field's ``Annotated`` metadata carry what pydantic has no word for:

- :class:`References` -- the column holds the ``id`` of a row in another table (a foreign key);
- :class:`Verbatim` -- the cell must be written, character for character, in the row's ``quote``;
- :class:`Asserted` -- the number must be written in the row's ``quote`` ("$6 million" is 6000000).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from china_ai_claims._currencies import ISO_4217_CODES
from china_ai_claims._resources import LIST_DELIMITER

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# An http(s) address written with the characters RFC 3986 allows: no space, quote, angle
# bracket or backslash, which would break out of a link where the address is shown (a non-ASCII
# address is written percent-encoded).
URL_PATTERN = r"^https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$"
MAX_ID_LENGTH = 80
MAX_NAME_LENGTH = 200
MAX_SHORT_TEXT_LENGTH = 300
MAX_QUOTE_LENGTH = 2000
MAX_NOTE_LENGTH = 1000


@dataclass(frozen=True)
class References:
    """Marks a column whose value is the ``id`` of a row in ``table``."""

    table: str


@dataclass(frozen=True)
class Verbatim:
    """Marks a text column whose value must occur verbatim in the row's ``quote``."""


@dataclass(frozen=True)
class Asserted:
    """Marks a number column whose value must be written in the row's ``quote``."""


def broken(rule: str, column: str, message: str) -> PydanticCustomError:
    """A record-rule violation with a stable ``rule`` code and the ``column`` to look at.

    pydantic reports it with ``type == rule`` and ``ctx["column"] == column``; the validator turns
    it into an error record.
    """
    return PydanticCustomError(rule, message, {"column": column})


# ---------------------------------------------------------------------------------------------
# Vocabularies. Each member's value is what the CSV holds; the docstring says what it means.


class OrganizationKind(str, Enum):
    """What an organization is."""

    company = "company"
    ai_lab = "ai_lab"
    investor = "investor"
    data_provider = "data_provider"
    media = "media"
    research_institute = "research_institute"
    government = "government"


class ModelKind(str, Enum):
    """What an AI system is."""

    foundation_model = "foundation_model"
    large_language_model = "large_language_model"
    model_series = "model_series"
    chatbot = "chatbot"
    agent = "agent"
    model = "model"


class Access(str, Enum):
    """How the source says a model can be used."""

    open_source = "open_source"
    free = "free"
    freemium = "freemium"
    paid = "paid"
    invite_only = "invite_only"


class ModelStatus(str, Enum):
    """Where a model stands, as the source words it (``status_text`` keeps the words)."""

    in_development = "in_development"
    developed = "developed"
    unveiled = "unveiled"
    released = "released"
    upcoming = "upcoming"


class Bound(str, Enum):
    """How the source states a quantity: exactly ("$53 billion"), approximately ("approximately
    $6 million"), as a lower bound (at_least: "$100 million+"; more_than: "more than 90%"), as an
    upper bound (at_most, less_than), as a range (amount_low to amount_high), or without a number
    (unquantified: "billions of yuan", kept in words only)."""

    exact = "exact"
    approximate = "approximate"
    at_least = "at_least"
    more_than = "more_than"
    at_most = "at_most"
    less_than = "less_than"
    range = "range"
    unquantified = "unquantified"


POINT_BOUNDS = frozenset(
    {
        Bound.exact,
        Bound.approximate,
        Bound.at_least,
        Bound.more_than,
        Bound.at_most,
        Bound.less_than,
    }
)


class Direction(str, Enum):
    """Which way a quantity changes."""

    increase = "increase"
    decrease = "decrease"


class TimeUnit(str, Enum):
    """The unit of a horizon or period length."""

    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


class Modality(str, Enum):
    """What kind of statement a claim or event row records, judged from the quote's own words.

    - ``assertion``: stated as true, past or present ("DeepSeek claims to have trained its V3
      foundation model ... at a cost of approximately $6 million"; "Baidu made its chatbot Ernie
      Bot free"). An attributed assertion is still an assertion: the claimant columns say whose.
    - ``forecast``: a prediction of what will or can happen ("can be reduced by more than 90% over
      12 months"; "investors in China will now be hesitant").
    - ``plan``: an intention or a pledge of the actor itself ("pledged to invest $53 billion over
      the next three years"; "is launching the next generation ... in the coming weeks").
    - ``hypothetical``: a conditional or a supposition ("If high-performing models can be built at
      a fraction of the cost, ..."). A hypothetical row never carries an amount: nobody paid it.
    - ``opinion``: a judgement or assessment ("is a smart move"; "may be beneficial";
      "demonstrates that Chinese AI labs can produce cutting-edge models"), including the
      source's own causal or evaluative readings ("has revitalized China's AI sector").
    """

    assertion = "assertion"
    forecast = "forecast"
    plan = "plan"
    hypothetical = "hypothetical"
    opinion = "opinion"


class PeriodKind(str, Enum):
    """What stretch of time an amount covers, as the source states it.

    - ``one_off``: one payment or cost for one thing, not spread over time as the source tells it
      (the cost of training one model: "trained its V3 foundation model ... at a cost of
      approximately $6 million").
    - ``span``: the amount is spent, pledged or counted over a stated stretch of time, given by
      period_unit, period_text and, when the source writes a count, period_value ("$53 billion
      over the next three years": 3 year; "In the first quarter of this year ... $1.2 billion":
      one quarter, period_value empty because the source writes no count).
    - ``cumulative``: a running total up to the time of writing whose start the source does not
      give ("The government has invested heavily").
    - ``not_stated``: the source does not say what stretch of time the amount covers.

    Only amounts of the same period_kind, period_unit and period_value, in the same currency and
    of the same claim_kind, add up or average meaningfully; no amount is annualised or converted.
    """

    one_off = "one_off"
    span = "span"
    cumulative = "cumulative"
    not_stated = "not_stated"


class TimeResolvedFrom(str, Enum):
    """Where a row's ISO dates come from."""

    stated = "stated"
    publication_date = "publication_date"


class CostClaimKind(str, Enum):
    """What a cost claim states."""

    training_cost = "training_cost"
    training_cost_change = "training_cost_change"
    cost_comparison = "cost_comparison"


class FundingClaimKind(str, Enum):
    """What a funding claim states."""

    investment_pledge = "investment_pledge"
    investment = "investment"
    government_funding = "government_funding"
    venture_capital_total = "venture_capital_total"
    venture_capital_change = "venture_capital_change"
    venture_capital_trend = "venture_capital_trend"


class EventKind(str, Enum):
    """What happened."""

    launch = "launch"
    release = "release"
    price_change = "price_change"
    pivot = "pivot"
    adoption = "adoption"
    partnership = "partnership"
    policy = "policy"


class EventStatus(str, Enum):
    """Whether the event had happened when the source was written."""

    occurred = "occurred"
    ongoing = "ongoing"
    planned = "planned"


class OtherClaimKind(str, Enum):
    """What an other claim is about: a comparison of performance, a "first", what a model is
    built on, the hardware used, openness, capability (what a model or company's systems do or
    are designed for), or a market assessment."""

    performance_comparison = "performance_comparison"
    first = "first"
    built_on = "built_on"
    hardware = "hardware"
    openness = "openness"
    capability = "capability"
    market_assessment = "market_assessment"


# ---------------------------------------------------------------------------------------------
# Field types shared by the tables.

Slug = Annotated[
    str,
    Field(
        pattern=ID_PATTERN,
        max_length=MAX_ID_LENGTH,
        description="Stable identifier of the row: lower-case ASCII words joined by hyphens; "
        "never reused.",
    ),
]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]
ShortText = Annotated[str, Field(min_length=1, max_length=MAX_SHORT_TEXT_LENGTH)]
Aliases = Annotated[
    # An alias is a name: at least two letters or digits, so that "." cannot match everything.
    list[Annotated[str, Field(min_length=2, max_length=MAX_NAME_LENGTH, pattern=r"\w.*\w")]],
    Field(
        default_factory=list,
        max_length=20,
        description="Other names the sources use, separated by '|' in the CSV (20 at most).",
    ),
]
CurrencyCode = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{3}$",
        max_length=3,
        description="ISO 4217 currency code of the amounts (USD, CNY, ...); empty when the "
        "source names no currency.",
        examples=["USD"],
    ),
]


_ID_SHAPE = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
OrganizationRef = Annotated[str | None, _ID_SHAPE, References("organizations")]
PersonRef = Annotated[str | None, _ID_SHAPE, References("people")]
ModelRef = Annotated[str | None, _ID_SHAPE, References("models")]


def _ref(description: str, example: str) -> Any:
    """The Field of an optional reference column."""
    return Field(default=None, description=description, examples=[example])


class Record(BaseModel):
    """A row of one table. Empty CSV cells arrive as ``None``; list cells are split on ``|``."""

    # Columns such as model_id are data, not pydantic API: only the names pydantic itself defines
    # are protected (pydantic 2.10's default; before it, every model_ name warned).
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_enum_values=False,
        protected_namespaces=("model_validate", "model_dump"),
    )

    table: ClassVar[str]

    id: Slug

    @model_validator(mode="before")
    @classmethod
    def _from_csv_cells(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        list_fields = list_columns(cls)
        cells: dict[str, Any] = {}
        for key, value in data.items():
            if value == "":
                continue
            if key in list_fields and isinstance(value, str):
                value = value.split(LIST_DELIMITER)
            cells[key] = value
        return cells


@functools.cache
def list_columns(record: type[Record]) -> frozenset[str]:
    """The columns of ``record`` that hold ``|``-separated lists, found once per class (looking
    them up in ``model_fields`` cell by cell was a fifth of the validator's time)."""
    return frozenset(
        name for name, info in record.model_fields.items() if _is_list(info.annotation)
    )


def without_cell_conversion(schema: Any) -> Any | None:
    """A copy of a record's pydantic core schema without the before-validator
    ``Record._from_csv_cells``, for input already converted as it converts CSV cells (empty cells
    left out, list cells split); ``None`` unless the schema holds that validator exactly once."""
    found: list[str] = []
    stripped = _without(schema, Record._from_csv_cells.__name__, found)
    return stripped if len(found) == 1 else None


def _without(schema: Any, function_name: str, found: list[str]) -> Any:
    if isinstance(schema, list):
        return [_without(item, function_name, found) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("type") == "function-before":
        function = schema["function"]["function"]
        if getattr(function, "__name__", "") == function_name:
            found.append(function_name)
            return _without(schema["schema"], function_name, found)
    return {key: _without(value, function_name, found) for key, value in schema.items()}


def _is_list(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is list


class Quoted(Record):
    """A row that a passage of an archived source supports."""

    source_id: Annotated[
        str,
        _ID_SHAPE,
        Field(
            description="The source whose text contains the quote.",
            examples=["deepseek-impact-on-china-ai-industry"],
        ),
        References("sources"),
    ]
    quote: Annotated[
        str,
        Field(
            min_length=1,
            max_length=MAX_QUOTE_LENGTH,
            description="A verbatim, contiguous passage of the source's text that supports the "
            "row, copied exactly (curly apostrophes included).",
            examples=["DeepSeek claims to have trained its V3 foundation model"],
        ),
    ]
    note: Annotated[
        str | None,
        Field(
            default=None,
            max_length=MAX_NOTE_LENGTH,
            description="Editorial note: uncertainty, attribution caveats, what the source "
            "leaves unsaid.",
            examples=["The source gives no publication date, so 'last month' is unresolved."],
        ),
    ]


class Attributed(Quoted):
    """A claim that someone makes; both attribution columns empty means the source's own voice."""

    claimed_by_organization_id: OrganizationRef = _ref(
        "The organization the source attributes the claim to; empty when no organization "
        "is named as its author.",
        "deepseek",
    )
    claimed_by_person_id: PersonRef = _ref(
        "The person the source attributes the claim to; empty when no person is named as "
        "its author.",
        "robin-li",
    )


class Timed(Attributed):
    """A claim or happening placed in time by the source's own words."""

    time_text: Annotated[
        str | None,
        Field(
            default=None,
            max_length=MAX_SHORT_TEXT_LENGTH,
            description="When, in the source's words, copied from the quote ('last month', "
            "'mid-2024', 'In the first quarter of this year').",
            examples=["last month"],
        ),
        Verbatim(),
    ]
    year: Annotated[
        int | None,
        Field(
            default=None,
            ge=1900,
            le=2200,
            description="The calendar year, only when the quote writes it.",
            examples=[2024],
        ),
        Asserted(),
    ]
    start_date: Annotated[
        date | None,
        Field(
            default=None,
            description="First day of the time, ISO 8601; empty unless the source states it or "
            "it follows from the source's publication date (see time_resolved_from); never "
            "guessed. No example is given: the shipped source is undated, so none of its rows "
            "has one.",
        ),
    ]
    end_date: Annotated[
        date | None,
        Field(
            default=None,
            description="Last day of the time, ISO 8601; same rule as start_date.",
        ),
    ]
    time_resolved_from: Annotated[
        TimeResolvedFrom | None,
        Field(
            default=None,
            description="Where start_date and end_date come from: stated in the quote, or "
            "resolved from the source's publication date. Required when either date is set.",
            examples=["stated"],
        ),
    ]

    @model_validator(mode="after")
    def _dates_are_explained(self) -> Timed:
        has_date = self.start_date is not None or self.end_date is not None
        if has_date and self.time_resolved_from is None:
            raise broken(
                "incomplete-time",
                "time_resolved_from",
                "start_date or end_date is set, so time_resolved_from is required",
            )
        if not has_date and self.time_resolved_from is not None:
            raise broken(
                "incomplete-time",
                "time_resolved_from",
                "time_resolved_from is set but there is no start_date or end_date",
            )
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise broken("date-order", "end_date", "start_date is after end_date")
        if has_date and self.time_text is None:
            raise broken(
                "incomplete-time",
                "time_text",
                "a date is set, so time_text must keep the source's words for it",
            )
        return self


class _HasAmount(BaseModel):
    """Money as the source states it: a number in units, its currency and how it is bounded."""

    amount: Annotated[
        float | None,
        Asserted(),
        Field(
            default=None,
            ge=0,
            allow_inf_nan=False,
            description="The amount in units of the currency (6000000, not '6 million'), for "
            "every bound but range and unquantified.",
            examples=[6000000],
        ),
    ]
    amount_low: Annotated[
        float | None,
        Asserted(),
        Field(
            default=None,
            ge=0,
            allow_inf_nan=False,
            description="Lower end of a range (bound = range).",
            examples=[1e9],
        ),
    ]
    amount_high: Annotated[
        float | None,
        Asserted(),
        Field(
            default=None,
            ge=0,
            allow_inf_nan=False,
            description="Upper end of a range (bound = range).",
            examples=[2e9],
        ),
    ]
    currency: Annotated[CurrencyCode | None, Field(default=None)]
    bound: Annotated[
        Bound | None,
        Field(
            default=None,
            description="How the source states the amount; unquantified keeps the words "
            "('billions of yuan') and no number.",
            examples=["approximate"],
        ),
    ]
    amount_text: Annotated[
        str | None,
        Field(
            default=None,
            max_length=MAX_SHORT_TEXT_LENGTH,
            description="The amount in the source's words, copied from the quote.",
            examples=["approximately $6 million"],
        ),
        Verbatim(),
    ]

    @model_validator(mode="after")
    def _amount_matches_bound(self) -> _HasAmount:
        numbers = {
            "amount": self.amount,
            "amount_low": self.amount_low,
            "amount_high": self.amount_high,
        }
        given = {name for name, value in numbers.items() if value is not None}
        if self.bound is None:
            if given or self.amount_text or self.currency:
                raise broken(
                    "bound-missing",
                    "bound",
                    "an amount, amount_text or currency is given, so bound is required",
                )
            return self
        if self.amount_text is None:
            raise broken(
                "amount-text-missing",
                "amount_text",
                "bound is set, so amount_text must keep the source's words",
            )
        if self.bound in POINT_BOUNDS and given != {"amount"}:
            raise broken(
                "bound-amount-mismatch",
                "bound",
                f"bound {self.bound.value} takes amount only (not amount_low or amount_high)",
            )
        low, high = self.amount_low, self.amount_high
        if self.bound is Bound.range:
            if low is None or high is None or self.amount is not None:
                raise broken(
                    "bound-amount-mismatch",
                    "bound",
                    "bound range takes amount_low and amount_high, not amount",
                )
            if low > high:
                raise broken("range-order", "amount_low", "amount_low is greater than amount_high")
        if self.bound is Bound.unquantified and given:
            raise broken(
                "bound-amount-mismatch",
                "bound",
                "bound unquantified takes no number: keep the words in amount_text",
            )
        if given and self.currency is None:
            raise broken(
                "currency-missing", "currency", "an amount is given, so currency is required"
            )
        if self.currency is not None and self.currency not in ISO_4217_CODES:
            raise broken(
                "unknown-currency",
                "currency",
                f"currency {self.currency!r} is not an ISO 4217 code",
            )
        return self


class _HasChange(BaseModel):
    """A change in a quantity, in percent, as the source states it."""

    change_direction: Annotated[
        Direction | None,
        Field(default=None, description="Which way the quantity moves.", examples=["decrease"]),
    ]
    change_percent: Annotated[
        float | None,
        Field(
            default=None,
            ge=0,
            allow_inf_nan=False,
            description="Size of the change in percent, unsigned (change_direction gives the "
            "sign); empty when the source gives no number.",
            examples=[90],
        ),
        Asserted(),
    ]
    change_bound: Annotated[
        Bound | None,
        Field(
            default=None,
            description="How the source states change_percent.",
            examples=["more_than"],
        ),
    ]
    change_text: Annotated[
        str | None,
        Field(
            default=None,
            max_length=MAX_SHORT_TEXT_LENGTH,
            description="The change in the source's words, copied from the quote.",
            examples=["reduced by more than 90%"],
        ),
        Verbatim(),
    ]

    @model_validator(mode="after")
    def _change_is_complete(self) -> _HasChange:
        parts = (self.change_direction, self.change_bound, self.change_text)
        if self.change_percent is None and all(part is None for part in parts):
            return self
        if any(part is None for part in parts):
            raise broken(
                "incomplete-change",
                "change_text" if self.change_text is None else "change_bound",
                "a change needs change_direction, change_bound and change_text together",
            )
        if self.change_bound is Bound.range:
            raise broken(
                "change-bound-mismatch",
                "change_bound",
                "change_bound range is not supported: record two rows or a note",
            )
        has_percent = self.change_percent is not None
        if (self.change_bound is Bound.unquantified) == has_percent:
            raise broken(
                "change-bound-mismatch",
                "change_percent",
                "change_percent is required unless change_bound is unquantified, "
                "and then it must be empty",
            )
        return self


class _HasHorizon(BaseModel):
    """How long a pledge, forecast or change runs, as the source states it."""

    horizon_value: Annotated[
        float | None,
        Field(
            default=None,
            ge=0,
            allow_inf_nan=False,
            description="Length of the horizon in horizon_unit.",
            examples=[12],
        ),
        Asserted(),
    ]
    horizon_unit: Annotated[
        TimeUnit | None,
        Field(default=None, description="Unit of horizon_value.", examples=["month"]),
    ]
    horizon_text: Annotated[
        str | None,
        Field(
            default=None,
            max_length=MAX_SHORT_TEXT_LENGTH,
            description="The horizon in the source's words, copied from the quote.",
            examples=["over 12 months"],
        ),
        Verbatim(),
    ]

    @model_validator(mode="after")
    def _horizon_is_complete(self) -> _HasHorizon:
        parts = (self.horizon_value, self.horizon_unit, self.horizon_text)
        if any(part is not None for part in parts) and any(part is None for part in parts):
            raise broken(
                "incomplete-horizon",
                "horizon_text",
                "a horizon needs horizon_value, horizon_unit and horizon_text together",
            )
        return self


class _HasModality(BaseModel):
    """What kind of statement the row records; a conditional carries no amount."""

    modality: Annotated[
        Modality,
        Field(
            description="What kind of statement the row records: assertion (stated as true), "
            "forecast (a prediction), plan (an intention or pledge), hypothetical (a conditional "
            "or supposition), opinion (a judgement); see the Modality values below.",
            examples=["assertion"],
        ),
    ]

    @model_validator(mode="after")
    def _hypothetical_is_not_paid(self) -> _HasModality:
        if self.modality is not Modality.hypothetical:
            return self
        for column in ("amount", "amount_low", "amount_high"):
            if getattr(self, column, None) is not None:
                raise broken(
                    "hypothetical-amount",
                    column,
                    "a hypothetical row carries no amount: keep the words in amount_text with "
                    "bound unquantified",
                )
        return self


class _HasPeriod(BaseModel):
    """What stretch of time an amount covers, as the source states it (see PeriodKind)."""

    period_kind: Annotated[
        PeriodKind | None,
        Field(
            default=None,
            description="What stretch of time the amount covers: one_off, span, cumulative or "
            "not_stated (see the PeriodKind values below). Required when the row has a bound; "
            "empty on a row without an amount.",
            examples=["span"],
        ),
    ]
    period_value: Annotated[
        float | None,
        Field(
            default=None,
            gt=0,
            allow_inf_nan=False,
            description="Length of a span in period_unit, only when the source writes the count "
            "('three years' is 3; 'the first quarter' writes none, so it stays empty).",
            examples=[3],
        ),
        Asserted(),
    ]
    period_unit: Annotated[
        TimeUnit | None,
        Field(
            default=None,
            description="Unit of a span (period_kind span).",
            examples=["year"],
        ),
    ]
    period_text: Annotated[
        str | None,
        Field(
            default=None,
            max_length=MAX_SHORT_TEXT_LENGTH,
            description="The period in the source's words, copied from the quote; required for a "
            "span, empty when not_stated.",
            examples=["over the next three years"],
        ),
        Verbatim(),
    ]

    @model_validator(mode="after")
    def _period_is_complete(self) -> _HasPeriod:
        has_amount = getattr(self, "bound", None) is not None
        kind = self.period_kind
        if has_amount != (kind is not None):
            raise broken(
                "period-mismatch",
                "period_kind",
                "period_kind is required when the row has a bound (an amount), and empty otherwise",
            )
        if kind is PeriodKind.span:
            if self.period_unit is None or self.period_text is None:
                raise broken(
                    "period-mismatch",
                    "period_unit" if self.period_unit is None else "period_text",
                    "period_kind span needs period_unit and period_text",
                )
            return self
        if self.period_value is not None or self.period_unit is not None:
            raise broken(
                "period-mismatch",
                "period_value" if self.period_value is not None else "period_unit",
                "period_value and period_unit belong to period_kind span only",
            )
        if kind is PeriodKind.not_stated and self.period_text is not None:
            raise broken(
                "period-mismatch",
                "period_text",
                "period_kind not_stated takes no period_text",
            )
        return self


# ---------------------------------------------------------------------------------------------
# The tables.


class Source(Record):
    """An archived source text: every other row quotes one of these."""

    table: ClassVar[str] = "sources"

    title: Annotated[
        Name,
        Field(
            description="Title as the text gives it (its first line).",
            examples=["DeepSeek’s Impact on China’s AI Industry"],
        ),
    ]
    publisher: Annotated[
        Name | None,
        Field(default=None, description="Who published the text; empty when unknown."),
    ]
    url: Annotated[
        str | None,
        Field(
            default=None,
            max_length=2000,
            pattern=URL_PATTERN,
            description="Where the text was published; empty when unknown. Never fetched by "
            "the validator.",
        ),
    ]
    published: Annotated[
        date | None,
        Field(
            default=None,
            description="Publication date, ISO 8601; empty when unknown (relative dates in the "
            "text then stay unresolved).",
        ),
    ]
    retrieved: Annotated[
        date,
        Field(
            description="The date the text was archived in this dataset.",
            examples=["2026-11-29"],
        ),
    ]
    language: Annotated[
        str,
        Field(
            pattern=r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$",
            max_length=35,
            description="BCP 47 language tag of the text.",
            examples=["en"],
        ),
    ]
    path: Annotated[
        str,
        Field(
            pattern=r"^sources/[a-z0-9]+(-[a-z0-9]+)*\.txt$",
            max_length=MAX_ID_LENGTH + 12,
            description="The archived text, relative to the dataset folder.",
            examples=["sources/deepseek-impact-on-china-ai-industry.txt"],
        ),
    ]
    sha256: Annotated[
        str,
        Field(
            pattern=r"^[0-9a-f]{64}$",
            max_length=64,
            description="SHA-256 of the archived file's bytes, lower-case hex.",
            examples=["3dd8445f5780813b0bf26eeb6df443dc7565ce71def80c93f6796eb9608b6004"],
        ),
    ]
    bytes: Annotated[
        int,
        Field(ge=1, description="Size of the archived file in bytes.", examples=[19522]),
    ]
    note: Annotated[
        str | None,
        Field(
            default=None,
            max_length=MAX_NOTE_LENGTH,
            description="What is known and unknown about the source.",
        ),
    ]

    @model_validator(mode="after")
    def _path_matches_id(self) -> Source:
        if self.path != f"sources/{self.id}.txt":
            raise broken(
                "source-path-mismatch",
                "path",
                f"path must be sources/{self.id}.txt, named after the id",
            )
        return self


class Organization(Quoted):
    """A company, AI lab, investor, data firm, media outlet, institute or government."""

    table: ClassVar[str] = "organizations"

    name: Annotated[
        Name,
        Field(
            description="Name of the organization; it or one of its aliases is in the quote.",
            examples=["DeepSeek"],
        ),
    ]
    aliases: Annotated[Aliases, Field(examples=[["Tencent"]])]
    kind: Annotated[
        OrganizationKind,
        Field(description="What the organization is (editorial).", examples=["ai_lab"]),
    ]
    country: Annotated[
        str | None,
        Field(
            default=None,
            pattern=r"^[A-Z]{2}$",
            max_length=2,
            description="ISO 3166-1 alpha-2 code of the home country (editorial, may use "
            "background knowledge); empty when unsure.",
            examples=["CN"],
        ),
    ]
    parent_id: OrganizationRef = _ref(
        "The organization that owns this one, only where the source states it.", "bytedance"
    )


class Person(Quoted):
    """A person the source names."""

    table: ClassVar[str] = "people"

    name: Annotated[
        Name,
        Field(
            description="Name of the person; it or one of its aliases is in the quote.",
            examples=["Robin Li"],
        ),
    ]
    aliases: Annotated[Aliases, Field(examples=[["Peak"]])]
    role: Annotated[
        ShortText | None,
        Field(
            default=None,
            description="Role in the source's words, copied from the quote.",
            examples=["CEO"],
        ),
        Verbatim(),
    ]
    organization_id: OrganizationRef = _ref(
        "The organization the source places the person in; empty when it names none.", "baidu"
    )


class AIModel(Quoted):
    """An AI model, model series, chatbot or agent."""

    table: ClassVar[str] = "models"

    name: Annotated[
        Name,
        Field(
            description="Name as the source writes it; for a model the source does not name, a "
            "description in its words (named_in_source is then false).",
            examples=["LongCat"],
        ),
    ]
    aliases: Annotated[Aliases, Field(examples=[["V3"]])]
    named_in_source: Annotated[
        bool,
        Field(description="Whether the source gives the model a name.", examples=[True]),
    ]
    kind: Annotated[
        ModelKind,
        Field(description="What the system is, as the source describes it.", examples=["agent"]),
    ]
    developer_id: OrganizationRef = _ref("The organization that develops it.", "meituan")
    series_id: ModelRef = _ref("The model series it belongs to, where the source says so.", "qwen")
    access: Annotated[
        Access | None,
        Field(
            default=None,
            description="How it can be used, as the source says; empty when not stated.",
            examples=["invite_only"],
        ),
    ]
    access_text: Annotated[
        ShortText | None,
        Field(
            default=None,
            description="The source's words for access, copied from the quote.",
            examples=["invite-only"],
        ),
        Verbatim(),
    ]
    status: Annotated[
        ModelStatus | None,
        Field(
            default=None,
            description="Where it stands, as the source says; empty when not stated.",
            examples=["released"],
        ),
    ]
    status_text: Annotated[
        ShortText | None,
        Field(
            default=None,
            description="The source's words for status, copied from the quote.",
            examples=["rolled out"],
        ),
        Verbatim(),
    ]

    @model_validator(mode="after")
    def _vocabulary_keeps_words(self) -> AIModel:
        if (self.access is None) != (self.access_text is None):
            raise broken("incomplete-pair", "access_text", "access and access_text go together")
        if (self.status is None) != (self.status_text is None):
            raise broken("incomplete-pair", "status_text", "status and status_text go together")
        return self


class CostClaim(_HasModality, _HasAmount, _HasPeriod, _HasChange, _HasHorizon, Attributed):
    """A claim about what training an AI model costs, or how that cost changes."""

    table: ClassVar[str] = "cost_claims"

    claim_kind: Annotated[
        CostClaimKind,
        Field(description="What the claim states.", examples=["training_cost"]),
    ]
    model_id: ModelRef = _ref("The model whose training cost is claimed.", "deepseek-v3")
    organization_id: OrganizationRef = _ref(
        "The organization whose costs the claim is about.", "deepseek"
    )
    scope: Annotated[
        ShortText | None,
        Field(
            default=None,
            description="What the claim covers when no model or organization is named, in the "
            "source's words.",
            examples=["billion-dollar training budgets elsewhere"],
        ),
        Verbatim(),
    ]

    @model_validator(mode="after")
    def _kind_has_quantity(self) -> CostClaim:
        if self.claim_kind is CostClaimKind.training_cost_change and self.change_direction is None:
            raise broken(
                "claim-kind-mismatch",
                "change_direction",
                "claim_kind training_cost_change needs the change_* columns",
            )
        if self.claim_kind is not CostClaimKind.training_cost_change and self.bound is None:
            raise broken(
                "claim-kind-mismatch",
                "bound",
                f"claim_kind {self.claim_kind.value} needs bound and amount_text",
            )
        return self


class FundingClaim(_HasModality, _HasAmount, _HasPeriod, _HasChange, _HasHorizon, Timed):
    """A claim about funding: pledges, investment, government money, venture-capital totals."""

    table: ClassVar[str] = "funding_claims"

    claim_kind: Annotated[
        FundingClaimKind,
        Field(description="What the claim states.", examples=["investment_pledge"]),
    ]
    funder_organization_id: OrganizationRef = _ref(
        "The organization that invests or pledges.", "alibaba"
    )
    funder_text: Annotated[
        ShortText | None,
        Field(
            default=None,
            description="Who invests, in the source's words, when no single organization is named.",
            examples=["venture capitalists"],
        ),
        Verbatim(),
    ]
    target_text: Annotated[
        ShortText | None,
        Field(
            default=None,
            description="What the money goes to, in the source's words.",
            examples=["its cloud computing and AI infrastructure"],
        ),
        Verbatim(),
    ]
    deal_count: Annotated[
        int | None,
        Field(default=None, ge=0, description="Number of deals, as stated.", examples=[144]),
        Asserted(),
    ]
    comparison_text: Annotated[
        ShortText | None,
        Field(
            default=None,
            description="What a change is measured against, in the source's words.",
            examples=["compared with the same period last year"],
        ),
        Verbatim(),
    ]

    @model_validator(mode="after")
    def _kind_has_quantity(self) -> FundingClaim:
        if self.claim_kind is FundingClaimKind.venture_capital_change:
            if self.change_direction is None:
                raise broken(
                    "claim-kind-mismatch",
                    "change_direction",
                    "claim_kind venture_capital_change needs the change_* columns",
                )
        elif self.bound is None:
            raise broken(
                "claim-kind-mismatch",
                "bound",
                f"claim_kind {self.claim_kind.value} needs bound and amount_text",
            )
        return self


class Event(_HasModality, Timed):
    """A happening: a launch, release, price change, pivot, adoption, partnership or policy."""

    table: ClassVar[str] = "events"

    event_kind: Annotated[
        EventKind,
        Field(description="What happened.", examples=["launch"]),
    ]
    status: Annotated[
        EventStatus,
        Field(
            description="Whether it had happened when the source was written.",
            examples=["occurred"],
        ),
    ]
    organization_id: OrganizationRef = _ref("The organization that acts.", "butterfly-effect")
    model_id: ModelRef = _ref("The model concerned.", "manus")
    counterpart_organization_id: OrganizationRef = _ref(
        "The other party: a partner, or the organization whose technology is adopted.", "alibaba"
    )


class OtherClaim(_HasModality, Attributed):
    """A claim about a named company or model that is not about cost or funding."""

    table: ClassVar[str] = "other_claims"

    claim_kind: Annotated[
        OtherClaimKind,
        Field(description="What the claim is about.", examples=["first"]),
    ]
    subject_organization_id: OrganizationRef = _ref(
        "The organization the claim is about.", "deepseek"
    )
    subject_model_id: ModelRef = _ref("The model the claim is about.", "manus")
    object_organization_id: OrganizationRef = _ref(
        "The organization the subject is compared with, built on or uses.", "nvidia"
    )
    object_model_id: ModelRef = _ref(
        "The model the subject is compared with or built on.", "claude"
    )


RECORD_TYPES: tuple[type[Record], ...] = (
    Source,
    Organization,
    Person,
    AIModel,
    CostClaim,
    FundingClaim,
    Event,
    OtherClaim,
)
"""Every table's record type, in dependency order: a table references itself or earlier ones."""


def columns(record: type[Record]) -> list[str]:
    """The CSV column order of a table: ``id``, the table's own columns, then the shared groups
    (amount, change, horizon, time), attribution, and ``source_id``, ``quote``, ``note`` last."""
    ordered = ["id"]
    for klass in record.__mro__:
        for name in vars(klass).get("__annotations__", {}):
            if name in record.model_fields and name not in ordered:
                ordered.append(name)
    return ordered


def record_type(table: str) -> type[Record]:
    """The record type of ``table``; raises ``KeyError`` naming the valid tables."""
    for record in RECORD_TYPES:
        if record.table == table:
            return record
    valid = ", ".join(record.table for record in RECORD_TYPES)
    raise KeyError(f"unknown table {table!r}; valid tables: {valid}")
