"""The data dictionary, ``docs/data-dictionary.md``, written from the record models and their
Table Schemas: every table, column, type, constraint, description and example, and the allowed
values of every enumeration."""

from __future__ import annotations

import enum
import inspect
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
    lines += ["## Enumerations", ""]
    for kind in enumerations:
        doc = (kind.__doc__ or "").strip()
        values = ", ".join(f"`{member.value}`" for member in kind)
        lines += [f"### {kind.__name__}", "", doc, "", f"Values: {values}.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
