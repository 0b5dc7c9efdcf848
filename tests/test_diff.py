"""Comparing two versions: what a maintainer reads in `diff` before writing the changelog."""

from __future__ import annotations

import ast

import pytest

from china_ai_claims.diff import SHOWN_CHARACTERS, Diff, TableDiff, render_changelog, render_text

LONG = "DeepSeek claims to have trained its V3 foundation model for a fraction of the cost " * 3


def _changed_line(before: str, after: str) -> str:
    table = TableDiff(changed={"row-1": {"quote": (before, after)}})
    (line,) = [
        line for line in render_text(Diff("1", "2", {"t": table})).splitlines() if "~" in line
    ]
    return line


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("short", "shorter"),
        (LONG, LONG.replace("fraction", "fractions")),  # a change far into a long cell
        (LONG, LONG + " more"),  # only the end differs
        (LONG, LONG[:-1] + "?"),
        ("x" * 200, "y" + "x" * 199),  # the first character
        ("line one\nline two " * 10, "line one\nline 2 " * 10),
    ],
)
def test_a_changed_cell_shows_its_two_values_differently(before: str, after: str) -> None:
    shown_before, shown_after = _changed_line(before, after).split(": ", 1)[1].split(" -> ")
    assert shown_before != shown_after
    for shown in (shown_before, shown_after):
        assert "\n" not in shown
        assert len(ast.literal_eval(shown)) <= SHOWN_CHARACTERS + 2  # and two ellipses


def test_a_short_change_is_shown_whole() -> None:
    assert _changed_line("old value", "new value").endswith("quote: 'old value' -> 'new value'")


def test_a_changelog_entry_of_identical_data_says_nothing_differs() -> None:
    entry = render_changelog(Diff("0.2.0", "0.2.1", {"t": TableDiff()}), "2026-12-01")
    assert entry == "## [0.2.1] - 2026-12-01\n\nNo rows or columns differ from 0.2.0.\n"
