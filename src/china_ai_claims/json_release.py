"""Read a JSON release a record at a time, so that its tables never exist as Python objects.

A JSON release is one object: ``metadata`` (the data package's descriptor) and an array of
records for each table. ``json.loads`` would build a Python object for every value of the file at
once: some five times the file's size for a genuine release, and up to some thirty times for a
hostile one (nothing but empty arrays). Here the top level and each table's array are walked by
hand, and each value inside them is parsed by ``JSONDecoder.raw_decode`` from a window of the
text; a value longer than ``limits.json_record_chars`` characters (``descriptor_bytes`` for the
metadata and any other value of the top level) is refused before its objects are built, and each
record becomes a CSV row at once. A table met before the metadata (a release's keys are sorted,
so three tables come first) is walked once to check it and again, once the metadata names its
fields, to write it.

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
        self.checked: list[tuple[int, int]] = []  # stretches of text whose nesting is checked

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

    def value(self, longest: int, what: str, outer: int) -> Any:
        """The value at the position, inside ``outer`` containers, parsed from a window holding
        more than ``longest`` characters from it (or the rest of the text)."""
        self.space()
        text, start = self.text, self.at
        size = max(longest + 1, WINDOW_CHARS)  # what one parse may read from ``start``
        window_end = self.window_start + len(self.window)
        if not (
            self.window_start <= start
            and window_end - start <= size
            and (start + longest < window_end or window_end == len(text))
        ):
            self.window_start = start
            self.window = text[start : start + size]
            window_end = start + len(self.window)
            if not any(first <= start and window_end <= last for first, last in self.checked):
                # the window starts at a value, outside any string, inside ``outer``
                # containers; the text before each value it gives has been parsed, so the
                # brackets counted up to there are the document's
                check_depth(self.window, self.shown, outer)
                self._checked(start, window_end)
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
        except (ValueError, RecursionError) as error:  # NaN, Infinity, overflow
            raise ReleaseFormatError(f"{self.shown}: not valid JSON ({error})") from None
        if offset + end - start > longest:
            raise ReleaseFormatError(
                f"{self.shown}: {what}: longer than the {longest:,} characters allowed"
            )
        self.at = offset + end
        return value

    def _checked(self, start: int, end: int) -> None:
        for index, (first, last) in enumerate(self.checked):
            if first <= start <= last:  # the walk goes forward: stretches grow at their end
                self.checked[index] = (first, max(last, end))
                return
        self.checked.append((start, end))

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
                record = self.value(limits.LIMITS.json_record_chars, f"{table}, record {number}", 2)
                if wrong is None and not isinstance(record, dict):
                    wrong = _not_records(self.shown, table)
                elif wrong is None and fields is not None:
                    wrong = _write(writer, self.shown, table, number, fields, record)
                more = self.more("]")
        if wrong is not None:
            return wrong
        return buffer.getvalue().encode("utf-8")


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
    fields: dict[str, list[str]] | None = None
    starts: dict[str, int | None] = {}  # each key's array, by where it starts (None: no array)
    written: dict[str, bytes | ReleaseError] = {}  # tables read under the last metadata's fields
    more = walk.space() != "}"
    if not more:
        walk.at += 1
    while more:
        key = walk.key()
        written.pop(key, None)
        if key == METADATA:
            metadata = walk.value(limits.LIMITS.descriptor_bytes, METADATA, 1)
            fields = _fields(metadata, shown) if isinstance(metadata, dict) else None
            written.clear()  # read under fields that this metadata may change
        elif walk.text[walk.at : walk.at + 1] != "[":
            walk.value(limits.LIMITS.descriptor_bytes, repr(key), 1)
            starts[key] = None
        else:
            starts[key] = walk.at
            table_fields = None if fields is None else fields.get(key)
            walked = walk.records(key, table_fields)  # without fields: checked, written later
            if table_fields is not None:
                written[key] = walked
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
        result = written.get(table)
        if result is None:
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
