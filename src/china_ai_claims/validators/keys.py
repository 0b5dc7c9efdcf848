"""Layer 4: keys and references. Ids are unique per table; each reference names an existing id."""

from __future__ import annotations

from typing import Any

from china_ai_claims.validators.files import Context
from china_ai_claims.validators.problems import MAX_SUGGESTIONS, did_you_mean
from china_ai_claims.validators.tables import Row, Table


class KeyCheck:
    """Duplicate ids and dangling references of one table, row by row.

    ``ids`` holds the ids of the tables checked before (tables reference only themselves and
    earlier tables), ``None`` for a table that could not be read to its end: references into it
    are not judged, since its own problems are already reported. References into the table itself
    wait for :meth:`finish`, when all its ids are known.
    """

    def __init__(self, table: Table, schema: dict[str, Any], ids: dict[str, set[str] | None]):
        self.table = table
        self.ids = ids
        self.first_line: dict[str, int] = {}
        # where each row holds its id and each reference (column, position, table), found once
        self.id_position = table.index["id"]
        self.references = [
            (
                key["fields"][0],
                table.index[key["fields"][0]],
                key["reference"]["resource"] or table.name,
            )
            for key in schema.get("foreignKeys", [])
        ]
        self.pending: list[tuple[int, str, str]] = []
        self.suggestions_left = MAX_SUGGESTIONS
        # the references into earlier tables with their ids (those of a table that could not be
        # read to its end are not judged) and the references into the table itself
        self.outside = [
            (column, position, target, known)
            for column, position, target in self.references
            if target != table.name and (known := ids.get(target)) is not None
        ]
        self.inside = [
            (column, position)
            for column, position, target in self.references
            if target == table.name
        ]

    def check(self, context: Context, row: Row) -> None:
        table, cells = self.table, row.cells
        identifier = cells[self.id_position]
        if identifier in self.first_line:
            context.add(
                table.file,
                row.line,
                "primary-key",
                f"id {identifier!r} is already used on line {self.first_line[identifier]}",
                "id",
                identifier,
            )
            row.ok = False
        elif identifier:
            self.first_line[identifier] = row.line
        broken = row.broken
        for column, position, target, known in self.outside:
            value = cells[position]
            # (an empty link, or one already reported as malformed, is not judged)
            if value and value not in known and column not in broken:
                self._dangling(context, row.line, column, target, value, known)
                row.ok = False
                broken.add(column)
        for column, position in self.inside:
            value = cells[position]
            if value and column not in broken:
                self.pending.append((row.line, column, value))

    def finish(self, context: Context) -> set[str]:
        """Check the references into the table itself; record and return its ids."""
        known = set(self.first_line)
        self.ids[self.table.name] = known if self.table.complete else None
        if self.table.complete:
            for line, column, value in self.pending:
                if value not in known:
                    self._dangling(context, line, column, self.table.name, value, known)
        return known

    def _dangling(
        self, context: Context, line: int, column: str, target: str, value: str, known: set[str]
    ) -> None:
        # A suggestion compares the id with every known one: bounded, so hostile input with
        # thousands of dangling links costs no more than a few.
        self.suggestions_left -= 1
        suggestion = did_you_mean(value, known) if self.suggestions_left >= 0 else ""
        context.add(
            self.table.file,
            line,
            "foreign-key",
            f"no row of {target} has id {value!r}{suggestion}",
            column,
            value,
        )
