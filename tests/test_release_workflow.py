"""A maintainer pushes a version tag: the release workflow checks the release with frictionless,
attests how every file was built, publishes to PyPI with trusted publishing (no stored token) and
attaches the files; every action in every workflow is pinned by commit SHA, kept current by
Dependabot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from _schema_check import check_jsonschema

PINNED = re.compile(r"^\s*-?\s*uses:\s*(?P<action>[\w./-]+)@(?P<ref>\S+)(?P<comment>.*)$")


def _yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _workflows(repo_root: Path) -> list[Path]:
    return sorted((repo_root / ".github" / "workflows").glob("*.yml"))


def _steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job, step) for job, spec in workflow["jobs"].items() for step in spec.get("steps", [])]


def test_every_action_in_every_workflow_is_pinned_by_commit_sha(repo_root: Path) -> None:
    uses = []
    for path in _workflows(repo_root):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"^\s*-?\s*uses:", line):
                match = PINNED.match(line)
                assert match is not None, (path.name, line)
                uses.append((path.name, match))
    assert uses
    for name, match in uses:
        if match["action"].startswith("./"):
            continue  # a local action is pinned by the commit it runs in
        assert re.fullmatch(r"[0-9a-f]{40}", match["ref"]), (name, match.group(0))
        assert re.search(r"#\s*v\d+", match["comment"]), f"{name}: name the tag of {match['ref']}"


def test_the_same_action_is_pinned_to_the_same_commit_everywhere(repo_root: Path) -> None:
    pins: dict[str, set[str]] = {}
    for path in _workflows(repo_root):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = PINNED.match(line)
            if match is not None:
                pins.setdefault(match["action"], set()).add(match["ref"])
    assert {action: refs for action, refs in pins.items() if len(refs) > 1} == {}


def test_dependabot_keeps_actions_and_python_dependencies_current(repo_root: Path) -> None:
    config = _yaml(repo_root / ".github" / "dependabot.yml")
    assert config["version"] == 2
    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    assert {"github-actions", "pip"} <= ecosystems


def test_dependabot_config_is_valid_against_its_schema(repo_root: Path) -> None:
    code, output = check_jsonschema(
        "--builtin-schema", "vendor.dependabot", str(repo_root / ".github" / "dependabot.yml")
    )
    assert code == 0, output


@pytest.fixture
def release_workflow(repo_root: Path) -> dict[str, Any]:
    workflow: dict[str, Any] = _yaml(repo_root / ".github" / "workflows" / "release.yml")
    return workflow


def _step_using(workflow: dict[str, Any], action: str) -> tuple[str, dict[str, Any]]:
    found = [
        (job, step) for job, step in _steps(workflow) if step.get("uses", "").startswith(action)
    ]
    assert found, f"no step uses {action}"
    return found[0]


def test_pypi_publishing_is_trusted_without_a_token(release_workflow: dict[str, Any]) -> None:
    job, step = _step_using(release_workflow, "pypa/gh-action-pypi-publish@")
    spec = release_workflow["jobs"][job]
    assert spec["permissions"]["id-token"] == "write"
    assert not {"password", "user"} & set(step.get("with", {}))
    assert "secrets." not in str(spec)
    assert step["with"]["packages-dir"] == "dist/"
    assert spec["environment"]["name"] == "pypi"


def test_every_release_file_gets_a_build_provenance_attestation(
    release_workflow: dict[str, Any],
) -> None:
    job, step = _step_using(release_workflow, "actions/attest-build-provenance@")
    permissions = release_workflow["jobs"][job]["permissions"]
    assert permissions["id-token"] == "write"
    assert permissions["attestations"] == "write"
    subjects = step["with"]["subject-path"].split()
    assert "release/*" in subjects  # every file `china-ai-claims release` writes
    assert "dist/*" in subjects  # the wheel and sdist
    runs = [s.get("run", "") for j, s in _steps(release_workflow) if j == job]
    release = runs.index("china-ai-claims release dataset --out release")
    build = runs.index("python -m build --outdir dist")
    attest = [s for j, s in _steps(release_workflow) if j == job].index(step)
    assert release < attest
    assert build < attest


def test_the_extracted_zip_is_checked_with_frictionless(release_workflow: dict[str, Any]) -> None:
    ((job, step),) = [
        (job, step)
        for job, step in _steps(release_workflow)
        if "frictionless validate" in step.get("run", "")
    ]
    check = step["run"]
    assert "-csv.zip" in check
    assert "frictionless validate extracted/datapackage.json" in check
    # The job that checks the release installs frictionless and what builds the release.
    runs = [s.get("run", "") for j, s in _steps(release_workflow) if j == job]
    (install,) = [run for run in runs if "pip install" in run]
    assert "frictionless" in install
    assert "release]" in install  # pyarrow, for the Parquet files


def test_the_github_release_attaches_the_release_files_and_the_packages(
    release_workflow: dict[str, Any],
) -> None:
    (attach,) = [step["run"] for _, step in _steps(release_workflow)
                 if "gh release create" in step.get("run", "")]  # fmt: skip
    for files in ("release/*", "dist/*"):
        assert files in attach
