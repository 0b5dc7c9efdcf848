"""Load the tables as typed pandas DataFrames or as pydantic records.

The dtypes come from the Table Schemas inside ``datapackage.json``, so loading a table reads one
small JSON file and one CSV and imports neither pydantic nor frictionless. pandas is imported by the
functions that need it, never by ``import china_ai_claims``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from china_ai_claims._resources import DATAPACKAGE_FILE, dataset_dir

if TYPE_CHECKING:
    import pandas as pd

    from china_ai_claims.models import Record


class UnknownTableError(LookupError):
    """Raised for a table name the dataset does not have; the message lists the valid names."""

    def __init__(self, table: str, valid: list[str]) -> None:
        self.table = table
        self.valid = valid
        super().__init__(f"unknown table {table!r}; valid tables: {', '.join(valid)}")


class DataError(ValueError):
    """Raised when a table's file does not match its schema (run ``china-ai-claims validate``)."""


@dataclass(frozen=True)
class Package:
    """A dataset folder: its descriptor and where its files are."""

    root: Path
    descriptor: dict[str, Any]

    @classmethod
    def open(cls, root: Path | None = None) -> Package:
        folder = dataset_dir() if root is None else Path(root)
        text = (folder / DATAPACKAGE_FILE).read_text(encoding="utf-8")
        return cls(folder, json.loads(text))

    @property
    def version(self) -> str:
        return str(self.descriptor["version"])

    def table_names(self) -> list[str]:
        return [resource["name"] for resource in self.descriptor["resources"]]

    def resource(self, table: str) -> dict[str, Any]:
        for resource in self.descriptor["resources"]:
            if resource["name"] == table:
                return dict(resource)
        raise UnknownTableError(table, self.table_names())

    def csv_path(self, table: str) -> Path:
        return self.root / str(self.resource(table)["path"])


def tables() -> list[str]:
    """The names of the dataset's tables, in dependency order."""
    return Package.open().table_names()


def _read_frame(package: Package, table: str) -> pd.DataFrame:
    import pandas as pd

    fields = package.resource(table)["schema"]["fields"]
    names = [spec["name"] for spec in fields]
    path = package.csv_path(table)
    frame = pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8",
    )
    if list(frame.columns) != names:
        raise DataError(
            f"{path.name}: header {list(frame.columns)} does not match the schema's columns "
            f"{names}; run 'china-ai-claims validate' for details"
        )
    for spec in fields:
        frame[spec["name"]] = _typed(frame[spec["name"]], spec, path)
    return frame


def _typed(column: pd.Series, spec: dict[str, Any], path: Path) -> pd.Series:
    import pandas as pd

    kind = spec["type"]
    enum = spec.get("constraints", {}).get("enum")
    if enum is not None:
        unknown = set(column.dropna()) - set(enum)
        if unknown:
            raise DataError(
                f"{path.name}: column {spec['name']} has values outside {enum}: {unknown}"
            )
        return column.astype(pd.CategoricalDtype(categories=enum))
    if kind == "integer":
        return column.astype("Int64")
    if kind == "number":
        return column.astype("Float64")
    if kind == "boolean":
        truth = dict.fromkeys(spec.get("trueValues", ["true"]), True)
        truth.update(dict.fromkeys(spec.get("falseValues", ["false"]), False))
        return column.map(truth, na_action="ignore").astype("boolean")
    if kind == "date":
        return pd.to_datetime(column, format="%Y-%m-%d")
    if kind == "list":
        delimiter = spec.get("delimiter", ",")
        # An empty cell is an empty list, as in the records, not a missing value.
        lists = column.map(lambda cell: [] if pd.isna(cell) else cell.split(delimiter))
        return lists.astype(object)
    return column.astype("string")


def load(table: str, *, data_dir: str | Path | None = None) -> pd.DataFrame:
    """One table as a DataFrame with real dtypes.

    Text is ``string``, enumerations are ``category`` (with every allowed value as a category),
    integers ``Int64``, numbers ``Float64``, booleans ``boolean``, dates ``datetime64``, and list
    columns hold Python lists. Empty cells are missing values; no other text ("NA", "null") is.
    """
    return _read_frame(Package.open(None if data_dir is None else Path(data_dir)), table)


def records(table: str, *, data_dir: str | Path | None = None) -> list[Record]:
    """One table as validated pydantic records (see :mod:`china_ai_claims.models`)."""
    from china_ai_claims.models import record_type

    package = Package.open(None if data_dir is None else Path(data_dir))
    package.resource(table)  # an unknown table fails here, listing the valid ones
    record = record_type(table)
    with package.csv_path(table).open(encoding="utf-8", newline="") as handle:
        return [record.model_validate(row) for row in csv.DictReader(handle)]


@dataclass(frozen=True)
class Dataset:
    """Every table of one version of the dataset, with its metadata."""

    version: str
    metadata: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(repr=False)

    def __getitem__(self, table: str) -> pd.DataFrame:
        if table not in self.tables:
            raise UnknownTableError(table, list(self.tables))
        return self.tables[table]

    @property
    def sources(self) -> pd.DataFrame:
        """The archived sources every row quotes."""
        return self.tables["sources"]


def load_all(*, data_dir: str | Path | None = None) -> Dataset:
    """Every table as a DataFrame, plus the version and the package metadata."""
    package = Package.open(None if data_dir is None else Path(data_dir))
    metadata = {key: value for key, value in package.descriptor.items() if key != "resources"}
    frames = {table: _read_frame(package, table) for table in package.table_names()}
    return Dataset(version=package.version, metadata=metadata, tables=frames)
