"""A downloader takes a release and opens it anywhere; an analyst loads it verified, even by URL."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import functools
import hashlib
import http.server
import io
import json
import os
import shutil
import sqlite3
import subprocess
import threading
import zipfile
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import china_ai_claims as cac
from _mutations import cell, duplicate_row
from _serving import serving_in_a_thread
from china_ai_claims.background import run_in
from china_ai_claims.cli import app
from china_ai_claims.opening import ChecksumError, ReleaseFormatError
from china_ai_claims.release import BuildError, build_release, release_files

VERSION = cac.__version__
STEM = f"china-ai-claims-{VERSION}"
ZIP, JSON_FILE, SQLITE = f"{STEM}-csv.zip", f"{STEM}.json", f"{STEM}.sqlite"


@pytest.fixture
def release_copy(release_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "release"
    shutil.copytree(release_dir, target)
    return target


def _csv_rows(data: bytes) -> int:
    return sum(1 for _ in csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_release_holds_the_promised_files(release_dir: Path) -> None:
    names = sorted(path.name for path in release_dir.iterdir())
    assert names == sorted([*release_files(VERSION), "SHA256SUMS"])
    members = zipfile.ZipFile(release_dir / ZIP).namelist()
    assert members == sorted(members)
    expected = {"datapackage.json", "README.md", "LICENSE", "sources.csv", "cost_claims.csv"}
    assert expected <= set(members)
    assert "sources/deepseek-impact-on-china-ai-industry.txt" in members


def test_sha256sums_is_what_sha256sum_checks(release_dir: Path) -> None:
    tool = shutil.which("sha256sum")
    lines = (release_dir / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert [line.split("  ")[1] for line in lines] == release_files(VERSION)
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((release_dir / name).read_bytes()).hexdigest() == digest
    if tool is not None:
        result = subprocess.run(
            [tool, "-c", "SHA256SUMS"], cwd=release_dir, capture_output=True, check=False
        )
        assert result.returncode == 0, result.stdout


def test_building_twice_gives_identical_bytes(release_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build_release(again)
    for name in [*release_files(VERSION), "SHA256SUMS"]:
        assert (again / name).read_bytes() == (release_dir / name).read_bytes(), name


def test_zip_members_carry_no_build_time_or_path(release_dir: Path) -> None:
    for info in zipfile.ZipFile(release_dir / ZIP).infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert not info.filename.startswith(("/", ".."))
    everything = b"".join(path.read_bytes() for path in release_dir.iterdir())
    assert str(release_dir).encode() not in everything


def test_invalid_data_is_refused_and_nothing_is_written(dataset_copy: Path, tmp_path: Path) -> None:
    cell("cost_claims", "gpt-4-training-cost", amount="7")(dataset_copy)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["release", str(dataset_copy), "--out", str(out)])
    assert result.exit_code == 1
    assert "invalid" in result.output
    assert "'china-ai-claims validate' lists every problem" in result.output
    assert not out.exists() or list(out.iterdir()) == []


def _first_id(root: Path, table: str) -> str:
    with (root / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return next(csv.DictReader(handle))["id"]


def _repeat_first_organization(root: Path) -> None:
    duplicate_row("organizations", _first_id(root, "organizations"))(root)


def _cite_a_missing_source(root: Path) -> None:
    cell("people", _first_id(root, "people"), source_id="no-such-source")(root)


# (case, how the dataset folder is set up, the arguments after "release"): the program's entry
# point runs plain release arguments itself, and must print, exit and write as the full
# command line does.
RELEASES_BOTH_WAYS = [
    ("valid", None, ["{dataset}", "--out", "{out}"]),
    ("valid, --out=", None, ["--out={out}", "{dataset}"]),
    ("invalid data", "damaged", ["{dataset}", "--out", "{out}"]),
    ("no such folder", None, ["{dataset}-missing", "--out", "{out}"]),
    ("--out names a file", "out is a file", ["{dataset}", "--out", "{out}"]),
    ("no --out outside a checkout", None, ["{dataset}"]),
]


@pytest.mark.parametrize(
    ("setup", "arguments"),
    [case[1:] for case in RELEASES_BOTH_WAYS],
    ids=[case[0] for case in RELEASES_BOTH_WAYS],
)
def test_the_program_releases_as_the_full_command_line_does(
    setup: str | None,
    arguments: list[str],
    dataset_copy: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from china_ai_claims import cli, command

    if setup == "damaged":
        cell("cost_claims", "gpt-4-training-cost", currency="XYZ")(dataset_copy)
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    outcomes = []
    for main in (command.main, cli.main):
        out = tmp_path_factory.mktemp("out") / "release"
        if setup == "out is a file":
            out.write_text("a file", encoding="utf-8")
        argv = [a.format(dataset=dataset_copy, out=out) for a in arguments]
        monkeypatch.setattr("sys.argv", ["china-ai-claims", "release", *argv])
        with pytest.raises(SystemExit) as exited:
            main()
        stdout, stderr = capsys.readouterr()
        written = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
        sums = (out / "SHA256SUMS").read_bytes() if "SHA256SUMS" in written else b""
        shown = (text.replace(str(out), "OUT") for text in (stdout, stderr))
        outcomes.append((exited.value.code, *shown, written, sums))
    program, full = outcomes
    assert program == full
    assert (program[0] == 0) == ("SHA256SUMS" in program[3])


# Damage that the SQLite database itself would refuse while the rows stream in (a repeated key, a
# reference to nothing): the build still ends in the validator's refusal, not the database's.
@pytest.mark.parametrize(
    "damage", [_repeat_first_organization, _cite_a_missing_source], ids=lambda f: f.__name__
)
def test_a_release_of_invalid_data_raises_the_refusal_and_writes_nothing(
    dataset_copy: Path, tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    damage(dataset_copy)
    out = tmp_path / "out" / "of" / "release"
    with pytest.raises(BuildError, match="the data is invalid"):
        build_release(out, dataset_copy)
    assert list(tmp_path.iterdir()) == [dataset_copy]  # not even the folders above out
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "mine.txt").write_text("not the release's", encoding="utf-8")
    with pytest.raises(BuildError):
        build_release(kept, dataset_copy)
    assert [path.name for path in kept.iterdir()] == ["mine.txt"]


@pytest.mark.parametrize("inside", [".", "sources", "release"])
def test_a_release_is_never_written_inside_its_dataset_folder(
    dataset_copy: Path, inside: str
) -> None:
    before = sorted(path.relative_to(dataset_copy) for path in dataset_copy.rglob("*"))
    with pytest.raises(BuildError, match="inside the dataset folder"):
        build_release(dataset_copy / inside, dataset_copy)
    assert sorted(path.relative_to(dataset_copy) for path in dataset_copy.rglob("*")) == before


def test_a_release_asked_for_inside_its_dataset_folder_is_a_usage_error(
    dataset_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(dataset_copy.parent)
    result = CliRunner().invoke(app, ["release", str(dataset_copy), "--out", "dataset/out"])
    assert result.exit_code == 2  # the request is at fault, not the data (exit 1)
    assert "inside the dataset folder" in result.stderr
    assert not (dataset_copy / "out").exists()


def test_the_json_release_is_the_documented_document_laid_out_by_the_json_module(
    release_dir: Path,
) -> None:
    from china_ai_claims.release import metadata

    with zipfile.ZipFile(release_dir / ZIP) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
    document: dict[str, object] = {"metadata": metadata(descriptor)}
    for table in cac.tables():
        document[table] = [row.model_dump(mode="json") for row in cac.records(table)]
    written = (release_dir / JSON_FILE).read_bytes()
    assert json.loads(written) == document
    laid_out = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    assert written == laid_out.encode()


class _Spelled(str, Enum):
    apart = "spelled apart"


# Values a record may hold, and some it may not (the JSON module lays those out instead).
AWKWARD_VALUES = [
    ("escapes", 'a "quote", a \\ backslash, a tab\t, a newline\n, \x00, \x1f and \x7f'),
    ("beyond ascii", "é, 中文, 😀 and \u2028"),
    ("empty text", ""),
    ("null", None),
    ("true", True),
    ("false", False),
    ("integer", -12),
    ("long integer", 10**20),
    ("fraction", 0.1),
    ("whole float", 6000000.0),
    ("large float", 1e16),
    ("small float", -2.5e-7),
    ("empty list", []),
    ("list", ["a", 'b "c"', "\n", "中"]),
    ("object", {"a": [1, None]}),
    ("not a number", float("nan")),
    ("list of numbers", [1, 2.5]),
    ("list of lists", [["a"], []]),
    ("date", dt.date(2025, 1, 27)),  # a record holds a date; its JSON form is ISO 8601 text
    ("enumeration", _Spelled.apart),  # a str: its JSON form is its value, not its name
    ("list with an object", ["a", {"b": "c"}]),
    ("opening bracket", "[{"),
    ("text like the layout", '"],\n        ["\x00[{'),  # what the writer splits on, as text
    ("list of texts like the layout", ['a"],\n        ["b', "\x00[", "]"]),
]


# How a column of each kind is declared (a record's JSON form writes dates as text).
DECLARED = {
    "required text": {"type": "string", "constraints": {"required": True}},
    "required date": {"type": "date", "constraints": {"required": True}},
    "optional text": {"type": "string"},
    "number": {"type": "number"},
    "list": {"type": "list"},
}


@pytest.mark.parametrize("declared", sorted(DECLARED))
@pytest.mark.parametrize(("kind", "value"), AWKWARD_VALUES, ids=[k for k, _ in AWKWARD_VALUES])
def test_each_table_s_array_is_laid_out_as_the_json_module_lays_it_out(
    tmp_path: Path, declared: str, kind: str, value: object
) -> None:
    from china_ai_claims.release import _JsonArray

    rows = [{"b": value, "a": "x", "c": 1}, {"c": None, "b": [], "a": kind}]
    fields = [{"name": "c"}, {"name": "b", **DECLARED[declared]}, {"name": "a"}]
    array = _JsonArray(tmp_path / "array", fields)
    for row in rows:
        array.add(tuple(row[field["name"]] for field in fields))
    array.close()
    document = json.dumps({"t": rows}, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    assert document.startswith('{\n  "t": ')
    assert document.endswith("\n}")
    expected = document[len('{\n  "t": ') : -len("\n}")]
    assert (tmp_path / "array").read_text(encoding="utf-8") == expected


def test_a_table_without_rows_is_an_empty_array(tmp_path: Path) -> None:
    from china_ai_claims.release import _JsonArray

    _JsonArray(tmp_path / "array", [{"name": "a", "type": "string"}]).close()
    assert (tmp_path / "array").read_text(encoding="utf-8") == "[]"


@pytest.mark.parametrize(
    ("module", "step"),
    [
        ("china_ai_claims.release", "_sums"),  # every other file written
        ("china_ai_claims.release", "_write_json_release"),  # the JSON arrays written
        # Steps of the background thread: their failure surfaces in the build as it is.
        ("china_ai_claims.parquet_release", "_array"),  # while validating, the first rows
        ("china_ai_claims.parquet_release", "_from_iso"),  # a date read for Parquet
        ("china_ai_claims.release", "_full_text_index"),  # a table's rows copied in
        ("china_ai_claims.release", "_create_indexes"),
    ],
)
def test_a_failed_build_leaves_no_partial_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, step: str
) -> None:
    import importlib

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(importlib.import_module(module), step, broken)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OSError, match="disk full"):
        build_release(out)
    assert list(out.iterdir()) == []
    assert not _build_threads()


def _build_threads() -> list[str]:
    """The threads of a release build still running."""
    return [thread.name for thread in threading.enumerate() if thread.name == "release-writer"]


def test_ctrl_c_during_validation_stops_the_build_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C part way through validation, with the build's background thread at work: the
    interrupt ends the build, the thread stops, and no file is left."""
    from china_ai_claims import release

    add = release._JsonArray.add
    taken = 0

    def interrupted(self: Any, values: tuple[Any, ...]) -> None:
        nonlocal taken
        taken += 1
        if taken == 40:
            raise KeyboardInterrupt
        add(self, values)

    monkeypatch.setattr(release._JsonArray, "add", interrupted)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        build_release(out)
    assert taken == 40
    assert not out.exists()
    assert not _build_threads()


# A statement that never ends by itself: counting without a limit.
_ENDLESS = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"


def test_ctrl_c_during_a_long_sqlite_statement_in_the_background_does_not_wait_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the background thread runs a statement on the build file (``VACUUM INTO`` of
    a large release takes seconds; here one that never ends): the statement is interrupted, the
    build ends at once with the interrupt, the thread stops and no file is left."""
    from china_ai_claims import release

    running = threading.Event()
    connections: list[sqlite3.Connection] = []

    def endless_write(self: Any, target: Path) -> None:
        def job() -> None:
            running.set()
            self._connection.execute(_ENDLESS).fetchall()

        connections.append(self._connection)
        run_in(self._background, job)

    def interrupted(*args: Any) -> None:
        assert running.wait(60), "the background job never started"
        raise KeyboardInterrupt

    monkeypatch.setattr(release._Database, "write", endless_write)
    monkeypatch.setattr(release, "_csv_zip", interrupted)
    out = tmp_path / "out"
    raised: list[BaseException] = []

    def build() -> None:
        try:
            build_release(out)
        except BaseException as error:  # handed to the test's thread
            raised.append(error)

    builder = threading.Thread(target=build)
    builder.start()
    builder.join(120)  # not a measure of speed: without the interrupt the build never ends
    if builder.is_alive():
        connections[0].interrupt()  # end the endless statement, so the test run can end
        builder.join()
        pytest.fail("the build waited for the background statement after Ctrl-C")
    assert [type(error) for error in raised] == [KeyboardInterrupt]
    assert not out.exists()
    assert not _build_threads()


def test_a_failed_sqlite_write_in_the_background_leaves_no_partial_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The foreign keys are checked and the file written by the background thread: a problem
    there is the build's error."""
    from china_ai_claims import release

    monkeypatch.setattr(release, "_sums", lambda *args: pytest.fail("built after a failure"))

    class FullDisk(sqlite3.Connection):
        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
            if sql.startswith("VACUUM INTO"):
                raise sqlite3.OperationalError("database or disk is full")
            return super().execute(sql, *args)

    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", functools.partial(connect, factory=FullDisk))
    out = tmp_path / "out"
    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        build_release(out)
    assert not out.exists()


def test_a_full_disk_that_fails_the_closing_writes_too_leaves_no_thread_and_no_open_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk fails a JSON array's write, and would fail its closing writes again: the
    first failure is the build's error, the background thread stops, and no file of the build
    stays open (Windows could not remove it)."""
    from china_ai_claims import release

    def full(self: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(release._JsonArray, "_write", full)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OSError, match="No space left") as failed:
        build_release(out)
    assert failed.value.__context__ is None  # not a later failure of the clean-up
    assert list(out.iterdir()) == []
    assert not _build_threads()
    descriptors = Path("/proc/self/fd")
    if descriptors.is_dir():  # Linux: what each open file descriptor names
        opened = []
        for link in descriptors.iterdir():
            with contextlib.suppress(OSError):
                opened.append(os.readlink(link))
        assert [name for name in opened if str(out) in name] == []


def test_sqlite_opens_with_keys_indexes_and_the_csv_row_counts(release_dir: Path) -> None:
    archive = zipfile.ZipFile(release_dir / ZIP)
    connection = sqlite3.connect(release_dir / SQLITE)
    try:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        # The build checks neither CHECK constraints nor keys row by row: the rows obey them.
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        for table in cac.tables():
            count = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            assert count == _csv_rows(archive.read(f"{table}.csv")), table
        indexes = {row[1] for row in connection.execute("PRAGMA index_list('cost_claims')")}
        assert "cost_claims_model_id" in indexes
        keys = connection.execute("PRAGMA foreign_key_list('cost_claims')").fetchall()
        assert ("models", "model_id") in {(row[2], row[3]) for row in keys}
        row = connection.execute(
            "SELECT amount, bound FROM cost_claims WHERE id = 'deepseek-v3-training-cost'"
        ).fetchone()
        assert row == (6000000.0, "approximate")
    finally:
        connection.close()


def test_datasette_metadata_describes_every_table_and_column(release_dir: Path) -> None:
    metadata = json.loads((release_dir / f"{STEM}.datasette.json").read_text(encoding="utf-8"))
    assert metadata["license"] == "CC BY 4.0"
    tables = metadata["databases"][STEM]["tables"]
    assert set(tables) == set(cac.tables())
    # Column meanings sit folded under the table's description, so the rows come first.
    described = tables["cost_claims"]["description_html"]
    for column in cac.load("cost_claims").columns:
        assert f"<dt>{column}</dt><dd>" in described
    assert "<details>" in described


def test_pandas_reads_the_csvs_straight_from_the_zip(release_dir: Path) -> None:
    with zipfile.ZipFile(release_dir / ZIP) as archive, archive.open("cost_claims.csv") as handle:
        frame = pd.read_csv(handle)
    assert len(frame) == len(cac.load("cost_claims"))


def test_csvs_are_utf8_without_bom_with_the_dialects_line_ending(release_dir: Path) -> None:
    with zipfile.ZipFile(release_dir / ZIP) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        for resource in descriptor["resources"]:
            data = archive.read(resource["path"])
            assert not data.startswith(b"\xef\xbb\xbf")
            data.decode("utf-8")
            assert resource["dialect"]["lineTerminator"] == "\n"
            assert b"\r" not in data
            assert data.endswith(b"\n")


def test_json_release_is_valid_against_its_schema(release_dir: Path) -> None:
    from jsonschema import Draft202012Validator

    from china_ai_claims._resources import schemas_dir

    schema = json.loads((schemas_dir() / "china-ai-claims.schema.json").read_text("utf-8"))
    document = json.loads((release_dir / JSON_FILE).read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(document)) == []
    assert document["metadata"]["version"] == VERSION


def test_frictionless_reports_the_extracted_zip_valid(release_dir: Path, tmp_path: Path) -> None:
    from frictionless import Package

    zipfile.ZipFile(release_dir / ZIP).extractall(tmp_path / "extracted")
    report = Package(str(tmp_path / "extracted" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["type", "note"])


@pytest.mark.parametrize("form", [ZIP, JSON_FILE, "extracted"])
def test_every_release_form_loads_the_same_typed_tables(
    form: str, release_dir: Path, tmp_path: Path
) -> None:
    source, pin = release_dir / form, None
    if form == "extracted":
        source = tmp_path / "extracted"
        zipfile.ZipFile(release_dir / ZIP).extractall(source)
        # An extracted folder is vouched for by the SHA-256 of its datapackage.json.
        pin = hashlib.sha256((source / "datapackage.json").read_bytes()).hexdigest()
    for table in cac.tables():
        loaded = cac.load(table, release=source, sha256=pin)
        pd.testing.assert_frame_equal(loaded, cac.load(table))
    assert cac.load_all(release=source, sha256=pin).version == VERSION
    assert len(cac.records("events", release=source, sha256=pin)) == len(cac.records("events"))


def _rezip(path: Path, member: str, change: bytes, by: bytes) -> None:
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in members:
            archive.writestr(info, data.replace(change, by, 1) if info.filename == member else data)


def test_one_changed_byte_inside_the_zip_is_refused(release_copy: Path) -> None:
    _rezip(release_copy / ZIP, "cost_claims.csv", b"6000000", b"6000001")
    # Even pinned as it now is, the zip's own hashes catch the change.
    pin = hashlib.sha256((release_copy / ZIP).read_bytes()).hexdigest()
    with pytest.raises(ChecksumError) as caught:
        cac.load("models", release=release_copy / ZIP, sha256=pin)
    message = str(caught.value)
    assert "cost_claims.csv" in message
    assert caught.value.expected in message
    assert caught.value.actual in message


def test_a_changed_json_release_is_refused_by_its_sha256sums(release_copy: Path) -> None:
    path = release_copy / JSON_FILE
    path.write_bytes(path.read_bytes().replace(b"6000000", b"6000001", 1))
    with pytest.raises(ChecksumError, match=JSON_FILE):
        cac.load("cost_claims", release=path)


def test_a_json_release_without_sums_or_pin_is_refused(release_copy: Path) -> None:
    (release_copy / "SHA256SUMS").unlink()
    with pytest.raises(ReleaseFormatError, match="cannot verify"):
        cac.load("cost_claims", release=release_copy / JSON_FILE)
    pinned = hashlib.sha256((release_copy / JSON_FILE).read_bytes()).hexdigest()
    loaded = cac.load("cost_claims", release=release_copy / JSON_FILE, sha256=pinned)
    assert len(loaded) == len(cac.load("cost_claims"))


def test_a_wrong_pin_is_refused(release_dir: Path) -> None:
    with pytest.raises(ChecksumError):
        cac.load("cost_claims", release=release_dir / ZIP, sha256="0" * 64)


def test_a_changed_file_in_an_extracted_release_is_refused(
    release_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "extracted"
    zipfile.ZipFile(release_dir / ZIP).extractall(folder)
    path = folder / "people.csv"
    path.write_bytes(path.read_bytes().replace(b"Robin Li", b"Robin Lu"))
    pin = hashlib.sha256((folder / "datapackage.json").read_bytes()).hexdigest()
    with pytest.raises(ChecksumError, match=r"people\.csv"):
        cac.load("people", release=folder, sha256=pin)


def test_a_dataset_folder_is_not_a_release(dataset_copy: Path) -> None:
    # A copy: installers may hard-link the installed files, which a release may not be.
    with pytest.raises(ReleaseFormatError, match="cannot verify"):
        cac.load("people", release=dataset_copy)
    pin = hashlib.sha256((dataset_copy / "datapackage.json").read_bytes()).hexdigest()
    with pytest.raises(ReleaseFormatError, match="not a release"):
        cac.load("people", release=dataset_copy, sha256=pin)


@pytest.fixture
def served(release_dir: Path) -> Iterator[tuple[str, list[str], http.server.HTTPServer]]:
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            requests.append(self.path)

    handler = functools.partial(Handler, directory=str(release_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with serving_in_a_thread(server) as address:
        yield address, requests, server


def test_a_url_is_downloaded_once_verified_and_reused_offline(
    served: tuple[str, list[str], http.server.HTTPServer],
    release_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, requests, server = served
    monkeypatch.setenv("CHINA_AI_CLAIMS_CACHE", str(tmp_path / "cache"))
    # Plain http:// is used only with a pin (HTTPS with SHA256SUMS: test_load_release_*.py).
    pin = hashlib.sha256((release_dir / JSON_FILE).read_bytes()).hexdigest()
    first = cac.load("cost_claims", release=f"{base}/{JSON_FILE}", sha256=pin)
    assert any(JSON_FILE in request for request in requests)
    assert not any("SHA256SUMS" in request for request in requests)  # the pin is enough
    assert (tmp_path / "cache").is_dir()
    server.shutdown()
    requests.clear()
    again = cac.load("cost_claims", release=f"{base}/{JSON_FILE}", sha256=pin)
    pd.testing.assert_frame_equal(first, again)
    assert requests == []


def test_a_tampered_download_is_refused(
    served: tuple[str, list[str], http.server.HTTPServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, _, _ = served
    monkeypatch.setenv("CHINA_AI_CLAIMS_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ChecksumError):
        cac.load("cost_claims", release=f"{base}/{ZIP}", sha256="1" * 64)


def test_diff_lists_added_removed_and_changed_rows(
    dataset_copy: Path, packaged_dataset: Path
) -> None:
    cell("cost_claims", "gpt-4-training-cost", note="Corrected.")(dataset_copy)
    duplicate_row("events", "manus-rollout")(dataset_copy)
    events = dataset_copy / "events.csv"
    head, _, last = events.read_text(encoding="utf-8").rstrip("\n").rpartition("\n")
    events.write_text(f"{head}\n{last.replace('manus-rollout', 'manus-launch', 1)}\n", "utf-8")
    runner = CliRunner()
    text = runner.invoke(app, ["diff", str(packaged_dataset), str(dataset_copy)])
    assert text.exit_code == 0, text.output
    assert "cost_claims: 0 added, 0 removed, 1 changed" in text.stdout
    assert "~ gpt-4-training-cost note:" in text.stdout
    assert "'Corrected.'" in text.stdout
    assert "events: 1 added, 0 removed, 0 changed" in text.stdout
    assert text.stderr.startswith("compared ")  # what was read, apart from the output
    document = json.loads(
        runner.invoke(
            app, ["diff", str(packaged_dataset), str(dataset_copy), "--format", "json"]
        ).stdout
    )
    assert document["tables"]["events"]["added"] == ["manus-launch"]
    changed = document["tables"]["cost_claims"]["changed"]["gpt-4-training-cost"]
    assert changed["note"]["new"] == "Corrected."
    entry = runner.invoke(
        app,
        [
            "diff",
            str(packaged_dataset),
            str(dataset_copy),
            "--format",
            "changelog",
            "--date",
            "2026-12-01",
        ],
    ).stdout
    assert entry.startswith(f"## [{VERSION}] - 2026-12-01")
    assert "### Added\n\n- `events`: `manus-launch`." in entry
    assert "### Changed\n\n- `cost_claims` `gpt-4-training-cost`: `note`." in entry


def test_diff_between_forms_of_the_same_data_is_empty(
    release_dir: Path, packaged_dataset: Path
) -> None:
    for form in (ZIP, JSON_FILE):
        result = CliRunner().invoke(app, ["diff", str(packaged_dataset), str(release_dir / form)])
        assert result.exit_code == 0
        assert result.stdout.endswith("no differences\n")


def test_diff_of_a_missing_file_is_a_usage_error(tmp_path: Path, packaged_dataset: Path) -> None:
    result = CliRunner().invoke(app, ["diff", str(packaged_dataset), str(tmp_path / "x.zip")])
    assert result.exit_code == 2


def _minimal_row(schema: dict[str, Any], **values: Any) -> dict[str, Any]:
    """A record's values for ``schema`` (as a record holds them): a plain value in every required
    column, then ``values``."""
    plain = {
        "string": "x",
        "date": dt.date(2025, 1, 1),
        "integer": 1,
        "number": 1.0,
        "boolean": True,
    }
    row: dict[str, Any] = {}
    for field in schema["fields"]:
        constraints = field.get("constraints", {})
        required = constraints.get("required", False)
        value = constraints["enum"][0] if "enum" in constraints else plain.get(field["type"])
        row[field["name"]] = [] if field["type"] == "list" else value if required else None
    return row | values


def _in_order(schema: dict[str, Any], row: dict[str, Any]) -> tuple[Any, ...]:
    """A row's values in the order of the table's fields, as the release's writers take them."""
    return tuple(row[field["name"]] for field in schema["fields"])


def test_a_row_may_come_before_the_row_its_own_table_links_it_to(tmp_path: Path) -> None:
    """A valid dataset may list a child organization before its parent (or a model before its
    series): the SQLite release checks its foreign keys when the whole table is in."""
    from china_ai_claims.models import Organization, Source
    from china_ai_claims.release import _Database
    from china_ai_claims.schema_builder import resource_descriptor

    sources = resource_descriptor(Source)["schema"]
    organizations = resource_descriptor(Organization)["schema"]
    source = _minimal_row(sources, id="s")
    child = _minimal_row(organizations, id="child", source_id="s", parent_id="parent")
    parent = _minimal_row(organizations, id="parent", source_id="s")

    def build(rows: list[dict[str, Any]], name: str) -> None:
        database = _Database(tmp_path / f"{name}.building")
        try:
            database.start("sources", sources)
            database.add_rows([_in_order(sources, source)])
            database.finish("sources")
            database.start("organizations", organizations)
            for row in rows:
                database.add_rows([_in_order(organizations, row)])
            database.finish("organizations")
            database.write(tmp_path / name)
        finally:
            database.close()

    build([child, parent], "release.sqlite")
    with sqlite3.connect(tmp_path / "release.sqlite") as connection:
        rows = connection.execute('SELECT id, parent_id FROM "organizations" ORDER BY id')
        assert rows.fetchall() == [("child", "parent"), ("parent", None)]
    with pytest.raises(BuildError, match="foreign key problems"):
        build([child], "dangling.sqlite")


def test_the_sqlite_release_refuses_a_repeated_id_its_rows_table_let_in(tmp_path: Path) -> None:
    """Rows are inserted into a table without keys, then copied into the release's table, whose
    primary key the copy builds: a repeated id still stops the build."""
    from china_ai_claims.models import Source
    from china_ai_claims.release import _Database
    from china_ai_claims.schema_builder import resource_descriptor

    sources = resource_descriptor(Source)["schema"]
    database = _Database(tmp_path / "release.building")
    try:
        database.start("sources", sources)
        database.add_rows([_in_order(sources, _minimal_row(sources, id="s"))])
        database.add_rows([_in_order(sources, _minimal_row(sources, id="s"))])
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            database.finish("sources")
    finally:
        database.close()
    assert list(tmp_path.iterdir()) == []


class _Kind(str, Enum):
    A = "a"
    B = 'b, "c"'


# A table of every column type the SQLite release stores.
_SQLITE_FIELDS: list[dict[str, Any]] = [
    {"name": "id", "type": "string", "constraints": {"required": True}},
    {"name": "text", "type": "string"},
    {"name": "kind", "type": "string", "constraints": {"enum": [k.value for k in _Kind]}},
    {"name": "flag", "type": "boolean"},
    {"name": "count", "type": "integer"},
    {"name": "amount", "type": "number"},
    {"name": "day", "type": "date"},
    {"name": "names", "type": "list"},
]


def _sqlite_row(n: int, amount: float | None) -> tuple[Any, ...]:
    def pick(values: list[Any]) -> Any:
        return values[n % len(values)]

    return (
        f"row-{n}",
        pick([None, "", "text", 'a "quoted" \\ text\nwith lines', "é 中文 😀", "\x00 in a text"]),
        pick([None, _Kind.A, _Kind.B, "a"]),
        pick([None, True, False]),
        pick([None, 0, -1, 7, 2**62, -(2**63)]),
        amount,
        pick([None, dt.date(2025, 1, 31), dt.date(1999, 12, 1)]),
        pick([None, [], [","], ['","', "], [", "a\\"], ["é", "😀"]]),
    )


def _read_back(path: Path) -> list[tuple[Any, ...]]:
    """The rows of table ``t`` of the SQLite file ``path`` as (type, value) pairs, a double as
    its bytes."""
    import struct

    columns = ", ".join(f'typeof("{f["name"]}"), "{f["name"]}"' for f in _SQLITE_FIELDS)
    with contextlib.closing(sqlite3.connect(path)) as connection:
        stored = connection.execute(f"SELECT {columns} FROM t ORDER BY rowid").fetchall()  # noqa: S608
    return [
        tuple(struct.pack("<d", value) if isinstance(value, float) else value for value in row)
        for row in stored
    ]


def _stored_by_the_release(tmp_path: Path, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """``rows`` stored by the SQLite release's writer, read back (see :func:`_read_back`)."""
    from china_ai_claims.release import _Database

    database = _Database(tmp_path / "release.building")
    try:
        database.start("t", {"fields": _SQLITE_FIELDS})
        for row in rows:
            database.add_rows([row])
        database.finish("t")
        database.write(tmp_path / "release.sqlite")
    finally:
        database.close()
    return _read_back(tmp_path / "release.sqlite")


def _stored_by_the_sqlite3_module(
    tmp_path: Path, rows: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """``rows`` inserted by the sqlite3 module as they are (a list as its JSON text, a date as
    ISO 8601 text), into columns of the release's types, read back (see :func:`_read_back`)."""
    from china_ai_claims.release import SQLITE_TYPES

    as_stored: dict[str, Callable[[Any], Any]] = {
        "list": lambda v: json.dumps(v, ensure_ascii=False),
        "date": dt.date.isoformat,
    }
    converted = [
        tuple(
            as_stored[f["type"]](v) if v is not None and f["type"] in as_stored else v
            for f, v in zip(_SQLITE_FIELDS, row, strict=True)
        )
        for row in rows
    ]
    path = tmp_path / "module.sqlite"
    with contextlib.closing(sqlite3.connect(path)) as connection:
        columns = ", ".join(f'"{f["name"]}" {SQLITE_TYPES[f["type"]]}' for f in _SQLITE_FIELDS)
        connection.execute(f"CREATE TABLE t ({columns})")
        marks = ", ".join("?" for _ in _SQLITE_FIELDS)
        connection.executemany(f"INSERT INTO t VALUES ({marks})", converted)  # noqa: S608
        connection.commit()
    return _read_back(path)


def test_the_sqlite_release_stores_each_value_as_the_sqlite3_module_binds_it(
    tmp_path: Path,
) -> None:
    """The release binds nulls as NaN, booleans as 1 and 0 and enumerations as their texts
    (types the sqlite3 module binds at once): every value is stored as the module stores the
    record's own, type for type (whole doubles as integers, in NUMERIC columns)."""
    rows = [_sqlite_row(n, [None, 0.5, -0.0, 1e300, 6e6, 2.0**60][n % 6]) for n in range(3000)]
    rows += [(f"null-{n}", *[None] * (len(_SQLITE_FIELDS) - 1)) for n in range(5)]
    stored = _stored_by_the_release(tmp_path, rows)
    assert stored == _stored_by_the_sqlite3_module(tmp_path, rows)
    assert len(stored) == len(rows)
    assert {("null", None), ("integer", 1), ("integer", 0)} <= {row[6:8] for row in stored}


def test_doubles_stored_by_the_sqlite_release_read_back_bit_for_bit(tmp_path: Path) -> None:
    """Any finite double of a record reads back from the SQLite release bit for bit (a whole
    one as the integer a NUMERIC column makes of it)."""
    import random
    import struct

    draw = random.Random(20261201)  # noqa: S311 - test values, not secrets
    doubles: list[float] = []
    while len(doubles) < 3000:
        (value,) = struct.unpack("<d", draw.getrandbits(64).to_bytes(8, "little"))
        if value == value and abs(value) != float("inf"):
            doubles.append(value)
    doubles += [draw.randint(1, 10**6) / 10 ** draw.randint(1, 8) for _ in range(1000)]
    doubles += [float(draw.randint(-(2**53), 2**53)) for _ in range(1000)]
    stored = _stored_by_the_release(tmp_path, [_sqlite_row(n, v) for n, v in enumerate(doubles)])
    amount = 2 * [field["name"] for field in _SQLITE_FIELDS].index("amount")
    for row, value in zip(stored, doubles, strict=True):
        kind, read = row[amount : amount + 2]
        if kind == "integer":
            assert value.is_integer()
            assert float(read) == value
        else:
            assert read == struct.pack("<d", value)
