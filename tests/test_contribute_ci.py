"""A pull request is checked by CI, and a contributor can run the same check before committing."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from _installed import script
from _schema_check import check_jsonschema

WORKFLOWS = ["validate.yml", "ci.yml", "release.yml"]


def _yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", WORKFLOWS)
def test_workflow_is_valid_against_githubs_workflow_schema(repo_root: Path, name: str) -> None:
    code, output = check_jsonschema(
        "--builtin-schema",
        "vendor.github-workflows",
        str(repo_root / ".github" / "workflows" / name),
    )
    assert code == 0, output


def test_the_schema_check_would_catch_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: pull_request\njobs:\n  x:\n    steps: 3\n", encoding="utf-8")
    code, output = check_jsonschema("--builtin-schema", "vendor.github-workflows", str(broken))
    assert code == 1, output


def test_pull_requests_are_validated_read_only_by_the_base_branch_validator(
    repo_root: Path,
) -> None:
    workflow = _yaml(repo_root / ".github" / "workflows" / "validate.yml")
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 readers turn 'on' into True
    assert "pull_request" in triggers
    assert workflow["permissions"] == {"contents": "read"}
    steps = workflow["jobs"]["validate"]["steps"]
    base = next(s for s in steps if s.get("with", {}).get("path") == "base")
    assert base["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    runs = [step.get("run", "") for step in steps]
    assert "python -m pip install ./base" in runs
    assert not any("pip install" in run and "./pr" in run for run in runs)
    (validate,) = [step for step in steps if "china-ai-claims validate" in step.get("run", "")]
    assert validate["run"] == "china-ai-claims validate dataset --format github"
    assert validate["working-directory"] == "pr"
    assert all(s.get("with", {}).get("persist-credentials") is False for s in steps if "uses" in s
               and s["uses"].startswith("actions/checkout"))  # fmt: skip


def test_pre_commit_hook_runs_the_validator_on_the_dataset(repo_root: Path) -> None:
    (hook,) = _yaml(repo_root / ".pre-commit-hooks.yaml")
    assert hook["id"] == "china-ai-claims-validate"
    assert hook["entry"] == "china-ai-claims validate dataset"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["files"] == "^dataset/"


def test_the_hook_command_passes_on_the_repository(repo_root: Path) -> None:
    result = subprocess.run(
        [script("china-ai-claims"), "validate", "dataset"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("valid: ")


def test_ci_tests_every_python_every_os_and_the_lowest_versions(repo_root: Path) -> None:
    workflow = _yaml(repo_root / ".github" / "workflows" / "ci.yml")
    jobs = workflow["jobs"]
    assert jobs["ci"]["steps"][-1]["run"] == "bash .ci/run"
    matrix = jobs["tests"]["strategy"]["matrix"]
    assert matrix["python-version"] == ["3.10", "3.11", "3.12", "3.13"]
    assert {entry["os"] for entry in matrix["include"]} == {"windows-latest", "macos-latest"}
    runs = [step.get("run", "") for step in jobs["tests"]["steps"]]
    assert 'pip install ".[test]" && python -m pytest' in runs
    lowest = "\n".join(step.get("run", "") for step in jobs["lowest-direct"]["steps"])
    assert "--resolution lowest-direct" in lowest
    for job in jobs.values():
        for step in job["steps"]:
            if "uses" in step:  # pinned by a full commit hash
                assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


def test_ci_run_tests_the_lowest_allowed_versions_too(repo_root: Path) -> None:
    script = (repo_root / ".ci" / "run").read_text(encoding="utf-8")
    assert (
        'uv pip install --quiet --python "$lowest/bin/python" --resolution lowest-direct' in script
    )
    assert '"$lowest/bin/python" -m pytest' in script
