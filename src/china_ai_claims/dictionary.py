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
    lines += ["## Enumerations", ""]
    for kind in enumerations:
        doc = (kind.__doc__ or "").strip()
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
