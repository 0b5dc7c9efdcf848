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
