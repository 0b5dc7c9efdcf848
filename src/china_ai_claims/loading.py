"""Load the tables as typed pandas DataFrames or as pydantic records.

The dtypes come from the Table Schemas inside ``datapackage.json``, so loading a table reads one
small JSON file and one CSV and imports neither pydantic nor frictionless. pandas is imported by the
functions that need it, never by ``import china_ai_claims``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from china_ai_claims.opening import Package, dataset_folder, open_data

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


def tables() -> list[str]:
    """The names of the dataset's tables, in dependency order."""
    return dataset_folder().table_names()


def _read_frame(package: Package, table: str) -> pd.DataFrame:
    import pandas as pd

    resource = package.resource(table)
    fields = resource["schema"]["fields"]
    names = [spec["name"] for spec in fields]
    path = Path(resource["path"])
    frame = pd.read_csv(
        io.BytesIO(package.read_csv(table)),
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
    from china_ai_claims.metadata import with_metadata

    return with_metadata(frame, package, table)


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


Source = str | Path | None


def load(
    table: str, *, data_dir: Source = None, release: Source = None, sha256: str | None = None
) -> pd.DataFrame:
    """One table as a DataFrame with real dtypes.

    Text is ``string``, enumerations are ``category`` (with every allowed value as a category),
    integers ``Int64``, numbers ``Float64``, booleans ``boolean``, dates ``datetime64``, and list
    columns hold Python lists. Empty cells are missing values; no other text ("NA", "null") is.

    By default the packaged dataset is read; ``data_dir=`` reads a dataset folder (a checkout's
    ``dataset/``), ``release=`` a release (its zip, JSON file, extracted folder or http(s) URL),
    whose hashes are checked first; ``sha256=`` pins the release file.
    """
    return _read_frame(open_data(data_dir, release, sha256), table)


def records(
    table: str, *, data_dir: Source = None, release: Source = None, sha256: str | None = None
) -> list[Record]:
    """One table as validated pydantic records (see :mod:`china_ai_claims.models`); the sources
    are as for :func:`load`."""
    from china_ai_claims.models import record_type

    package = open_data(data_dir, release, sha256)
    package.resource(table)  # an unknown table fails here, listing the valid ones
    record = record_type(table)
    text = package.read_csv(table).decode("utf-8")
    return [record.model_validate(row) for row in csv.DictReader(io.StringIO(text, newline=""))]


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


def load_all(
    *, data_dir: Source = None, release: Source = None, sha256: str | None = None
) -> Dataset:
    """Every table as a DataFrame, plus the version and the full descriptor as ``metadata``; the
    sources are as for :func:`load`."""
    package = open_data(data_dir, release, sha256)
    metadata = dict(package.descriptor)  # the full descriptor, resources and schemas included
    frames = {table: _read_frame(package, table) for table in package.table_names()}
    return Dataset(version=package.version, metadata=metadata, tables=frames)
