"""The validator: every problem of a dataset folder, layer by layer, in one report.

Layers, in order: descriptor and paths (``files``), bytes and text (``text``), structure and types
(``tables``), keys and references (``keys``), record rules (``records``), provenance
(``provenance``), then the dataset as a whole (``whole``). A file that cannot be parsed does not
stop the others from being checked, and nothing is ever written. Beside the errors, ``hints`` gives
warnings where a quote's words make a misreading of its row likely; they never make a dataset
invalid.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Protocol

from china_ai_claims._collector import collection_paused
from china_ai_claims._resources import EXCLUSIONS_FILE, dataset_dir
from china_ai_claims.locating import is_inside_installed_package, not_a_dataset
from china_ai_claims.models import RECORD_TYPES, Record, record_type
from china_ai_claims.schema_builder import csv_file, package_descriptor, resource_descriptor
from china_ai_claims.validators.exclusions import check_exclusions
from china_ai_claims.validators.files import (
    DESCRIPTOR,
    LICENCE,
    Context,
    UsageError,
    check_resources,
    check_unexpected,
    is_rfc3339,
    open_root,
    parse_descriptor,
    read_file,
    same_json,
    scan_tree,
)
from china_ai_claims.validators.hints import HintCheck
from china_ai_claims.validators.keys import KeyCheck
from china_ai_claims.validators.problems import RULES, Problem
from china_ai_claims.validators.provenance import Names, QuoteCheck, SourceCheck, check_unlisted
from china_ai_claims.validators.records import RecordCheck
from china_ai_claims.validators.report import FORMATS, Report, render
from china_ai_claims.validators.tables import Table, read_rows
from china_ai_claims.validators.text import decode, decoded_lines, without_crlf
from china_ai_claims.validators.whole import WholeCheck

__all__ = [
    "FORMATS",
    "RULES",
    "Problem",
    "RecordSink",
    "Report",
    "UsageError",
    "render",
    "validate",
]


class RecordSink(Protocol):
    """Receives the records that validation builds, so that a release need not read and validate
    the rows a second time.

    Tables come one at a time in dependency order (``start``, the table's records in file order,
    ``finish``). Only a valid report vouches for what a sink received: a row with a problem may
    still give a record, and a row that breaks a model rule gives none.
    """

    def start(self, table: str) -> None: ...

    def add(self, record: Record) -> None: ...

    def finish(self, table: str) -> None: ...


@collection_paused()  # rows make many small containers that cannot form a cycle
def validate(path: str | Path | None = None, sink: RecordSink | None = None) -> Report:
    """Validate the dataset folder at ``path`` (the packaged dataset by default).

    Raises :class:`UsageError` when ``path`` is not a folder; every problem of the data itself is
    a :class:`Problem` in the returned :class:`Report`. ``sink``, if given, receives each table's
    records as they are validated (see :class:`RecordSink`).
    """
    root = open_root(dataset_dir() if path is None else path)
    expected = {record.table: resource_descriptor(record) for record in RECORD_TYPES}
    if not root.is_symlink():  # a linked root is reported as a problem of the data below
        reason = not_a_dataset(root, str(path), tuple(csv_file(name) for name in expected))
        if reason is not None:
            raise UsageError(reason)
    # The installed copy, however it is named: installers such as uv hard-link package files.
    context = Context(root, explicit=path is not None and not is_inside_installed_package(root))
    if not scan_tree(context):
        return Report(errors=context.finish())
    schemas = {name: resource["schema"] for name, resource in expected.items()}

    descriptor = None
    resources_clean = False
    raw = read_file(context, DESCRIPTOR)
    if raw is not None:
        descriptor_text = decode(context, DESCRIPTOR, raw)
        descriptor = parse_descriptor(context, descriptor_text)
        if descriptor is not None:
            resources_clean = check_resources(context, descriptor, descriptor_text, expected)

    read_file(context, LICENCE)  # the data carries its licence; a missing one is reported

    # Each row goes through every layer as it is read, table by table in dependency order (a
    # table references only itself and earlier tables). Only ids, entity names and source texts
    # are kept, so memory grows with the sources, not with the rows.
    ids: dict[str, set[str] | None] = {}
    names: dict[str, dict[str, Names]] = {}
    texts: dict[str, bytes] = {}
    published: dict[str, date | None] = {}
    sources: list[dict[str, str]] | None = None
    hints: list[HintCheck] = []
    tables = rows = 0
    whole = WholeCheck()
    for name in expected:
        file = csv_file(name)
        data = read_file(context, file)
        if data is None:
            if name == "sources":
                check_unlisted(context, set())
            continue
        lines = decoded_lines(context, file, without_crlf(context, file, data))
        table = Table(
            name, file, {spec["name"]: n for n, spec in enumerate(schemas[name]["fields"])}
        )
        keys = KeyCheck(table, schemas[name], ids)
        records = RecordCheck(table, record_type(name))
        if sink is not None:
            sink.start(name)
        if name == "sources":
            source_check = SourceCheck(table)
            source_rows: list[dict[str, str]] = []
            for row in read_rows(context, table, lines, schemas[name]):
                keys.check(context, row)
                published[table.cell(row, "id")] = table.value(row, "published")
                record = records.check(context, row, published)
                if sink is not None and record is not None:
                    sink.add(record)
                source_check.check(context, row)
                whole.observe(context, table, row)
                source_rows.append(table.as_dict(row) if row.ok else {})
            keys.finish(context)
            texts = source_check.texts
            check_unlisted(context, source_check.listed)
            if table.complete and all(source_rows):
                sources = source_rows
        else:
            quotes = QuoteCheck(table, texts, names)
            hint = HintCheck(table, texts, names) if "modality" in table.index else None
            # each layer's check, looked up once for all the rows
            check_keys, check_record, check_quote = keys.check, records.check, quotes.check
            observe, add = whole.observe, None if sink is None else sink.add
            check_hint = None if hint is None else hint.check
            for row in read_rows(context, table, lines, schemas[name]):
                check_keys(context, row)
                record = check_record(context, row, published)
                if add is not None and record is not None:
                    add(record)
                check_quote(context, row)
                observe(context, table, row)
                if check_hint is not None:
                    check_hint(row)
            hints += [hint] if hint is not None else []
            keys.finish(context)
            quotes.finish(context)
        if sink is not None:
            sink.finish(name)
        del data, lines
        tables += 1
        rows += table.rows
    whole.finish(context, published)
    check_exclusions(context, texts, ids.get("sources"))
    check_unexpected(
        context, {DESCRIPTOR, LICENCE, EXCLUSIONS_FILE, *(csv_file(name) for name in expected)}
    )
    if descriptor is not None and resources_clean and sources is not None:
        _check_descriptor_current(context, descriptor, sources)

    return Report(
        errors=context.finish(),
        tables=tables,
        rows=rows,
        sources=len(texts),
        warnings=sorted(
            (warning for hint in hints for warning in hint.warnings), key=Problem.sort_key
        ),
        explained=sum(hint.explained for hint in hints),
    )


def _check_descriptor_current(
    context: Context, descriptor: dict[str, object], sources: list[dict[str, str]]
) -> None:
    """The descriptor is generated: it must be what ``china-ai-claims schemas`` writes."""
    created = descriptor.get("created")
    if created is not None and not is_rfc3339(created):
        context.add(
            DESCRIPTOR,
            1,
            "descriptor-mismatch",
            "created must be an RFC 3339 time, such as 2026-11-30T00:00:00Z",
            "created",
            str(created),
        )
    wanted = package_descriptor(
        str(descriptor.get("version")), sources, created if isinstance(created, str) else None
    )
    differing = sorted(
        key
        for key in {*wanted, *descriptor}
        if not same_json(wanted.get(key), descriptor.get(key))
        and key != "created"  # written by hand: checked above, once
    )
    if differing:
        context.add(
            DESCRIPTOR,
            1,
            "descriptor-stale",
            f"differs from the generated descriptor in: {', '.join(differing)}",
        )
