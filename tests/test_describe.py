"""An analyst reads what each column means without leaving Python: ``load(table).attrs`` and
``describe(table)`` carry the Table Schema's types, requirements, allowed values, descriptions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import china_ai_claims as cac


def _resource(data_dir: Path, table: str) -> dict[str, Any]:
    descriptor = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = [r for r in descriptor["resources"] if r["name"] == table]
    found: dict[str, Any] = resource
    return found


@pytest.mark.parametrize("table", cac.tables())
def test_loaded_frames_carry_the_version_table_and_column_metadata(
    table: str, packaged_dataset: Path
) -> None:
    resource = _resource(packaged_dataset, table)
    attrs = cac.load(table).attrs
    assert attrs["version"] == cac.__version__
    assert attrs["table"] == table
    assert attrs["description"] == resource["description"]
    fields = resource["schema"]["fields"]
    assert list(attrs["columns"]) == [field["name"] for field in fields]
    for field in fields:
        column = attrs["columns"][field["name"]]
        assert column["description"] == field["description"]
        assert column["type"] == field["type"]
        assert column["allowed_values"] == field.get("constraints", {}).get("enum")


@pytest.mark.parametrize("table", cac.tables())
def test_describe_gives_one_row_per_column(table: str, packaged_dataset: Path) -> None:
    fields = _resource(packaged_dataset, table)["schema"]["fields"]
    described = cac.describe(table)
    assert list(described.columns) == ["column", "type", "required", "allowed_values",
                                       "description"]  # fmt: skip
    assert described["column"].tolist() == [field["name"] for field in fields]
    assert described["required"].tolist() == [
        bool(field.get("constraints", {}).get("required")) for field in fields
    ]
    assert described["description"].tolist() == [field["description"] for field in fields]


def test_describe_lists_the_allowed_values_of_an_enumeration() -> None:
    described = cac.describe("cost_claims").set_index("column")
    bounds = described.loc["bound", "allowed_values"]
    assert "unquantified" in bounds
    assert list(cac.load("cost_claims")["bound"].cat.categories) == bounds
    assert pd.isna(described.loc["quote", "allowed_values"])


def test_describe_of_an_unknown_table_lists_the_valid_ones() -> None:
    with pytest.raises(cac.UnknownTableError, match="cost_claims"):
        cac.describe("costs")


def test_load_all_keeps_the_full_descriptor(packaged_dataset: Path) -> None:
    dataset = cac.load_all()
    descriptor = json.loads((packaged_dataset / "datapackage.json").read_text(encoding="utf-8"))
    assert dataset.metadata == descriptor
    assert dataset["cost_claims"].attrs["columns"]["amount"]["type"] == "number"


def test_a_release_is_described_from_its_own_descriptor(tmp_path: Path) -> None:
    from china_ai_claims.release import build_release

    (archive,) = [path for path in build_release(tmp_path) if path.suffix == ".zip"]
    released = cac.describe("events", release=archive)
    pd.testing.assert_frame_equal(released, cac.describe("events"))
    assert cac.load("events", release=archive).attrs["version"] == cac.__version__
