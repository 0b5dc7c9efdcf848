"""Random damage to a contribution never crashes the validator, never changes a file, and always
ends in a report: exit 0 or 1."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from _fuzzing import examples
from china_ai_claims._resources import dataset_dir
from china_ai_claims.cli import app
from china_ai_claims.validators import RULES, validate

FILES = sorted(
    str(path.relative_to(dataset_dir()))
    for path in dataset_dir().rglob("*")
    if path.is_file() and "__pycache__" not in path.parts
)
CSV_FILES = [name for name in FILES if name.endswith(".csv")]
FUZZ = settings(
    max_examples=examples(120),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
NASTY_TEXT = st.lists(
    st.sampled_from(
        [
            *"abc019 ,.\"'’“”=+-@$%\n\r\t\x00\u202e\u200b\ufeff\u0301eé:/\\[](){}*?|",
            *["NaN", "inf", "1e999", "..", "http://x", "-1", "2025-02-30", "deepseek", "true"],
        ]
    ),
    max_size=12,
).map("".join)


@contextmanager
def _copy() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "dataset"
        shutil.copytree(dataset_dir(), target, ignore=shutil.ignore_patterns("__pycache__"))
        yield target


def _digests(root: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256((root / name).read_bytes()).hexdigest()
        for name in FILES
        if (root / name).exists()
    }


def _check(root: Path) -> None:
    before = _digests(root)
    report = validate(root)
    assert all(error.rule in RULES for error in report.errors)
    assert all(error.line >= 0 for error in report.errors)
    assert _digests(root) == before
    result = CliRunner().invoke(app, ["validate", str(root), "--format", "json"])
    assert result.exit_code == (0 if report.valid else 1), result.output
    assert _digests(root) == before


@FUZZ
@given(
    name=st.sampled_from(FILES),
    position=st.floats(min_value=0, max_value=1),
    cut=st.integers(min_value=0, max_value=40),
    insert=st.binary(max_size=12),
)
def test_random_byte_damage(name: str, position: float, cut: int, insert: bytes) -> None:
    with _copy() as root:
        path = root / name
        data = path.read_bytes()
        at = int(position * len(data))
        path.write_bytes(data[:at] + insert + data[at + cut :])
        _check(root)


@FUZZ
@given(
    name=st.sampled_from(CSV_FILES),
    row=st.integers(min_value=0, max_value=30),
    column=st.integers(min_value=0, max_value=40),
    value=NASTY_TEXT,
)
def test_random_cell_damage(name: str, row: int, column: int, value: str) -> None:
    with _copy() as root:
        path = root / name
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        target = rows[row % len(rows)]
        target[column % len(target)] = value
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        _check(root)


def _fields() -> list[Any]:
    from china_ai_claims.models import RECORD_TYPES
    from china_ai_claims.schema_builder import resource_descriptor
    from china_ai_claims.validators.tables import _Field

    return [
        _Field(spec)
        for record in RECORD_TYPES
        for spec in resource_descriptor(record)["schema"]["fields"]
    ]


FIELDS = _fields()


def _plausible(spec: Any) -> st.SearchStrategy[str]:
    """Cells near the field's own values, so that most are valid and the edges get drawn."""
    own = [*sorted(spec.enum or []), "2025-01-31", "144", "6000000", "1.5", "-3", "a|b", "x"]
    return st.one_of(st.sampled_from(own), NASTY_TEXT, st.text(max_size=8))


@settings(max_examples=examples(400), deadline=None, database=None)
@given(st.data())
def test_the_quick_reading_of_a_cell_never_accepts_what_the_full_check_refuses(
    data: st.DataObject,
) -> None:
    from china_ai_claims.validators.tables import _EXPLAIN
    from china_ai_claims.validators.text import line_is_clean

    spec = data.draw(st.sampled_from(FIELDS))
    value = data.draw(_plausible(spec))
    if value == "" or not line_is_clean(value):
        return  # the quick way reads only non-empty cells of clean lines
    quick = spec.quick_reader()(value)
    if quick is _EXPLAIN:
        return
    typed, found = spec.check(value, clean=True)
    assert found == []
    assert typed == quick
    assert type(typed) is type(quick)


def _shipped_rows(table: str, columns: list[str]) -> list[list[str]]:
    text = (dataset_dir() / f"{table}.csv").read_text(encoding="utf-8")
    return [[row[name] for name in columns] for row in csv.DictReader(io.StringIO(text))]


@settings(max_examples=examples(200), deadline=None, database=None)
@given(st.data())
def test_a_row_read_the_quick_way_is_the_row_the_full_check_reads(data: st.DataObject) -> None:
    """Shipped rows with cells swapped between them or replaced, in files with their columns in
    any order: each row that the quick way gives (it remembers readings from row to row) is the
    one the full check gives, with no problem."""
    from china_ai_claims.models import RECORD_TYPES
    from china_ai_claims.schema_builder import resource_descriptor
    from china_ai_claims.validators.files import Context
    from china_ai_claims.validators.tables import _check_row, _Field, _quick_layout, _quick_row
    from china_ai_claims.validators.text import line_is_clean

    record = data.draw(st.sampled_from(RECORD_TYPES))
    fields = [_Field(spec) for spec in resource_descriptor(record)["schema"]["fields"]]
    shipped = _shipped_rows(record.table, [spec.name for spec in fields])
    width = len(fields)
    order = data.draw(st.permutations(range(width)))  # the file's columns, by schema position
    layout = [(order.index(n), spec) for n, spec in enumerate(fields)]
    quick = _quick_layout(layout, width)

    for line in range(2, 2 + data.draw(st.integers(1, 8))):
        cells = list(data.draw(st.sampled_from(shipped)))
        for n in data.draw(st.sets(st.integers(0, width - 1), max_size=3)):
            other = data.draw(st.sampled_from(shipped))[n]
            cells[n] = data.draw(st.one_of(st.just(other), _plausible(fields[n])))
        in_file = [cells[column] for column in order]
        if not line_is_clean(",".join(in_file)):
            continue  # the quick way reads only clean lines
        row = _quick_row(line, in_file, quick)
        if row is None:
            continue
        context = Context(Path("."))
        checked = _check_row(context, "t.csv", line, in_file, width, layout, clean=True)
        assert context.problems == []
        assert (row.cells, row.values, row.ok) == (checked.cells, checked.values, checked.ok)
        assert [type(value) for value in row.values] == [type(v) for v in checked.values]


def test_the_quick_reading_accepts_the_shipped_cells() -> None:
    """Every non-empty cell of the shipped data takes the quick way (the full check finds no
    problem in them), so the quick way is what a valid dataset runs."""
    from china_ai_claims.models import RECORD_TYPES
    from china_ai_claims.schema_builder import resource_descriptor
    from china_ai_claims.validators.tables import _EXPLAIN, _Field

    for record in RECORD_TYPES:
        specs = resource_descriptor(record)["schema"]["fields"]
        fields = {spec["name"]: _Field(spec) for spec in specs}
        text = (dataset_dir() / f"{record.table}.csv").read_text(encoding="utf-8")
        for row in csv.DictReader(io.StringIO(text, newline="")):
            for column, value in row.items():
                if value and "\n" not in value:
                    reader = fields[column].quick_reader()
                    assert reader(value) is not _EXPLAIN, (record.table, column)


def test_a_clean_line_holds_no_character_a_cell_may_not_hold_but_a_newline() -> None:
    """The quick way trusts :func:`line_is_clean`: it must refuse exactly the characters that
    the per-cell rules search for (controls, bidi and zero-width characters), a newline aside,
    and text that is not in NFC."""
    import unicodedata

    from china_ai_claims.validators.text import SUSPECT, line_is_clean

    differing = [
        hex(point)
        for point in range(0x110000)
        if not 0xD800 <= point <= 0xDFFF
        and point != 0x0A
        and line_is_clean(chr(point))
        == bool(SUSPECT.search(chr(point)) or not unicodedata.is_normalized("NFC", chr(point)))
    ]
    assert differing == []
    assert line_is_clean("a\n")
    assert not line_is_clean("e\u0301")


@pytest.mark.parametrize("name", ["SUSPECT_IN_LINE", "SOURCE_SUSPECT"])
def test_the_search_of_utf8_bytes_finds_what_the_search_of_the_text_finds(name: str) -> None:
    """Blocks of a table and source texts are searched as bytes: the search of the UTF-8 bytes
    must agree with the class searched in the text, for every character. The characters are
    taken in runs of 64 neighbours (so each stands between others whose bytes are near its
    own); a run the class finds nothing in must give no hit in bytes, and each character of
    the other runs is tried alone and between the neighbours of the run."""
    from china_ai_claims.validators import text as hygiene

    in_text = getattr(hygiene, name)
    in_bytes = getattr(hygiene, f"{name}_UTF8")
    points = [point for point in range(0x110000) if not 0xD800 <= point <= 0xDFFF]
    differing = []
    for start in range(0, len(points), 64):
        run = "".join(map(chr, points[start : start + 64]))
        if in_text.search(run) is None:
            if in_bytes.found_in(run.encode("utf-8")):
                differing.append(run[0])
            continue
        tried = (
            text
            for position, character in enumerate(run)
            for text in (character, f"{run[:position]}a{character}b{run[position + 1 :]}")
        )
        differing += [
            text
            for text in tried
            if bool(in_text.search(text)) != in_bytes.found_in(text.encode("utf-8"))
        ]
    assert differing == []
