"""Layer 4: keys and references. Ids are unique per table; every reference names an existing id."""

from __future__ import annotations

from typing import Any

from china_ai_claims.validators.files import Context
from china_ai_claims.validators.tables import Table


def check_keys(
    context: Context, tables: dict[str, Table], schemas: dict[str, dict[str, Any]]
) -> dict[str, set[str]]:
    """Report duplicate ids and dangling references; returns the ids of each table."""
    ids: dict[str, set[str]] = {}
    for name, table in tables.items():
        first_line: dict[str, int] = {}
        for row in table.rows:
            identifier = row.cells.get("id", "")
            if not identifier:
                continue
            if identifier in first_line:
                context.add(
                    table.file,
                    row.line,
                    "primary-key",
                    f"id {identifier!r} is already used on line {first_line[identifier]}",
                    "id",
                    identifier,
                )
                row.ok = False
            else:
                first_line[identifier] = row.line
        ids[name] = set(first_line)
    for name, table in tables.items():
        for foreign_key in schemas[name].get("foreignKeys", []):
            (column,) = foreign_key["fields"]
            target = foreign_key["reference"]["resource"] or name
            if target not in tables or not tables[target].complete:
                continue  # the referenced file's own problems are already reported
            known = ids[target]
            for row in table.rows:
                value = row.cells.get(column, "")
                if value and value not in known:
                    context.add(
                        table.file,
                        row.line,
                        "foreign-key",
                        f"no row of {target} has id {value!r}",
                        column,
                        value,
                    )
                    row.ok = False
    return ids
