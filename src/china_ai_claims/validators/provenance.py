"""Layer 6: provenance. Each source is unaltered; each quote is in its source; every number a row
asserts is written in its quote; every verbatim cell is copied from it; every linked name is in the
quote or its paragraph."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from china_ai_claims._currencies import ISO_4217_CODES
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
from china_ai_claims.numbers import (
    currency_is_written,
    currency_markers,
    is_written,
    numbers_in,
)
from china_ai_claims.validators.files import (
    MAX_PROBLEMS_PER_FILE,
    SOURCES_FOLDER,
    Context,
    read_file,
)
from china_ai_claims.validators.tables import Row, Table
from china_ai_claims.validators.text import check_source_text, decode, without_crlf

ENTITY_TABLES = frozenset({Organization.table, Person.table, AIModel.table})
# A number is proved by the source's words for it when the row keeps them, else by the quote:
# "$53 billion over the next three years" must not prove an amount of 3.
WORDS_FOR = {
    "amount": "amount_text",
    "amount_low": "amount_text",
    "amount_high": "amount_text",
    "change_percent": "change_text",
    "horizon_value": "horizon_text",
    "period_value": "period_text",
    "year": "time_text",
}
MAX_ALIASES = 20  # names checked per entity; the record rules refuse longer lists
PARAGRAPH_WINDOW = 3000  # characters each side of a quote that count as its paragraph
MAX_NEAR_MISS_SEARCHES = 25  # closest-passage searches per table; later misses are just reported


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
    """``number`` as a reader writes it: an integer (of an integer column, or a whole float)
    without a decimal point, and never through a float, which rounds past 2**53."""
    if isinstance(number, int):
        return str(number)
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
        if not row.usable or row.broken & {"id", "path", "sha256", "bytes"}:
            return
        data = read_file(context, path, required=False)
        if data is None:
            # (a link, folder or device there is its own problem, named at its path)
            if path not in context.files and path not in context.reported_paths:
                context.add(
                    table.file, row.line, "source-missing", f"{path} does not exist", "path", path
                )
            return
        digest = hashlib.sha256(data).hexdigest()
        if digest != table.value(row, "sha256"):
            # Line endings converted on checkout are one problem, not a changed text.
            data = without_crlf(context, path, data)
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
        check_source_text(context, path, decode(context, path, data), data)
        self.texts[table.cell(row, "id")] = data


def check_unlisted(context: Context, listed: set[str]) -> None:
    """Report files in ``sources/`` that ``sources.csv`` does not list: each of the first
    ``MAX_PROBLEMS_PER_FILE``, then how many more (each is a file of its own, so the cap on a
    file's problems would not bound them)."""
    unlisted = [
        path
        for path in sorted(context.files)
        if path.startswith(f"{SOURCES_FOLDER}/") and path not in listed
    ]
    for path in unlisted[:MAX_PROBLEMS_PER_FILE]:
        context.add(path, 0, "unlisted-source-file", "the file is not listed in sources.csv")
    if len(unlisted) > MAX_PROBLEMS_PER_FILE:
        more = len(unlisted) - MAX_PROBLEMS_PER_FILE
        context.add(
            f"{SOURCES_FOLDER}/",
            0,
            "unlisted-source-file",
            f"and {more} more files that sources.csv does not list",
        )


class Names:
    """An entity's name and aliases, case-folded, found only as whole words ("Baidu’s" mentions
    Baidu; "Baiduism" does not). Plain strings, not a regex per entity: at scale there are tens of
    thousands of entities."""

    __slots__ = ("folded",)

    def __init__(self, names: list[str]) -> None:
        self.folded = tuple(sorted({name.casefold() for name in names if name}, key=len))

    def in_text(self, folded_text: str) -> bool:
        length = len(folded_text)
        for name in self.folded:
            start = folded_text.find(name)
            while start >= 0:
                end = start + len(name)
                # (as _is_word, inline: a neighbour that is no letter, digit or "_", as most are,
                # ends the word without a call)
                before = folded_text[start - 1] if start else " "
                after = folded_text[end] if end < length else " "
                if not (
                    (before.isalnum() or before == "_")
                    and _word_character(before)
                    and _word_character(name[0])
                ) and not (
                    (after.isalnum() or after == "_")
                    and _word_character(after)
                    and _word_character(name[-1])
                ):
                    return True
                start = folded_text.find(name, start + 1)
        return False


def _is_word(neighbour: str, edge: str) -> bool:
    """Whether ``neighbour`` joins ``edge`` into one word: both letters, digits or '_', and not
    of a script written without spaces between words (Chinese, Japanese, Korean)."""
    return _word_character(neighbour) and _word_character(edge)


def _word_character(character: str) -> bool:
    if not (character.isalnum() or character == "_"):
        return False
    point = ord(character)
    return point < 0x3040 or not (  # below the first of the scripts without spaces
        0x3040 <= point <= 0x30FF  # kana
        or 0x3400 <= point <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= point <= 0xD7AF  # Hangul syllables
        or 0xF900 <= point <= 0xFAFF
        or 0x20000 <= point <= 0x3FFFF
    )


def _written_as_is(name: str, text: bytes) -> bool:
    """Whether ``name`` is in the UTF-8 ``text`` exactly as written, as a whole word: a quick
    answer for most aliases, without case-folding the whole text. Only ``True`` is conclusive;
    then ``Names([name]).in_text(folded text)`` is true as well, since case folding maps each
    character on its own: the occurrence stays one in the folded text, between the folded
    neighbours. (``name`` begins with no continuation byte and ends with a whole character, so
    it is read as itself even beside bytes that are not UTF-8, and so are the neighbours read
    from at most four bytes each side.)"""
    folded = name.casefold()
    encoded = name.encode("utf-8")
    at = text.find(encoded)
    while at >= 0:
        end = at + len(encoded)
        before = text[max(at - 4, 0) : at].decode("utf-8", "replace")[-1:].casefold() or " "
        after = text[end : end + 4].decode("utf-8", "replace")[:1].casefold() or " "
        if not _is_word(before[-1], folded[0]) and not _is_word(after[0], folded[-1]):
            return True
        at = text.find(encoded, at + 1)
    return False


class _Paragraph:
    """The source line(s) around a quote (at most ``PARAGRAPH_WINDOW`` characters each side),
    found, decoded and case-folded only when a name is looked for beyond the quote itself (most
    names are in the quote)."""

    __slots__ = ("_at", "_folded", "_quote_end", "_text")

    def __init__(self, text: bytes, at: int, quote_end: int) -> None:
        self._text, self._at, self._quote_end = text, at, quote_end
        self._folded: str | None = None

    def folded(self) -> str:
        if self._folded is None:
            text, at, quote_end = self._text, self._at, self._quote_end
            start = max(text.rfind(b"\n", 0, at) + 1, at - PARAGRAPH_WINDOW)
            end = text.find(b"\n", quote_end)
            end = min(len(text) if end < 0 else end, quote_end + PARAGRAPH_WINDOW)
            self._folded = text[start:end].decode("utf-8", errors="replace").casefold()
        return self._folded


FOLDED_SOURCES_KEPT = 8


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
        self.pending: list[tuple[int, str, str, str, _Paragraph]] = []
        self.misses = 0
        self.folded_sources: dict[str, str] = {}
        # where each row holds the values the rules read, found once per table (a position in
        # the row's values, not a lookup by name for every row)
        index = table.index
        self.quote_at = index["quote"]
        self.source_at = index["source_id"]
        self.id_at = index["id"]
        self.name_at = index.get("name")
        self.aliases_at = index.get("aliases")
        self.currency_at = index.get("currency")
        self.asserted = [
            (column, index[column], WORDS_FOR.get(column), index.get(WORDS_FOR.get(column, "")))
            for column in self.columns.asserted
        ]
        self.verbatim = [(column, index[column]) for column in self.columns.verbatim]
        # the names of each linked table: an earlier table's, complete, or this table's, growing
        # as its rows pass (a table not read has none)
        self.linked = [
            (column, index[column], target, names.get(target, {}))
            for column, target in self.columns.linked
        ]

    def check(self, context: Context, row: Row) -> None:
        if not row.usable:
            return
        table, broken, values = self.table, row.broken, row.values
        entity = self.entity
        aliases: list[str] = []
        if entity:
            aliases_at = self.aliases_at
            aliases = ((None if aliases_at is None else values[aliases_at]) or [])[:MAX_ALIASES]
            if not broken & {"id", "name", "aliases"}:
                own = [None if self.name_at is None else values[self.name_at], *aliases]
                self.names[table.name][values[self.id_at]] = Names(own)
        quote: str | None = None if "quote" in broken else values[self.quote_at]
        if quote is None:
            return
        source_id = values[self.source_at]
        text = None if "source_id" in broken else self.texts.get(source_id)
        paragraph = self._paragraph(context, row, quote, source_id, text)
        if self.asserted:
            self._numbers(context, row, quote)
        if self.currency_at is not None:
            self._currency(context, row, quote, values[self.currency_at])
        for column, position in self.verbatim:
            words = values[position]
            if words and column not in broken and words not in quote:
                context.add(
                    table.file,
                    row.line,
                    "text-not-in-quote",
                    "the cell is not copied from the quote",
                    column,
                    words,
                )
        if paragraph is None:
            return  # no paragraph to look for names in: no source text, or the quote is not in it
        folded_quote = quote.casefold()
        for column, position, target, target_names in self.linked:
            linked = values[position]
            if not linked or column in broken:
                continue
            known = target_names.get(linked)
            if known is None:
                if target == table.name:
                    self.pending.append((row.line, column, linked, folded_quote, paragraph))
                continue
            self._linked(context, row.line, column, target, linked, known, folded_quote, paragraph)
        own_names = self.names[table.name].get(values[self.id_at]) if entity else None
        if own_names is not None:
            if not own_names.in_text(folded_quote):
                context.add(
                    table.file,
                    row.line,
                    "name-not-in-quote",
                    "neither the name nor an alias is in the quote",
                    "name",
                    None if self.name_at is None else values[self.name_at],
                )
            assert text is not None
            for alias in aliases:
                # As a whole word: the alias "state" is not written in "stated".
                if not _written_as_is(alias, text) and not Names([alias]).in_text(
                    self._folded_source(source_id, text)
                ):
                    context.add(
                        table.file,
                        row.line,
                        "alias-not-in-source",
                        f"the alias {alias!r} is not written in the source",
                        "aliases",
                        alias,
                    )

    def _folded_source(self, source_id: str, text: bytes) -> str:
        """The source's text, case-folded for the alias checks. The texts of the last few
        sources are kept (rows of one source usually come together), not every source's: a
        folded copy of each would grow with the sources."""
        folded = self.folded_sources.get(source_id)
        if folded is None:
            folded = text.decode("utf-8", errors="replace").casefold()
            if len(self.folded_sources) >= FOLDED_SOURCES_KEPT:
                del self.folded_sources[next(iter(self.folded_sources))]
            self.folded_sources[source_id] = folded
        return folded

    def finish(self, context: Context) -> None:
        """Check the links into the table itself that had to wait for later rows."""
        own = self.names.get(self.table.name, {})
        for line, column, linked, folded_quote, paragraph in self.pending:
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
                    paragraph,
                )

    def _paragraph(
        self, context: Context, row: Row, quote: str, source_id: str, text: bytes | None
    ) -> _Paragraph | None:
        """The paragraph of the quote; ``None`` without the source or when the quote is not in
        it (that is reported)."""
        if text is None:
            return None
        encoded = quote.encode("utf-8")
        at = text.find(encoded)
        if at < 0:
            self._near_miss(context, row, quote, source_id, text)
            return None  # no paragraph: the names are judged once the quote is right
        return _Paragraph(text, at, at + len(encoded))

    def _near_miss(
        self, context: Context, row: Row, quote: str, source_id: str, text: bytes
    ) -> None:
        self.misses += 1
        detail = ""
        if self.misses <= MAX_NEAR_MISS_SEARCHES:
            from china_ai_claims.passages import locate  # only for a quote not found: rare

            near = locate(quote, text.decode("utf-8", errors="replace"))
            if near is not None:
                detail = f": {near.describe()}"
                if near.passage:
                    detail += f"; closest passage, line {near.line}: “{near.passage}”"
        context.add(
            self.table.file,
            row.line,
            "quote-not-in-source",
            f"not found in source {source_id}{detail}",
            "quote",
            quote,
        )

    def _currency(self, context: Context, row: Row, quote: str, code: str | None) -> None:
        if not code or "currency" in row.broken or code not in ISO_4217_CODES:
            return  # an unknown code is the record rule's to report
        if not currency_is_written(code, quote):
            context.add(
                self.table.file,
                row.line,
                "currency-not-in-quote",
                f"the quote writes no {code} amount (no {', '.join(currency_markers(code))})",
                "currency",
                code,
            )

    def _numbers(self, context: Context, row: Row, quote: str) -> None:
        read: dict[str, set[float]] = {}  # a row's bounds and amount often share their words
        values, broken = row.values, row.broken
        for column, position, words_column, words_at in self.asserted:
            number = values[position]
            if number is None or column in broken:
                continue
            words = None if words_at is None else values[words_at]
            where, text = (words_column, words) if words else ("quote", quote)
            written = read.get(text)
            if written is None:
                written = read[text] = numbers_in(text)
            if not is_written(float(number), written):
                shown = ", ".join(_plain(n) for n in sorted(written)) or "none"
                context.add(
                    self.table.file,
                    row.line,
                    "number-not-in-quote",
                    f"{_plain(number)} is not written in the {where} (numbers it writes: {shown})",
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
        paragraph: _Paragraph,
    ) -> None:
        if not (known.in_text(folded_quote) or known.in_text(paragraph.folded())):
            context.add(
                self.table.file,
                line,
                "name-not-in-quote",
                f"{target} {linked!r}: neither its name nor an alias is in the quote or "
                "its paragraph",
                column,
                linked,
            )
