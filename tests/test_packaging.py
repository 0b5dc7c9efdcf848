"""The package installs with its data, and its version is written in one place."""

from __future__ import annotations

import inspect
import json
import re
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import version as installed_version
from pathlib import Path

import pytest

import china_ai_claims

BUILD_INPUTS = ("pyproject.toml", "MANIFEST.in", "README.md", "LICENSE")
BUILD_FOLDERS = ("src", "dataset", "schemas")
HIDDEN_IN_A_CHECKOUT = ("dataset/.DS_Store", "dataset/.people.csv", "dataset/sources/.x.txt")


@pytest.fixture(scope="module")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built (offline, no isolation) from a copy of the checkout, via its sdist."""
    repo = Path(__file__).resolve().parents[1]
    work = tmp_path_factory.mktemp("build")
    source = work / "source"
    source.mkdir()
    for name in BUILD_INPUTS:
        shutil.copy2(repo / name, source / name)
    for folder in BUILD_FOLDERS:
        shutil.copytree(
            repo / folder,
            source / folder,
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
        )
    for hidden in HIDDEN_IN_A_CHECKOUT:  # what a checkout may hold beside the data
        (source / hidden).write_bytes(b"id\n")
    out = work / "dist"
    # --skip-dependency-check: the build backend is this environment's (the test extras pin it);
    # asking it for its requirements first took two more Python processes.
    build = ["-m", "build", "--no-isolation", "--skip-dependency-check", "--outdir", str(out)]
    result = subprocess.run(
        [sys.executable, *build, str(source)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = out.glob("*.whl")
    return wheel


def test_wheel_contains_the_dataset_the_sources_and_the_schemas(
    built_wheel: Path, repo_root: Path
) -> None:
    names = set(zipfile.ZipFile(built_wheel).namelist())
    expected = {f"china_ai_claims/dataset/{p.name}" for p in (repo_root / "dataset").glob("*.*")}
    expected |= {
        f"china_ai_claims/dataset/sources/{p.name}"
        for p in (repo_root / "dataset/sources").glob("*.txt")
    }
    expected |= {
        f"china_ai_claims/schemas/{p.name}" for p in (repo_root / "schemas").glob("*.json")
    }
    expected |= {"china_ai_claims/__init__.py", "china_ai_claims/py.typed"}
    expected |= {"china_ai_claims/releases.json"}  # the registry of published releases
    assert expected <= names, sorted(expected - names)
    assert any(name.endswith("entry_points.txt") for name in names)


def test_no_hidden_file_of_a_checkout_ships_in_the_wheel(built_wheel: Path) -> None:
    names = zipfile.ZipFile(built_wheel).namelist()
    assert [name for name in names if Path(name).name.startswith(".")] == []


def test_wheel_carries_the_dataset_version(built_wheel: Path) -> None:
    assert built_wheel.name.startswith(f"china_ai_claims-{china_ai_claims.__version__}-")


def test_version_agrees_everywhere(packaged_dataset: Path, repo_root: Path) -> None:
    descriptor = json.loads((packaged_dataset / "datapackage.json").read_text(encoding="utf-8"))
    changelog = (repo_root / "CHANGELOG.md").read_text(encoding="utf-8")
    top = re.search(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.MULTILINE)
    assert top is not None, "CHANGELOG.md has no '## [x.y.z] - YYYY-MM-DD' entry"
    assert (
        descriptor["version"]
        == installed_version("china-ai-claims")
        == china_ai_claims.__version__
        == top.group(1)
    ), "after a new version, install the package again (pip install -e .) to record it"


def test_pyproject_does_not_write_the_version_a_second_time(repo_root: Path) -> None:
    pyproject = (repo_root / "pyproject.toml").read_text(encoding="utf-8")
    project_table = pyproject.split("\n[project]\n", 1)[1].split("\n[", 1)[0]
    assert 'dynamic = ["version"]' in project_table
    assert not re.search(r"^version\s*=", project_table, re.MULTILINE)


def test_public_api_is_exactly_all() -> None:
    assert china_ai_claims.__all__ == sorted(china_ai_claims.__all__)
    for name in china_ai_claims.__all__:
        assert getattr(china_ai_claims, name) is not None
    public = {
        name
        for name in dir(china_ai_claims)
        if not name.startswith("_") and not inspect.ismodule(getattr(china_ai_claims, name))
    } - {"TYPE_CHECKING"}
    assert public == set(china_ai_claims.__all__) - {"__version__"}


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        china_ai_claims.nope  # noqa: B018


def _bump_version(folder: Path) -> None:
    descriptor = folder / "datapackage.json"
    descriptor.write_text(
        descriptor.read_text(encoding="utf-8").replace(
            f'"version": "{china_ai_claims.__version__}"', '"version": "99.0.0"'
        ),
        encoding="utf-8",
    )


# (what the contributor did after installing, files the reason names; None: no reason)
STALE_INSTALLS = [
    ("nothing", None),
    ("changed-a-row", ["cost_claims.csv"]),
    ("added-a-source", ["sources/new.txt"]),
    ("new-version-plain", ["datapackage.json"]),
    ("new-version-editable", ["version 99.0.0"]),
    ("left-a-file-not-shipped", None),
    ("left-an-editors-lock-link", None),
    ("removed-a-source", ["sources/gone.txt", "remove build/"]),
    ("broken-descriptor-editable", None),
]


@pytest.mark.parametrize(("change", "named"), STALE_INSTALLS, ids=[c for c, _ in STALE_INSTALLS])
def test_tests_stop_at_once_when_the_install_is_not_the_checkouts_data(
    tmp_path: Path, packaged_dataset: Path, change: str, named: list[str] | None
) -> None:
    from _installed import stale_install

    checkout = tmp_path / "dataset"
    shutil.copytree(packaged_dataset, checkout, ignore=shutil.ignore_patterns("__pycache__"))
    installed = tmp_path / "installed"
    shutil.copytree(checkout, installed)
    if change == "changed-a-row":
        table = checkout / "cost_claims.csv"
        table.write_bytes(table.read_bytes().replace(b",", b",,", 1))
    elif change == "added-a-source":
        (checkout / "sources" / "new.txt").write_text("words\n", encoding="utf-8")
    elif change == "left-an-editors-lock-link":  # as Emacs writes one: a link to nowhere
        (checkout / ".#people.csv").symlink_to("me@host.4242:1700000000")
    elif change == "removed-a-source":  # still in the installed copy, from an old build/
        (installed / "sources" / "gone.txt").write_text("words\n", encoding="utf-8")
    elif change == "left-a-file-not-shipped":
        (checkout / ".DS_Store").write_bytes(b"\0")
        (checkout / "sources" / "notes.md").write_text("mine\n", encoding="utf-8")
    elif change.startswith("new-version"):
        _bump_version(checkout)
    elif change.startswith("broken-descriptor"):
        (checkout / "datapackage.json").write_text("{", encoding="utf-8")
    if change.endswith("-editable"):
        installed = checkout  # an editable install reads the checkout's own folder
    reason = stale_install(checkout, installed, china_ai_claims.__version__)
    if named is None:
        assert reason is None
    else:
        assert reason is not None
        assert reason.startswith(f"the installed china-ai-claims {china_ai_claims.__version__} ")
        for name in named:
            assert name in reason
        assert 'pip install ".[test]"' in reason


@pytest.mark.parametrize(
    ("workers", "changed"),
    [([], True), (["-n", "2"], True), ([], False)],
    ids=["one process", "two workers", "data as installed"],
)
def test_a_run_in_a_checkout_whose_data_the_install_lacks_stops_at_once(
    tmp_path: Path, repo_root: Path, workers: list[str], changed: bool
) -> None:
    """The check at the start of the run, wired as a contributor meets it: a checkout whose
    data changed after the package was installed (here: a copy of this one, whose changed data
    no installed copy holds); unchanged, the run goes on."""
    checkout = tmp_path / "checkout"
    shutil.copytree(repo_root / "tests", checkout / "tests", ignore=shutil.ignore_patterns("__py*"))
    shutil.copytree(repo_root / "dataset", checkout / "dataset")
    shutil.copy2(repo_root / "pyproject.toml", checkout / "pyproject.toml")
    people = checkout / "dataset" / "people.csv"
    if changed:
        people.write_bytes(people.read_bytes().replace(b",", b",,", 1))
    run = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *workers]
    result = subprocess.run(
        [*run, "tests/test_packaging.py", "-k", "public_api_is_exactly_all"],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=False,
    )
    said = result.stdout + result.stderr
    if not changed:
        assert result.returncode == pytest.ExitCode.OK, said
        return
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, said
    assert "is not this checkout's data (dataset/ differs in people.csv)" in said
    assert 'pip install ".[test]"' in said
