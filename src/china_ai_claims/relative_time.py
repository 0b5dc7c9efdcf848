"""Where a relative time ("last month", "the first quarter of this year") can lie, given the date a
text was published.

Only words whose meaning follows mechanically from the publication date are read; anything else
(a written year, "recently", "in the coming weeks") gives no answer, so nothing is judged. Where
usage differs ("last month": the previous calendar month, or the 31 days before), the interval
covers every reading, so a contributor's careful resolution is never refused.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

DAY = timedelta(days=1)
_WRITTEN_YEAR = re.compile(r"\b(1[89]|2[0-9])[0-9]{2}\b")
_YEAR = re.compile(r"\b(this|last|next) year\b")
_MONTH = re.compile(r"\b(this|last|next) month\b")
_WEEK = re.compile(r"\b(this|last|next) week\b")
_DAY = re.compile(r"\b(today|yesterday|tomorrow)\b")
_QUARTER = re.compile(r"\b(?:(first|second|third|fourth|1st|2nd|3rd|4th) quarter|q([1-4]))\b")
_HALF = re.compile(r"\b(first|second) half\b")
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_ORDINALS.update({"1st": 1, "2nd": 2, "3rd": 3, "4th": 4})
_OFFSETS = {"last": -1, "this": 0, "next": 1}

Interval = tuple[date, date]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _shift_month(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _year_interval(word: str, published: date) -> Interval:
    year = published.year + _OFFSETS[word]
    calendar_year = (date(year, 1, 1), date(year, 12, 31))
    if word == "last":  # the previous calendar year, or the twelve months before
        return min(calendar_year[0], published - 366 * DAY), published - DAY
    if word == "next":
        return published + DAY, max(calendar_year[1], published + 366 * DAY)
    return calendar_year


def _month_interval(word: str, published: date) -> Interval:
    year, month = _shift_month(published, _OFFSETS[word])
    calendar_month = (date(year, month, 1), _month_end(year, month))
    if word == "last":  # the previous calendar month, or the 31 days before
        return min(calendar_month[0], published - 31 * DAY), published - DAY
    if word == "next":
        return published + DAY, max(calendar_month[1], published + 31 * DAY)
    return calendar_month


def _week_interval(word: str, published: date) -> Interval:
    # A week starts on Monday or on Sunday, and "last week" may also mean the seven days before
    # (and "next week" the seven after): the interval holds every such reading, and no more.
    starts = (
        published - published.weekday() * DAY,  # this week's Monday
        published - (published.weekday() + 1) % 7 * DAY,  # this week's Sunday
    )
    if word == "last":
        return min(starts) - 7 * DAY, published - DAY
    if word == "next":
        return published + DAY, max(starts) + 13 * DAY
    return min(starts), max(starts) + 6 * DAY


def _day_interval(word: str, published: date) -> Interval:
    day = published + {"yesterday": -1, "today": 0, "tomorrow": 1}[word] * DAY
    return day, day


def _part_of_year(text: str, year: int) -> Interval | None:
    """The quarter or half of ``year`` the text names, if it names exactly one."""
    quarters = {_ORDINALS[word] if word else int(number) for word, number in _QUARTER.findall(text)}
    halves = {1 if found == "first" else 2 for found in _HALF.findall(text)}
    if len(quarters) == 1 and not halves:
        (quarter,) = quarters
        return date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
    if len(halves) == 1 and not quarters:
        (half,) = halves
        return date(year, 6 * half - 5, 1), _month_end(year, 6 * half)
    return None


def possible_dates(time_text: str, published: date) -> Interval | None:
    """The first and last day ``time_text`` can mean in a text published on ``published``, or
    ``None`` when the words do not decide it mechanically (a written year, no relative words)."""
    text = time_text.lower()
    if _WRITTEN_YEAR.search(text):
        return None  # a written year is stated, not relative to the publication date
    years = set(_YEAR.findall(text))
    if len(years) == 1:
        (word,) = years
        part = _part_of_year(text, published.year + _OFFSETS[word])
        if part is not None:
            return part
    intervals = [_year_interval(word, published) for word in years]
    intervals += [_month_interval(word, published) for word in _MONTH.findall(text)]
    intervals += [_week_interval(word, published) for word in _WEEK.findall(text)]
    intervals += [_day_interval(word, published) for word in _DAY.findall(text)]
    if not intervals:
        return None
    # Several relative words ("from last year to this year"): the span that holds them all.
    return min(low for low, _ in intervals), max(high for _, high in intervals)
