"""Find the numbers a piece of English text writes, so a row's numbers can be proved from its quote.

``numbers_in("invested $1.2 billion across 144 deals")`` gives ``{1.2, 1200000000.0, 144.0}``: each
written number, and that number times the scale word after it ("million", "bn", ...). A scale word
with no number before it counts as one of it ("billion-dollar budgets" writes 1000000000). Number
words ("three years", "twenty-five") count too. Signs are never read: a change's direction is its
own column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

SCALES = {
    "thousand": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
# One-letter scales count only when attached to the digits ("$6m", "10k", "$1.2b").
LETTER_SCALES = {"k": 1e3, "m": 1e6, "b": 1e9}
UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "a dozen": 12,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_WORDS = "|".join(sorted((*UNITS, *TENS, "hundred", "a", "an"), key=len, reverse=True))
_SCALE_WORDS = "|".join(sorted(SCALES, key=len, reverse=True))
_DIGITS = r"(?<![\w.,])(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_UNIT_WORDS = "|".join(word for word in UNITS if " " not in word)
_WORD_NUMBER = (
    rf"(?<![\w-])(?P<tens>{'|'.join(TENS)})(?:[- ](?P<unit>{_UNIT_WORDS}))?(?![\w-])"
    rf"|(?<![\w-])(?P<word>{_WORDS})(?![\w-])"
)
_NUMBER = re.compile(rf"{_DIGITS}|{_WORD_NUMBER}", re.IGNORECASE)
_SCALE_AFTER = re.compile(
    rf"(?:\s*-?\s*(?P<scale>{_SCALE_WORDS})s?|(?P<letter>[kmb]))(?![a-z])", re.IGNORECASE
)
_BARE_SCALE = re.compile(
    rf"(?<![\w-])(?P<scale>{_SCALE_WORDS})(?=-|\s+(?:dollars?|yuan|euros?|pounds?)\b)",
    re.IGNORECASE,
)


def _value(match: re.Match[str]) -> float | None:
    if match.group("digits"):
        return float(match.group("digits").replace(",", ""))
    if match.group("tens"):
        unit = match.group("unit")
        return float(TENS[match.group("tens").lower()] + (UNITS[unit.lower()] if unit else 0))
    word = match.group("word").lower()
    if word in ("a", "an"):
        return None  # a number only before a scale word: "a billion"
    if word == "hundred":
        return 100.0
    return float(UNITS[word])


def _scale(match: re.Match[str], text: str) -> float | None:
    after = _SCALE_AFTER.match(text, match.end())
    if after is None:
        return None
    if after.group("scale"):
        return SCALES[after.group("scale").lower()]
    if match.group("digits"):
        return LETTER_SCALES[after.group("letter").lower()]
    return None


def numbers_in(text: str) -> set[float]:
    """Every number ``text`` writes, plain and scaled (see the module docstring)."""
    found: set[float] = set()
    for match in _NUMBER.finditer(text):
        value = _value(match)
        scale = _scale(match, text)
        if scale is not None:
            found.add((1.0 if value is None else value) * scale)
        if value is not None:
            found.add(value)
    for match in _BARE_SCALE.finditer(text):
        found.add(SCALES[match.group("scale").lower()])
    return found


def is_written(value: float, written: Iterable[float]) -> bool:
    """Whether ``value`` equals one of the ``written`` numbers (to rounding error)."""
    return any(math.isclose(value, number, rel_tol=1e-9, abs_tol=1e-9) for number in written)
