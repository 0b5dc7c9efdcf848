"""Layer 5: record rules, the pydantic models' own checks (bounds against amounts, ranges,
currencies, dates) and the rules that join two tables."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from itertools import compress
from typing import Any

from pydantic import ValidationError
from pydantic_core import SchemaValidator

from china_ai_claims._resources import LIST_DELIMITER
from china_ai_claims.models import Record, TimeResolvedFrom, list_columns, without_cell_conversion
from china_ai_claims.validators.files import Context
from china_ai_claims.validators.problems import RULES
from china_ai_claims.validators.tables import Row, Table

# the cell's word for it (read from the enum member once, not for every row)
RESOLVED_FROM_PUBLICATION = TimeResolvedFrom.publication_date.value


class RecordCheck:
    """The record rules for the rows of one table, with what they need of the table (its record
    model's validator, its list columns, where the dates' resolution is) found once."""

    def __init__(self, table: Table, model: type[Record]) -> None:
        self.table = table
        self.validate = _validator(model)
        self.names = tuple(table.index)
        self.lists = list_columns(model)
        self.resolved_at = table.index.get("time_resolved_from")
        self.source_at = table.index.get("source_id")

    def check(self, context: Context, row: Row, published: dict[str, date | None]) -> Record | None:
        """Validate a structurally sound row with the table's record model; the record, or
        ``None`` when the row could not be judged or breaks a rule of the model.

        Rows with a cell problem (stray spaces, a broken pattern) are judged too, so that one run
        shows every problem; pydantic's own complaint about such a cell is not repeated. A row
        that breaks a record rule still goes on to the provenance checks. ``published`` maps each
        source id to its publication date, for the rule that joins a row to its source.
        """
        if not row.usable or row.unparsed:
            return None  # a value that could not be read cannot be judged by the record rules
        record: Record | None = None
        table = self.table
        try:
            record = self.validate(self.model_input(row))
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
        if self.resolved_at is not None:
            self._check_resolved_dates(context, row, published)
        return record

    def model_input(self, row: Row) -> dict[str, Any]:
        """The row as ``Record._from_csv_cells`` turns CSV cells into model input: empty cells
        left out, list cells split."""
        pairs = zip(self.names, row.cells, strict=True)
        cells: dict[str, Any] = dict(compress(pairs, row.cells))  # the pairs of filled cells
        if self.lists:
            for name in self.lists & cells.keys():
                cells[name] = cells[name].split(LIST_DELIMITER)
        return cells

    def _check_resolved_dates(
        self, context: Context, row: Row, published: dict[str, date | None]
    ) -> None:
        assert self.resolved_at is not None
        if row.values[self.resolved_at] != RESOLVED_FROM_PUBLICATION:
            return
        source_id = "" if self.source_at is None else row.cells[self.source_at]
        # a source that is not listed is foreign-key's to report, once
        if source_id in published and published[source_id] is None:
            context.add(
                self.table.file,
                row.line,
                "unresolvable-date",
                f"dates are resolved from the publication date, but source {source_id!r} "
                "has no published date",
                "time_resolved_from",
            )


@functools.cache
def _validator(model: type[Record]) -> Callable[[dict[str, Any]], Record]:
    """A validator of ``model`` for input that :meth:`RecordCheck.model_input` made: the
    model's own core schema without the before-validator that would make it again, cell by cell
    (a call from pydantic into Python for every row). The same rules, hence the same errors and
    records; the model's own validation when the schema is not shaped as expected."""
    schema = without_cell_conversion(model.__pydantic_core_schema__)
    if schema is None:
        return model.model_validate
    validate: Callable[[dict[str, Any]], Record] = SchemaValidator(schema).validate_python
    return validate
