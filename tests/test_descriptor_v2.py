"""A tool that reads Frictionless Data Package v2 finds a v2 descriptor: ``$schema`` profiles, no
removed v1 ``profile``, contributors with roles, creation time, homepage and id, valid against the
v2 profile's JSON Schema (a copy shipped in tests/profiles, so no network is needed)."""

from __future__ import annotations

import copy
import json
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from china_ai_claims.release import build_release

PROFILES = Path(__file__).with_name("profiles")
PROFILE = PROFILES / "datapackage-2.0.json"
LIST_FIELD = PROFILES / "list-field.json"
V2 = "https://datapackage.org/profiles/2.0/"


def _validator(path: Path) -> Draft7Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    return _validator(PROFILE)


@pytest.fixture
def descriptor(packaged_dataset: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (packaged_dataset / "datapackage.json").read_text(encoding="utf-8")
    )
    return document


def _errors(validator: Draft7Validator, document: dict[str, Any]) -> list[str]:
    """Problems against the profile; list fields are checked against the spec's List Field
    (which the published profile leaves out) and set aside for the profile check."""
    lists = _validator(LIST_FIELD)
    others = copy.deepcopy(document)
    problems = []
    for resource in others.get("resources", []):
        fields = resource.get("schema", {}).get("fields", [])
        for field in [f for f in fields if f.get("type") == "list"]:
            problems += [f"{field['name']}: {e.message}" for e in lists.iter_errors(field)]
            fields.remove(field)
    problems += [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(others)]
    return problems


def test_the_dataset_descriptor_is_valid_against_the_v2_profile(
    validator: Draft7Validator, descriptor: dict[str, Any]
) -> None:
    assert _errors(validator, descriptor) == []


def test_the_release_descriptor_with_hashes_is_valid_against_the_v2_profile(
    validator: Draft7Validator, tmp_path: Path
) -> None:
    (archive,) = [path for path in build_release(tmp_path) if path.suffix == ".zip"]
    with zipfile.ZipFile(archive) as members:
        released = json.loads(members.read("datapackage.json"))
    assert _errors(validator, released) == []
    assert all(resource["hash"].startswith("sha256:") for resource in released["resources"])


def _without_profile_keys(document: Any) -> Any:
    """Every key anywhere in the document, to look for the removed v1 ``profile``."""
    if isinstance(document, dict):
        return set(document) | set().union(*(_without_profile_keys(v) for v in document.values()))
    if isinstance(document, list):
        return set().union(*(_without_profile_keys(item) for item in document))
    return set()


def test_profiles_are_named_by_dollar_schema_not_the_removed_profile_key(
    descriptor: dict[str, Any],
) -> None:
    assert "profile" not in _without_profile_keys(descriptor)
    assert descriptor["$schema"] == f"{V2}datapackage.json"
    for resource in descriptor["resources"]:
        assert resource["$schema"] == f"{V2}dataresource.json"
        assert resource["type"] == "table"
        assert resource["dialect"]["$schema"] == f"{V2}tabledialect.json"
        assert resource["schema"]["$schema"] == f"{V2}tableschema.json"


def test_descriptor_names_contributors_creation_homepage_and_a_unique_id(
    descriptor: dict[str, Any],
) -> None:
    assert descriptor["contributors"]
    assert all(contributor["roles"] for contributor in descriptor["contributors"])
    datetime.fromisoformat(descriptor["created"].replace("Z", "+00:00"))
    assert descriptor["homepage"].startswith("https://")
    assert descriptor["version"] in descriptor["id"] or descriptor["id"].startswith(
        "https://doi.org/"
    )


BROKEN = {
    "contributor-roles-not-a-list": lambda d: d["contributors"][0].update(roles="creator"),
    "no-contributors": lambda d: d.update(contributors=[]),
    "created-not-a-string": lambda d: d.update(created=2026),
    "resource-without-path-or-data": lambda d: d["resources"][0].pop("path"),
    "field-without-name": lambda d: d["resources"][0]["schema"]["fields"][0].pop("name"),
    "number-example": lambda d: d["resources"][0]["schema"]["fields"][0].update(example=1),
    "list-of-objects": lambda d: [
        field.update(itemType="object")
        for resource in d["resources"]
        for field in resource["schema"]["fields"]
        if field["type"] == "list"
    ],
}


@pytest.mark.parametrize("change", list(BROKEN), ids=list(BROKEN))
def test_the_profile_check_catches_a_broken_descriptor(
    validator: Draft7Validator, descriptor: dict[str, Any], change: str
) -> None:
    broken = copy.deepcopy(descriptor)
    BROKEN[change](broken)
    assert _errors(validator, broken) != []
