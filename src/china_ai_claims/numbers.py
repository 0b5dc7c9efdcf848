"""Find the numbers a piece of English text writes, so a row's numbers can be proved from its quote.

``numbers_in("invested $1.2 billion across 144 deals")`` gives ``{1200000000.0, 144.0}``: each
written number, times the scale word after it ("million", "bn", ...) when there is one (so "$6
million" proves 6000000, never 6). A scale word with no number before it counts as one of it
("billion-dollar budgets" writes 1000000000); in a range the scale applies to both ends ("$1.5-2
billion"). Number words count too ("three years", "twenty-five", "three hundred", "half a
billion"). Signs are never read: a change's direction is its own column.

:func:`currency_is_written` tells whether a text writes an amount in a currency ($, yuan, ...).
"""

from __future__ import annotations

import functools
import math
import re
import string
from collections.abc import Iterable, Iterator

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
_HUNDRED = re.compile(r"[- ]hundred(?![\w-])", re.IGNORECASE)
_RANGE_TO = re.compile(
    r"\s*(?:-|–|—|to|and)\s*(?:US\$|\$|¥|€|£)?\s*(\d+(?:\.\d+)?)(?=\s*-?\s*[a-z])",
    re.IGNORECASE,
)
_HALF = re.compile(
    rf"(?<![\w-])half an? (?P<scale>{'|'.join(sorted(SCALES, key=len, reverse=True))})",
    re.IGNORECASE,
)
_SCALE_AFTER = re.compile(
    rf"(?:\s*-?\s*(?P<scale>{_SCALE_WORDS})s?|(?P<letter>[kmb]))(?![a-z])", re.IGNORECASE
)
_BARE_SCALE = re.compile(
    rf"(?<![\w-])(?P<scale>{_SCALE_WORDS})(?=-|\s+(?:dollars?|yuan|euros?|pounds?)\b)",
    re.IGNORECASE,
)


# Ignoring case, a search pairs an ASCII letter with the characters that str.lower() turns into
# it and with these three as well (dotted and dotless i, long s); every other character lowers to
# one character, a word character to a word character (a test checks every code point). So in a
# text without them, lowered, each word such a search can match is spelled in ASCII letters
# between characters that are not word characters: one of the text's ``ascii_words``.
CASE_EXCEPTIONS = "\u0130\u0131\u017f"
_HAS_CASE_EXCEPTION = re.compile(f"[{CASE_EXCEPTIONS}]")
# Each of them as the ASCII letter the search paired it with.
_AS_ASCII = str.maketrans(CASE_EXCEPTIONS, "iis")


def has_case_exception(text: str) -> bool:
    """Whether ``text`` holds one of the :data:`CASE_EXCEPTIONS`."""
    return not text.isascii() and _HAS_CASE_EXCEPTION.search(text) is not None


def _word(matched: str) -> str:
    """A number or scale word as the search matched it ("Six", "ſix"), as its key ("six")."""
    return matched.translate(_AS_ASCII).lower()


def _value(match: re.Match[str]) -> float | None:
    if match.group("digits"):
        return float(match.group("digits").replace(",", ""))
    if match.group("tens"):
        unit = match.group("unit")
        return float(TENS[_word(match.group("tens"))] + (UNITS[_word(unit)] if unit else 0))
    word = _word(match.group("word"))
    if word in ("a", "an"):
        return None  # a number only before a scale word: "a billion"
    if word == "hundred":
        return 100.0
    return float(UNITS[word])


def _scale(match: re.Match[str], text: str, end: int) -> tuple[float, int] | None:
    """The scale written right after a number that ends at ``end``, and where the scale ends."""
    after = _SCALE_AFTER.match(text, end)
    if after is None:
        return None
    if after.group("scale"):
        return SCALES[_word(after.group("scale"))], after.end()
    if match.group("digits"):
        return LETTER_SCALES[_word(after.group("letter"))], after.end()
    return None


def numbers_in(text: str) -> set[float]:
    """Every number ``text`` writes, scaled where a scale word follows (see the module doc)."""
    return _numbers_in(text, digits_only=_only_digits_count(text))


def _numbers_in(text: str, digits_only: bool) -> set[float]:
    """:func:`numbers_in`; ``digits_only``: no word can count in ``text`` (no number word, no
    "half", no "a" or "an" before a scale word, no scale word on its own), so the search for
    numbers looks for digits only (see :func:`_only_digits_count`)."""
    found: set[float] = set()
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= first or start >= last for first, last in taken)

    if not digits_only:
        for match in _HALF.finditer(text):
            found.add(0.5 * SCALES[_word(match.group("scale"))])
            taken.append(match.span())
    for match in (_DIGITS_ONLY if digits_only else _NUMBER).finditer(text):
        if not free(*match.span()):
            continue
        value = _value(match)
        end = match.end()
        if value is not None and not match.group("digits"):
            hundred = _HUNDRED.match(text, end)
            if hundred is not None:
                value, end = value * 100, hundred.end()
        scale = _scale(match, text, end)
        if scale is None and value is not None and match.group("digits"):
            other = _RANGE_TO.match(text, end)  # "1.5-2 billion": the upper end's scale
            factor = _scale_after(text, other.end()) if other is not None else None
            if factor is not None:
                found.add(value * factor)
                continue
        if scale is not None:
            found.add((1.0 if value is None else value) * scale[0])
            taken.append((match.start(), scale[1]))
        elif value is not None:
            found.add(value)
            taken.append((match.start(), end))
    if not digits_only:
        for match in _BARE_SCALE.finditer(text):
            if free(*match.span()):
                found.add(SCALES[_word(match.group("scale"))])
    return found


# _NUMBER's digits alone, each match the same: the look-behind follows the first digit, so that
# the search skips to digits in C code instead of trying every alternative at every character
# (the number words make _NUMBER some 400 machine instructions a character).
_DIGITS_ONLY = re.compile(
    r"(?P<digits>\d(?<![\w.,]\d)(?:\d{0,2}(?:,\d{3})+(?:\.\d+)?|\d*(?:\.\d+)?))"
    r"(?P<tens>(?!))?(?P<unit>(?!))?(?P<word>(?!))?"
)
_ASCII_WORD_BYTES = bytes(
    byte if chr(byte) in string.ascii_lowercase + string.digits + "_" else ord(" ")
    for byte in range(256)
)


def ascii_words(lowered: str) -> list[bytes]:
    """The runs of ASCII lower-case letters, digits and "_" in ``lowered`` between any other
    characters (found in C code: every other byte of its UTF-8 becomes a space)."""
    return lowered.encode("utf-8", "surrogatepass").translate(_ASCII_WORD_BYTES).split()


_COUNTING_WORDS = frozenset(
    word.encode("ascii") for word in (*UNITS, *TENS, "hundred", "dozen", "half") if " " not in word
)
_ARTICLES = frozenset({b"a", b"an"})


def _only_digits_count(text: str) -> bool:
    """Whether no word of ``text`` can count as a number, so that every number _NUMBER finds
    is written in digits. True only when that is certain; a doubt runs the whole search."""
    if has_case_exception(text):
        return False
    lowered = text.lower()
    words = ascii_words(lowered)
    if not _COUNTING_WORDS.isdisjoint(words):
        return False  # a number word, "half" or "a dozen"
    scales_at = [at for scale in SCALES for at in places(lowered, scale)]
    if not scales_at:
        return True
    # A scale word counts after "a" or "an" ("a billion") or on its own ("billion-dollar"): a
    # match of _BARE_SCALE begins where one is written (the same place in ``text``).
    return _ARTICLES.isdisjoint(words) and not any(_BARE_SCALE.match(text, at) for at in scales_at)


def places(text: str, word: str) -> Iterator[int]:
    """Where ``word`` is written in ``text``, overlaps included, found by ``str.find``."""
    at = text.find(word)
    while at >= 0:
        yield at
        at = text.find(word, at + 1)


def _scale_after(text: str, position: int) -> float | None:
    after = _SCALE_AFTER.match(text, position)
    if after is None or not after.group("scale"):
        return None
    return SCALES[_word(after.group("scale"))]


# How a text writes an amount in a currency: signs (a "$" right after letters, as in "HK$", is
# another dollar), words (whole words only: "European" does not write euros), and the ISO code.
CURRENCY_SIGNS = {
    "USD": (r"(?<![A-Za-z])\$", r"\bUS\$"),
    "CNY": (r"¥", r"\bRMB\b", r"\bCN¥"),
    "EUR": (r"€",),
    "GBP": (r"£",),
    "JPY": (r"¥", r"\bJP¥"),
    "HKD": (r"\bHK\$",),
    "KRW": (r"₩",),
}
CURRENCY_WORDS = {
    "USD": ("dollar", "dollars"),
    "CNY": ("yuan", "renminbi"),
    "EUR": ("euro", "euros"),
    "GBP": ("pound", "pounds", "sterling"),
    "JPY": ("yen",),
    "HKD": ("Hong Kong dollar", "Hong Kong dollars"),
    "KRW": ("won",),
}


def currency_markers(code: str) -> tuple[str, ...]:
    """The signs and words that write an amount in the ISO 4217 currency ``code``, for messages."""
    signs = tuple(
        sign.replace("\\b", "").replace("(?<![A-Za-z])", "").replace("\\", "")
        for sign in CURRENCY_SIGNS.get(code, ())
    )
    return (*signs, *CURRENCY_WORDS.get(code, ()), code)


def currency_is_written(code: str, text: str) -> bool:
    """Whether ``text`` writes an amount in currency ``code`` (by sign, whole word or code)."""
    return _currency_pattern(code).search(text) is not None


@functools.lru_cache(maxsize=256)  # a few codes in practice; bounded for hostile input
def _currency_pattern(code: str) -> re.Pattern[str]:
    """Any of the signs, words and the code of ``code``, in one search."""
    words = (*CURRENCY_WORDS.get(code, ()), code)
    patterns = [*CURRENCY_SIGNS.get(code, ()), *(rf"\b{re.escape(word)}\b" for word in words)]
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)


def is_written(value: float, written: Iterable[float]) -> bool:
    """Whether ``value`` equals one of the ``written`` numbers, to the rounding error of reading
    "1.1 billion" as a float (a few parts in 10**16): a tolerance of one part in 10**12 tells
    53,000,000,001 from "$53 billion" (one in 10**9 took every amount within $53 of it)."""
    return any(math.isclose(value, number, rel_tol=1e-12, abs_tol=1e-9) for number in written)
