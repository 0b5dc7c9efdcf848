"""Layer 6: provenance. Each source is unaltered; each quote is in its source; every number a row
asserts is written in its quote; every verbatim cell is copied from it; every linked name is in the
quote or its paragraph."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from china_ai_claims.models import (
    RECORD_TYPES,
    AIModel,
    Asserted,
    Organization,
    Person,
    Record,
    References,
    Verbatim,
)
from china_ai_claims.numbers import is_written, numbers_in
from china_ai_claims.passages import locate
from china_ai_claims.validators.files import SOURCES_FOLDER, Context, read_file
from china_ai_claims.validators.tables import Row, Table
from china_ai_claims.validators.text import check_source_text, decode

ENTITY_TABLES = frozenset({Organization.table, Person.table, AIModel.table})


@dataclass(frozen=True)
class _Columns:
    """Which columns of a table the provenance rules look at."""

    asserted: tuple[str, ...]
    verbatim: tuple[str, ...]
    linked: tuple[tuple[str, str], ...]


def _columns(record: type[Record]) -> _Columns:
    asserted, verbatim, linked = [], [], []
    for name, info in record.model_fields.items():
        for marker in info.metadata:
            if isinstance(marker, Asserted):
                asserted.append(name)
            elif isinstance(marker, Verbatim):
                verbatim.append(name)
            elif isinstance(marker, References) and marker.table in ENTITY_TABLES:
                linked.append((name, marker.table))
    return _Columns(tuple(asserted), tuple(verbatim), tuple(linked))


COLUMNS = {record.table: _columns(record) for record in RECORD_TYPES}


def _plain(number: float) -> str:
    return str(int(number)) if number.is_integer() else repr(number)


class SourceCheck:
    """Each listed source is read once: its hash, size and text are checked, and its bytes kept
    for the quotes of the tables that follow (UTF-8 bytes take half the memory of the text)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.texts: dict[str, bytes] = {}
        self.listed: set[str] = set()

    def check(self, context: Context, row: Row) -> None:
        table = self.table
        path = table.cell(row, "path")
        self.listed.add(path)
        if not row.ok:
            return
        data = read_file(context, path, required=False)
        if data is None:
            if path not in context.files:
                context.add(
                    table.file, row.line, "source-missing", f"{path} does not exist", "path", path
                )
            return
        digest = hashlib.sha256(data).hexdigest()
        if digest != table.value(row, "sha256"):
            context.add(
                table.file,
                row.line,
                "hash-count",
                f"{path} has sha256 {digest}, not the recorded one",
                "sha256",
                table.cell(row, "sha256"),
            )
        if len(data) != table.value(row, "bytes"):
            context.add(
                table.file,
                row.line,
                "byte-count",
                f"{path} has {len(data)} bytes, not {table.cell(row, 'bytes')}",
                "bytes",
                table.cell(row, "bytes"),
            )
        check_source_text(context, path, decode(context, path, data))
        self.texts[table.cell(row, "id")] = data


def check_unlisted(context: Context, listed: set[str]) -> None:
    """Report files in ``sources/`` that ``sources.csv`` does not list."""
    for path in sorted(context.files):
        if path.startswith(f"{SOURCES_FOLDER}/") and path not in listed:
            context.add(path, 0, "unlisted-source-file", "the file is not listed in sources.csv")


class Names:
    """An entity's name and aliases, case-folded, found only as whole words ("Baidu’s" mentions
    Baidu; "Baiduism" does not). Plain strings, not a regex per entity: at scale there are tens of
    thousands of entities."""

    __slots__ = ("folded",)

    def __init__(self, names: list[str]) -> None:
        self.folded = tuple(sorted({name.casefold() for name in names if name}, key=len))

    def in_text(self, folded_text: str) -> bool:
        for name in self.folded:
            start = folded_text.find(name)
            while start >= 0:
                end = start + len(name)
                before = folded_text[start - 1] if start else " "
                after = folded_text[end] if end < len(folded_text) else " "
                if not _is_word(before, name[0]) and not _is_word(after, name[-1]):
                    return True
                start = folded_text.find(name, start + 1)
        return False


def _is_word(neighbour: str, edge: str) -> bool:
    """Whether ``neighbour`` joins ``edge`` into one word (both letters, digits or '_')."""
    return (neighbour.isalnum() or neighbour == "_") and (edge.isalnum() or edge == "_")


class QuoteCheck:
    """Each quoted row of one table against its source text, row by row.

    ``names`` holds the names of the entities read so far; an entity table records its own rows
    as they pass, and a link into the table itself (``parent_id``, ``series_id``) to a row not yet
    read waits for :meth:`finish`.
    """

    def __init__(
        self, table: Table, texts: dict[str, bytes], names: dict[str, dict[str, Names]]
    ) -> None:
        self.table = table
        self.texts = texts
        self.names = names
        self.columns = COLUMNS[table.name]
        self.entity = table.name in ENTITY_TABLES
        if self.entity:
            names.setdefault(table.name, {})
        self.pending: list[tuple[int, str, str, str, str]] = []

    def check(self, context: Context, row: Row) -> None:
        if not row.ok:
            return
        table = self.table
        if self.entity:
            own = [table.value(row, "name"), *(table.value(row, "aliases") or [])]
            self.names[table.name][table.cell(row, "id")] = Names(own)
        values = dict(zip(table.index, row.values, strict=True))
        quote: str = values["quote"]
        paragraph = self._paragraph(context, row, quote, values["source_id"])
        self._numbers(context, row, quote, values)
        for column in self.columns.verbatim:
            words = values.get(column)
            if words and words not in quote:
                context.add(
                    table.file,
                    row.line,
                    "text-not-in-quote",
                    "the cell is not copied from the quote",
                    column,
                    words,
                )
        folded_quote, folded_paragraph = quote.casefold(), paragraph.casefold()
        for column, target in self.columns.linked:
            linked = values.get(column)
            if not linked:
                continue
            known = self.names.get(target, {}).get(linked)
            if known is None:
                if target == table.name:
                    self.pending.append((row.line, column, linked, folded_quote, folded_paragraph))
                continue
            self._linked(
                context, row.line, column, target, linked, known, folded_quote, folded_paragraph
            )
        if self.entity and not self.names[table.name][values["id"]].in_text(folded_quote):
            context.add(
                table.file,
                row.line,
                "name-not-in-quote",
                "neither the name nor an alias is in the quote",
                "name",
                values["name"],
            )

    def finish(self, context: Context) -> None:
        """Check the links into the table itself that had to wait for later rows."""
        own = self.names.get(self.table.name, {})
        for line, column, linked, folded_quote, folded_paragraph in self.pending:
            known = own.get(linked)
            if known is not None:
                self._linked(
                    context,
                    line,
                    column,
                    self.table.name,
                    linked,
                    known,
                    folded_quote,
                    folded_paragraph,
                )

    def _paragraph(self, context: Context, row: Row, quote: str, source_id: str) -> str:
        """The source line(s) holding the quote; the quote itself when it is not in the source."""
        text = self.texts.get(source_id)
        if text is None:
            return quote
        encoded = quote.encode("utf-8")
        at = text.find(encoded)
        if at < 0:
            near = locate(quote, text.decode("utf-8", errors="replace"))
            where = f"; closest passage, line {near.line}: “{near.passage}”" if near else ""
            context.add(
                self.table.file,
                row.line,
                "quote-not-in-source",
                f"not found in source {source_id}: {near.describe() if near else ''}{where}",
                "quote",
                quote,
            )
            return quote
        start = text.rfind(b"\n", 0, at) + 1
        end = text.find(b"\n", at + len(encoded))
        return text[start : end if end >= 0 else len(text)].decode("utf-8", errors="replace")

    def _numbers(self, context: Context, row: Row, quote: str, values: dict[str, Any]) -> None:
        written: set[float] | None = None
        for column in self.columns.asserted:
            number = values.get(column)
            if number is None:
                continue
            if written is None:
                written = numbers_in(quote)
            if not is_written(float(number), written):
                shown = ", ".join(_plain(n) for n in sorted(written)) or "none"
                context.add(
                    self.table.file,
                    row.line,
                    "number-not-in-quote",
                    f"{_plain(float(number))} is not written in the quote "
                    f"(numbers it writes: {shown})",
                    column,
                    self.table.cell(row, column),
                )

    def _linked(
        self,
        context: Context,
        line: int,
        column: str,
        target: str,
        linked: str,
        known: Names,
        folded_quote: str,
        folded_paragraph: str,
    ) -> None:
        if not (known.in_text(folded_quote) or known.in_text(folded_paragraph)):
            context.add(
                self.table.file,
                line,
                "name-not-in-quote",
                f"{target} {linked!r}: neither its name nor an alias is in the quote or "
                "its paragraph",
                column,
                linked,
            )
