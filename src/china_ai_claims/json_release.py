"""Read a JSON release a record at a time, so that its tables never exist as Python objects.

A JSON release is one object: ``metadata`` (the data package's descriptor) and an array of
records for each table. ``json.loads`` would build a Python object for every value of the file at
once: some five times the file's size for a genuine release, and up to some thirty times for a
hostile one (nothing but empty arrays). Here the top level and each table's array are walked by
hand, and each value inside them is parsed by ``JSONDecoder.raw_decode`` from a window of the
text; a value longer than ``limits.json_record_chars`` characters (``descriptor_bytes`` for the
metadata and any other value of the top level) is refused before its objects are built, and each
record becomes a CSV row at once. The tables before the metadata (a release's keys are sorted,
so three tables come first) are written under the fields of the metadata found where a release
writes it, read ahead of the walk; a table written under other fields than the metadata's own
(which only a file written otherwise can give) is walked again.

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
from typing import Any

from china_ai_claims import limits
from china_ai_claims.descriptors import JSON_DECODER, check_depth, check_descriptor
from china_ai_claims.errors import ReleaseDataError, ReleaseError, ReleaseFormatError

METADATA = "metadata"
# Values are parsed from windows of the text this long (or the limit and one more, if longer): a
# window serves the many records it holds, so that each character is copied about once, and
# bounds what one parse can build.
WINDOW_CHARS = 1 << 22
_SPACE = re.compile(r"[ \t\n\r]*")


class _Walk:
    """A position in the text of a JSON document, and the window of it that values are parsed
    from."""

    def __init__(self, text: str, shown: str) -> None:
        self.text = text
        self.shown = shown
        self.at = 0
        self.window = ""
        self.window_start = 0
        self.window_outer = 0  # the containers around the value the window starts at
        self.window_counted = False  # whether check_depth measured the window

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

    def value(self, longest: int, what: str, outer: int, counted: bool = True) -> Any:
        """The value at the position, inside ``outer`` containers, parsed from a window holding
        more than ``longest`` characters from it (or the rest of the text). ``counted``: the
        window's nesting is measured before the parse (records are measured after theirs, as
        objects, which costs far less than scanning their text)."""
        self.space()
        text, start = self.text, self.at
        size = max(longest + 1, WINDOW_CHARS)  # what one parse may read from ``start``
        window_end = self.window_start + len(self.window)
        if not (
            self.window_start <= start
            and window_end - start <= size
            and (start + longest < window_end or window_end == len(text))
        ):
            self.window_start, self.window_outer, self.window_counted = start, outer, False
            self.window = text[start : start + size]
            window_end = start + len(self.window)
        if counted and not self.window_counted:
            # the window starts at a value, outside any string, inside ``window_outer``
            # containers; the text before each value it gives has been parsed, so the brackets
            # counted up to there are the document's
            check_depth(self.window, self.shown, self.window_outer)
            self.window_counted = True
        whole = window_end == len(text)
        offset = self.window_start
        try:
            value, end = JSON_DECODER.raw_decode(self.window, start - offset)
        except json.JSONDecodeError as error:
            if whole:
                raise self.error(error.msg, error.pos + offset) from None
            raise ReleaseFormatError(  # the window ended inside the value, or the value is wrong
                f"{self.shown}: {what}: not valid JSON, or longer than the {longest:,} characters "
                f"allowed ({self.located(error.msg, error.pos + offset)})"
            ) from None
        except RecursionError:
            raise _too_deep(self.shown, what) from None
        except ValueError as error:  # NaN, Infinity, overflow
            raise ReleaseFormatError(f"{self.shown}: not valid JSON ({error})") from None
        if offset + end - start > longest:
            raise ReleaseFormatError(
                f"{self.shown}: {what}: longer than the {longest:,} characters allowed"
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
        wrong: ReleaseError | None = None
        number = 0
        if self.space() == "]":
            self.at += 1
        else:
            more = True
            while more:
                number += 1
                what = f"{table}, record {number}"
                record = self.value(limits.LIMITS.json_record_chars, what, 2, counted=False)
                _refuse_deeper(record, self.shown, what)
                if wrong is None and not isinstance(record, dict):
                    wrong = _not_records(self.shown, table)
                elif wrong is None and fields is not None:
                    wrong = _write(writer, self.shown, table, number, fields, record)
                more = self.more("]")
        if wrong is not None:
            return wrong
        return buffer.getvalue().encode("utf-8")


CONTAINERS = frozenset((dict, list))


def _refuse_deeper(record: Any, shown: str, what: str) -> None:
    """Refuse a record nested deeper, with the array and the document around it, than
    ``limits.json_depth`` (a genuine record holds lists of texts: four deep)."""
    try:
        depth = 2 + _nesting(record)
    except RecursionError:
        raise _too_deep(shown, what) from None
    if depth > limits.LIMITS.json_depth:
        raise ReleaseFormatError(
            f"{shown}: JSON nested {depth} deep, more than the {limits.LIMITS.json_depth} allowed"
        )


def _nesting(value: Any) -> int:
    """How many arrays and objects ``value`` is, one inside another, at its deepest."""
    kind = type(value)
    if kind is not dict and kind is not list:
        return 0
    inner = value.values() if kind is dict else value
    if CONTAINERS.isdisjoint(map(type, inner)):
        return 1
    return 1 + max(map(_nesting, inner))


def _too_deep(shown: str, what: str) -> ReleaseFormatError:
    return ReleaseFormatError(
        f"{shown}: {what}: JSON nested more than the {limits.LIMITS.json_depth} allowed"
    )


def _write(
    writer: Any, shown: str, table: str, number: int, fields: list[str], record: dict[str, Any]
) -> ReleaseError | None:
    from china_ai_claims.opening import csv_text

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
        walk.value(limits.LIMITS.descriptor_bytes, "the document", 0)  # valid JSON, or refused
        if walk.space():
            raise walk.error("Extra data", walk.at)
        raise _no_metadata(shown)
    walk.at += 1
    metadata: Any = None
    fields = _fields_ahead(text, shown)  # a guess, until the metadata is read
    starts: dict[str, int | None] = {}  # each key's array, by where it starts (None: no array)
    # each table's CSV (or what is wrong with it), with the fields it was written under
    written: dict[str, tuple[list[str], bytes | ReleaseError]] = {}
    more = walk.space() != "}"
    if not more:
        walk.at += 1
    while more:
        key = walk.key()
        written.pop(key, None)
        if key == METADATA:
            metadata = walk.value(limits.LIMITS.descriptor_bytes, METADATA, 1)
            fields = _fields(metadata, shown) if isinstance(metadata, dict) else None
        elif walk.text[walk.at : walk.at + 1] != "[":
            walk.value(limits.LIMITS.descriptor_bytes, repr(key), 1)
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
    final = _fields(metadata, shown)
    assert final is not None  # the descriptor's check passed
    contents: dict[str, bytes] = {}
    for table, names in final.items():
        used, result = written.get(table, (None, None))
        if used != names or result is None:  # not written, or under other fields
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


def _fields_ahead(text: str, shown: str) -> dict[str, list[str]] | None:
    """The fields of the metadata found first where a release writes it (``"metadata":``, which
    no string holds), so that the tables before it are written as they are walked; ``None``
    when there is none to read there. Only a guess: a table written under other fields than the
    metadata's own is walked again."""
    at = text.find('"metadata":')
    if at < 0:
        return None
    start = _SPACE.match(text, at + len('"metadata":')).end()  # type: ignore[union-attr]
    window = text[start : start + limits.LIMITS.descriptor_bytes + 1]
    try:
        check_depth(window, shown, 1)
        metadata, _ = JSON_DECODER.raw_decode(window)
    except (ValueError, RecursionError, ReleaseFormatError):
        return None
    return _fields(metadata, shown) if isinstance(metadata, dict) else None


def _fields(metadata: dict[str, Any], shown: str) -> dict[str, list[str]] | None:
    """Each table's field names as ``metadata`` lists them; ``None`` when its descriptor is not
    one the loader reads (which the check after the walk reports)."""
    try:
        check_descriptor(
            {**metadata, "resources": metadata.get("resources")}, shown, paths=False, hashes=False
        )
    except ReleaseFormatError:
        return None
    return {
        resource["name"]: [field["name"] for field in resource["schema"]["fields"]]
        for resource in metadata["resources"]
    }


def _no_metadata(shown: str) -> ReleaseFormatError:
    return ReleaseFormatError(f"{shown}: not a china-ai-claims JSON release (no metadata)")


def _not_records(shown: str, table: str) -> ReleaseFormatError:
    return ReleaseFormatError(f"{shown}: {table!r} is not an array of records")


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
