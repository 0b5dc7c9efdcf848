"""Which data a command reads: the checkout's dataset/ inside a checkout, else the installed
copy; a folder given is read as given; nothing is ever written into the installed package."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import china_ai_claims as cac
from china_ai_claims import locating
from china_ai_claims.cli import app


@pytest.fixture
def checkout(tmp_path: Path, packaged_dataset: Path) -> Path:
    root = tmp_path / "clone"
    shutil.copytree(packaged_dataset, root / "dataset", ignore=shutil.ignore_patterns("__py*"))
    (root / "docs" / "deep").mkdir(parents=True)
    return root


@pytest.fixture
def installed(tmp_path: Path, packaged_dataset: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for the installed package folder, holding its dataset/ as a wheel does."""
    package = tmp_path / "site-packages" / "china_ai_claims"
    shutil.copytree(packaged_dataset, package / "dataset", ignore=shutil.ignore_patterns("__py*"))
    monkeypatch.setattr(locating, "installed_package_dir", lambda: package)
    return package


@pytest.mark.parametrize(
    ("where", "label"),
    [
        (".", "dataset/ (checkout)"),
        ("docs/deep", "{root}/dataset/ (checkout)"),
        ("dataset", "./ (checkout)"),
    ],
    ids=["root", "subfolder", "inside-dataset"],
)
def test_inside_a_checkout_every_command_reads_its_dataset(
    checkout: Path, where: str, label: str
) -> None:
    location = locating.locate(None, cwd=checkout / where)
    assert location.path == checkout / "dataset"
    assert location.label == label.format(root=checkout.as_posix())
    assert location.writable
    assert location.checkout == checkout


def test_outside_a_checkout_the_installed_copy_is_read(tmp_path: Path) -> None:
    location = locating.locate(None, cwd=tmp_path)
    assert location.checkout is None
    assert location.label == f"installed package {cac.__version__}"


def test_a_folder_given_is_read_as_given(checkout: Path, tmp_path: Path) -> None:
    location = locating.locate("dataset", cwd=checkout)
    assert (location.path, location.label, location.display) == (
        checkout / "dataset",
        "dataset/ (checkout)",  # the checkout's own dataset/, named so
        "dataset",
    )
    elsewhere = tmp_path / "other"
    shutil.copytree(checkout / "dataset", elsewhere)
    location = locating.locate("other", cwd=tmp_path)
    assert (location.path, location.label) == (elsewhere, "other/")


def test_the_installed_package_is_no_checkout_and_is_never_written(
    installed: Path, tmp_path: Path
) -> None:
    assert locating.find_checkout(installed) is None
    assert locating.find_checkout(installed / "dataset") is None
    with pytest.raises(locating.LocationError, match="never changed"):
        locating.writable_location(installed / "dataset", "add-source")
    with pytest.raises(locating.LocationError, match="never written"):
        locating.default_output(installed / "docs" / "claims.svg", "docs/claims.svg", "--out")
    assert locating.locate(installed / "dataset", cwd=tmp_path).label.endswith(
        "/ (installed package)"
    )


def test_add_source_into_the_installed_dataset_is_refused(
    installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = tmp_path / "article.txt"
    article.write_text("A text\n", encoding="utf-8")
    before = sorted(path.name for path in (installed / "dataset" / "sources").iterdir())
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app,
        ["add-source", str(article), "--id", "a-text", "--title", "A text",
         "--data-dir", str(installed / "dataset")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "never changed: clone the repository" in result.stderr
    assert sorted(path.name for path in (installed / "dataset" / "sources").iterdir()) == before


def test_chart_in_a_checkout_writes_its_docs_folder_only(
    checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(checkout / "docs" / "deep")
    result = CliRunner().invoke(app, ["chart"])
    assert result.exit_code == 0, result.output
    assert (checkout / "docs" / "claims.svg").is_file()
    assert not (checkout / "docs" / "deep" / "docs").exists()


def test_version_is_printed_only_when_asked() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"china-ai-claims {cac.__version__}\n")
    result = CliRunner().invoke(app, ["validate", "no-such-folder"])
    assert result.exit_code == 2
    assert cac.__version__ not in result.stdout


MACHINE_OUTPUTS = [
    ["validate", "--format", "json"],
    ["compare", "--format", "json"],
    ["coverage", "--format", "json"],
    ["show", "sources", "--format", "json"],
    ["show", "sources", "--format", "csv"],
]


@pytest.mark.parametrize("args", MACHINE_OUTPUTS, ids=" ".join)
def test_output_for_machines_names_what_it_read_on_stderr(
    args: list[str], checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(checkout)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("read dataset/ (checkout)"), result.stderr
    assert "read dataset/" not in result.stdout.replace('"read": "dataset/', "")


def test_schemas_check_names_the_checkout_it_checked(
    checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(checkout / "docs")
    assert CliRunner().invoke(app, ["schemas"]).exit_code == 0  # every generated file written
    result = CliRunner().invoke(app, ["schemas", "--check"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"generated files are current in {checkout.as_posix()}\n"


def test_a_folder_named_with_a_newline_or_an_escape_is_named_on_one_printable_line(
    checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = checkout.parent / "evil\n\x1b[31mRED"
    shutil.copytree(checkout / "dataset", hostile)
    monkeypatch.chdir(checkout.parent)
    location = locating.locate(hostile.name)
    assert location.label == "evil\\u000a\\u001b[31mRED/"
    result = CliRunner().invoke(app, ["validate", hostile.name, "--format", "json"])
    assert result.stderr == f"read {location.label}\n"
