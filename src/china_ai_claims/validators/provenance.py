"""Layer 6: provenance. Each source is unaltered; each quote is in its source; every number a row
asserts is written in its quote; every verbatim cell is copied from it; every linked name is in the
quote or its paragraph."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

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


def check_sources(context: Context, table: Table | None) -> dict[str, str]:
    """Read each listed source, check its hash, size and text; returns the texts by source id."""
    texts: dict[str, str] = {}
    listed: set[str] = set()
    if table is None:
        return texts
    for row in table.rows:
        path = row.cells.get("path", "")
        listed.add(path)
        if not row.ok:
            continue
        data = read_file(context, path, required=False)
        if data is None:
            if path not in context.files:
                context.add(
                    table.file, row.line, "source-missing", f"{path} does not exist", "path", path
                )
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != row.values.get("sha256"):
            context.add(
                table.file,
                row.line,
                "hash-count",
                f"{path} has sha256 {digest}, not the recorded one",
                "sha256",
                row.cells["sha256"],
            )
        if len(data) != row.values.get("bytes"):
            context.add(
                table.file,
                row.line,
                "byte-count",
                f"{path} has {len(data)} bytes, not {row.cells['bytes']}",
                "bytes",
                row.cells["bytes"],
            )
        text = decode(context, path, data)
        check_source_text(context, path, text)
        texts[row.cells["id"]] = text
    for path in sorted(context.files):
        if path.startswith(f"{SOURCES_FOLDER}/") and path not in listed:
            context.add(path, 0, "unlisted-source-file", "the file is not listed in sources.csv")
    return texts


def _name_pattern(names: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def entity_names(tables: dict[str, Table]) -> dict[str, dict[str, re.Pattern[str]]]:
    """For each entity table, id -> a pattern matching the entity's name or any alias."""
    patterns: dict[str, dict[str, re.Pattern[str]]] = {}
    for name in ENTITY_TABLES:
        patterns[name] = {}
        for row in tables[name].rows if name in tables else []:
            if row.ok:
                names = [row.values["name"], *(row.values.get("aliases") or [])]
                patterns[name][row.values["id"]] = _name_pattern(names)
    return patterns


def check_quotes(
    context: Context,
    tables: dict[str, Table],
    texts: dict[str, str],
    names: dict[str, dict[str, re.Pattern[str]]],
) -> None:
    """Check every quoted row of every table against its source text."""
    for name, table in tables.items():
        if name == "sources":
            continue
        columns = COLUMNS[name]
        for row in table.rows:
            if row.ok:
                _check_row(context, table, row, columns, texts, names)


def _check_row(
    context: Context,
    table: Table,
    row: Row,
    columns: _Columns,
    texts: dict[str, str],
    names: dict[str, dict[str, re.Pattern[str]]],
) -> None:
    line, values, cells = row.line, row.values, row.cells
    quote: str = values["quote"]
    source_id: str = values["source_id"]
    file = table.file
    text = texts.get(source_id)
    paragraph = quote
    if text is not None:
        at = text.find(quote)
        if at < 0:
            near = locate(quote, text)
            where = f"; closest passage, line {near.line}: “{near.passage}”" if near else ""
            context.add(
                file,
                line,
                "quote-not-in-source",
                f"not found in source {source_id}: {near.describe() if near else ''}{where}",
                "quote",
                quote,
            )
        else:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at + len(quote))
            paragraph = text[start : end if end >= 0 else len(text)]
    written: set[float] | None = None
    for column in columns.asserted:
        number = values.get(column)
        if number is None:
            continue
        if written is None:
            written = numbers_in(quote)
        if not is_written(float(number), written):
            shown = ", ".join(_plain(n) for n in sorted(written)) or "none"
            context.add(
                file,
                line,
                "number-not-in-quote",
                f"{_plain(float(number))} is not written in the quote (numbers it writes: {shown})",
                column,
                cells[column],
            )
    for column in columns.verbatim:
        words = values.get(column)
        if words and words not in quote:
            context.add(
                file,
                line,
                "text-not-in-quote",
                "the cell is not copied from the quote",
                column,
                words,
            )
    for column, target in columns.linked:
        linked = values.get(column)
        pattern = names.get(target, {}).get(linked) if linked else None
        if pattern is not None and not (pattern.search(quote) or pattern.search(paragraph)):
            context.add(
                file,
                line,
                "name-not-in-quote",
                f"{target} {linked!r}: neither its name nor an alias is in the quote or "
                "its paragraph",
                column,
                linked,
            )
    if table.name in ENTITY_TABLES:
        own = names[table.name].get(values["id"])
        if own is not None and not own.search(quote):
            context.add(
                file,
                line,
                "name-not-in-quote",
                "neither the name nor an alias is in the quote",
                "name",
                values["name"],
            )
