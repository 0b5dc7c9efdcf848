"""Layer 7: the dataset as a whole, the facts no single row can show.

Runs after every row has been read (keys, record rules and provenance have judged each row):
no loop in a hierarchy (an organization's parents, a model's series) and no row that names itself
where another row is meant; every archived text archived once; a source published no later than
it was retrieved and neither date in the future; a date resolved from a publication date lying
where its relative words say; no row repeated under another id.

Only what cannot be legitimate is an error here. A loop of "built on" claims, for example, is not
one: two sources may each claim the other direction, and the dataset records what they claim.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from china_ai_claims.relative_time import possible_dates
from china_ai_claims.validators.files import Context
from china_ai_claims.validators.records import RESOLVED_FROM_PUBLICATION
from china_ai_claims.validators.tables import Row, Table

# table -> (column naming the parent row in the same table, what the hierarchy is)
HIERARCHIES = {
    "organizations": ("parent_id", "owner"),
    "models": ("series_id", "series"),
}
# table -> pairs of columns that may not name the same row
DISTINCT_PARTIES = {
    "events": ("organization_id", "counterpart_organization_id"),
    "other_claims": ("subject_model_id", "object_model_id"),
}
UNCOMPARED_COLUMNS = frozenset({"id", "note"})
# the cells the rules of a single row read (the others are not collected)
WATCHED_COLUMNS = (
    "id",
    "sha256",
    "published",
    "retrieved",
    *(column for column, _ in HIERARCHIES.values()),
    *(column for pair in DISTINCT_PARTIES.values() for column in pair),
    "time_resolved_from",
    "source_id",
    "time_text",
    "start_date",
    "end_date",
)
# A date written on the far side of the date line is still "today" somewhere.
FUTURE_MARGIN = timedelta(days=1)


class _Layout:
    """Where one table's rows hold the cells the whole-data rules read, and which rules apply to
    it, found once per table; and the table's rows seen so far, for the repeated-row rule."""

    def __init__(self, table: Table) -> None:
        index = table.index
        self.watched = [(column, index[column]) for column in WATCHED_COLUMNS if column in index]
        self.is_sources = table.name == "sources"
        self.hierarchy = HIERARCHIES.get(table.name)
        self.parties = DISTINCT_PARTIES.get(table.name)
        # the rows that need the cells by name: every row of a table with a rule of a single row
        # beside the repeated-row rule, else only a row whose date is resolved from publication
        self.every_row = self.is_sources or bool(self.hierarchy) or bool(self.parties)
        self.resolved_position = index.get("time_resolved_from")
        self.id_position = index.get("id")
        positions = [
            position for column, position in index.items() if column not in UNCOMPARED_COLUMNS
        ]
        getter = operator.itemgetter(*positions) if positions else None
        self.compared: Callable[[list[str]], tuple[str, ...]] = (
            (lambda cells: ())
            if getter is None
            else (getter if len(positions) > 1 else lambda cells: (getter(cells),))
        )
        # each row's digest of its compared cells -> its line and id
        self.rows_seen: dict[bytes, tuple[int, str]] = {}


@dataclass(frozen=True)
class _Link:
    line: int
    child: str
    parent: str


@dataclass(frozen=True)
class _ResolvedTime:
    file: str
    line: int
    source_id: str
    time_text: str
    dates: tuple[tuple[str, date], ...]


@dataclass
class WholeCheck:
    """Collects, row by row, the few cells the whole-data rules need, then judges them at
    :meth:`finish`. Cells a former layer found broken are not collected: their problem is
    reported already."""

    today: date = field(default_factory=lambda: datetime.now(timezone.utc).date())
    links: dict[str, list[_Link]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    texts: dict[str, tuple[str, int]] = field(default_factory=dict)
    resolved: list[_ResolvedTime] = field(default_factory=list)
    layouts: dict[str, _Layout] = field(default_factory=dict)

    def observe(self, context: Context, table: Table, row: Row) -> None:
        """Judge what one row shows alone and keep what needs the others."""
        if not row.usable:
            return
        layout = self.layouts.get(table.name)
        if layout is None:
            layout = self.layouts[table.name] = _Layout(table)
            self.files[table.name] = table.file
        cells, broken = row.cells, row.broken
        resolved = layout.resolved_position
        if layout.every_row or (
            resolved is not None
            and cells[resolved] == RESOLVED_FROM_PUBLICATION
            and "time_resolved_from" not in broken
        ):
            usable = {
                column: cells[position]
                for column, position in layout.watched
                if cells[position] and column not in broken
            }
            self._observe_cells(context, table, row, layout, usable)
        if not layout.is_sources and not row.unparsed:
            self._check_repeated(context, table, row, layout)

    def _observe_cells(
        self, context: Context, table: Table, row: Row, layout: _Layout, usable: dict[str, str]
    ) -> None:
        if layout.is_sources:
            self._check_source(context, table, row, usable)
        if layout.hierarchy is not None:
            column, _ = layout.hierarchy
            if column in usable and "id" in usable:
                if usable[column] == usable["id"]:
                    context.add(
                        table.file,
                        row.line,
                        "self-reference",
                        f"{column} names the row itself",
                        column,
                        usable[column],
                    )
                else:
                    link = _Link(row.line, usable["id"], usable[column])
                    self.links.setdefault(table.name, []).append(link)
        if layout.parties is not None:
            first, second = layout.parties
            if first in usable and usable.get(second) == usable[first]:
                context.add(
                    table.file,
                    row.line,
                    "self-reference",
                    f"{second} names the same row as {first}",
                    second,
                    usable[second],
                )
        if usable.get("time_resolved_from") == RESOLVED_FROM_PUBLICATION:
            self._keep_resolved_time(table, row, usable)

    def _check_source(
        self, context: Context, table: Table, row: Row, usable: dict[str, str]
    ) -> None:
        digest = usable.get("sha256")
        if digest is not None and "id" in usable:
            if digest in self.texts:
                first_id, first_line = self.texts[digest]
                context.add(
                    table.file,
                    row.line,
                    "duplicate-source-text",
                    f"the archived text is the same as that of source {first_id!r} "
                    f"(line {first_line}): one text is one source",
                    "sha256",
                    digest,
                )
            else:
                self.texts[digest] = (usable["id"], row.line)
        published = table.value(row, "published") if "published" in usable else None
        retrieved = table.value(row, "retrieved") if "retrieved" in usable else None
        if published is not None and retrieved is not None and published > retrieved:
            context.add(
                table.file,
                row.line,
                "published-after-retrieved",
                f"published {published} is after retrieved {retrieved}: a text is archived "
                "after it is published",
                "published",
                usable["published"],
            )
        for column, day in (("published", published), ("retrieved", retrieved)):
            if day is not None and day > self.today + FUTURE_MARGIN:
                context.add(
                    table.file,
                    row.line,
                    "date-in-future",
                    f"{column} {day} is after today ({self.today})",
                    column,
                    usable[column],
                )

    def _keep_resolved_time(self, table: Table, row: Row, usable: dict[str, str]) -> None:
        if "source_id" not in usable or "time_text" not in usable:
            return  # the record rules report a resolved date without its words
        dates = tuple(
            (column, table.value(row, column))
            for column in ("start_date", "end_date")
            if column in usable
        )
        self.resolved.append(
            _ResolvedTime(table.file, row.line, usable["source_id"], usable["time_text"], dates)
        )

    def _check_repeated(self, context: Context, table: Table, row: Row, layout: _Layout) -> None:
        compared = "\x00".join(layout.compared(row.cells))
        key = hashlib.sha256(compared.encode("utf-8", "surrogatepass")).digest()
        position = layout.id_position
        identifier = "" if position is None else row.cells[position]
        first = layout.rows_seen.setdefault(key, (row.line, identifier))
        if first[0] == row.line:
            return  # the first row with these cells (lines only grow within a table)
        line, first_id = first
        if identifier != first_id:  # under the same id, the primary-key rule says it already
            context.add(
                table.file,
                row.line,
                "duplicate-row",
                f"the row repeats line {line} ({first_id}) in every column but id and note",
                "id",
                identifier,
            )

    def finish(self, context: Context, published: dict[str, date | None]) -> None:
        """Judge what needs every row: loops in hierarchies, resolved dates against their
        source's publication date. ``published`` maps source ids to publication dates."""
        for table, links in self.links.items():
            column, what = HIERARCHIES[table]
            for loop in _loops(links):
                first = min(loop, key=lambda link: link.line)
                path = " -> ".join([*(link.child for link in _from(loop, first)), first.child])
                context.add(
                    self.files[table],
                    first.line,
                    "hierarchy-cycle",
                    f"the {what} chain of {column} loops back: {path}",
                    column,
                    first.parent,
                )
        for time in self.resolved:
            day = published.get(time.source_id)
            possible = None if day is None else possible_dates(time.time_text, day)
            if day is None or possible is None:
                continue
            low, high = possible
            for column, value in time.dates:
                if not low <= value <= high:
                    context.add(
                        time.file,
                        time.line,
                        "resolved-date-mismatch",
                        f"{column} {value} is outside {low} to {high}, where "
                        f"{time.time_text!r} lies for a source published {day}",
                        column,
                        value.isoformat(),
                    )


def _from(loop: list[_Link], start: _Link) -> list[_Link]:
    """The links of ``loop`` in order, beginning at ``start``."""
    position = loop.index(start)
    return loop[position:] + loop[:position]


def _loops(links: list[_Link]) -> list[list[_Link]]:
    """Each loop of child -> parent links, its links in the order they are followed."""
    parents: dict[str, list[_Link]] = {}
    for link in links:
        parents.setdefault(link.child, []).append(link)
    finished: set[str] = set()
    loops: list[list[_Link]] = []
    for start in parents:
        if start in finished:
            continue
        # Depth-first along parent links, without recursion so that a long chain cannot
        # overflow the stack. ``position[node]``: where the links leaving ``node`` begin in
        # ``path``, for the nodes on the current path.
        path: list[_Link] = []
        position = {start: 0}
        pending = [iter(parents[start])]
        while pending:
            step = next(pending[-1], None)
            if step is None:
                pending.pop()
                node = path.pop().parent if path else start
                finished.add(node)
                del position[node]
            elif step.parent in position:
                loops.append([*path[position[step.parent] :], step])
            elif step.parent not in finished:
                position[step.parent] = len(path) + 1
                path.append(step)
                pending.append(iter(parents.get(step.parent, [])))
    return loops
