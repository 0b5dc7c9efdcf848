"""The release's discovery metadata: an MLCommons Croissant 1.1 JSON-LD file (a schema.org
``Dataset``), written mechanically from the release's Data Package descriptor.

It lists every release file as a ``cr:FileObject`` with its sha256, describes each table as a
``cr:RecordSet`` read from that table's Parquet file (typed fields with their descriptions),
carries ``citeAs``, the licence, and the Croissant responsible-AI fields, which say plainly where
the data comes from: rows extracted by hand from a small number of archived source texts, with what
is unknown about each source stated from ``sources.csv`` rather than assumed.
"""

from __future__ import annotations

from typing import Any

from china_ai_claims.citation import bibtex, release_date

CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
# The standard Croissant 1.1 @context (as mlcroissant writes it), with the RAI vocabulary.
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "name": {"@container": "@language"},
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
DATA_TYPES = {
    "string": "sc:Text",
    "integer": "sc:Integer",
    "number": "sc:Float",
    "boolean": "sc:Boolean",
    "date": "sc:Date",
    "list": "sc:Text",
}
MEDIA_TYPES = {
    ".zip": "application/zip",
    ".json": "application/json",
    ".sqlite": "application/vnd.sqlite3",
    ".parquet": "application/x-parquet",  # the type Croissant readers know Parquet by
}
SOURCE_FACTS = (("publisher", "publisher"), ("url", "URL"), ("published", "publication date"))


def croissant_file(stem: str) -> str:
    """File name of the Croissant file in a release whose files start with ``stem``."""
    return f"{stem}.croissant.json"


def _unknown(source: dict[str, str]) -> list[str]:
    return [label for column, label in SOURCE_FACTS if not source.get(column)]


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def provenance_statement(sources: list[dict[str, str]]) -> str:
    """Where the rows come from, in plain words, with what is unknown about each source."""
    count = len(sources)
    noun = "text" if count == 1 else "texts"
    lines = [
        f"Every row is extracted by hand from a small number of archived source texts "
        f"({count} source {noun} in this version), each kept verbatim and pinned by SHA-256; "
        "every row quotes the passage it rests on, and the quotes and numbers are checked by "
        "machine against the archived text."
    ]
    for position, source in enumerate(sources, start=1):
        label = "The first source" if position == 1 else f"Source {position}"
        unknown = _unknown(source)
        facts = (
            f"has no known {_join(unknown)}"
            if unknown
            else "names its publisher, URL and publication date"
        )
        lines.append(f"{label}, “{source['title']}” ({source['id']}), {facts}.")
    return " ".join(lines)


def _file_object(name: str, sha256: str) -> dict[str, Any]:
    suffix = name[name.rfind(".") :]
    return {
        "@type": "cr:FileObject",
        "@id": name,
        "name": name,
        "contentUrl": name,
        "encodingFormat": MEDIA_TYPES.get(suffix, "application/octet-stream"),
        "sha256": sha256,
    }


def _field(table: str, field: dict[str, Any], parquet: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": f"{table}/{field['name']}",
        "name": field["name"],
        "description": field.get("description", ""),
        "dataType": DATA_TYPES[field["type"]],
        "source": {"fileObject": {"@id": parquet}, "extract": {"column": field["name"]}},
    }
    if field["type"] == "list":
        entry["isArray"] = True
        entry["arrayShape"] = "-1"
    return entry


def _record_set(resource: dict[str, Any], parquet: str) -> dict[str, Any]:
    table = resource["name"]
    return {
        "@type": "cr:RecordSet",
        "@id": table,
        "name": table,
        "description": resource.get("description", ""),
        "key": [{"@id": f"{table}/{key}"} for key in resource["schema"].get("primaryKey", [])],
        "field": [_field(table, field, parquet) for field in resource["schema"]["fields"]],
    }


def croissant(
    descriptor: dict[str, Any],
    sources: list[dict[str, str]],
    file_hashes: dict[str, str],
    parquet_files: dict[str, str],
) -> dict[str, Any]:
    """The Croissant document of a release.

    ``file_hashes`` maps each release file to its sha256; ``parquet_files`` maps each table to
    its Parquet file (one of those files); ``sources`` are the rows of ``sources.csv``.
    """
    provenance = provenance_statement(sources)
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": descriptor["name"],
        "alternateName": descriptor["title"],
        "description": descriptor["description"],
        "version": descriptor["version"],
        "url": descriptor["homepage"],
        "sameAs": descriptor["id"],
        "license": descriptor["licenses"][0]["path"],
        "creator": [
            {"@type": "sc:Organization", "name": contributor["title"], "url": contributor["path"]}
            for contributor in descriptor["contributors"]
        ],
        "keywords": descriptor["keywords"],
        "citeAs": bibtex(descriptor),
        "isLiveDataset": False,
        "rai:dataCollection": provenance,
        "rai:dataCollectionType": ["Manual Human Curation"],
        "rai:dataCollectionRawData": (
            "The archived source texts ship inside the CSV zip under sources/, byte for byte as "
            "archived, each listed in sources.csv with its SHA-256."
        ),
        "rai:dataLimitations": (
            f"{provenance} The rows record what these texts claim, not verified facts: amounts, "
            "dates and attributions are the sources' own, and a relative time is left unresolved "
            "when the source has no known publication date. The small number of sources means "
            "the data is not a census of China's AI industry."
        ),
        "rai:dataBiases": (
            "Coverage follows what the archived sources chose to report; organizations, people "
            "and claims they do not mention are absent."
        ),
        "rai:dataUseCases": (
            "Checking, comparing and citing claims about AI training costs, funding and events "
            "against the words of their sources; not for training or evaluating models as if the "
            "claims were verified facts."
        ),
        "rai:personalSensitiveInformation": (
            "Names and roles of public figures as the sources give them, in quotes from the "
            "sources; no other personal information."
        ),
        "distribution": [
            _file_object(name, digest) for name, digest in sorted(file_hashes.items())
        ],
        "recordSet": [
            _record_set(resource, parquet_files[resource["name"]])
            for resource in descriptor["resources"]
        ],
    }
    day = release_date(descriptor)
    if day is not None:
        document["datePublished"] = day
    return document
