"""Row pages link their foreign keys, as table pages do: each reference shows the referenced
row's label, linked to its row page, then the id (Datasette 0.65 links keys on table pages only).
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup


async def _linked(value: str, column: str, table: str, database: str, datasette: Any) -> Any:
    db = datasette.get_database(database)
    for key in await db.foreign_keys_for_table(table):
        if key["column"] != column:
            continue
        other, other_column = key["other_table"], key["other_column"]
        label = value
        label_column = await db.label_column_for_table(other)
        if label_column:
            found = await db.execute(
                f'SELECT "{label_column}" FROM "{other}" WHERE "{other_column}" = ?',  # noqa: S608
                [value],
            )
            row = found.first()
            if row is not None and row[0]:
                label = row[0]
        href = datasette.urls.row(database, other, tilde_encode(value))
        return Markup('<a href="{}">{}</a>&nbsp;<em>{}</em>').format(href, label, value)
    return None


@hookimpl  # type: ignore[untyped-decorator]  # datasette ships no type hints
def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    # Table pages hand expanded keys over as dicts and link them already; plain text is a row
    # page's unexpanded key, or a column that is not a key (left as it is).
    if not isinstance(value, str) or not table or not value:
        return None
    return _linked(value, column, table, database, datasette)
