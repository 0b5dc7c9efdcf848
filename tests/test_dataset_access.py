"""An analyst explores ``load_all()`` at the prompt: tables by key or attribute, a readable repr."""

from __future__ import annotations

import pytest

import china_ai_claims as cac
from china_ai_claims.loading import UnknownTableError


def test_tables_are_reachable_by_key_and_by_attribute() -> None:
    dataset = cac.load_all()
    for table in cac.tables():
        assert dataset[table] is dataset.tables[table]
        assert getattr(dataset, table) is dataset.tables[table]
        assert table in dir(dataset)


def test_an_unknown_table_names_the_valid_ones() -> None:
    dataset = cac.load_all()
    with pytest.raises(UnknownTableError, match="valid tables"):
        dataset["nope"]
    with pytest.raises(AttributeError, match="'nope'"):
        dataset.nope  # noqa: B018 - the attribute access is what is tested


def test_repr_lists_each_table_with_its_row_count() -> None:
    dataset = cac.load_all()
    shown = repr(dataset).splitlines()
    assert shown[0] == f"Dataset(version {dataset.version}, {len(dataset.tables)} tables:"
    assert shown[1:-1] == [
        f"  {name}: {len(frame)} row{'' if len(frame) == 1 else 's'}"
        for name, frame in dataset.tables.items()
    ]
    assert shown[-1] == ")"
