"""A contributor on Windows: Git for Windows checks text out with CRLF line endings by default
(core.autocrlf=true). The repository keeps the data byte-exact anyway, and a copy converted
without it gets one problem per file that names the cause."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from china_ai_claims.validators import validate


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid",
         "-c", "init.defaultBranch=main", "-c", "core.autocrlf=false", *args],
        cwd=cwd, check=True, capture_output=True,
    )  # fmt: skip


def _autocrlf_clone(tmp_path: Path, packaged_dataset: Path, gitattributes: Path | None) -> Path:
    """Commit a copy of the dataset (with the repository's .gitattributes, or without) and
    clone it as Git for Windows would."""
    origin = tmp_path / "origin"
    shutil.copytree(packaged_dataset, origin / "dataset", ignore=shutil.ignore_patterns("__py*"))
    if gitattributes is not None:
        shutil.copy2(gitattributes, origin / ".gitattributes")
    _git(origin, "init", "-q")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "-m", "data")
    subprocess.run(
        ["git", "-c", "core.autocrlf=true", "clone", "-q", str(origin), str(tmp_path / "clone")],
        check=True,
        capture_output=True,
    )
    return tmp_path / "clone" / "dataset"


def _converted(dataset: Path) -> list[str]:
    return sorted(
        path.relative_to(dataset).as_posix()
        for path in dataset.rglob("*")
        if path.is_file() and b"\r\n" in path.read_bytes()
    )


def test_the_repository_keeps_data_byte_exact_in_an_autocrlf_clone(
    tmp_path: Path, packaged_dataset: Path, repo_root: Path
) -> None:
    dataset = _autocrlf_clone(tmp_path, packaged_dataset, repo_root / ".gitattributes")
    assert _converted(dataset) == []
    for path in sorted(packaged_dataset.glob("sources/*.txt")):
        assert (dataset / "sources" / path.name).read_bytes() == path.read_bytes()
    report = validate(dataset)
    assert report.valid, [error.as_dict() for error in report.errors]


def test_without_gitattributes_each_converted_file_is_one_problem_naming_autocrlf(
    tmp_path: Path, packaged_dataset: Path
) -> None:
    dataset = _autocrlf_clone(tmp_path, packaged_dataset, None)
    converted = _converted(dataset)
    assert "sources.csv" in converted
    assert any(name.startswith("sources/") for name in converted)
    report = validate(dataset)
    assert {error.rule for error in report.errors} == {"crlf-line-endings"}
    checked = [name for name in converted if name.endswith((".csv", ".txt"))]
    assert sorted(error.file for error in report.errors) == checked
    for error in report.errors:
        assert "CRLF" in error.message
        assert "core.autocrlf" in error.hint


@pytest.mark.parametrize("pattern", ["*.csv", "sources/*.txt"])
def test_a_file_with_crlf_is_reported_at_its_first_crlf_line(
    pattern: str, dataset_copy: Path
) -> None:
    path = sorted(dataset_copy.glob(pattern))[0]
    lines = path.read_bytes().split(b"\n")
    lines[1] += b"\r"  # the second line alone
    path.write_bytes(b"\n".join(lines))
    (error,) = [e for e in validate(dataset_copy).errors if e.rule == "crlf-line-endings"]
    assert (error.file, error.line) == (path.relative_to(dataset_copy).as_posix(), 2)
    assert error.message.startswith("1 line ends with CRLF")
