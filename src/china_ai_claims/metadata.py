"""Column metadata in Python: what the Table Schemas say about each table, where users look for it.

``load(table).attrs`` carries the dataset's name and version, the table's title and description,
and each column's type, whether it is required, its allowed values and its description;
:func:`describe` gives the same per-column facts as a DataFrame. Both read the descriptor of the
data being loaded (the packaged dataset, a dataset folder or a verified release), never the models,
so they describe exactly what was read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from china_ai_claims.opening import Package, open_data

if TYPE_CHECKING:
    import pandas as pd

    from china_ai_claims.loading import Source

DESCRIBE_COLUMNS = ["column", "type", "required", "allowed_values", "description"]


def column_metadata(field: dict[str, Any]) -> dict[str, Any]:
    """One Table Schema field as ``type``, ``required``, ``allowed_values`` (``None`` when any
    value of the type is allowed) and ``description``."""
    constraints = field.get("constraints", {})
    enum = constraints.get("enum")
    return {
        "type": field["type"],
        "required": bool(constraints.get("required", False)),
        "allowed_values": list(enum) if enum is not None else None,
        "description": field.get("description", ""),
    }


def table_metadata(package: Package, table: str) -> dict[str, Any]:
    """What a loaded table's ``attrs`` carry: dataset name and version, the table's name, title
    and description, and every column's :func:`column_metadata`."""
    resource = package.resource(table)
    return {
        "dataset": package.descriptor.get("name"),
        "version": package.version,
        "table": table,
        "title": resource.get("title", table),
        "description": resource.get("description", ""),
        "columns": {
            field["name"]: column_metadata(field) for field in resource["schema"]["fields"]
        },
    }


def with_metadata(frame: pd.DataFrame, package: Package, table: str) -> pd.DataFrame:
    """``frame`` with :func:`table_metadata` in its ``attrs``."""
    frame.attrs.update(table_metadata(package, table))
    return frame


def describe(
    table: str, *, data_dir: Source = None, release: Source = None, sha256: str | None = None
) -> pd.DataFrame:
    """One row per column of ``table``: ``column``, ``type`` (the Table Schema type),
    ``required``, ``allowed_values`` (a list, or ``None``) and ``description``.

    The data is chosen as for :func:`china_ai_claims.load`.
    """
    import pandas as pd

    columns = table_metadata(open_data(data_dir, release, sha256), table)["columns"]
    rows = [{"column": name, **facts} for name, facts in columns.items()]
    frame: pd.DataFrame = pd.DataFrame(rows, columns=DESCRIBE_COLUMNS)
    for name in ("column", "type", "description"):
        frame[name] = frame[name].astype("string")
    frame["required"] = frame["required"].astype("boolean")
    return frame
