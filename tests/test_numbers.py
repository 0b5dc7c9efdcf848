"""The number finder that proves a row's numbers from its quote: a table of phrases, and
properties over generated ones."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from china_ai_claims.numbers import currency_is_written, is_written, numbers_in
from china_ai_claims.validators.provenance import Names, _written_as_is

PHRASES = [
    ("at a cost of approximately $6 million.", {6e6}),
    ("the $100 million+ cost", {1e8}),
    ("$1.2 billion across 144 deals", {1.2e9, 144}),
    ("more than 90% over 12 months", {90, 12}),
    ("$53 billion over the next three years", {53e9, 3}),
    ("billion-dollar training budgets", {1e9}),
    ("“billions of yuan”", set()),
    ("in mid-2024", {2024}),
    ("three hundred million dollars", {3e8}),
    ("$1.5-2 billion", {1.5e9, 2e9}),
    ("1.5 to 2 billion", {1.5e9, 2e9}),
    ("half a billion dollars", {5e8}),
    ("a billion dollars", {1e9}),
    ("10 billion yuan", {1e10}),
    ("twenty-five deals", {25}),
    ("$6m and 10k users", {6e6, 1e4}),
    ("1,200,000 people", {1.2e6}),
    ("GPT-4 and V3", {4}),
    ("between 1 and 2 billion", {1e9, 2e9}),
    # letters that a search ignoring case reads as ASCII ones (long s, dotless i, Kelvin sign)
    ("ſix deals and a bıllion dollars", {6, 1e9}),
    ("SIX deals, 10\u212a users", {6, 1e4}),
]


@pytest.mark.parametrize(("text", "expected"), PHRASES, ids=[text for text, _ in PHRASES])
def test_numbers_written_in_a_phrase(text: str, expected: set[float]) -> None:
    assert numbers_in(text) == expected


@given(
    whole=st.integers(min_value=1, max_value=999),
    scale=st.sampled_from([("thousand", 1e3), ("million", 1e6), ("billion", 1e9), ("bn", 1e9)]),
    sign=st.sampled_from(["$", "US$", "¥", ""]),
)
def test_a_scaled_amount_proves_only_its_scaled_value(
    whole: int, scale: tuple[str, float], sign: str
) -> None:
    word, factor = scale
    found = numbers_in(f"they raised {sign}{whole} {word} last year")
    assert found == {whole * factor}


@given(
    whole=st.integers(min_value=1, max_value=999),
    decimals=st.sampled_from(["", ".5", ".25", ".1", ".33"]),
    scale=st.sampled_from([("thousand", 10**3), ("million", 10**6), ("billion", 10**9)]),
    off=st.integers(min_value=1, max_value=10**6),
)
def test_an_amount_one_unit_off_the_written_one_is_not_written(
    whole: int, decimals: str, scale: tuple[str, int], off: int
) -> None:
    """Below 10**12 every whole amount differs from the written one by more than the rounding
    error of reading it: one dollar off "$53 billion" is not written."""
    word, factor = scale
    stated = Decimal(f"{whole}{decimals}") * factor
    written = numbers_in(f"they raised ${whole}{decimals} {word} last year")
    assert is_written(float(stated), written)
    if stated == stated.to_integral_value():
        assert not is_written(float(stated + off), written)
        assert not is_written(float(stated - off), written)


@given(st.text(max_size=200))
def test_any_text_gives_a_set_of_finite_non_negative_numbers(text: str) -> None:
    found = numbers_in(text)
    assert all(number >= 0 and number == number for number in found)


# Pieces of texts that hold numbers in digits, in words, or both, and characters a search that
# ignores case pairs with ASCII letters (long s, dotless and dotted i, the Kelvin sign).
NUMBER_PIECES = [
    *("1", "12", "1,200", "3.5", "2024", "٣"),
    *("a", "an", "A", "half", "dozen", "one", "Twenty", "hundred", "seven"),
    *("thousand", "million", "Billion", "bn", "tn", "mn", "k", "m", "billions"),
    *("dollars", "yuan", "$", "US$", "to", "and", "autumn", "column", "GPT"),
    *("ſix", "bıllion", "thouſand", "İ"),
]
NUMBER_SEPARATORS = [*" ,.-–\n’é_", "ſ", "ı", "İ", "K", "5"]


@given(
    st.lists(st.sampled_from(NUMBER_PIECES), max_size=12),
    st.lists(st.sampled_from(NUMBER_SEPARATORS), min_size=1),
)
def test_a_text_whose_words_cannot_count_is_searched_for_digits_alone(
    pieces: list[str], separators: list[str]
) -> None:
    """The search for digits alone, taken when no word can count, finds what the whole search
    finds."""
    from china_ai_claims.numbers import _numbers_in

    text = "".join(piece + separators[n % len(separators)] for n, piece in enumerate(pieces))
    assert numbers_in(text) == _numbers_in(text, digits_only=False)


@given(st.text(max_size=200))
def test_any_text_gives_the_numbers_of_the_whole_search(text: str) -> None:
    from china_ai_claims.numbers import _numbers_in

    assert numbers_in(text) == _numbers_in(text, digits_only=False)


@pytest.mark.parametrize(
    ("code", "text", "written"),
    [
        ("USD", "invested $53 billion", True),
        ("CNY", "pledged “billions of yuan”", True),
        ("EUR", "invested $53 billion", False),
        ("USD", "pledged “billions of yuan”", False),
        ("EUR", "European investors", False),
        ("GBP", "compounded growth", False),
        ("USD", "raised HK$5 billion", False),
        ("HKD", "raised HK$5 billion", True),
        ("USD", "raised US$5 billion", True),
        ("KRW", "5 trillion won", True),
    ],
)
def test_currency_is_written(code: str, text: str, written: bool) -> None:
    assert currency_is_written(code, text) is written


@pytest.mark.parametrize(
    ("names", "text", "found"),
    [
        (["Baidu"], "Baidu’s Ernie Bot", True),
        (["Baidu"], "Baiduism", False),
        (["U.S."], "expanded U.S. export controls", True),
        (["百度"], "百度公司宣布", True),
        (["Xu"], "Xu believes", True),
        (["Xu"], "Xuan believes", False),
    ],
)
def test_names_are_found_as_whole_words(names: list[str], text: str, found: bool) -> None:
    assert Names(names).in_text(text.casefold()) is found


@pytest.mark.parametrize(
    ("name", "text", "proved"),
    [
        ("Baidu", "Baidu’s Ernie Bot", True),
        ("Baidu", "Baiduism", False),
        ("Baidu", "Baiduism and Baidu.", True),
        ("BAIDU", "Baidu", False),  # another case: the folded text decides
        ("Xu", "Éxu and Xu", True),
        ("Xu", "ÉXu", False),
        ("Xu", "中Xu说", True),  # no word of CJK script joins its neighbours
        ("百度", "百度公司宣布", True),
    ],
)
def test_an_alias_written_as_is_is_proved_without_folding(
    name: str, text: str, proved: bool
) -> None:
    assert _written_as_is(name, text.encode("utf-8")) is proved


# characters whose case folding changes their length or meets another's, and word edges
CASE_TRICKS = st.sampled_from([*"ßSſﬁİΣςéÉ_1 -中"])
CHARACTERS = st.one_of(st.characters(blacklist_categories=["Cs"]), CASE_TRICKS)


@given(
    name=st.text(CHARACTERS, min_size=1, max_size=6),
    around=st.lists(st.text(CHARACTERS, max_size=4), max_size=3),
)
def test_an_alias_proved_as_written_is_found_in_the_folded_text(
    name: str, around: list[str]
) -> None:
    text = name.join(around) if len(around) > 1 else name + "".join(around)
    data = text.encode("utf-8")
    if _written_as_is(name, data):
        folded = data.decode("utf-8", errors="replace").casefold()
        assert Names([name]).in_text(folded)


@given(name=st.text(CHARACTERS, min_size=1, max_size=4), junk=st.binary(max_size=8))
def test_an_alias_beside_bytes_that_are_not_utf8_is_proved_only_when_the_folded_text_agrees(
    name: str, junk: bytes
) -> None:
    encoded = name.encode("utf-8")
    for data in (junk + encoded, encoded + junk, junk + encoded + junk):
        if _written_as_is(name, data):
            folded = data.decode("utf-8", errors="replace").casefold()
            assert Names([name]).in_text(folded)


def test_bad_bytes_are_recorded_up_to_a_cap() -> None:
    from china_ai_claims.validators.text import MAX_RECORDED, _decode_recording

    text, bad = _decode_recording(b"\xff" * (MAX_RECORDED * 3))
    assert len(bad) == MAX_RECORDED
    assert text == "\ufffd" * (MAX_RECORDED * 3)


def test_a_near_miss_is_located_in_a_very_long_source() -> None:
    from china_ai_claims.passages import MAX_FOLDED_TEXT, locate

    passage = "This is significantly less than the cost of training OpenAI’s GPT-4 model."
    text = "x" * (MAX_FOLDED_TEXT + 10) + "\n" + passage + "\n"
    near = locate(passage.replace("’", "'"), text)
    assert near is not None
    assert near.line == 2
    assert (near.quote_char, near.text_char) == ("'", "’")
