"""Layer 2: bytes and text. Strict UTF-8, NFC, and no invisible or dangerous characters.

Problems are reported, never repaired: the validator reads, it does not rewrite.
"""

from __future__ import annotations

import codecs
import re
import sys
import threading
import unicodedata
from collections.abc import Iterator
from typing import Any

from china_ai_claims.passages import first_difference
from china_ai_claims.validators.files import Context
from china_ai_claims.validators.problems import BIDI_CHARS, CONTROL_CHARS, ZERO_WIDTH_CHARS

MAX_ENCODING_ERRORS = 50
FORMULA_STARTS = ("=", "+", "-", "@")
BIDI = re.compile(f"[{BIDI_CHARS}]")
# Zero-width, invisible and filler characters: nothing shows, yet they change what a value is.
ZERO_WIDTH = re.compile(f"[{ZERO_WIDTH_CHARS}]")
CONTROL = re.compile(f"(?!\n)[{CONTROL_CHARS}]")  # a multi-line cell may hold newlines
CONTROL_OR_NEWLINE = re.compile(f"[{CONTROL_CHARS}]")
SOURCE_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SUSPECT = re.compile(f"[{CONTROL_CHARS}{BIDI_CHARS}{ZERO_WIDTH_CHARS}]")
# The same characters but a newline, as one class: a search for a plain class runs about three
# times as fast as one with a look-ahead at every position.
_CONTROL_BUT_NEWLINE = CONTROL_CHARS.replace("\x00-\x1f", "\x00-\x09\x0b-\x1f")
assert _CONTROL_BUT_NEWLINE != CONTROL_CHARS
SUSPECT_IN_LINE = re.compile(f"[{_CONTROL_BUT_NEWLINE}{BIDI_CHARS}{ZERO_WIDTH_CHARS}]")
SOURCE_SUSPECT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CHARS}{ZERO_WIDTH_CHARS}]")


def _class_characters(body: str) -> list[str]:
    """The characters of a regex character class's ``body`` made of characters and ``a-b``
    ranges, as the class constants above are written."""
    found: list[str] = []
    position = 0
    while position < len(body):
        if body[position + 1 : position + 2] == "-" and position + 2 < len(body):
            first, last = ord(body[position]), ord(body[position + 2])
            found.extend(map(chr, range(first, last + 1)))
            position += 3
        else:
            found.append(body[position])
            position += 1
    return found


class Utf8Search:
    """Whether UTF-8 bytes hold the encoding of any of ``characters``, found about five times as
    fast as a search of the decoded text for a class of them: the regex engine tries each range
    of such a class at every character (some 9 ns a character), but deletes bytes from bytes and
    finds a byte in bytes at the speed of memory. Exact for bytes that are UTF-8, where no
    character's bytes begin inside another's."""

    def __init__(self, characters: list[str]) -> None:
        tree: dict[int, Any] = {}
        for character in characters:
            node = tree
            for byte in character.encode("utf-8"):
                node = node.setdefault(byte, {})
        # a character of one byte is that byte; one of more, a search that begins with its first
        self._multiple = {
            byte: re.compile(f"\\x{byte:02x}{_byte_tree_pattern(rest)}".encode("ascii"))
            for byte, rest in sorted(tree.items())
            if rest
        }
        self._first_of_multiple = bytes(self._multiple)
        self._irrelevant = bytes(byte for byte in range(256) if byte not in tree)

    def found_in(self, data: bytes) -> bool:
        first_bytes = data.translate(None, self._irrelevant)
        if not first_bytes:
            return False
        if first_bytes.translate(None, self._first_of_multiple):
            return True  # a character of one byte
        return any(
            byte in first_bytes and search.search(data) is not None
            for byte, search in self._multiple.items()
        )


def _byte_tree_pattern(node: dict[int, Any]) -> str:
    """A regex (of bytes, written in ASCII) for the byte sequences that ``node``'s branches
    spell, each a dictionary from a byte to the rest (empty at the end of a sequence)."""
    ends = "".join(f"\\x{byte:02x}" for byte, rest in sorted(node.items()) if not rest)
    parts = [f"[{ends}]"] if ends else []
    parts += [
        f"\\x{byte:02x}{_byte_tree_pattern(rest)}" for byte, rest in sorted(node.items()) if rest
    ]
    return parts[0] if len(parts) == 1 else f"(?:{'|'.join(parts)})"


SUSPECT_IN_LINE_UTF8 = Utf8Search(_class_characters(SUSPECT_IN_LINE.pattern[1:-1]))
SOURCE_SUSPECT_UTF8 = Utf8Search(_class_characters(SOURCE_SUSPECT.pattern[1:-1]))


_RECORDED = threading.local()  # codecs error handlers are global; what they record is per thread


MAX_RECORDED = 10_000  # positions kept per decode: enough for the 50 reported lines


def _record(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    if len(_RECORDED.bad) < MAX_RECORDED:
        _RECORDED.bad.append((error.start, error.end))
    return "\ufffd", error.end


codecs.register_error("china-ai-claims-record", _record)


def _decode_recording(data: bytes) -> tuple[str, list[tuple[int, int]]]:
    """``data`` decoded in one pass, bad bytes as U+FFFD, with the (start, end) of each."""
    bad: list[tuple[int, int]] = []
    _RECORDED.bad = bad
    return data.decode("utf-8", errors="china-ai-claims-record"), bad


def decode(context: Context, relative: str, data: bytes) -> str:
    """``data`` as text. A byte-order mark and every line with bytes that are not UTF-8 are
    reported (the first ``MAX_ENCODING_ERRORS`` lines); those bytes become U+FFFD so that the rest
    of the file can still be checked. One pass over the bytes, whatever they hold."""
    if data.startswith(codecs.BOM_UTF8):
        context.add(relative, 1, "byte-order-mark", "the file starts with a UTF-8 byte-order mark")
        data = data[len(codecs.BOM_UTF8) :]
    text, bad = _decode_recording(data)
    line, counted_to, reported = 1, 0, 0
    last_line = 0
    for start, end in bad:
        line += data.count(b"\n", counted_to, start)
        counted_to = start
        if line != last_line:
            last_line = line
            context.add(
                relative, line, "encoding-error", f"bytes {data[start:end].hex(' ')} are not UTF-8"
            )
            reported += 1
            if reported >= MAX_ENCODING_ERRORS:
                break
    return text


def without_crlf(context: Context, relative: str, data: bytes) -> bytes:
    """``data`` with Windows line endings (CRLF) turned into LF, after reporting them once for
    the file: a checkout converted by git's ``core.autocrlf`` has CRLF on every line, and one
    problem that names the cause helps more than one per line. A bare CR is left for the line
    checks to report."""
    if b"\r\n" not in data:
        return data
    lines = data.count(b"\r\n")
    context.add(
        relative,
        data[: data.find(b"\r\n")].count(b"\n") + 1,
        "crlf-line-endings",
        f"{lines} line{'' if lines == 1 else 's'} end{'s' if lines == 1 else ''} with CRLF "
        "(Windows line endings) instead of LF",
    )
    return data.replace(b"\r\n", b"\n")


CLEAN_BLOCK_BYTES = 1 << 18


class DecodedLines:
    """The lines of ``data`` as text, for the csv reader (the file is never held twice).

    A byte-order mark and each line with bytes that are not UTF-8 are reported; those bytes
    become U+FFFD so that the rest of the file can still be checked. UTF-8 never uses the byte
    0x0A inside a character, so splitting the bytes at newlines is safe.

    The bytes are decoded a block of whole lines at a time, and each block is searched once for
    what the text-hygiene rules refuse (see :func:`line_is_clean`). A block with a hit, or with
    bytes that are not UTF-8, is read line by line, and ``suspect_lines`` counts its lines that
    :func:`line_is_clean` refuses: a reader that notes the count before and after the lines of a
    row knows whether any of them is suspect, without searching a line twice.

    Iterating gives the lines straight from the generator that makes them: the csv reader pulls
    them with no Python call of ours between, line after line.
    """

    def __init__(self, context: Context, relative: str, data: bytes) -> None:
        self.suspect_lines = 0
        self._lines = self._read(context, relative, data)

    def __iter__(self) -> Iterator[str]:
        return self._lines

    def _read(self, context: Context, relative: str, data: bytes) -> Iterator[str]:
        start = 0
        if data.startswith(codecs.BOM_UTF8):
            context.add(
                relative, 1, "byte-order-mark", "the file starts with a UTF-8 byte-order mark"
            )
            start = len(codecs.BOM_UTF8)
        number, reported, length = 0, 0, len(data)
        while start < length:
            cut = data.find(b"\n", start + CLEAN_BLOCK_BYTES)
            block_end = length if cut < 0 else cut + 1
            text = _clean_text(data, start, block_end)
            if text is not None:
                lines = text.splitlines(keepends=True)  # only "\n" ends a clean line
                del text
                number += len(lines)
                yield from lines
                start = block_end
                continue
            while start < block_end:
                number += 1
                end = data.find(b"\n", start, block_end)
                end = block_end if end < 0 else end + 1
                chunk = data[start:end]
                try:
                    line = chunk.decode("utf-8")
                except UnicodeDecodeError:
                    line, bad = _decode_recording(chunk)
                    if reported < MAX_ENCODING_ERRORS:
                        reported += 1
                        first, last = bad[0]
                        byte = chunk[first:last].hex(" ")
                        context.add(
                            relative, number, "encoding-error", f"bytes {byte} are not UTF-8"
                        )
                if not line_is_clean(line):
                    self.suspect_lines += 1
                yield from _csv_safe(context, relative, number, line)
                start = end


def decoded_lines(context: Context, relative: str, data: bytes) -> DecodedLines:
    """The lines of ``data`` as text (see :class:`DecodedLines`)."""
    return DecodedLines(context, relative, data)


def _clean_text(data: bytes, start: int, end: int) -> str | None:
    """``data[start:end]`` decoded, when it is UTF-8 and every line of it is clean (as
    :func:`line_is_clean` judges, the suspect characters searched for in the bytes)."""
    block = data[start:end]
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if SUSPECT_IN_LINE_UTF8.found_in(block):
        return None
    return text if is_nfc(text) else None


def _csv_safe(context: Context, relative: str, number: int, line: str) -> Iterator[str]:
    """``line`` as the csv module can read it. A bare carriage return (an old Mac line ending) is
    reported and read as a line end; a NUL byte, which Python 3.10's csv cannot read, is
    reported and read as U+FFFD. Either way the rest of the file is still checked."""
    if "\x00" in line and sys.version_info < (3, 11):
        context.add(relative, number, "control-character", "U+0000 (NUL) on this line")
        line = line.replace("\x00", "\ufffd")
    body = line.removesuffix("\n").removesuffix("\r")
    if "\r" not in body:
        yield line
        return
    context.add(relative, number, "format-error", "a bare carriage return (CR) ends a line here")
    parts = body.split("\r")
    yield from (part + "\n" for part in parts[:-1])
    yield parts[-1] + line[len(body) :]


def check_source_text(context: Context, relative: str, text: str, utf8: bytes) -> None:
    """An archived source: NFC, and no control, bidi or zero-width characters (tab and newline
    aside). ``utf8``: the bytes ``text`` was decoded from (by :func:`decode`), searched in its
    place: each suspect character of the text is there as its UTF-8 bytes."""
    if not SOURCE_SUSPECT_UTF8.found_in(utf8) and is_nfc(text):
        return  # a newline never combines with its neighbours: every line is NFC too
    for number, line in enumerate(text.split("\n"), start=1):
        if not is_nfc(line):
            context.add(relative, number, "unicode-not-nfc", f"the line {nfc_change(line)}")
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


# nfc_change looks at windows of this many characters, overlapping by half: normalizing a long run
# of combining marks takes time that grows with the square of its length.
NFC_WINDOW = 512
SHOWN_CODE_POINTS = 8


def nfc_change(text: str) -> str:
    """Where ``text``, not in NFC, first differs from its NFC form, written so that a reader sees
    it: a decomposed letter looks the same as the composed one. Only windows of
    ``NFC_WINDOW`` characters are normalized; where no window shows the difference (a sequence
    longer than a window), it says only that the text is not in NFC."""
    step = NFC_WINDOW // 2
    for offset in range(0, max(1, len(text) - step), step):
        window = text[offset : offset + NFC_WINDOW]
        if unicodedata.is_normalized("NFC", window):
            continue
        start = first_difference(window, unicodedata.normalize("NFC", window))
        end = start + 1
        while end < len(window) and _joins(window[start:end], window[end]):
            end += 1
        written = unicodedata.normalize("NFC", window[start:end])
        return (
            f"is not in Unicode NFC at character {offset + start + 1}: "
            f"{_code_points(window[start:end])} is written {_code_points(written)} in NFC"
        )
    return "is not in Unicode NFC"


def _joins(segment: str, following: str) -> bool:
    """Whether ``following`` belongs to the NFC form of ``segment``: a combining mark, or a
    character that composes with it (a Hangul vowel after its consonant, some Indic signs)."""
    if unicodedata.combining(following):
        return True
    return unicodedata.normalize("NFC", segment + following) != (
        unicodedata.normalize("NFC", segment) + following
    )


def _code_points(text: str) -> str:
    shown = " ".join(f"U+{ord(character):04X}" for character in text[:SHOWN_CODE_POINTS])
    more = len(text) - SHOWN_CODE_POINTS
    return shown if more <= 0 else f"{shown} and {more:,} more"


def is_nfc(text: str) -> bool:
    """Whether ``text`` is in Unicode NFC (ASCII always is, and is told at once)."""
    return text.isascii() or unicodedata.is_normalized("NFC", text)


def line_is_clean(line: str) -> bool:
    """Whether ``line`` holds no character a cell may not hold (a newline aside) and is in NFC.

    The cells read from clean lines are then clean too: a cell is a piece of its lines cut at a
    comma, quote or newline, characters that never combine with their neighbours, so a cut
    cannot make text that is not NFC out of text that is."""
    if SUSPECT_IN_LINE.search(line):
        return False
    return is_nfc(line)


def cell_problems(
    value: str, *, multiline: bool, list_delimiter: str | None = None, clean: bool = False
) -> list[tuple[str, str]]:
    """The text-hygiene rules ``value`` breaks, as (rule, message) pairs. ``multiline`` cells
    (quote, note) may hold newlines; no cell may hold other control characters. ``clean``: the
    cell comes from lines that :func:`line_is_clean` passed, so only a newline can be suspect."""
    found: list[tuple[str, str]] = []
    if ("\n" in value) if clean else SUSPECT.search(value):
        control = (CONTROL if multiline else CONTROL_OR_NEWLINE).search(value)
        if control:
            found.append(("control-character", f"U+{ord(control.group()):04X} in the cell"))
        bidi = BIDI.search(value)
        if bidi:
            found.append(("bidi-control", f"U+{ord(bidi.group()):04X} in the cell"))
        zero = ZERO_WIDTH.search(value)
        if zero:
            found.append(("zero-width-character", f"U+{ord(zero.group()):04X} in the cell"))
    if not clean and not is_nfc(value):
        found.append(("unicode-not-nfc", f"the cell {nfc_change(value)}"))
    if value != value.strip():
        found.append(("untrimmed-whitespace", "the cell starts or ends with white space"))
    if value.startswith(FORMULA_STARTS):
        found.append(("formula-injection", f"the cell starts with {value[0]!r}"))
    elif list_delimiter and any(
        item.startswith(FORMULA_STARTS) for item in value.split(list_delimiter)
    ):
        found.append(("formula-injection", "an item of the list starts with = + - or @"))
    return found
