"""Find passages of a source text: where a near-miss quote was meant to point, and the sentences
closest to words remembered roughly.

The usual near miss is typographic: a straight apostrophe typed for the source's curly one, a dash
or a double space. :func:`locate` finds the intended passage despite that (by the text with
typography folded, then by the longest matching start or end, then by any matching stretch of
twenty characters) and names the first character that differs, so the contributor sees exactly
what to fix. Each step is a substring search: a near miss costs little even on a long source.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

_FOLD = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "″": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "\u00a0": " ",
    }
)
# A sentence ends at . ! or ? (maybe inside closing quotes) before a capital, but not after an
# initial or an abbreviation of capitals such as "U.S." or "John F.": "the U.S. President" is one
# sentence.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][”’\"']))(?<!\b[A-Z]\.)\s+(?=[A-Z“\"‘'])")
_WORD = re.compile(r"[\w’']+")
# What opens a line without being words of it: white space, a list's bullet or number, a heading's
# or a quotation's mark. A quote starts after it (a cell may not start with = + - or @ anyway).
LINE_MARKS = re.compile(r"^(?:\s+|[-*+•=@#>]+|\d{1,3}[.)](?=\s))+")
# Characters of the passage shown before the first difference with a quote.
SHOWN_BEFORE = 30
MIN_ANCHOR = 12
CHUNK = 20
MAX_CHUNKS = 12  # stretches tried per quote: each is one substring search over the whole source
MAX_FOLDED_TEXT = 2_000_000  # longer sources skip the folded search (it copies the text per char)


@dataclass(frozen=True)
class Mismatch:
    """Where a quote that is not in the text most likely belongs, and how it differs."""

    line: int
    passage: str
    index: int
    quote_char: str
    text_char: str

    def describe(self) -> str:
        """One sentence for an error message."""
        where = f"character {self.index + 1} of the quote"
        # what leads up to it, which a value cut short in the report may not show
        before = self.passage[max(0, self.index - SHOWN_BEFORE) : self.index]
        after = f", after {before!r}" if before else ""
        if not self.passage:
            return "no passage of the source resembles the quote"
        if not self.quote_char:
            return (
                f"the quote ends early; the source goes on with {self.text_char!r} at "
                f"{where}{after}"
            )
        if not self.text_char:
            return f"the source's passage ends before {where} ({self.quote_char!r}){after}"
        return (
            f"{where}{after}{',' if after else ''} is {self.quote_char!r} "
            f"(U+{ord(self.quote_char):04X}) where the source has {self.text_char!r} "
            f"(U+{ord(self.text_char):04X})"
        )


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` with typography folded and whitespace runs collapsed, and each folded character's
    index in ``text``."""
    out: list[str] = []
    where: list[int] = []
    previous_space = False
    for index, char in enumerate(text.translate(_FOLD)):
        if char.isspace():
            if previous_space:
                continue
            char, previous_space = " ", True
        else:
            previous_space = False
        out.append(char.casefold() if len(char.casefold()) == 1 else char)
        where.append(index)
    return "".join(out), where


def first_difference(quote: str, passage: str) -> int:
    """The index of the first character where the two differ (the shorter one's length when
    one starts the other)."""
    for index, (ours, theirs) in enumerate(zip(quote, passage, strict=False)):
        if ours != theirs:
            return index
    return min(len(quote), len(passage))


def _mismatch(quote: str, text: str, start: int, end: int) -> Mismatch:
    passage = text[start:end]
    index = first_difference(quote, passage)
    return Mismatch(
        line=text.count("\n", 0, start) + 1,
        passage=passage,
        index=index,
        quote_char=quote[index] if index < len(quote) else "",
        text_char=passage[index] if index < len(passage) else "",
    )


def _longest_prefix(quote: str, text: str) -> int:
    low, high = 0, len(quote)
    while low < high:
        middle = (low + high + 1) // 2
        if quote[:middle] in text:
            low = middle
        else:
            high = middle - 1
    return low


def _longest_suffix(quote: str, text: str) -> int:
    low, high = 0, len(quote)
    while low < high:
        middle = (low + high + 1) // 2
        if quote[len(quote) - middle :] in text:
            low = middle
        else:
            high = middle - 1
    return low


def locate(quote: str, text: str) -> Mismatch | None:
    """``None`` when ``quote`` occurs verbatim in ``text``; otherwise the closest passage."""
    if quote in text:
        return None
    if len(text) <= MAX_FOLDED_TEXT:
        folded_text, where = _folded(text)
        folded_quote, _ = _folded(quote)
        at = folded_text.find(folded_quote) if folded_quote else -1
        if at >= 0:
            last = where[at + len(folded_quote) - 1] + 1
            return _mismatch(quote, text, where[at], last)
    prefix = _longest_prefix(quote, text)
    if prefix >= min(MIN_ANCHOR, len(quote)):
        start = text.find(quote[:prefix])
        return _mismatch(quote, text, start, min(len(text), start + len(quote)))
    suffix = _longest_suffix(quote, text)
    if suffix >= min(MIN_ANCHOR, len(quote)):
        start = max(0, text.find(quote[len(quote) - suffix :]) - (len(quote) - suffix))
        return _mismatch(quote, text, start, min(len(text), start + len(quote)))
    step = max(CHUNK // 2, len(quote) // MAX_CHUNKS)
    for offset in range(0, max(1, len(quote) - CHUNK), step):
        at = text.find(quote[offset : offset + CHUNK])
        if at >= 0:
            start = max(0, at - offset)
            return _mismatch(quote, text, start, min(len(text), start + len(quote)))
    return Mismatch(line=0, passage="", index=0, quote_char=quote[:1], text_char="")


@dataclass(frozen=True)
class Passage:
    """A sentence of a source, with the line it is on and how well it matches the words asked."""

    line: int
    text: str
    score: float


def _words(text: str) -> set[str]:
    return {word.translate(_FOLD).casefold() for word in _WORD.findall(text)}


def sentence_spans(text: str) -> Iterator[tuple[int, int, int]]:
    """Each sentence of ``text``, line by line, as its line number and where it starts and ends
    in ``text``: as the text writes it, but for what opens a line without being words of it
    (``- `` of a list) and the white space after it. A line without a sentence end (a heading)
    is one sentence. ``quote`` prints these, and ``coverage`` counts them."""
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        # (marks first: a list's "12. " would end a sentence)
        start = len(line) - len(LINE_MARKS.sub("", line, count=1))
        ends = [(match.start(), match.end()) for match in _SENTENCE_END.finditer(line, start)]
        for end, after in [*ends, (len(line), len(line))]:
            piece = line[start:end]
            words = LINE_MARKS.sub("", piece, count=1)
            first = start + len(piece) - len(words)
            words = words.rstrip()
            if words:
                yield number, offset + first, offset + first + len(words)
            start = after
        offset += len(line) + 1


def sentences(text: str) -> Iterator[tuple[int, str]]:
    """Each sentence of ``text`` (:func:`sentence_spans`) with its line number, as it can be
    pasted into a ``quote`` cell."""
    for number, start, end in sentence_spans(text):
        yield number, text[start:end]


def closest_passages(text: str, words: str, limit: int = 3) -> list[Passage]:
    """The :func:`sentences` of ``text`` closest to ``words``, best first; only sentences that
    share a word with ``words`` (none when nothing does)."""
    wanted = _words(words)
    folded_words = _folded(words)[0]
    found: list[Passage] = []
    for number, sentence in sentences(text):
        overlap = len(wanted & _words(sentence)) / len(wanted) if wanted else 0.0
        if not overlap:
            continue
        shape = difflib.SequenceMatcher(
            None, folded_words, _folded(sentence)[0], autojunk=False
        ).ratio()
        found.append(Passage(number, sentence, round(0.7 * overlap + 0.3 * shape, 4)))
    found.sort(key=lambda passage: (-passage.score, passage.line))
    return found[:limit]
