"""A researcher cites the exact version they used: CITATION.cff and .zenodo.json follow the
descriptor (a version bump is one command), and ``china-ai-claims cite`` prints BibTeX, APA or CFF
for the installed version, a dataset folder or a release."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

import china_ai_claims as cac
from china_ai_claims.cli import app
from china_ai_claims.release import build_release


def _descriptor(data_dir: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (data_dir / "datapackage.json").read_text(encoding="utf-8")
    )
    return document


def test_citation_cff_carries_the_version_and_release_date_of_the_descriptor(
    repo_root: Path,
) -> None:
    descriptor = _descriptor(repo_root / "dataset")
    cff = YAML(typ="safe").load((repo_root / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["version"] == descriptor["version"] == cac.__version__
    assert str(cff["date-released"]) == descriptor["created"][:10]
    assert cff["license"] == descriptor["licenses"][0]["name"]
    zenodo = json.loads((repo_root / ".zenodo.json").read_text(encoding="utf-8"))
    assert zenodo["version"] == descriptor["version"]
    assert zenodo["publication_date"] == descriptor["created"][:10]
    assert zenodo["upload_type"] == "dataset"


def test_citation_cff_is_valid_citation_file_format(repo_root: Path) -> None:
    """The fields CFF 1.2.0 requires, with the types it requires (checked without network)."""
    cff = YAML(typ="safe").load((repo_root / "CITATION.cff").read_text(encoding="utf-8"))
    assert {"cff-version", "message", "title", "authors"} <= set(cff)
    assert all(isinstance(author, dict) and author for author in cff["authors"])
    assert cff["type"] == "dataset"
    assert isinstance(cff["keywords"], list)


@pytest.fixture
def repository_copy(tmp_path: Path, repo_root: Path) -> Path:
    for folder in ("dataset", "schemas", "docs"):
        shutil.copytree(repo_root / folder, tmp_path / folder)
    for name in ("CITATION.cff", ".zenodo.json", "README.md"):
        shutil.copy2(repo_root / name, tmp_path / name)
    return tmp_path


def test_a_version_bump_is_one_command(repository_copy: Path) -> None:
    """Set version and created in datapackage.json, run ``schemas``: the citation files follow,
    and ``schemas --check`` fails until they do."""
    path = repository_copy / "dataset" / "datapackage.json"
    descriptor = _descriptor(repository_copy / "dataset")
    major, minor, _ = (int(part) for part in descriptor["version"].split("."))
    bumped = f"{major}.{minor + 1}.0"
    descriptor.update(version=bumped, created="2031-02-03T00:00:00Z")
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", "utf-8")
    runner = CliRunner()
    check = runner.invoke(app, ["schemas", "--check", "--root", str(repository_copy)])
    assert check.exit_code == 1
    assert "CITATION.cff" in check.output
    assert runner.invoke(app, ["schemas", "--root", str(repository_copy)]).exit_code == 0
    assert runner.invoke(app, ["schemas", "--check", "--root", str(repository_copy)]).exit_code == 0
    cff = YAML(typ="safe").load((repository_copy / "CITATION.cff").read_text(encoding="utf-8"))
    assert (cff["version"], str(cff["date-released"])) == (bumped, "2031-02-03")
    cited = runner.invoke(app, ["cite", str(repository_copy / "dataset")])
    assert f"version = {{{bumped}}}" in cited.stdout
    readme = (repository_copy / "README.md").read_text(encoding="utf-8")
    assert f"```bibtex\n{cited.stdout}```\n" in readme
    assert "year = {2031}" in cited.output


CITE_FORMATS = [
    # (format, text every citation of this version must hold)
    ("bibtex", "@misc{china_ai_claims_"),
    ("apa", "[Data set]"),
    ("cff", "cff-version: 1.2.0"),
]


@pytest.mark.parametrize(("citation_format", "marker"), CITE_FORMATS)
def test_cite_prints_the_installed_version(citation_format: str, marker: str) -> None:
    result = CliRunner().invoke(app, ["cite", "--format", citation_format])
    assert result.exit_code == 0, result.output
    assert marker in result.output
    assert cac.__version__ in result.output


def test_cite_defaults_to_a_bibtex_entry_that_parses(packaged_dataset: Path) -> None:
    output = CliRunner().invoke(app, ["cite"]).stdout  # stderr names the data read
    assert output.startswith("@misc{")
    assert output.rstrip().endswith("}")
    assert output.count("{") == output.count("}")
    assert f"  version = {{{cac.__version__}}}," in output
    created = _descriptor(packaged_dataset)["created"]
    assert f"  year = {{{created[:4]}}}," in output


def test_cite_reads_a_release(tmp_path: Path) -> None:
    json_release = tmp_path / f"china-ai-claims-{cac.__version__}.json"
    assert json_release in build_release(tmp_path)
    result = CliRunner().invoke(app, ["cite", "--release", str(json_release), "--format", "apa"])
    assert result.exit_code == 0, result.output
    assert f"(Version {cac.__version__})" in result.output


def test_cite_of_a_missing_release_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["cite", "--release", str(tmp_path / "nope.zip")])
    assert result.exit_code == 2
    assert "nope.zip" in result.output
