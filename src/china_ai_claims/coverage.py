"""What of each source the rows cite, and what they may have left out.

A source is cut into sentences (each line is a paragraph or a heading). A sentence is *cited* when
the quote of at least one row overlaps it. An uncited sentence is a *likely omission* when it
writes a number or an amount, or names an organization, person or model of the dataset (by name or
alias, as a whole word). A sentence left out on purpose is listed, with the reason, in
``coverage-exclusions.csv`` beside the tables; it is then *acknowledged* and not reported. An
exclusion that matches no uncited sentence of its source is *stale* and reported too, so that the
list stays true as rows and sources change.

The report of a dataset is empty when every likely omission is acknowledged and no exclusion is
stale: contributors keep it so (``china-ai-claims coverage``), and a test holds the shipped data to
it. Nothing here judges whether a row says what its sentence says: that is the reviewer's job.
"""

from __future__ import annotations

import csv
import json
import math
import re
import stat
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

from china_ai_claims._resources import EXCLUSION_COLUMNS, EXCLUSIONS_FILE
from china_ai_claims.errors import VALIDATE_FOR_DETAILS
from china_ai_claims.loading import cells_unlike_header
from china_ai_claims.models import ID_PATTERN, RECORD_TYPES, AIModel, Organization, Person, Source
from china_ai_claims.numbers import numbers_in
from china_ai_claims.passages import sentence_spans

MAX_SOURCE_BYTES = 64 * 1024 * 1024
_ID = re.compile(ID_PATTERN)


class CoverageError(Exception):
    """The dataset folder cannot be read for a coverage report (run ``validate`` for details)."""


@dataclass(frozen=True)
class Sentence:
    """One sentence of a source: its line (1-based), its place in the text and its words."""

    line: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Omission:
    """An uncited sentence that writes a number or names an entity of the dataset."""

    line: int
    sentence: str
    numbers: list[str]
    entities: list[str]


@dataclass
class SourceCoverage:
    """The coverage of one source."""

    source_id: str
    sentences: int
    cited: int
    acknowledged: int
    omissions: list[Omission] = field(default_factory=list)
    stale_exclusions: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        """The share of the source's sentences cited by at least one row."""
        return self.cited / self.sentences if self.sentences else 1.0


@dataclass
class CoverageReport:
    """The coverage of every source of a dataset folder."""

    sources: list[SourceCoverage]

    @property
    def empty(self) -> bool:
        """Whether no source has an unacknowledged omission or a stale exclusion."""
        return not any(item.omissions or item.stale_exclusions for item in self.sources)

    def as_dict(self) -> dict[str, object]:
        return {
            "empty": self.empty,
            "sources": [{**asdict(item), "share": round(item.share, 4)} for item in self.sources],
        }


def split_sentences(text: str) -> list[Sentence]:
    """Every sentence of ``text`` as ``china-ai-claims quote`` prints it
    (:func:`~china_ai_claims.passages.sentence_spans`): a sentence can be quoted, or listed as
    left out, as it is printed."""
    return [
        Sentence(line, start, end, text[start:end]) for line, start, end in sentence_spans(text)
    ]


def _whole_word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)


def _read_csv(path: Path) -> list[dict[str, str]]:
    if path.is_symlink() or not path.is_file():
        raise CoverageError(f"{path.name}: missing or not a plain file")
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CoverageError(f"{path.name}: cannot be read ({error})") from None
    for number, row in enumerate(rows, start=2):
        # A row a cell short or long would put its cells in the wrong columns (a note as a quote).
        unlike = cells_unlike_header(row)
        if unlike is not None:
            raise CoverageError(
                f"{path.name}: row {number} has {unlike} cells than the header"
                f"{VALIDATE_FOR_DETAILS}"
            )
    return rows


def _read_source(root: Path, source_id: str) -> str:
    if not _ID.match(source_id):
        raise CoverageError(f"sources.csv: {source_id!r} is not a valid source id")
    path = root / "sources" / f"{source_id}.txt"
    try:
        info = path.lstat()
    except OSError:
        raise CoverageError(f"sources/{source_id}.txt: missing") from None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SOURCE_BYTES:
        raise CoverageError(f"sources/{source_id}.txt: not a plain file of at most 64 MiB")
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise CoverageError(f"sources/{source_id}.txt: not UTF-8") from None


def _entity_names(root: Path) -> dict[str, list[re.Pattern[str]]]:
    """Each entity (``table/id``) with a whole-word pattern for its name and every alias."""
    names: dict[str, list[re.Pattern[str]]] = {}
    for record in (Organization, Person, AIModel):
        for row in _read_csv(root / f"{record.table}.csv"):
            own = [row.get("name") or "", *(row.get("aliases") or "").split("|")]
            names[f"{record.table}/{row.get('id')}"] = [_whole_word(n) for n in own if n]
    return names


def _quotes(root: Path) -> dict[str, list[str]]:
    """Every row's quote, by source id."""
    quotes: dict[str, list[str]] = {}
    for record in RECORD_TYPES:
        if record is Source:
            continue
        for row in _read_csv(root / f"{record.table}.csv"):
            if row.get("quote"):
                quotes.setdefault(row.get("source_id") or "", []).append(row["quote"])
    return quotes


def read_exclusions(root: Path) -> dict[str, dict[str, str]]:
    """The acknowledged sentences: source id -> sentence -> reason. No file means none."""
    path = root / EXCLUSIONS_FILE
    if not path.exists() and not path.is_symlink():
        return {}
    exclusions: dict[str, dict[str, str]] = {}
    for line, row in enumerate(_read_csv(path), start=2):
        if any(not (row.get(column) or "").strip() for column in EXCLUSION_COLUMNS):
            raise CoverageError(
                f"{EXCLUSIONS_FILE}:{line}: source_id, sentence and reason are all required"
            )
        exclusions.setdefault(row["source_id"], {})[row["sentence"]] = row["reason"]
    return exclusions


def _cited_spans(text: str, quotes: list[str]) -> list[tuple[int, int]]:
    spans = []
    for quote in quotes:
        at = text.find(quote)
        while at >= 0:
            spans.append((at, at + len(quote)))
            at = text.find(quote, at + 1)
    return spans


def source_coverage(
    source_id: str,
    text: str,
    quotes: list[str],
    names: dict[str, list[re.Pattern[str]]],
    exclusions: dict[str, str],
) -> SourceCoverage:
    """The coverage of one source text by the rows' ``quotes``."""
    spans = _cited_spans(text, quotes)
    sentences = split_sentences(text)
    result = SourceCoverage(source_id, len(sentences), 0, 0)
    uncited: set[str] = set()
    for sentence in sentences:
        if any(start < sentence.end and end > sentence.start for start, end in spans):
            result.cited += 1
            continue
        uncited.add(sentence.text)
        if sentence.text in exclusions:
            result.acknowledged += 1
            continue
        numbers = [_written(number) for number in sorted(numbers_in(sentence.text))]
        entities = sorted(
            entity
            for entity, patterns in names.items()
            if any(pattern.search(sentence.text) for pattern in patterns)
        )
        if numbers or entities:
            result.omissions.append(Omission(sentence.line, sentence.text, numbers, entities))
    result.stale_exclusions = sorted(set(exclusions) - uncited)
    return result


def _written(number: float) -> str:
    """``number`` as a row's amount writes it: 30000000 (never 3e+07), 1.5, 0.25, 4100000 for
    "4.1 million" (whose float is 4099999.9999999995: 15 significant digits are kept)."""
    if not math.isfinite(number):
        return str(number)
    return format(Decimal(f"{number + 0.0:.15g}").normalize(), "f")  # + 0.0: no "-0"


def coverage(root: str | Path) -> CoverageReport:
    """The coverage report of the dataset folder ``root``; raises :class:`CoverageError` when it
    cannot be read."""
    folder = Path(root)
    if not folder.is_dir():
        raise CoverageError(f"{root}: not a folder")
    names = _entity_names(folder)
    quotes = _quotes(folder)
    exclusions = read_exclusions(folder)
    report = CoverageReport([])
    listed = set()
    for row in _read_csv(folder / f"{Source.table}.csv"):
        source_id = row.get("id") or ""
        listed.add(source_id)
        text = _read_source(folder, source_id)
        report.sources.append(
            source_coverage(
                source_id, text, quotes.get(source_id, []), names, exclusions.get(source_id, {})
            )
        )
    for source_id in sorted(set(exclusions) - listed):
        stale = SourceCoverage(source_id, 0, 0, 0, stale_exclusions=sorted(exclusions[source_id]))
        report.sources.append(stale)
    return report


def render_text(report: CoverageReport) -> str:
    """The report for people: one summary line per source, then what is missing."""
    lines = []
    for item in report.sources:
        omissions = "omission" if len(item.omissions) == 1 else "omissions"
        sentences = "sentence" if item.sentences == 1 else "sentences"
        lines.append(
            f"{item.source_id}: {item.cited} of {item.sentences} {sentences} cited "
            f"({item.share:.0%}); {item.acknowledged} left out on purpose; "
            f"{len(item.omissions)} likely {omissions}"
        )
        for omission in item.omissions:
            found = ", ".join([*(f"number {n}" for n in omission.numbers), *omission.entities])
            lines.append(f"  line {omission.line}: {omission.sentence} [{found}]")
        lines.extend(
            f"  stale exclusion (not an uncited sentence of the source): {sentence}"
            for sentence in item.stale_exclusions
        )
    lines.append(
        "coverage: every likely omission is cited or acknowledged"
        if report.empty
        else f"coverage: cite these sentences in rows, or list them in {EXCLUSIONS_FILE} "
        "with a reason"
    )
    return "\n".join(lines) + "\n"


def render_json(report: CoverageReport) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
