"""Quotes marked inside their source text: the paragraph around one quote, or a whole source with
every cited passage marked and linked to the rows that cite it.

A paragraph is a line of the archived text (sources keep one paragraph a line). Passages may
overlap; the text is cut at every passage's start and end, and a piece covered by any passage is
marked. Everything is HTML-escaped here; the result is safe markup for the templates.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Citation:
    """A row that quotes a passage of a source: where the passage is and where the row's page is."""

    start: int
    end: int
    href: str
    label: str


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a source as markup, with the citations that end in it, numbered."""

    line: int
    markup: Markup
    citations: list[tuple[int, Citation]]


def find(text: str, quote: str) -> int:
    """Where the quote starts in the text; -1 when it is not there (invalid data)."""
    return text.find(quote) if quote else -1


def quote_in_paragraph(text: str, quote: str) -> tuple[int, Markup] | None:
    """The line number and markup of the paragraph(s) holding the quote, the quote marked."""
    start = find(text, quote)
    if start < 0:
        return None
    end = start + len(quote)
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    last = len(text) if last < 0 else last
    line = text.count("\n", 0, start) + 1
    markup = escape(text[first:start]) + Markup("<mark>") + escape(quote) + Markup("</mark>")
    return line, markup + escape(text[end:last])


def _pieces(line_start: int, line_end: int, spans: list[Citation]) -> list[tuple[int, int]]:
    cuts = {line_start, line_end}
    for span in spans:
        cuts.update(cut for cut in (span.start, span.end) if line_start < cut < line_end)
    ordered = sorted(cuts)
    return list(itertools.pairwise(ordered))


def marked_paragraphs(text: str, citations: list[Citation]) -> list[Paragraph]:
    """Every non-empty line of the text, each cited passage marked, a numbered link to each row
    placed where its passage ends."""
    ordered = sorted(citations, key=lambda c: (c.start, c.end, c.href))
    numbers = {id(citation): number for number, citation in enumerate(ordered, 1)}
    paragraphs = []
    offset = 0
    for line, content in enumerate(text.split("\n"), 1):
        line_start, line_end = offset, offset + len(content)
        offset = line_end + 1
        if not content.strip():
            continue
        here = [c for c in ordered if c.start < line_end and c.end > line_start]
        markup = Markup("")
        for start, end in _pieces(line_start, line_end, here):
            piece = escape(text[start:end])
            covered = any(c.start <= start and end <= c.end for c in here)
            markup += Markup("<mark>") + piece + Markup("</mark>") if covered else piece
            for citation in (c for c in here if c.end == end):
                number = numbers[id(citation)]
                markup += Markup(
                    '<a class="cite" href="{}" title="{}" aria-label="cited by {}">[{}]</a>'
                ).format(citation.href, citation.label, citation.label, number)
        ending = [(numbers[id(c)], c) for c in here if line_start < c.end <= line_end]
        paragraphs.append(Paragraph(line, markup, ending))
    return paragraphs


# A row id as a note names it: words of lower-case letters and digits joined by hyphens.
# (Not inside a longer word, a path or an address: "example.com/deepseek-v3" is not linked.)
_ID = re.compile(r"(?<![\w/.-])[a-z0-9]+(?:-[a-z0-9]+)+(?![\w/-])")


def linked_ids(text: str, pages: dict[str, str]) -> Markup:
    """``text`` escaped, each row id in it that ``pages`` knows linked to its page."""
    markup, last = Markup(""), 0
    for found in _ID.finditer(text):
        page = pages.get(found.group())
        if page is not None:
            link = Markup('<a href="{}">{}</a>').format(page, found.group())
            markup += escape(text[last : found.start()]) + link
            last = found.end()
    return markup + escape(text[last:])
