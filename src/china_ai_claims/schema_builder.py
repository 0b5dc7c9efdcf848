"""Derive the language-neutral contract from the record models.

- one Frictionless Table Schema per table (``schemas/<table>.schema.json``);
- the JSON Schema of the one-file JSON release (``schemas/china-ai-claims.schema.json``);
- the data dictionary ``docs/data-dictionary.md`` (from the repository root only);
- the Data Package (v2) descriptor ``dataset/datapackage.json``, with the same Table Schemas
  inline (its ``version`` and ``created`` are kept: it is the one place they are written);
- ``CITATION.cff`` (from the repository root only), whose version and release date follow the
  descriptor's.

``write_contract`` writes them; ``stale_files`` lists the committed files that differ from what the
models give, which ``china-ai-claims schemas --check`` and the tests use.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from china_ai_claims._resources import DATAPACKAGE_FILE, LIST_DELIMITER, read_version
from china_ai_claims.descriptors import copy_json
from china_ai_claims.models import (
    RECORD_TYPES,
    Record,
    References,
    Source,
    columns,
)

PACKAGE_NAME = "china-ai-claims"
PACKAGE_TITLE = "China AI claims"
PACKAGE_DESCRIPTION = (
    "Companies, people, AI models, training-cost claims, funding claims, events and other claims "
    "in reporting on China's AI industry after DeepSeek. Every row carries a verbatim quote from "
    "an archived source text, pinned by SHA-256, and the numbers in each row are checked against "
    "its quote."
)
LICENSES = [
    {
        "name": "CC-BY-4.0",
        "title": "Creative Commons Attribution 4.0 International",
        "path": "https://creativecommons.org/licenses/by/4.0/",
    }
]
KEYWORDS = [
    "artificial intelligence",
    "China",
    "DeepSeek",
    "training cost",
    "funding",
    "provenance",
]
RELEASE_SCHEMA_FILE = "china-ai-claims.schema.json"
HOMEPAGE = "https://github.com/china-ai-claims/china-ai-claims"
# Set to the Zenodo concept DOI (e.g. "10.5281/zenodo.1234567") once Zenodo has minted one; until
# then the descriptor's ``id`` is the URL of the version's release page, unique per version too.
DOI: str | None = None
CONTRIBUTORS = [
    {
        "title": "china-ai-claims contributors",
        "path": HOMEPAGE,
        "roles": ["creator", "dataCurator"],
    }
]
# Data Package v2 names each descriptor's profile with ``$schema`` (v1's ``profile`` is removed).
PROFILES = "https://datapackage.org/profiles/2.0/"
PACKAGE_PROFILE = f"{PROFILES}datapackage.json"
RESOURCE_PROFILE = f"{PROFILES}dataresource.json"
DIALECT_PROFILE = f"{PROFILES}tabledialect.json"
TABLE_SCHEMA_PROFILE = f"{PROFILES}tableschema.json"
CSV_DIALECT = {
    "$schema": DIALECT_PROFILE,
    "delimiter": ",",
    "lineTerminator": "\n",
    "quoteChar": '"',
    "doubleQuote": True,
    "header": True,
}


def schema_file(table: str) -> str:
    """File name of a table's Table Schema inside ``schemas/``."""
    return f"{table}.schema.json"


def csv_file(table: str) -> str:
    """File name of a table's CSV inside the dataset folder."""
    return f"{table}.csv"


def dumps(document: Any) -> str:
    """The one JSON layout of every generated file: two-space indent, UTF-8, final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _property_type(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """The non-null branch of a pydantic JSON Schema property, with ``$ref`` resolved."""
    branches = prop.get("anyOf", [prop])
    (branch,) = [b for b in branches if b.get("type") != "null"]
    if "$ref" in branch:
        return dict(defs[branch["$ref"].rsplit("/", 1)[1]])
    return dict(branch)


def _as_written(value: Any) -> str:
    """A value as the CSV writes it: Table Schema v2 examples are strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_DELIMITER.join(str(item) for item in value)
    return str(value)


def _table_field(
    record: type[Record], name: str, prop: dict[str, Any], defs: dict[str, Any]
) -> dict[str, Any]:
    info = record.model_fields[name]
    kind = _property_type(prop, defs)
    field: dict[str, Any] = {"name": name}
    constraints: dict[str, Any] = {}
    json_type = kind.get("type")
    if json_type == "array":
        field["type"] = "list"
        field["delimiter"] = LIST_DELIMITER
        field["itemType"] = "string"
    elif kind.get("format") == "date":
        field["type"] = "date"
    elif json_type in {"string", "integer", "number", "boolean"}:
        field["type"] = json_type
    else:  # pragma: no cover - a new annotation type needs a mapping here
        raise TypeError(f"{record.table}.{name}: no Table Schema type for {kind}")
    if json_type == "boolean":
        field["trueValues"] = ["true"]
        field["falseValues"] = ["false"]
    description = info.description or kind.get("description") or ""
    if "enum" in kind:
        constraints["enum"] = kind["enum"]
        description = f"{description} One of: {', '.join(kind['enum'])}."
    field["description"] = description.strip()
    if info.examples:
        example = info.examples[0]
        field["example"] = _as_written(example)
    if info.is_required():
        constraints["required"] = True
    for json_key, table_key in (
        ("pattern", "pattern"),
        ("minLength", "minLength"),
        ("maxLength", "maxLength"),
        ("minimum", "minimum"),
        ("maximum", "maximum"),
    ):
        if json_key in kind:
            constraints[table_key] = kind[json_key]
    if name == "id":
        constraints["unique"] = True
    if constraints:
        field["constraints"] = constraints
    return field


def references(record: type[Record]) -> dict[str, str]:
    """Column name -> referenced table, for every foreign-key column of ``record``."""
    found = {}
    for name, info in record.model_fields.items():
        for marker in info.metadata:
            if isinstance(marker, References):
                found[name] = marker.table
    return found


def table_schema(record: type[Record]) -> dict[str, Any]:
    """The Frictionless Table Schema of ``record``'s table (a fresh copy the caller may change)."""
    return copy_json(_generated_table_schema(record))


@functools.cache
def _generated_table_schema(record: type[Record]) -> dict[str, Any]:
    """Generated once per process: pydantic's JSON Schema generation is most of its cost, and the
    validator, the descriptor and the release all ask for every table's schema."""
    json_schema = record.model_json_schema(mode="validation")
    defs = json_schema.get("$defs", {})
    properties = json_schema["properties"]
    foreign_keys = [
        {
            "fields": [column],
            "reference": {"resource": "" if table == record.table else table, "fields": ["id"]},
        }
        for column, table in references(record).items()
    ]
    schema: dict[str, Any] = {
        "$schema": TABLE_SCHEMA_PROFILE,
        "fields": [_table_field(record, name, properties[name], defs) for name in columns(record)],
        "missingValues": [""],
        "primaryKey": ["id"],
    }
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def release_json_schema() -> dict[str, Any]:
    """JSON Schema of ``china-ai-claims-<version>.json``: metadata plus one array per table."""
    _, top = models_json_schema(
        [(record, "serialization") for record in RECORD_TYPES],
        ref_template="#/$defs/{model}",
    )
    defs = top["$defs"]
    tables = {
        record.table: {
            "type": "array",
            "description": (record.__doc__ or "").strip(),
            "items": {"$ref": f"#/$defs/{record.__name__}"},
        }
        for record in RECORD_TYPES
    }
    metadata = {
        "type": "object",
        "description": "Name, version, licences and sources of the release.",
        "required": ["name", "title", "version", "licenses", "sources", "resources"],
        "properties": {
            "name": {"const": PACKAGE_NAME},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$"},
            "licenses": {"type": "array", "items": {"type": "object"}},
            "sources": {"type": "array", "items": {"type": "object"}},
            "keywords": {"type": "array", "items": {"type": "string"}},
            "resources": {
                "type": "array",
                "description": "Each table's name, description and Frictionless Table Schema.",
                "items": {
                    "type": "object",
                    "required": ["name", "description", "schema"],
                    "properties": {
                        "name": {"type": "string"},
                        "description": {"type": "string"},
                        "schema": {"type": "object"},
                    },
                },
            },
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{PACKAGE_TITLE}: one-file JSON release",
        "description": PACKAGE_DESCRIPTION,
        "type": "object",
        "required": ["metadata", *tables],
        "additionalProperties": False,
        "properties": {"metadata": metadata, **tables},
        "$defs": defs,
    }


def read_sources(data_dir: Path) -> list[dict[str, str]]:
    """The rows of ``sources.csv`` in ``data_dir``, as text."""
    with (data_dir / csv_file(Source.table)).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def package_id(version: str) -> str:
    """The descriptor's globally unique ``id``: the DOI once there is one, else the URL of the
    version's release page."""
    if DOI is not None:
        return f"https://doi.org/{DOI}"
    return f"{HOMEPAGE}/releases/tag/v{version}"


def package_metadata(
    version: str, sources: list[dict[str, str]], created: str | None = None
) -> dict[str, Any]:
    """Name, id, title, description, homepage, version, creation time, contributors, licences,
    sources and keywords of the Data Package, given the rows of ``sources.csv``.

    ``created`` (the release time of this version, RFC 3339) is written by hand beside
    ``version`` and kept; it is left out when the descriptor has none rather than invented.
    """
    listed = []
    for row in sources:
        entry = {"title": row["title"], "path": row["path"]}
        if row.get("url"):
            entry["url"] = row["url"]
        listed.append(entry)
    metadata: dict[str, Any] = {
        "name": PACKAGE_NAME,
        "id": package_id(version),
        "title": PACKAGE_TITLE,
        "description": PACKAGE_DESCRIPTION,
        "homepage": HOMEPAGE,
        "version": version,
    }
    if created is not None:
        metadata["created"] = created
    metadata |= {
        "contributors": CONTRIBUTORS,
        "licenses": LICENSES,
        "sources": listed,
        "keywords": KEYWORDS,
    }
    return metadata


def resource_descriptor(record: type[Record]) -> dict[str, Any]:
    """A table's resource in ``dataset/datapackage.json``, its Table Schema inline.

    Inline, not by path: the schemas live outside ``dataset/``, and a ``../`` path is refused as
    unsafe by Frictionless and by our validator alike.
    """
    return {
        "$schema": RESOURCE_PROFILE,
        "name": record.table,
        "type": "table",
        "title": record.table.replace("_", " ").capitalize(),
        "description": (record.__doc__ or "").strip(),
        "path": csv_file(record.table),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": CSV_DIALECT,
        "schema": table_schema(record),
    }


def package_descriptor(
    version: str, sources: list[dict[str, str]], created: str | None = None
) -> dict[str, Any]:
    """The descriptor ``datapackage.json`` for this version, release time and ``sources.csv``."""
    return {
        "$schema": PACKAGE_PROFILE,
        **package_metadata(version, sources, created),
        "resources": [resource_descriptor(record) for record in RECORD_TYPES],
    }


def read_created(data_dir: Path) -> str | None:
    """The ``created`` time written in ``data_dir``'s descriptor, if any."""
    descriptor = json.loads((data_dir / DATAPACKAGE_FILE).read_text(encoding="utf-8"))
    created = descriptor.get("created")
    return created if isinstance(created, str) else None


def data_package(data_dir: Path) -> dict[str, Any]:
    """The descriptor ``dataset/datapackage.json`` as the models and ``sources.csv`` give it."""
    return package_descriptor(
        read_version(data_dir), read_sources(data_dir), read_created(data_dir)
    )


def contract(
    data_dir: Path, schema_dir: Path, docs_dir: Path | None = None
) -> Iterator[tuple[Path, str]]:
    """Every generated file with the text it should hold (the data dictionary, CITATION.cff,
    .zenodo.json and README's BibTeX block when ``docs_dir`` is given: they live in the
    repository, not in the package)."""
    for record in RECORD_TYPES:
        yield schema_dir / schema_file(record.table), dumps(table_schema(record))
    yield schema_dir / RELEASE_SCHEMA_FILE, dumps(release_json_schema())
    yield data_dir / DATAPACKAGE_FILE, dumps(data_package(data_dir))
    if docs_dir is not None:
        from china_ai_claims import citation
        from china_ai_claims.dictionary import DICTIONARY_FILE, data_dictionary

        yield docs_dir / DICTIONARY_FILE, data_dictionary()
        # The citation files and README (its BibTeX block) sit at the repository root.
        root, descriptor = docs_dir.parent, data_package(data_dir)
        yield root / citation.CITATION_FILE, citation.citation_cff(descriptor)
        yield root / citation.ZENODO_FILE, citation.zenodo_json(descriptor)
        readme = root / citation.README_FILE
        if readme.is_file():
            text = readme.read_text(encoding="utf-8")
            yield readme, citation.readme_with_citation(text, descriptor)


def stale_files(data_dir: Path, schema_dir: Path, docs_dir: Path | None = None) -> list[Path]:
    """The generated files that are missing or differ from what the models give."""
    return [
        path
        for path, text in contract(data_dir, schema_dir, docs_dir)
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def write_contract(data_dir: Path, schema_dir: Path, docs_dir: Path | None = None) -> list[Path]:
    """Write every stale generated file; returns the files written."""
    written = []
    for path, text in list(contract(data_dir, schema_dir, docs_dir)):
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            written.append(path)
    return written
