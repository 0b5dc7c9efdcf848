"""The validator: every problem of a dataset folder, layer by layer, in one report.

Layers, in order: descriptor and paths (``files``), bytes and text (``text``), structure and types
(``tables``), keys and references (``keys``), record rules (``records``), provenance
(``provenance``). A file that cannot be parsed does not stop the others from being checked, and
nothing is ever written.
"""

from __future__ import annotations

from pathlib import Path

from china_ai_claims._resources import dataset_dir
from china_ai_claims.models import RECORD_TYPES
from china_ai_claims.schema_builder import csv_file, package_descriptor, resource_descriptor
from china_ai_claims.validators.files import (
    DESCRIPTOR,
    Context,
    UsageError,
    check_resources,
    open_root,
    parse_descriptor,
    read_file,
    scan_tree,
)
from china_ai_claims.validators.keys import check_keys
from china_ai_claims.validators.problems import RULES, Problem
from china_ai_claims.validators.provenance import check_quotes, check_sources, entity_names
from china_ai_claims.validators.records import check_records
from china_ai_claims.validators.report import FORMATS, Report, render
from china_ai_claims.validators.tables import Table, parse_table
from china_ai_claims.validators.text import decode

__all__ = ["FORMATS", "RULES", "Problem", "Report", "UsageError", "render", "validate"]


def validate(path: str | Path | None = None) -> Report:
    """Validate the dataset folder at ``path`` (the packaged dataset by default).

    Raises :class:`UsageError` when ``path`` is not a folder; every problem of the data itself is
    a :class:`Problem` in the returned :class:`Report`.
    """
    context = Context(open_root(dataset_dir() if path is None else path))
    if not scan_tree(context):
        return Report(errors=sorted(context.problems, key=Problem.sort_key))
    expected = {record.table: resource_descriptor(record) for record in RECORD_TYPES}
    schemas = {name: resource["schema"] for name, resource in expected.items()}

    descriptor = None
    resources_clean = False
    raw = read_file(context, DESCRIPTOR)
    if raw is not None:
        descriptor_text = decode(context, DESCRIPTOR, raw)
        descriptor = parse_descriptor(context, descriptor_text)
        if descriptor is not None:
            resources_clean = check_resources(context, descriptor, descriptor_text, expected)

    tables: dict[str, Table] = {}
    for name in expected:
        file = csv_file(name)
        data = read_file(context, file)
        if data is not None:
            tables[name] = parse_table(
                context, name, file, decode(context, file, data), schemas[name]
            )

    check_keys(context, tables, schemas)
    check_records(context, tables)
    texts = check_sources(context, tables.get("sources"))
    check_quotes(context, tables, texts, entity_names(tables))
    if descriptor is not None and resources_clean:
        _check_descriptor_current(context, descriptor, tables.get("sources"))

    return Report(
        errors=sorted(context.problems, key=Problem.sort_key),
        tables=len(tables),
        rows=sum(len(table.rows) for table in tables.values()),
        sources=len(texts),
    )


def _check_descriptor_current(
    context: Context, descriptor: dict[str, object], sources: Table | None
) -> None:
    """The descriptor is generated: it must be what ``china-ai-claims schemas`` writes."""
    if sources is None or not sources.complete or not all(row.ok for row in sources.rows):
        return  # sources.csv's own problems come first
    version = descriptor.get("version")
    wanted = package_descriptor(str(version), [row.cells for row in sources.rows])
    differing = sorted(
        key for key in {*wanted, *descriptor} if wanted.get(key) != descriptor.get(key)
    )
    if differing:
        context.add(
            DESCRIPTOR,
            1,
            "descriptor-stale",
            f"differs from the generated descriptor in: {', '.join(differing)}",
        )
