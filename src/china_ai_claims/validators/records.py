"""Layer 5: record rules, the pydantic models' own checks (bounds against amounts, ranges,
currencies, dates) and the rules that join two tables."""

from __future__ import annotations

from pydantic import ValidationError

from china_ai_claims.models import Record, TimeResolvedFrom, record_type
from china_ai_claims.validators.files import Context
from china_ai_claims.validators.problems import RULES
from china_ai_claims.validators.tables import Table


def check_records(context: Context, tables: dict[str, Table]) -> dict[str, dict[str, Record]]:
    """Validate every structurally sound row with its model; returns the records by table and id."""
    records: dict[str, dict[str, Record]] = {}
    for name, table in tables.items():
        model = record_type(name)
        records[name] = {}
        for row in table.rows:
            if not row.ok:
                continue
            try:
                record = model.model_validate(row.cells)
            except ValidationError as error:
                row.ok = False
                for detail in error.errors(include_url=False):
                    rule = detail["type"] if detail["type"] in RULES else "record-rule"
                    column = (detail.get("ctx") or {}).get("column")
                    if column is None and detail["loc"]:
                        column = str(detail["loc"][0])
                    value = row.cells.get(column) if column else None
                    context.add(table.file, row.line, rule, detail["msg"], column, value)
                continue
            records[name][record.id] = record
    _check_resolved_dates(context, tables, records)
    return records


def _check_resolved_dates(
    context: Context, tables: dict[str, Table], records: dict[str, dict[str, Record]]
) -> None:
    published = {
        identifier: getattr(source, "published", None)
        for identifier, source in records.get("sources", {}).items()
    }
    for name in ("funding_claims", "events"):
        if name not in tables:
            continue
        for row in tables[name].rows:
            record = records[name].get(row.cells.get("id", ""))
            if record is None:
                continue
            source_id = getattr(record, "source_id", "")
            resolved = getattr(record, "time_resolved_from", None)
            if resolved is TimeResolvedFrom.publication_date and published.get(source_id) is None:
                context.add(
                    tables[name].file,
                    row.line,
                    "unresolvable-date",
                    f"dates are resolved from the publication date, but source {source_id!r} "
                    "has no published date",
                    "time_resolved_from",
                )
                row.ok = False
