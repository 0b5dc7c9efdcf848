"""Read a JSON release a record at a time, so that its tables never exist as Python objects.

A JSON release is one object: ``metadata`` (the data package's descriptor) and an array of
records for each table. ``json.loads`` would build a Python object for every value of the file at
once: some five times the file's size for a genuine release, and up to some thirty times for a
hostile one (nothing but empty arrays). Here the top level and each table's array are walked by
hand, and each value inside them is parsed by ``JSONDecoder.raw_decode`` from a window of the
text, whose nesting is measured before any of it is parsed. A value longer than
``limits.json_record_chars`` characters (``descriptor_bytes`` for the metadata) is refused, and
each record becomes a CSV row at once; a table's CSV may not outgrow ``table_bytes``, nor all of
them ``unpacked_bytes``.

The tables before the metadata (a release's keys are sorted, so three tables come first) are
walked once to check them and again, once the metadata names their fields, to write them: a
guess at the fields read ahead let a decoy make the reader write CSV that no table keeps.

The file may hold what ``json.loads`` accepts, with the checks of
:func:`~china_ai_claims.descriptors.decoded_json_text`; a key given twice means its last value,
as for ``json.loads``. Errors come in ``json.loads``'s order: the syntax of the whole file, then
the metadata, then each table in the metadata's order.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from functools import partial
from typing import Any

from china_ai_claims import limits
from china_ai_claims.descriptors import JSON_DECODER, check_depth, check_descriptor
from china_ai_claims.errors import ReleaseDataError, ReleaseError, ReleaseFormatError
from china_ai_claims.opening import csv_text

METADATA = "metadata"
# Values are parsed from windows of the text this long (or the limit and one more, if longer): a
# window serves the many values it holds, so that each character is measured and copied about
# once, and it bounds what one parse can build.
WINDOW_CHARS = 1 << 22
SHOWN_KEY_CHARS = 80
_SPACE = re.compile(r"[ \t\n\r]*")


def _shown_key(key: str) -> str:
    return repr(key if len(key) <= SHOWN_KEY_CHARS else key[: SHOWN_KEY_CHARS - 3] + "...")


def _record_named(table: str, number: int) -> str:
    return f"{_shown_key(table)}, record {number}"


class _Walk:
    """A position in the text of a JSON document, and the window of it that values are parsed
    from."""

    def __init__(self, text: str, shown: str) -> None:
        self.text = text
        self.shown = shown
        self.at = 0
        self.window = ""
        self.window_start = 0
        self.written = 0  # bytes of CSV held for the tables

    def located(self, message: str, position: int) -> str:
        """``message`` with the line, column and character of ``position``, as ``json`` says."""
        return str(json.JSONDecodeError(message, self.text, position))

    def error(self, message: str, position: int) -> ReleaseFormatError:
        return ReleaseFormatError(
            f"{self.shown}: not valid JSON ({self.located(message, position)})"
        )

    def space(self) -> str:
        """Skip white space; the character then reached ("" at the end)."""
        self.at = _SPACE.match(self.text, self.at).end()  # type: ignore[union-attr]
        return self.text[self.at : self.at + 1]

    def expect(self, character: str, message: str) -> None:
        if self.space() != character:
            raise self.error(message, self.at)
        self.at += 1

    def key(self) -> str:
        if self.space() != '"':
            raise self.error("Expecting property name enclosed in double quotes", self.at)
        try:
            key, self.at = json.decoder.scanstring(self.text, self.at + 1, True)  # type: ignore[attr-defined]
        except json.JSONDecodeError as error:
            raise self.error(error.msg, error.pos) from None
        self.expect(":", "Expecting ':' delimiter")
        self.space()
        return str(key)

    def more(self, closing: str) -> bool:
        """Past a comma (another member follows) or ``closing`` (the container ends)."""
        found = self.space()
        if found not in (",", closing):
            raise self.error("Expecting ',' delimiter", self.at)
        self.at += 1
        return found == ","

    def _cut(self, start: int, size: int, outer: int) -> None:
        """A window of ``size`` characters from the value at ``start``, inside ``outer``
        containers, measured: the text before each value it gives has been parsed, so the
        brackets counted up to there are the document's."""
        self.window_start = start
        self.window = self.text[start : start + size]
        check_depth(self.window, self.shown, outer)

    def value(self, longest: int, outer: int, what: Callable[[], str]) -> Any:
        """The value at the position, inside ``outer`` containers, parsed from a window that
        holds no more than ``longest`` characters and one from it, or ``WINDOW_CHARS``
        (``what`` names it in an error)."""
        self.space()
        text, start = self.text, self.at
        size = max(longest + 1, WINDOW_CHARS)
        window_end = self.window_start + len(self.window)
        if not (self.window_start <= start < window_end and window_end - start <= size):
            self._cut(start, size, outer)
        while True:
            offset = self.window_start
            window_end = offset + len(self.window)
            whole = window_end == len(text)
            problem: json.JSONDecodeError | None = None
            try:
                value, end = JSON_DECODER.raw_decode(self.window, start - offset)
                cut = offset + end == window_end and not whole  # a number may go on after it
            except json.JSONDecodeError as error:
                problem, cut = error, not whole
            except RecursionError:  # only when limits.json_depth is above Python's own
                raise ReleaseFormatError(
                    f"{self.shown}: {what()}: JSON nested deeper than Python can parse"
                ) from None
            except ValueError as error:  # NaN, Infinity, overflow
                raise ReleaseFormatError(f"{self.shown}: not valid JSON ({error})") from None
            if cut and offset < start:  # the value may run past the window: one of its own
                self._cut(start, size, outer)
                continue
            break
        if problem is not None:
            located = self.located(problem.msg, problem.pos + offset)
            if whole:
                raise ReleaseFormatError(f"{self.shown}: not valid JSON ({located})")
            raise ReleaseFormatError(  # the window ended inside the value, or the value is wrong
                f"{self.shown}: {what()}: not valid JSON, or longer than the {longest:,} "
                f"characters allowed ({located})"
            )
        if cut or offset + end - start > longest:
            raise ReleaseFormatError(
                f"{self.shown}: {what()}: longer than the {longest:,} characters allowed"
            )
        self.at = offset + end
        return value

    def records(self, table: str, fields: list[str] | None) -> bytes | ReleaseError:
        """Walk the array at the position: its records as CSV bytes under ``fields``, what is
        wrong with them, or (without ``fields``) empty bytes once the array is checked."""
        self.expect("[", "Expecting value")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if fields is not None:
            writer.writerow(fields)
        longest = limits.LIMITS.json_record_chars
        room = min(limits.LIMITS.table_bytes, limits.LIMITS.unpacked_bytes - self.written)
        not_records = outgrown = False
        wrong_cell: ReleaseError | None = None
        number = 0
        if self.space() == "]":
            self.at += 1
        else:
            more = True
            while more:
                number += 1
                record = self.value(longest, 2, partial(_record_named, table, number))
                if not isinstance(record, dict):
                    not_records = True  # which json.loads's reading said before any cell
                elif fields is not None and not not_records and wrong_cell is None:
                    wrong_cell = _write(writer, self.shown, table, number, fields, record)
                    if buffer.tell() > room:  # characters, each at least a byte
                        outgrown = True  # said if this table is kept (a later key may replace it)
                        fields = None
                more = self.more("]")
        if not_records:
            return _not_records(self.shown, table)
        if wrong_cell is not None:
            return wrong_cell
        if outgrown:
            return _outgrown(self.shown, table, room)
        written = buffer.getvalue().encode("utf-8")
        if len(written) > room:  # characters were counted as it grew: bytes may be more
            return _outgrown(self.shown, table, room)
        if fields is not None:
            self.written += len(written)
        return written


def _write(
    writer: Any, shown: str, table: str, number: int, fields: list[str], record: dict[str, Any]
) -> ReleaseError | None:
    cells = [csv_text(record.get(field)) for field in fields]
    joined = "".join(cells)
    if "\r" in joined or "\x00" in joined:
        return _outside_dialect(shown, table, number, fields, cells)
    writer.writerow(cells)
    return None


def read_json_release(text: str, shown: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The checked metadata of a JSON release, from the text that
    :func:`~china_ai_claims.descriptors.decoded_json_text` gave (its resources as the loader
    reads them: each at ``<name>.csv``), and each table's CSV bytes in the dataset's dialect."""
    walk = _Walk(text, shown)
    if walk.space() != "{":
        walk.value(limits.LIMITS.descriptor_bytes, 0, lambda: "the document")
        if walk.space():
            raise walk.error("Extra data", walk.at)
        raise _no_metadata(shown)  # valid JSON, but no object
    walk.at += 1
    metadata: Any = None
    fields: dict[str, list[str]] | None = None  # until the metadata is read
    starts: dict[str, int | None] = {}  # each key's array, by where it starts (None: no array)
    # each table's CSV (or what is wrong with it), with the fields it was written under
    written: dict[str, tuple[list[str], bytes | ReleaseError]] = {}
    more = walk.space() != "}"
    if not more:
        walk.at += 1
    while more:
        key = walk.key()
        _forget(walk, written, key)
        if key == METADATA:
            metadata = walk.value(limits.LIMITS.descriptor_bytes, 1, lambda: METADATA)
            fields = _fields(metadata, shown) if isinstance(metadata, dict) else None
        elif walk.text[walk.at : walk.at + 1] != "[":
            walk.value(limits.LIMITS.json_record_chars, 1, partial(_shown_key, key))
            starts[key] = None
        else:
            starts[key] = walk.at
            table_fields = None if fields is None else fields.get(key)
            walked = walk.records(key, table_fields)  # without fields: checked, written later
            if table_fields is not None:
                written[key] = (table_fields, walked)
        more = walk.more("}")
    if walk.space():
        raise walk.error("Extra data", walk.at)
    if not isinstance(metadata, dict):
        raise _no_metadata(shown)
    descriptor = {key: value for key, value in metadata.items() if key != "resources"}
    descriptor["resources"] = metadata.get("resources")
    check_descriptor(descriptor, shown, paths=False, hashes=False)
    final = _field_names(descriptor["resources"])
    for table in set(written) - set(final):
        _forget(walk, written, table)
    contents: dict[str, bytes] = {}
    for table, names in final.items():
        used, result = written.get(table, (None, None))
        if used != names or result is None:  # not written, or under other fields
            _forget(walk, written, table)
            start = starts.get(table)
            if start is None:
                raise _not_records(shown, table)
            walk.at = start
            result = walk.records(table, names)
        if isinstance(result, ReleaseError):
            raise result
        contents[table] = result
    descriptor["resources"] = [
        {**resource, "path": f"{resource['name']}.csv"} for resource in descriptor["resources"]
    ]
    return descriptor, contents


def _forget(
    walk: _Walk, written: dict[str, tuple[list[str], bytes | ReleaseError]], table: str
) -> None:
    """Drop what was written for ``table``, and count its characters no more."""
    _, result = written.pop(table, (None, None))
    if isinstance(result, bytes):
        walk.written -= len(result)


def _fields(metadata: dict[str, Any], shown: str) -> dict[str, list[str]] | None:
    """Each table's field names as ``metadata`` lists them; ``None`` when its descriptor is not
    one the loader reads (which the check after the walk reports)."""
    try:
        check_descriptor(
            {**metadata, "resources": metadata.get("resources")}, shown, paths=False, hashes=False
        )
    except ReleaseFormatError:
        return None
    return _field_names(metadata["resources"])


def _field_names(resources: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Each checked resource's field names, by its name."""
    return {
        resource["name"]: [field["name"] for field in resource["schema"]["fields"]]
        for resource in resources
    }


def _outgrown(shown: str, table: str, room: int) -> ReleaseFormatError:
    return ReleaseFormatError(f"{shown}: {table}: more than the {room:,} bytes of CSV allowed")


def _no_metadata(shown: str) -> ReleaseFormatError:
    return ReleaseFormatError(f"{shown}: not a china-ai-claims JSON release (no metadata)")


def _not_records(shown: str, table: str) -> ReleaseFormatError:
    return ReleaseFormatError(f"{shown}: {_shown_key(table)} is not an array of records")


def _outside_dialect(
    shown: str, table: str, number: int, fields: list[str], cells: list[str]
) -> ReleaseDataError:
    """The error for the first cell of record ``number`` holding a carriage return or a NUL
    byte, which no file of the dataset holds, naming the record (as row ``number + 1``, as the
    table's CSV counts) and field; the CSV made from it is no file of the release, so it is not
    the one named."""
    field, text = next(
        (field, text)
        for field, text in zip(fields, cells, strict=True)
        if "\r" in text or "\x00" in text
    )
    what = "a carriage return" if "\r" in text else "a NUL byte"
    return ReleaseDataError(
        f"{shown}: {table}, record {number}, {field}: {what}, which the dataset's cells never hold",
        file=shown,
        row=number + 1,
        column=field,
    )
