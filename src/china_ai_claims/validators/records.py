"""Layer 5: record rules, the pydantic models' own checks (bounds against amounts, ranges,
currencies, dates) and the rules that join two tables."""

from __future__ import annotations

from datetime import date

from pydantic import ValidationError

from china_ai_claims.models import Record, TimeResolvedFrom
from china_ai_claims.validators.files import Context
from china_ai_claims.validators.problems import RULES
from china_ai_claims.validators.tables import Row, Table


def check_record(
    context: Context,
    table: Table,
    model: type[Record],
    row: Row,
    published: dict[str, date | None],
) -> Record | None:
    """Validate a structurally sound row with its table's record model; the record, or ``None``
    when the row could not be judged or breaks a rule of the model.

    Rows with a cell problem (stray spaces, a broken pattern) are judged too, so that one run
    shows every problem; pydantic's own complaint about such a cell is not repeated. A row that
    breaks a record rule still goes on to the provenance checks. ``published`` maps each source id
    to its publication date, for the rule that joins a row to its source.
    """
    if not row.usable or row.unparsed:
        return None  # a value that could not be read cannot be judged by the record rules
    record: Record | None = None
    try:
        record = model.model_validate(table.as_dict(row))
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            rule = detail["type"] if detail["type"] in RULES else "record-rule"
            column = (detail.get("ctx") or {}).get("column")
            if column is None and detail["loc"]:
                column = str(detail["loc"][0])
            if column in row.broken and rule == "record-rule":
                continue  # the cell's own problem is already reported
            value = table.cell(row, column) if column in table.index else None
            context.add(table.file, row.line, rule, detail["msg"], column, value)
    if "time_resolved_from" in table.index:
        _check_resolved_dates(context, table, row, published)
    return record


def _check_resolved_dates(
    context: Context, table: Table, row: Row, published: dict[str, date | None]
) -> None:
    source_id = table.cell(row, "source_id")
    resolved = table.value(row, "time_resolved_from")
    if resolved == TimeResolvedFrom.publication_date.value and published.get(source_id) is None:
        context.add(
            table.file,
            row.line,
            "unresolvable-date",
            f"dates are resolved from the publication date, but source {source_id!r} "
            "has no published date",
            "time_resolved_from",
        )
