"""The data dictionary, ``docs/data-dictionary.md``, written from the record models and their
Table Schemas: every table, column, type, constraint, description and example, and the allowed
values of every enumeration."""

from __future__ import annotations

import enum
import inspect
from collections.abc import Iterable
from typing import Any

from china_ai_claims.models import RECORD_TYPES, Record
from china_ai_claims.schema_builder import table_schema

DICTIONARY_FILE = "data-dictionary.md"

# The rules every row is edited by; CONTRIBUTING.md says the same in a contributor's words.
EDITORIAL_RULES = """\
## Editorial rules

Applied to every row alike; a row that needs an exception says why in its `note`.

- **Never invent.** No number, date or attribution the source does not give. A relative time
  ("last month", "this year") stays in `time_text`; `start_date`/`end_date` are filled only when
  the source states the dates or they follow from its `published` date. The shipped source is
  undated, so none of its rows has a date.
- **Editorial fields.** `country`, `parent_id`, and a model's `status` and `access` are filled only
  when the source states them or clearly implies them (the `note` says how, e.g. "listed among the
  Chinese tech giants"); otherwise they stay empty, with a note when a reader would expect them.
  `kind` is required: the kind the source states or clearly implies, else the generic `company`
  (organizations) or `model` (models), said in the `note`.
- **Claimant.** `claimed_by_person_id` / `claimed_by_organization_id` name the person or
  organization the source attributes the words to ("said", "believes", "claims", "according to",
  "pledged"). A sentence in the source's own voice, or one that only follows an attributed
  sentence without repeating the attribution, has no claimant; the `note` says whom it follows.
  One exception: a figure that continues, on the same data, the attributed figures of the
  sentence before ("The total deal value fell 30%" after PitchBook's first-quarter total) keeps
  that claimant, and the `note` says so.
- **Subject and object** (`other_claims`). The subject is the named organization or model the
  claim is about, the actor of the sentence. The object is the other named party: what the
  subject is compared with, built on, uses, competes with or acts together with. When the actor
  is unnamed ("many startups are focused on building on top of foundation models such as
  DeepSeek's"), the subject stays empty and the named party is the object.
- **One fact, one row.** A fact the source tells twice is recorded once, from its clearest
  sentence; the restatement is cited in the `note`. A sentence with two facts gives two rows with
  the same quote. A quote is widened to the neighbouring sentence when the row needs it to be
  understood ("The company", "He").
- **Modality.** Judged from the quote's words (see `Modality` below); the validator warns when the
  words suggest another one (`modal-in-assertion`, `hypothetical-number`, `claimant-mismatch`),
  and a `note` that names the code explains the exception.
- **Names.** An alias is a name the source itself writes; names and aliases match as whole words
  ("state" is not found in "stated").
- **Coverage.** Every sentence of a source that names an entity of the dataset, writes a number,
  or reports a view, an intention, a prediction or a change is quoted by a row that says what it
  says, or listed with the reason in `dataset/coverage-exclusions.csv`
  (`china-ai-claims coverage` reports the rest).

## Which sums are meaningful

Amounts are never converted or annualised. Sum or average only rows that share `currency`,
`claim_kind`, `period_kind`, `period_unit` and `period_value`, and whose `modality` is the same
(an `assertion` of money spent is not a `plan` to spend it): a three-year pledge (`span`, 3
`year`) and a quarter's venture-capital total (`span`, one `quarter`) do not add up, nor does a
training run (`one_off`) with either. Rows with `bound` other than `exact` or `approximate` are
bounds, not values: their sum is a bound at most. `unquantified` rows have no number, and
`hypothetical` rows never have one.
"""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _constraints(field: dict[str, Any]) -> str:
    constraints = field.get("constraints", {})
    keys = ("pattern", "minLength", "maxLength", "minimum", "maximum")
    parts = [f"{key} `{constraints[key]}`" for key in keys if key in constraints]
    if "enum" in constraints:
        parts.append("one of the values listed below")
    if constraints.get("unique"):
        parts.append("unique")
    if field["type"] == "list":
        parts.append(f"items separated by `{field['delimiter']}`")
    return "; ".join(parts)


def _enumerations(record: type[Record]) -> list[type[enum.Enum]]:
    found: list[type[enum.Enum]] = []
    for info in record.model_fields.values():
        for candidate in getattr(info.annotation, "__args__", (info.annotation,)):
            if not (inspect.isclass(candidate) and issubclass(candidate, enum.Enum)):
                continue
            if candidate not in found:
                found.append(candidate)
    return found


def _table_section(record: type[Record]) -> list[str]:
    schema = table_schema(record)
    lines = [f"## `{record.table}`", "", (record.__doc__ or "").strip(), ""]
    lines.append(f"File `dataset/{record.table}.csv`; primary key `id`.")
    keys = schema.get("foreignKeys", [])
    if keys:
        links = ", ".join(
            f"`{key['fields'][0]}` -> `{key['reference']['resource'] or record.table}.id`"
            for key in keys
        )
        lines.append(f"References: {links}.")
    lines += ["", "| column | type | required | constraints | description | example |"]
    lines.append("|---|---|---|---|---|---|")
    for field in schema["fields"]:
        required = "yes" if field.get("constraints", {}).get("required") else ""
        example = f"`{_cell(field['example'])}`" if "example" in field else ""
        lines.append(
            f"| `{field['name']}` | {field['type']} | {required} | {_cell(_constraints(field))} "
            f"| {_cell(field['description'])} | {example} |"
        )
    return [*lines, ""]


def data_dictionary() -> str:
    """The whole dictionary as Markdown."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from the record models by `china-ai-claims schemas`; do not edit by hand.",
        "Every table but `sources` also has `source_id` and a verbatim `quote` from that source.",
        'Empty cells mean "not stated".',
        "",
    ]
    enumerations: list[type[enum.Enum]] = []
    for record in RECORD_TYPES:
        lines += _table_section(record)
        enumerations += [kind for kind in _enumerations(record) if kind not in enumerations]
    lines += _claim_key_section()
    lines += [EDITORIAL_RULES, "## Enumerations", ""]
    for kind in enumerations:
        doc = inspect.cleandoc(kind.__doc__ or "").replace("``", "`")
        values = ", ".join(f"`{member.value}`" for member in kind)
        lines += [f"### {kind.__name__}", "", doc, "", f"Values: {values}.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _claim_key_section() -> list[str]:
    """When two claim rows state the same quantity: the key ``compare`` groups claims by."""
    from china_ai_claims import comparing
    from china_ai_claims.models import record_type

    def names(columns: Iterable[str]) -> str:
        return ", ".join(f"`{column}`" for column in columns)

    per_table = []
    for table, subjects in comparing.SUBJECT_COLUMNS.items():
        has = record_type(table).model_fields
        words = comparing.TARGET_WORDS.get(table)
        target = (
            f" (and `{words}` when no target id is given, ignoring case and spacing)"
            if words in has and not any(column in has for column in comparing.TARGET_IDS)
            else ""
        )
        shared = [column for column in comparing.QUANTITY_COLUMNS if column in has]
        per_table.append(
            f"in `{table}`, the same {names(c for c in subjects if c in has)}{target} and "
            f"{names(shared)}"
        )
    return [
        "## Which claims state the same quantity",
        "",
        "Two rows of a claim table state the same quantity when they share a claim key "
        "(`load(table, with_key=True)` adds it as the column "
        f"`{comparing.KEY_COLUMN}`; `china-ai-claims compare` groups claims by it): the same "
        f"table and `claim_kind`, and {'; '.join(per_table)}. A row that names no subject by id "
        "has no key, nor has a claim_kind "
        f"{names(sorted(comparing.NO_QUANTITY_KINDS))}. Currencies and periods are never "
        "converted.",
        "",
        "Claims on one key agree when one value satisfies every statement's bound: `exact` is "
        "the amount, `approximate` the amount give or take "
        f"{comparing.APPROXIMATE_TOLERANCE:.0%}, `at_least` and `more_than` a lower end "
        "(included or not), `at_most` and `less_than` an upper end, `range` from `amount_low` "
        "to `amount_high`. Changes compare `change_direction` first, then `change_percent` by "
        "`change_bound`; `unquantified` amounts are not compared, `unquantified` changes by "
        "direction only.",
        "",
    ]
