"""Build the claims explorer: a static website of one version of the dataset.

Every page is written from the dataset folder alone (no network, no server): a home page, a page
per table with search and filters, a page per row with the row in words and its quote marked in
the source paragraph, and a page per source with every cited passage marked. URLs come from ids
(``cost_claims/deepseek-v3-training-cost.html``), never from the version, so links survive a new
release. Links are relative, so the site works from ``file://`` and from any web host.

Filters are built from the schemas: every column with an ``enum`` constraint, and every code column
(a fixed-length upper-case code such as a currency or country), gets one. The same data gives the
same bytes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from china_ai_claims.site.highlight import (
    Citation,
    linked_ids,
    marked_paragraphs,
    quote_in_paragraph,
)
from china_ai_claims.site.words import statement, words

if TYPE_CHECKING:
    from china_ai_claims.comparing import Group

ASSETS = ("site.css", "site.js", "favicon.svg")
HIDDEN_FROM_TABLES = {"quote", "note", "source_id"}  # shown on row pages, searched in tables
ENTITY_TITLES = {"sources": "source"}


class SiteError(Exception):
    """The site cannot be built from invalid data; nothing was written."""


@dataclass
class Data:
    """The dataset as the site reads it: descriptor, rows as CSV text, source texts."""

    descriptor: dict[str, Any]
    rows: dict[str, list[dict[str, str]]]
    texts: dict[str, str]
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    # each row id that names one row of the whole dataset, with that row's page from a row page
    pages: dict[str, str] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.descriptor["version"])

    def resource(self, table: str) -> dict[str, Any]:
        return next(r for r in self.descriptor["resources"] if r["name"] == table)

    def fields(self, table: str) -> list[dict[str, Any]]:
        return list(self.resource(table)["schema"]["fields"])

    def references(self, table: str) -> dict[str, str]:
        """Each foreign-key column of the table and the table it points to."""
        keys = self.resource(table)["schema"].get("foreignKeys", [])
        return {key["fields"][0]: key["reference"]["resource"] or table for key in keys}

    def name(self, table: str, row_id: str) -> str:
        return self.names.get((table, row_id), row_id)


def read_data(folder: Path) -> Data:
    """The dataset folder's descriptor, every table's rows as text, and every source text."""
    from china_ai_claims.opening import dataset_folder

    package = dataset_folder(folder)
    rows = {
        table: list(csv.DictReader(io.StringIO(package.read_csv(table).decode("utf-8"))))
        for table in package.table_names()
    }
    texts = {
        row["id"]: (folder / row["path"]).read_text(encoding="utf-8")
        for row in rows.get("sources", [])
    }
    data = Data(package.descriptor, rows, texts)
    tables_of: dict[str, list[str]] = {}
    for table, table_rows in rows.items():
        for row in table_rows:
            data.names[table, row["id"]] = row.get("name") or row.get("title") or row["id"]
            tables_of.setdefault(row["id"], []).append(table)
    data.pages = {
        row_id: href(tables[0], row_id) for row_id, tables in tables_of.items() if len(tables) == 1
    }
    return data


def href(table: str, row_id: str, depth: int = 1) -> str:
    """The relative URL of a row's page from a page ``depth`` folders below the site root."""
    return f"{'../' * depth}{table}/{row_id}.html"


def filter_columns(data: Data, table: str) -> list[tuple[str, list[str]]]:
    """The enumerated and code columns with values in the table, with their values in order
    (an enumeration's order, else sorted)."""
    from china_ai_claims.release import category_columns

    schema = data.resource(table)["schema"]
    specs = {spec["name"]: spec for spec in schema["fields"]}
    columns = []
    for column in category_columns(schema):
        present = {row[column] for row in data.rows[table]} - {""}
        allowed = specs[column].get("constraints", {}).get("enum") or sorted(present)
        if present:
            columns.append((column, [value for value in allowed if value in present]))
    return columns


def _cell(data: Data, table: str, column: str, value: str, depth: int) -> dict[str, str]:
    """A cell to show: its text, and the page it links to when it is a reference."""
    target = data.references(table).get(column)
    if target and value:
        return {"text": data.name(target, value), "href": href(target, value, depth)}
    return {"text": value, "href": ""}


def _table_columns(data: Data, table: str) -> list[str]:
    """The columns a table page shows beside the row's name, words and quote: those that at least
    half the rows fill (the row's page shows the rest). A table of statements (its rows are
    said in words) shows only its filter columns; the words name everything else."""
    rows = data.rows[table]

    def filled(column: str) -> bool:
        return 2 * sum(bool(row[column]) for row in rows) >= len(rows)

    if any(statement(table, row, data.name) for row in rows[:1]):
        shown = [column for column, _ in filter_columns(data, table) if filled(column)]
        # The amount as the source words it ("$53 billion", "billions of yuan") leads: amounts are
        # what a claim table is read for.
        if any(spec["name"] == "amount_text" for spec in data.fields(table)):
            shown.insert(0, "amount_text")
        return shown
    return [
        spec["name"]
        for spec in data.fields(table)
        if spec["name"] not in ("id", "name", "title", *HIDDEN_FROM_TABLES)
        and not spec["name"].endswith("_text")
        and filled(spec["name"])
    ]


def _search_text(data: Data, table: str, row: dict[str, str], words_text: str) -> str:
    # The names a row links to, but not its source's title: every row of a dataset built from
    # one article would match each word of it ("deepseek", "china").
    named = [
        data.name(target, row[c])
        for c, target in data.references(table).items()
        if row[c] and target != "sources"
    ]
    parts = [row["id"], row.get("name", ""), row.get("aliases", ""), row.get("title", ""),
             row.get("quote", ""), words_text, *named]  # fmt: skip
    return " ".join(part for part in parts if part).casefold()


def _referencing(data: Data, table: str, row_id: str) -> list[dict[str, Any]]:
    """The rows of every table that point to this row, grouped by table."""
    groups = []
    for other in data.rows:
        columns = [c for c, target in data.references(other).items() if target == table]
        if other == "sources" or table == "sources":
            continue
        found = [
            {
                "href": href(other, row["id"]),
                "label": data.name(other, row["id"]),
                "words": statement(other, row, data.name),
                "how": ", ".join(words(c) for c in columns if row[c] == row_id),
            }
            for row in data.rows[other]
            if any(row[c] == row_id for c in columns)
        ]
        if found:
            groups.append({"table": other, "title": data.resource(other)["title"], "rows": found})
    return groups


def _citations(data: Data, source_id: str) -> list[Citation]:
    text = data.texts.get(source_id, "")
    found = []
    for table, rows in data.rows.items():
        for row in rows:
            quote = row.get("quote", "")
            start = text.find(quote) if quote and row.get("source_id") == source_id else -1
            if start >= 0:
                label = f"{data.resource(table)['title'].lower()} {row['id']}"
                found.append(Citation(start, start + len(quote), href(table, row["id"]), label))
    return found


def heading(column: str) -> str:
    """A column name as a heading: ``claim_kind`` -> ``Claim kind``, ``developer_id`` ->
    ``Developer`` (the cell shows the name it refers to)."""
    said = words(column.removesuffix("_id"))
    return said[:1].upper() + said[1:]


def _environment() -> Any:
    try:
        import jinja2
    except ImportError:
        from china_ai_claims.site import EXTRA_NEEDED

        raise ImportError(EXTRA_NEEDED) from None
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("china_ai_claims.site", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["heading"] = heading
    return environment


def _pages(data: Data) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every page: its path in the site, its template and the template's values."""
    tables = [
        {"name": r["name"], "title": r["title"], "description": r.get("description", ""),
         "rows": len(data.rows[r["name"]])}
        for r in data.descriptor["resources"]
    ]  # fmt: skip
    headline = [
        {"href": href(table, row["id"], 0), "words": statement(table, row, data.name)}
        for table in data.rows
        if any(spec["name"] == "amount" for spec in data.fields(table))
        for row in data.rows[table]
        if row.get("amount") or row.get("amount_low")
    ]
    common = {"version": data.version, "package": data.descriptor, "tables": tables}
    pages: dict[str, tuple[str, dict[str, Any]]] = {
        "index.html": (
            "home.html",
            {
                **common,
                "root": "",
                "headline": headline,
                "sources": [
                    {"href": href("sources", row["id"], 0), "title": row["title"]}
                    for row in data.rows["sources"]
                ],
            },
        ),
    }
    groups = _claim_groups(data)
    for table in data.rows:
        pages[f"{table}/index.html"] = ("table.html", {**common, **_table_page(data, table)})
        for row in data.rows[table]:
            page = _row_page(data, table, row, groups.get((table, row["id"])))
            template = "source.html" if table == "sources" else "row.html"
            pages[f"{table}/{row['id']}.html"] = (template, {**common, **page})
    return pages


def _table_page(data: Data, table: str) -> dict[str, Any]:
    columns = _table_columns(data, table)
    filters = filter_columns(data, table)
    rows = []
    for row in data.rows[table]:
        said = statement(table, row, data.name)
        rows.append(
            {
                "href": f"{row['id']}.html",
                "label": data.name(table, row["id"]),
                "id": row["id"],
                "words": said,
                "modality": row.get("modality", ""),
                "cells": [_cell(data, table, c, row[c], 1) for c in columns],
                "filters": {column: row[column] for column, _ in filters},
                "search": _search_text(data, table, row, said),
                "quote": row.get("quote", ""),
            }
        )
    counts = {
        column: {value: sum(row[column] == value for row in data.rows[table]) for value in values}
        for column, values in filters
    }
    return {
        "root": "../",
        "table": data.resource(table),
        "columns": columns,
        "filters": filters,
        "counts": counts,
        "rows": rows,
        "has_words": any(row["words"] for row in rows),
        # Rows said in words show their quote on their own page (the words quote it where the
        # columns cannot say it); a Quote column beside them would only push the table wider.
        "has_quotes": any(row["quote"] for row in rows) and not any(row["words"] for row in rows),
    }


def _claim_groups(data: Data) -> dict[tuple[str, str], Group]:
    """Each claim that another claim states the same quantity as, with their group."""
    import pandas as pd

    from china_ai_claims.comparing import CLAIM_TABLES, claim_groups

    return claim_groups({table: pd.DataFrame(data.rows[table]) for table in CLAIM_TABLES})


def _related(data: Data, row_id: str, group: Group | None) -> dict[str, Any] | None:
    """What the other claims on this claim's key say, and whether they all can be true."""
    if group is None:
        return None
    return {
        "verdict": group.verdict.replace("_", " "),
        "reason": group.reason,
        "others": [
            {
                "href": href(other.table, other.id, 1),
                "id": other.id,
                "words": other.words,
                "source": data.name("sources", other.source_id),
                "source_href": href("sources", other.source_id, 1),
            }
            for other in group.others(row_id)
        ],
    }


def _row_page(
    data: Data, table: str, row: dict[str, str], group: Group | None = None
) -> dict[str, Any]:
    specs = {spec["name"]: spec for spec in data.fields(table)}
    fields = [
        {"name": column, "description": specs[column].get("description", ""),
         **_cell(data, table, column, value, 1)}
        for column, value in row.items()
        if value and column not in ("quote", "note")
    ]  # fmt: skip
    page: dict[str, Any] = {
        "root": "../",
        "table": data.resource(table),
        "row": row,
        "label": data.name(table, row["id"]),
        "words": statement(table, row, data.name),
        "modality": row.get("modality", ""),
        "fields": fields,
        "note": linked_ids(row.get("note", ""), data.pages),
        "quote": row.get("quote", ""),
        "paragraph": None,
        "referencing": _referencing(data, table, row["id"]),
        "related": _related(data, row["id"], group),
    }
    source_id = row.get("source_id", "")
    if row.get("quote") and source_id in data.texts:
        found = quote_in_paragraph(data.texts[source_id], row["quote"])
        if found is not None:
            line, markup = found
            page["paragraph"] = {
                "markup": markup,
                "line": line,
                "href": f"{href('sources', source_id)}#line-{line}",
                "source": data.name("sources", source_id),
            }
    if table == "sources":
        text = data.texts.get(row["id"], "")
        page["paragraphs"] = marked_paragraphs(text, _citations(data, row["id"]))
    return page


def build_site(out: Path, data_dir: Path | None = None) -> list[Path]:
    """Validate ``data_dir`` (the packaged dataset by default) and write its site into ``out``.

    Raises :class:`SiteError` when the data is invalid and ImportError when Jinja2 is missing;
    nothing is written then. Returns the files written, in order.
    """
    from china_ai_claims._resources import dataset_dir
    from china_ai_claims.validators import validate

    environment = _environment()
    folder = dataset_dir() if data_dir is None else Path(data_dir)
    report = validate(folder)
    if not report.valid:
        raise SiteError(report.refusal())
    data = read_data(folder)
    written = []
    for path, (template, values) in sorted(_pages(data).items()):
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        html = environment.get_template(template).render(**values)
        target.write_text(html, encoding="utf-8", newline="\n")
        written.append(target)
    static = resources.files("china_ai_claims.site") / "static"
    (out / "assets").mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        target = out / "assets" / name
        target.write_bytes((static / name).read_bytes())
        written.append(target)
    return written
