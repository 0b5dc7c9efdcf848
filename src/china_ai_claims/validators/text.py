"""Layer 2: bytes and text. Strict UTF-8, NFC, and no invisible or dangerous characters.

Problems are reported, never repaired: the validator reads, it does not rewrite.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator

from china_ai_claims.validators.files import Context

MAX_ENCODING_ERRORS = 50
FORMULA_STARTS = ("=", "+", "-", "@")
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ZERO_WIDTH = re.compile("[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]")
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
CONTROL_OR_NEWLINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SOURCE_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SUSPECT = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff]"
)


def decode(context: Context, relative: str, data: bytes) -> str:
    """``data`` as text. A byte-order mark and every line with bytes that are not UTF-8 are
    reported; those bytes become U+FFFD so that the rest of the file can still be checked."""
    if data.startswith(codecs.BOM_UTF8):
        context.add(relative, 1, "byte-order-mark", "the file starts with a UTF-8 byte-order mark")
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    reported: set[int] = set()
    start = 0
    while len(reported) < MAX_ENCODING_ERRORS:
        try:
            data[start:].decode("utf-8")
            break
        except UnicodeDecodeError as error:
            bad = start + error.start
            line = data.count(b"\n", 0, bad) + 1
            if line not in reported:
                reported.add(line)
                byte = data[bad : start + error.end].hex(" ")
                context.add(relative, line, "encoding-error", f"bytes {byte} are not UTF-8")
            start += error.end
    return data.decode("utf-8", errors="replace")


def decoded_lines(context: Context, relative: str, data: bytes) -> Iterator[str]:
    """The lines of ``data`` as text, decoded one at a time (the file is never held twice).

    A byte-order mark and each line with bytes that are not UTF-8 are reported; those bytes
    become U+FFFD so that the rest of the file can still be checked. UTF-8 never uses the byte
    0x0A inside a character, so splitting the bytes at newlines is safe.
    """
    start = 0
    if data.startswith(codecs.BOM_UTF8):
        context.add(relative, 1, "byte-order-mark", "the file starts with a UTF-8 byte-order mark")
        start = len(codecs.BOM_UTF8)
    number, reported, length = 0, 0, len(data)
    while start < length:
        number += 1
        end = data.find(b"\n", start)
        end = length if end < 0 else end + 1
        chunk = data[start:end]
        try:
            yield chunk.decode("utf-8")
        except UnicodeDecodeError as error:
            if reported < MAX_ENCODING_ERRORS:
                reported += 1
                byte = chunk[error.start : error.end].hex(" ")
                context.add(relative, number, "encoding-error", f"bytes {byte} are not UTF-8")
            yield chunk.decode("utf-8", errors="replace")
        start = end


def check_source_text(context: Context, relative: str, text: str) -> None:
    """An archived source: NFC, and no control, bidi or zero-width characters (tab and newline
    aside)."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.isascii() and not unicodedata.is_normalized("NFC", line):
            context.add(relative, number, "unicode-not-nfc", "the line is not in Unicode NFC")
        for rule, pattern in (
            ("control-character", SOURCE_CONTROL),
            ("bidi-control", BIDI),
            ("zero-width-character", ZERO_WIDTH),
        ):
            found = pattern.search(line)
            if found:
                context.add(
                    relative, number, rule, f"U+{ord(found.group()):04X} in the text", value=line
                )


def cell_problems(value: str, *, multiline: bool) -> list[tuple[str, str]]:
    """The text-hygiene rules ``value`` breaks, as (rule, message) pairs. ``multiline`` cells
    (quote, note) may hold newlines; no cell may hold other control characters."""
    found: list[tuple[str, str]] = []
    if SUSPECT.search(value):
        control = (CONTROL if multiline else CONTROL_OR_NEWLINE).search(value)
        if control:
            found.append(("control-character", f"U+{ord(control.group()):04X} in the cell"))
        bidi = BIDI.search(value)
        if bidi:
            found.append(("bidi-control", f"U+{ord(bidi.group()):04X} in the cell"))
        zero = ZERO_WIDTH.search(value)
        if zero:
            found.append(("zero-width-character", f"U+{ord(zero.group()):04X} in the cell"))
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        found.append(("unicode-not-nfc", "the cell is not in Unicode NFC"))
    if value != value.strip():
        found.append(("untrimmed-whitespace", "the cell starts or ends with white space"))
    if value.startswith(FORMULA_STARTS):
        found.append(("formula-injection", f"the cell starts with {value[0]!r}"))
    return found
