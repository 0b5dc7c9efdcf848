"""A downloader opens the SQLite release, or browses it in Datasette: integers for whole amounts,
declared keys, full-text search over names and quotes, facets, canned queries, data first."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from china_ai_claims.cli import app
from china_ai_claims.release import category_columns

COMMAND = str(Path(sys.executable).with_name("china-ai-claims"))


@pytest.fixture(scope="module")
def release_files(release_dir: Path) -> tuple[Path, dict[str, Any]]:
    written = sorted(release_dir.iterdir())
    database = next(path for path in written if path.suffix == ".sqlite")
    metadata = next(path for path in written if path.name.endswith(".datasette.json"))
    return database, json.loads(metadata.read_text(encoding="utf-8"))


@pytest.fixture
def connection(release_files: tuple[Path, dict[str, Any]]) -> Iterator[sqlite3.Connection]:
    opened = sqlite3.connect(release_files[0])
    yield opened
    opened.close()


def _descriptor(dataset: Path) -> dict[str, Any]:
    return dict(json.loads((dataset / "datapackage.json").read_text(encoding="utf-8")))


def _references(dataset: Path, table: str) -> dict[str, str]:
    resource = next(r for r in _descriptor(dataset)["resources"] if r["name"] == table)
    return {
        k["fields"][0]: k["reference"]["resource"] or table
        for k in resource["schema"].get("foreignKeys", [])
    }


def _rows(dataset: Path, table: str) -> list[dict[str, str]]:
    with (dataset / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_whole_amounts_are_stored_as_integers(
    connection: sqlite3.Connection, packaged_dataset: Path
) -> None:
    for resource in _descriptor(packaged_dataset)["resources"]:
        table = resource["name"]
        numbers = [f["name"] for f in resource["schema"]["fields"] if f["type"] == "number"]
        for row in _rows(packaged_dataset, table):
            for column in numbers:
                stored = connection.execute(
                    f'SELECT "{column}", typeof("{column}") FROM "{table}" WHERE id = ?',  # noqa: S608
                    (row["id"],),
                ).fetchone()
                if row[column] == "":
                    assert stored == (None, "null")
                elif re.fullmatch(r"-?\d+", row[column]):
                    assert stored == (int(row[column]), "integer"), (table, column)
                else:
                    assert stored == (float(row[column]), "real"), (table, column)


def test_every_foreign_key_of_the_schemas_is_declared(
    connection: sqlite3.Connection, packaged_dataset: Path
) -> None:
    for resource in _descriptor(packaged_dataset)["resources"]:
        table = resource["name"]
        declared = {
            (row[3], row[2]) for row in connection.execute(f"PRAGMA foreign_key_list('{table}')")
        }
        expected = {
            (key["fields"][0], key["reference"]["resource"] or table)
            for key in resource["schema"].get("foreignKeys", [])
        }
        assert declared == expected, table


def test_full_text_search_finds_a_row_by_words_of_its_quote(
    release_files: tuple[Path, dict[str, Any]],
    connection: sqlite3.Connection,
    packaged_dataset: Path,
) -> None:
    (settings,) = release_files[1]["databases"].values()
    for table, table_settings in settings["tables"].items():
        if "fts_table" not in table_settings:
            continue
        for row in _rows(packaged_dataset, table)[:3]:
            text = row.get("quote") or row.get("name") or row.get("title") or ""
            words = re.findall(r"\w+", text)[:4]
            phrase = '"' + " ".join(words) + '"'
            found = connection.execute(
                f'SELECT t.id FROM "{table_settings["fts_table"]}" AS f '  # noqa: S608
                f'JOIN "{table}" AS t ON t.rowid = f.rowid WHERE f."{table}_fts" MATCH ?',
                (phrase,),
            ).fetchall()
            assert (row["id"],) in found, (table, phrase)
    assert "fts_table" in settings["tables"]["cost_claims"]


def test_metadata_sets_labels_facets_and_queries_that_run(
    release_files: tuple[Path, dict[str, Any]],
    connection: sqlite3.Connection,
    packaged_dataset: Path,
) -> None:
    database, metadata = release_files
    (name,) = metadata["databases"]
    assert name == database.stem
    settings = metadata["databases"][name]
    for resource in _descriptor(packaged_dataset)["resources"]:
        table = settings["tables"][resource["name"]]
        names = [f["name"] for f in resource["schema"]["fields"]]
        if "name" in names:
            assert table["label_column"] == "name"
        # Facets: the enumerated and code columns that at least half the rows fill.
        rows = _rows(packaged_dataset, resource["name"])
        assert table["facets"] == [
            column
            for column in category_columns(resource["schema"])
            if 2 * sum(bool(row[column]) for row in rows) >= len(rows)
        ]
    amounts = connection.execute(settings["queries"]["claims_with_amounts"]["sql"]).fetchall()
    expected = sum(
        bool(row["amount"] or row["amount_low"])
        for table in ("cost_claims", "funding_claims")
        for row in _rows(packaged_dataset, table)
    )
    assert len(amounts) == expected
    by_organization = settings["queries"]["claims_by_organization"]["sql"]
    claims = connection.execute(by_organization, {"organization": ""}).fetchall()
    assert claims
    assert {row[0] for row in claims} <= {
        row["name"] for row in _rows(packaged_dataset, "organizations")
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1 only
        return bytes(response.read())


def test_browse_refuses_a_busy_port_with_exit_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["browse", "--port", str(port)])
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.output


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_browse_shows_data_first_with_linked_keys_and_stops_when_terminated(
    tmp_path: Path, packaged_dataset: Path
) -> None:
    port = _free_port()
    log_path = tmp_path / "browse.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [COMMAND, "browse", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}/china-ai-claims"
        try:
            deadline = time.monotonic() + 90
            while not _port_open(port):
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "datasette did not start"
                time.sleep(0.05)
            (claim, *_) = _rows(packaged_dataset, "cost_claims")
            page = _get(f"{base}/cost_claims").decode()
            assert 'class="column-descriptions"' not in page
            assert page.index("<details>") < page.index('class="rows-and-columns')
            row_page = _get(f"{base}/cost_claims/{claim['id']}").decode()
            table_page = _get(f"{base}/cost_claims?id={claim['id']}").decode()
            for column, table in _references(packaged_dataset, "cost_claims").items():
                if claim[column]:
                    link = f'href="/china-ai-claims/{table}/{claim[column]}"'
                    assert link in row_page, column
                    assert link in table_page, column
            rows = json.loads(_get(f"{base}/cost_claims.json?_shape=array&id={claim['id']}"))
            if claim["amount"]:
                assert rows[0]["amount"] == int(claim["amount"])
            search = json.loads(
                _get(
                    f"{base}/cost_claims.json?_shape=array&_search="
                    + re.findall(r"[A-Za-z]+", claim["quote"])[0]
                )
            )
            assert claim["id"] in {row["id"] for row in search}
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
    deadline = time.monotonic() + 15
    while _port_open(port) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _port_open(port), "the server outlived browse"
    assert process.returncode == 0, log_path.read_text()
