"""The next contributor: a second contribution made the documented way passes every check of the
data, in a copy of the repository, with nothing else changed (no test, no generated file)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from _contribution import CHANGELOG_TOP, Contribution, contribute, next_minor, run, run_installed

MADE = Contribution()
COPIED = ("dataset", "schemas", "docs", "CHANGELOG.md", "README.md", "pyproject.toml")


def _rows(table: Path) -> list[dict[str, str]]:
    with table.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _version(dataset: Path) -> str:
    version = json.loads((dataset / "datapackage.json").read_text(encoding="utf-8"))["version"]
    assert isinstance(version, str)
    return version


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's data and documents with the fictional contribution applied."""
    repo_root = Path(__file__).resolve().parents[1]
    repo = tmp_path_factory.mktemp("contribution") / "checkout"
    repo.mkdir()
    for name in COPIED:
        source = repo_root / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, repo / name)
    shutil.copytree(repo / "dataset", repo.parent / "before")
    contribute(repo, MADE)
    return repo


def test_the_contribution_validates_where_the_contributor_stands(checkout: Path) -> None:
    before = len(_rows(checkout.parent / "before" / "sources.csv"))
    result = run_installed(checkout, "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    (summary,) = result.stdout.splitlines()
    assert summary.startswith("valid: ")
    assert f", {before + 1} sources" in summary
    assert summary.endswith(" in dataset/ (checkout)")


def test_the_generated_files_need_no_refresh(checkout: Path) -> None:
    result = run(checkout, "schemas", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_minor_version_and_the_changelog_agree(checkout: Path) -> None:
    version = _version(checkout / "dataset")
    assert version == next_minor(_version(checkout.parent / "before"))
    top = CHANGELOG_TOP.search((checkout / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert top is not None
    assert top.group(1) == version


def test_the_release_carries_the_new_version_and_rows(checkout: Path) -> None:
    result = run(checkout, "release")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "read dataset/ (checkout)"
    version = _version(checkout / "dataset")
    document = json.loads(
        (checkout / "release" / f"china-ai-claims-{version}.json").read_text(encoding="utf-8")
    )
    assert MADE.funding_claim in json.dumps(document)


def test_diff_writes_the_changelog_entry_of_the_added_rows(checkout: Path) -> None:
    result = run(checkout, "diff", str(checkout.parent / "before"), "dataset", "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    text = json.dumps(document)
    for ids in MADE.added_ids.values():
        for row_id in ids:
            assert row_id in text
    assert result.stderr.startswith("compared ")


def test_reading_commands_show_the_contribution_and_name_the_checkout(checkout: Path) -> None:
    info = run(checkout, "info")
    assert info.returncode == 0, info.stderr
    lines = info.stdout.splitlines()
    assert lines[0] == f"china-ai-claims {_version(checkout / 'dataset')}"
    assert any(line.strip().startswith(f"{MADE.source_id}: ") for line in lines)
    assert lines[-1] == "read dataset/ (checkout)"
    where = f"id={MADE.funding_claim}"
    shown = run(checkout, "show", "funding_claims", "--where", where, "--format", "json")
    assert shown.returncode == 0, shown.stderr
    assert [row["id"] for row in json.loads(shown.stdout)] == [MADE.funding_claim]
    assert shown.stderr.strip() == "read dataset/ (checkout)"


def test_the_chart_draws_the_new_claim(checkout: Path, tmp_path: Path) -> None:
    out = tmp_path / "claims.svg"
    result = run(checkout / "docs", "chart", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert MADE.company in out.read_text(encoding="utf-8")
    # run in a subfolder of the checkout: the checkout's dataset/ is still the one read
    assert result.stdout.splitlines()[-1] == f"read {(checkout / 'dataset').as_posix()}/ (checkout)"
