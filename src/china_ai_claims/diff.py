"""What changed between two versions of the data: rows added, removed and changed, by id.

Either side may be a dataset folder (read as it is, any recorded hash checked), a CSV zip or a
JSON release (anchored and verified as :func:`~china_ai_claims.load` does), an http(s) URL of one,
or a published version ("0.1.0"). Cells are compared as the CSV writes them, so the same data in
two forms has no differences. Every failure is a :class:`~china_ai_claims.errors.ReleaseError`.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from china_ai_claims.errors import DataError, ReleaseDataError
from china_ai_claims.fast_frames import BytesOutsideDialect
from china_ai_claims.loading import cells_unlike_header, dict_rows, outside_dialect_error
from china_ai_claims.opening import Package, dataset_folder, open_data, open_release
from china_ai_claims.passages import first_difference

_VERSION = re.compile(r"\d+\.\d+\.\d+")


@dataclass
class TableDiff:
    """The differences in one table."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.added or self.removed or self.changed or self.columns_added or self.columns_removed
        )


@dataclass
class Diff:
    """The differences between two versions, table by table."""

    old_version: str
    new_version: str
    tables: dict[str, TableDiff]

    def __bool__(self) -> bool:
        return any(self.tables.values())


def names_a_version(text: str) -> bool:
    """Whether ``text`` names a published version (``0.1.0``), not a file of that name."""
    return _VERSION.fullmatch(text) is not None and not Path(text).exists()


def names_a_version_or_url(text: str) -> bool:
    """Whether ``text`` names a published version or a URL, rather than a local file or folder."""
    return "://" in text or names_a_version(text)


def open_any(path: str | Path) -> Package:
    """A dataset folder as it is, a release file or URL verified, or a published version."""
    text = str(path)
    if names_a_version(text):
        return open_data(version=text)
    if "://" not in text and Path(text).is_dir():
        return dataset_folder(Path(text))
    return open_release(text)


def _rows(package: Package, table: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    error = ReleaseDataError if package.release else DataError
    path = Path(package.resource(table)["path"]).name
    try:
        reader = dict_rows(package.read_csv(table))
        columns = list(reader.fieldnames or [])
        if "id" not in columns:
            raise error(f"{path}: no id column to compare rows by", file=path, row=1, column="id")
        rows: dict[str, dict[str, str]] = {}
        for row in reader:
            if cells_unlike_header(row) or row["id"] in rows:
                problem = (
                    f"id {row['id']!r} again" if row["id"] in rows else "cells unlike the header"
                )
                line = reader.line_num
                raise error(f"{path}: line {line}: {problem}", file=path, row=line, column="id")
            rows[row["id"]] = row
    except BytesOutsideDialect as problem:
        raise outside_dialect_error(problem, path, error) from None
    except (UnicodeDecodeError, csv.Error) as problem:
        raise error(
            f"{path}: not a CSV file of the dataset's dialect ({problem})", file=path
        ) from None
    return columns, rows


def compare(old: Package, new: Package) -> Diff:
    """The differences from ``old`` to ``new``."""
    names = [*old.table_names(), *(n for n in new.table_names() if n not in old.table_names())]
    tables: dict[str, TableDiff] = {}
    for name in names:
        old_columns, old_rows = _rows(old, name) if name in old.table_names() else ([], {})
        new_columns, new_rows = _rows(new, name) if name in new.table_names() else ([], {})
        result = TableDiff(
            added=[key for key in new_rows if key not in old_rows],
            removed=[key for key in old_rows if key not in new_rows],
            columns_added=[column for column in new_columns if column not in old_columns],
            columns_removed=[column for column in old_columns if column not in new_columns],
        )
        for key, before in old_rows.items():
            after = new_rows.get(key)
            if after is None:
                continue
            changes = {
                column: (before.get(column, ""), after.get(column, ""))
                for column in dict.fromkeys([*old_columns, *new_columns])
                if before.get(column, "") != after.get(column, "")
            }
            if changes:
                result.changed[key] = changes
        tables[name] = result
    return Diff(old.version, new.version, tables)


SHOWN_CHARACTERS = 60
CONTEXT_BEFORE_CHANGE = 20


def _shown_pair(before: str, after: str) -> tuple[str, str]:
    """The two values of a changed cell as a terminal line shows them (``repr``: a newline
    shows as \\n): whole when short, else both cut to the same window around where they first
    differ, so that a change far into a long quote or note is never cut away (two cut values
    that read the same would say nothing changed)."""
    if len(before) <= SHOWN_CHARACTERS and len(after) <= SHOWN_CHARACTERS:
        return repr(before), repr(after)
    common = first_difference(before, after)
    start = max(0, common - CONTEXT_BEFORE_CHANGE)
    return _window(before, start), _window(after, start)


def _window(value: str, start: int) -> str:
    end = start + SHOWN_CHARACTERS
    shown = ("…" if start else "") + value[start:end] + ("…" if end < len(value) else "")
    return repr(shown)


def render_text(diff: Diff) -> str:
    lines = [f"{diff.old_version} -> {diff.new_version}"]
    for name, table in diff.tables.items():
        if not table:
            continue
        lines.append(
            f"{name}: {len(table.added)} added, {len(table.removed)} removed, "
            f"{len(table.changed)} changed"
        )
        lines += [f"  + column {column}" for column in table.columns_added]
        lines += [f"  - column {column}" for column in table.columns_removed]
        lines += [f"  + {key}" for key in table.added]
        lines += [f"  - {key}" for key in table.removed]
        for key, changes in table.changed.items():
            for column, (before, after) in changes.items():
                shown_before, shown_after = _shown_pair(before, after)
                lines.append(f"  ~ {key} {column}: {shown_before} -> {shown_after}")
    if not diff:
        lines.append("no differences")
    return "\n".join(lines) + "\n"


def render_json(diff: Diff) -> str:
    document = {
        "old_version": diff.old_version,
        "new_version": diff.new_version,
        "tables": {
            name: {
                "added": table.added,
                "removed": table.removed,
                "changed": {
                    key: {
                        column: {"old": old, "new": new} for column, (old, new) in changes.items()
                    }
                    for key, changes in table.changed.items()
                },
                "columns_added": table.columns_added,
                "columns_removed": table.columns_removed,
            }
            for name, table in diff.tables.items()
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_changelog(diff: Diff, date: str) -> str:
    """A Keep a Changelog entry for the new version, naming tables and row ids."""
    sections: dict[str, list[str]] = {"Added": [], "Changed": [], "Removed": []}
    for name, table in diff.tables.items():
        if table.columns_added:
            sections["Added"].append(f"- `{name}`: columns {_ids(table.columns_added)}.")
        if table.added:
            sections["Added"].append(f"- `{name}`: {_ids(table.added)}.")
        for key, changes in table.changed.items():
            sections["Changed"].append(f"- `{name}` `{key}`: {_ids(list(changes))}.")
        if table.columns_removed:
            sections["Removed"].append(f"- `{name}`: columns {_ids(table.columns_removed)}.")
        if table.removed:
            sections["Removed"].append(f"- `{name}`: {_ids(table.removed)}.")
    lines = [f"## [{diff.new_version}] - {date}"]
    for title, entries in sections.items():
        if entries:
            lines += ["", f"### {title}", "", *entries]
    if len(lines) == 1:  # an entry says so rather than stand empty
        lines += ["", f"No rows or columns differ from {diff.old_version}."]
    return "\n".join(lines) + "\n"


def _ids(values: list[str]) -> str:
    return ", ".join(f"`{value}`" for value in values)
