"""The generated contract (schemas/, datapackage.json) is current and valid for other tools."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from china_ai_claims.cli import app
from china_ai_claims.release import metadata
from china_ai_claims.schema_builder import RELEASE_SCHEMA_FILE, stale_files


def test_committed_schemas_datapackage_and_data_dictionary_are_current(repo_root: Path) -> None:
    assert stale_files(repo_root / "dataset", repo_root / "schemas", repo_root / "docs") == []


def test_data_dictionary_covers_every_table_column_and_enumeration(repo_root: Path) -> None:
    from china_ai_claims.models import RECORD_TYPES, Bound, ModelStatus

    text = (repo_root / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    for record in RECORD_TYPES:
        assert f"## `{record.table}`" in text
        for column in record.model_fields:
            assert f"| `{column}` |" in text, (record.table, column)
    for kind in (Bound, ModelStatus):
        assert f"### {kind.__name__}" in text
        assert all(f"`{member.value}`" in text for member in kind)


def test_packaged_schemas_and_datapackage_are_current(packaged_dataset: Path) -> None:
    assert stale_files(packaged_dataset, packaged_dataset.parent / "schemas") == []


@pytest.fixture
def root_copy(tmp_path: Path, repo_root: Path) -> Path:
    for folder in ("dataset", "schemas", "docs"):
        shutil.copytree(repo_root / folder, tmp_path / folder)
    for name in ("CITATION.cff", ".zenodo.json"):
        shutil.copy2(repo_root / name, tmp_path / name)
    return tmp_path


def test_schemas_check_passes_on_current_files(root_copy: Path) -> None:
    result = CliRunner().invoke(app, ["schemas", "--check", "--root", str(root_copy)])
    assert result.exit_code == 0, result.output


def test_schemas_check_fails_on_a_stale_file_and_regeneration_fixes_it(root_copy: Path) -> None:
    target = root_copy / "schemas" / "models.schema.json"
    target.write_text(
        target.read_text(encoding="utf-8").replace("LongCat", "Longcat"), encoding="utf-8"
    )
    before = target.read_bytes()
    result = CliRunner().invoke(app, ["schemas", "--check", "--root", str(root_copy)])
    assert result.exit_code == 1
    assert "models.schema.json" in result.output
    assert target.read_bytes() == before, "--check must not write"
    assert CliRunner().invoke(app, ["schemas", "--root", str(root_copy)]).exit_code == 0
    assert CliRunner().invoke(app, ["schemas", "--check", "--root", str(root_copy)]).exit_code == 0


def test_schemas_command_without_a_dataset_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["schemas", "--check", "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert "datapackage.json not found" in result.output


def test_frictionless_reports_the_data_package_valid(packaged_dataset: Path) -> None:
    from frictionless import Package

    report = Package(str(packaged_dataset / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_frictionless_checks_our_foreign_keys(dataset_copy: Path) -> None:
    from frictionless import Package

    path = dataset_copy / "cost_claims.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",deepseek-v3,", ",deepseek-v9,"), encoding="utf-8"
    )
    report = Package(str(dataset_copy / "datapackage.json")).validate()
    assert not report.valid
    assert "foreign-key" in {error[0] for error in report.flatten(["type"])}


def test_every_resource_is_utf8_csv_with_an_inline_table_schema(packaged_dataset: Path) -> None:
    descriptor = json.loads((packaged_dataset / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["name"] == "china-ai-claims"
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    for resource in descriptor["resources"]:
        assert resource["encoding"] == "utf-8"
        assert resource["path"] == f"{resource['name']}.csv"
        assert resource["schema"]["primaryKey"] == ["id"]
        schema_file = packaged_dataset.parent / "schemas" / f"{resource['name']}.schema.json"
        assert json.loads(schema_file.read_text(encoding="utf-8")) == resource["schema"]


def test_release_json_schema_accepts_the_records_and_rejects_a_bad_one(
    packaged_dataset: Path,
) -> None:
    from jsonschema import Draft202012Validator

    import china_ai_claims as cac

    schema_path = packaged_dataset.parent / "schemas" / RELEASE_SCHEMA_FILE
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["required"] == ["metadata", *cac.tables()]
    descriptor = json.loads((packaged_dataset / "datapackage.json").read_text(encoding="utf-8"))
    document = {
        "metadata": metadata(descriptor),
        **{
            table: [record.model_dump(mode="json") for record in cac.records(table)]
            for table in cac.tables()
        },
    }
    validator = Draft202012Validator(schema)
    assert list(validator.iter_errors(document)) == []
    document["cost_claims"][0]["claim_kind"] = "roughly"
    assert [error.validator for error in validator.iter_errors(document)] == ["enum"]
