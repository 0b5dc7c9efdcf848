"""An analyst loads a release that an attacker made or serves: a documented error, or genuine data.

Each hostile release is built from the genuine one in tmp_path; each hostile server answers on
127.0.0.1 and is stopped when its test (or, for the table of hostile servers, its module) ends.
Bombs, endless and stalled servers are loaded in a child process with an address-space limit and
a hang guard, and with lowered limits (a 2 s deadline, a few MB) so that each case ends quickly;
the child reports its peak memory.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import dataclasses
import functools
import hashlib
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import china_ai_claims as cac
from _fuzzing import examples
from _release_fixtures import (
    TEST_CA,
    Members,
    Server,
    drip,
    edit_descriptor,
    make_zip,
    rehash,
    send,
    serving,
    set_cell,
    sha256,
    unzip,
)
from china_ai_claims import limits
from china_ai_claims.cli import app
from china_ai_claims.errors import SHOWN_MESSAGE_CHARS

VERSION = cac.__version__
STEM = f"china-ai-claims-{VERSION}"
ZIP, JSON_FILE = f"{STEM}-csv.zip", f"{STEM}.json"
MiB = 1 << 20
CHILD_ADDRESS_SPACE = 1024 * MiB
PEAK_MEMORY = 500 * MiB


@pytest.fixture(scope="module")
def genuine(release_dir: Path) -> Members:
    return unzip((release_dir / ZIP).read_bytes())


# Downloads go to each test's own cache (tmp_path / "cache") and trust the test CA only.
pytestmark = pytest.mark.usefixtures("isolated_downloads")


@pytest.fixture
def server() -> Iterator[Server]:
    with serving() as running:
        yield running


def _write(tmp_path: Path, data: bytes, name: str = ZIP) -> tuple[Path, str]:
    path = tmp_path / name
    path.write_bytes(data)
    return path, sha256(data)


def _changed(genuine: Members, change: Callable[[Members], None], *, consistent: bool) -> bytes:
    members = dict(genuine)
    change(members)
    if consistent:
        rehash(members)
    return make_zip(members)


# --- hostile zips, each pinned: the anchor holds, so only the loader's own checks stand --------


def _listed_256_times(members: Members) -> None:
    edit_descriptor(members, lambda d: d.__setitem__("resources", d["resources"][:1] * 256))


def _nested(members: Members) -> None:
    members["datapackage.json"] = b"[" * 100_000 + b"]" * 100_000


def _resource(index: int, key: str, value: Any) -> Callable[[Members], None]:
    return lambda members: edit_descriptor(
        members, lambda d: d["resources"][index].__setitem__(key, value)
    )


def _field(key: str, value: Any) -> Callable[[Members], None]:
    return lambda members: edit_descriptor(
        members, lambda d: d["resources"][0]["schema"]["fields"][0].__setitem__(key, value)
    )


def _member(name: str, data: bytes | None) -> Callable[[Members], None]:
    def change(members: Members) -> None:
        if data is None:
            del members[name]
        else:
            members[name] = data

    return change


HOSTILE_ZIPS = [
    # (id, change, rehash the descriptor like an attacker, error, words of the message)
    ("member-listed-256-times", _listed_256_times, True, cac.ReleaseFormatError, "listed twice"),
    ("descriptor-nested-deep", _nested, False, cac.ReleaseFormatError, "nested 100000 deep"),
    ("descriptor-not-json", _member("datapackage.json", b"{"), False, cac.ReleaseFormatError, "not valid JSON"),
    ("descriptor-not-utf8", _member("datapackage.json", b'{"\xff"}'), False, cac.ReleaseFormatError, "not UTF-8"),
    ("descriptor-an-array", _member("datapackage.json", b"[]"), False, cac.ReleaseFormatError, "not an object"),
    ("descriptor-missing", _member("datapackage.json", None), False, cac.ReleaseFormatError, "no such member"),
    ("descriptor-nan", _member("datapackage.json", b'{"version": NaN}'), False, cac.ReleaseFormatError, "NaN"),
    ("table-missing", _member("sources.csv", None), True, cac.ReleaseFormatError, "no such member"),
    ("no-hash", _resource(0, "hash", None), False, cac.ReleaseFormatError, "no sha256 hash"),
    ("bytes-a-text", _resource(0, "bytes", "12"), False, cac.ReleaseFormatError, "records '12' bytes"),
    ("bytes-too-many", _resource(0, "bytes", 10**12), False, cac.ReleaseFormatError, "not a size"),
    ("bytes-short", _resource(0, "bytes", 10), False, cac.ReleaseFormatError, r"unpacks to \d+ bytes, more than the 10 allowed"),
    ("name-with-a-newline", _resource(0, "name", "sources\nx"), False, cac.ReleaseFormatError, "resource name 'sources\\\\nx' is not"),
    ("path-twice", _resource(1, "path", "sources.csv"), False, cac.ReleaseFormatError, "listed twice"),
    ("fields-a-text", _resource(0, "schema", {"fields": "id"}), False, cac.ReleaseFormatError, "no schema fields"),
    ("type-unknown", _field("type", "geopoint"), False, cac.ReleaseFormatError, "'geopoint'"),
    ("enum-a-number", _field("constraints", {"enum": 5}), False, cac.ReleaseFormatError, "enum"),
    ("enum-twice", _field("constraints", {"enum": ["a", "a"]}), False, cac.ReleaseFormatError, "lists a value twice"),
    ("name-empty", _field("name", ""), False, cac.ReleaseFormatError, "a field without a name"),
    ("constraints-a-list", _field("constraints", []), False, cac.ReleaseFormatError, "constraints"),
    ("true-values-a-text", _field("trueValues", "yes"), False, cac.ReleaseFormatError, "trueValues"),
    ("no-version", lambda m: edit_descriptor(m, lambda d: d.pop("version")), False, cac.ReleaseFormatError, "no version"),
    ("member-changed", _member("sources.csv", b"x"), False, cac.ReleaseFormatError, "1 bytes where"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "consistent", "error", "words"),
    [case[1:] for case in HOSTILE_ZIPS],
    ids=[case[0] for case in HOSTILE_ZIPS],
)
def test_a_hostile_zip_ends_in_its_documented_error(
    change: Callable[[Members], None],
    consistent: bool,
    error: type[Exception],
    words: str,
    genuine: Members,
    tmp_path: Path,
) -> None:
    path, pin = _write(tmp_path, _changed(genuine, change, consistent=consistent))
    for read in (cac.load, cac.records):
        with pytest.raises(error, match=words.replace("(", r"\(")) as caught:
            read("sources", release=path, sha256=pin)
        assert isinstance(caught.value, cac.ReleaseError)


ROW_2_ID = "(the id of row 2)"  # a key written twice
HOSTILE_CELLS = [
    # (id, table, row (header is row 1), column, value written there): load() and records()
    # refuse it alike
    ("integer-with-letters", "sources", 2, "bytes", "12x"),
    ("integer-too-large-for-int64", "sources", 2, "bytes", "9" * 40),
    ("integer-just-past-int64", "sources", 2, "bytes", "9223372036854775808"),
    # pydantic alone would read these as true, 7, 7, 1000 and a day: the dialect does not
    ("boolean-yes", "models", 2, "named_in_source", "yes"),
    ("integer-padded", "sources", 2, "bytes", " 7"),
    ("integer-as-float", "sources", 2, "bytes", "7.0"),
    ("number-with-underscore", "cost_claims", 2, "amount", "1_000"),
    ("date-as-timestamp", "sources", 2, "retrieved", "1737936000"),
    ("number-nan", "cost_claims", 2, "amount", "NaN"),
    ("number-infinity", "cost_claims", 2, "amount", "Infinity"),
    ("number-overflowing", "cost_claims", 2, "amount", "1e999"),
    ("enum-outside", "cost_claims", 3, "bound", "roughly"),
    ("date-impossible", "sources", 2, "retrieved", "2026-13-45"),
    ("boolean-other", "models", 2, "named_in_source", "maybe"),
    # of the right type, but beyond what the schema allows
    ("number-below-minimum", "cost_claims", 2, "amount", "-5"),
    ("integer-beyond-maximum", "events", 2, "year", "2300"),
    ("required-left-empty", "people", 3, "name", ""),
    ("id-repeated", "people", 3, "id", ROW_2_ID),
]


@pytest.mark.parametrize(
    ("table", "row", "column", "value"),
    [case[1:] for case in HOSTILE_CELLS],
    ids=[case[0] for case in HOSTILE_CELLS],
)
def test_a_hash_consistent_bad_cell_is_a_data_error_naming_file_row_and_column(
    table: str,
    row: int,
    column: str,
    value: str,
    genuine: Members,
    tmp_path: Path,
) -> None:
    name = f"{table}.csv"

    def change(members: Members) -> None:
        written = value
        if value == ROW_2_ID:
            written = next(csv.DictReader(io.StringIO(members[name].decode(), newline="")))["id"]
        members[name] = set_cell(members[name], row, column, written)

    path, pin = _write(tmp_path, _changed(genuine, change, consistent=True))
    with pytest.raises(cac.ReleaseDataError) as caught:
        cac.load(table, release=path, sha256=pin)
    assert (caught.value.file, caught.value.row, caught.value.column) == (name, row, column)
    assert f"{name}: row {row}, column {column}" in str(caught.value)
    with pytest.raises(cac.ReleaseDataError) as refused:  # records() refuses the same file
        cac.records(table, release=path, sha256=pin)
    assert (refused.value.file, refused.value.row, refused.value.column) == (name, row, column)


MALFORMED_CSV = [
    ("header-renamed", lambda data: data.replace(b"id,", b"ident,", 1), "header"),
    ("not-utf8", lambda data: data.replace(b"DeepSeek", b"Deep\xffSeek", 1), "dialect"),
    ("ragged-row", lambda data: data.replace(b"\n", b",extra,cells\n", 2), "cells|dialect"),
    ("empty", lambda data: b"", "dialect|header"),
    # pandas 2 reads such a file without end (a line a space starts after a lone CR)
    ("space-after-lone-cr", lambda data: data.replace(b"\n", b"\n\r ", 1), "^[^ ]* line 2: a car"),
    ("old-mac-line-ends", lambda data: data.replace(b"\n", b"\r"), "^[^ ]* line 1: a carriage"),
    # pandas 2 ends a cell at a NUL byte, pandas 3 keeps it: every reader refuses it
    ("nul-in-a-cell", lambda data: data.replace(b"DeepSeek", b"Deep\x00Seek", 1), "line .*: a NUL"),
    # pandas fills the missing cells as empty: a note could load as a quote
    ("a-cell-too-few", lambda data: data + b"a-claim,a-cell\n", "row .* fewer cells"),
]


@pytest.mark.parametrize(
    ("change", "words"),
    [case[1:] for case in MALFORMED_CSV],
    ids=[case[0] for case in MALFORMED_CSV],
)
def test_a_hash_consistent_malformed_csv_is_a_data_error(
    change: Callable[[bytes], bytes],
    words: str,
    genuine: Members,
    tmp_path: Path,
    packaged_dataset: Path,
) -> None:
    def rewrite(members: Members) -> None:
        members["cost_claims.csv"] = change(members["cost_claims.csv"])

    path, pin = _write(tmp_path, _changed(genuine, rewrite, consistent=True))
    for read in (cac.load, cac.records):
        with pytest.raises(cac.ReleaseDataError, match=words) as caught:
            read("cost_claims", release=path, sha256=pin)
        assert caught.value.file == "cost_claims.csv"
    # diff reads it too, vouched for by a SHA256SUMS beside it, and says why in one line.
    (tmp_path / "SHA256SUMS").write_text(f"{pin} *{ZIP}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["diff", str(packaged_dataset), str(path)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("china-ai-claims: error: cost_claims.csv: ")
    assert len(result.output.strip().splitlines()) == 1


def test_json_nan_and_infinity_are_refused_by_load_and_records_alike(
    release_dir: Path, tmp_path: Path
) -> None:
    text = (release_dir / JSON_FILE).read_text(encoding="utf-8")
    for constant in ("NaN", "Infinity", "-Infinity", "1e999"):
        changed = text.replace('"amount": 6000000', f'"amount": {constant}', 1)
        assert changed != text
        path, pin = _write(tmp_path, changed.encode(), JSON_FILE)
        for read in (cac.load, cac.records):
            with pytest.raises(cac.ReleaseFormatError, match="not valid JSON"):
                read("cost_claims", release=path, sha256=pin)


JSON_SHAPES = [
    ("an-array", b"[]", "no metadata"),
    ("table-not-records", b'{"metadata": %s, "sources": [1, 2]}', "not an array of records"),
    ("table-missing", b'{"metadata": %s}', "not an array of records"),
    ("nested", b"[" * 50_000 + b"]" * 50_000, "nested 50000 deep"),
    ("lone-surrogate", b'{"metadata": %s, "sources": [{"id": "a\\ud800"}]}', "surrogate"),
    # every quote opens a string that never closes: refused in one pass, not one per quote
    ("strings-never-closed", b'"\\' * 100_000, "not valid JSON"),
]


# (JSON text, whether it holds half of a character)
SURROGATE_ESCAPES = [
    (r'"\ud83d\ude00"', False),  # one character beyond U+FFFF, as JSON writes it
    (r'"\uD83D\uDE00 and \ud83d\ude00"', False),
    (r'"\\ud800"', False),  # an escaped backslash, then the letters ud800
    (r'"\\\\\ud800"', True),
    (r'"\ud800"', True),
    (r'"\udc00"', True),
    (r'"\ude00\ud83d"', True),
    (r'"\ud83d\ud83d\ude00"', True),
    (r'"\ud83d x \ude00"', True),
    (r'["\ud83d", "\ude00"]', True),
    # long runs of escaped backslashes: each run is read once, not once per backslash
    ('"' + "\\" * 100_000 + r'\ud800"', True),
    ('"' + "\\" * 100_000 + 'ud800"', False),
]


@pytest.mark.parametrize(("text", "lone"), SURROGATE_ESCAPES)
def test_json_with_half_a_character_is_refused_as_python_would_fail_to_write_it(
    text: str, lone: bool
) -> None:
    from china_ai_claims.descriptors import parse_json

    def writable(value: object) -> bool:
        items = value if isinstance(value, list) else [value]
        try:
            for item in items:
                str(item).encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True

    assert writable(json.loads(text)) is not lone  # the oracle agrees with the table
    if lone:
        with pytest.raises(cac.ReleaseFormatError, match="surrogate"):
            parse_json(text.encode(), "x.json")
    else:
        assert parse_json(text.encode(), "x.json") == json.loads(text)


@pytest.mark.parametrize(
    ("template", "words"), [case[1:] for case in JSON_SHAPES], ids=[case[0] for case in JSON_SHAPES]
)
def test_a_json_release_of_the_wrong_shape_is_refused(
    template: bytes, words: str, release_dir: Path, tmp_path: Path
) -> None:
    metadata = json.loads((release_dir / JSON_FILE).read_bytes())["metadata"]
    data = template.replace(b"%s", json.dumps(metadata).encode()) if b"%s" in template else template
    path, pin = _write(tmp_path, data, JSON_FILE)
    with pytest.raises(cac.ReleaseFormatError, match=words):
        cac.load("sources", release=path, sha256=pin)


def test_a_hostile_name_cannot_break_the_error_line_or_steer_the_terminal(
    genuine: Members, tmp_path: Path, packaged_dataset: Path
) -> None:
    path, pin = _write(
        tmp_path, _changed(genuine, _resource(0, "path", "x\n\x1b[2J.csv"), consistent=False)
    )
    with pytest.raises(cac.ReleaseFormatError) as caught:
        cac.load("sources", release=path, sha256=pin)
    assert "x\\u000a\\u001b[2J.csv" in str(caught.value)
    (tmp_path / "SHA256SUMS").write_text(f"{pin}  {ZIP}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["diff", str(packaged_dataset), str(path)])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "\x1b" not in result.output


A_MEGABYTE_LONG = "x" * (1 << 20)
LONG_NAMES = [
    # (id, change, the end of the message)
    ("resource-name", _resource(0, "name", A_MEGABYTE_LONG + "!"), "not a china-ai-claims data package"),
    ("resource-path", _resource(0, "path", "../" + A_MEGABYTE_LONG), "no such member in the zip"),
    ("field-name", _field("type", A_MEGABYTE_LONG), "not a china-ai-claims data package"),
    ("bytes-a-list", _resource(0, "bytes", [A_MEGABYTE_LONG]), f"up to {limits.LIMITS.table_bytes}"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "end"), [case[1:] for case in LONG_NAMES], ids=[case[0] for case in LONG_NAMES]
)
def test_a_name_of_any_length_gives_one_short_line_that_still_says_where_and_what(
    change: Callable[[Members], None],
    end: str,
    genuine: Members,
    tmp_path: Path,
    packaged_dataset: Path,
) -> None:
    path, pin = _write(tmp_path, _changed(genuine, change, consistent=False))
    with pytest.raises(cac.ReleaseFormatError) as caught:
        cac.load("sources", release=path, sha256=pin)
    message = str(caught.value)
    assert len(message) < 1_100
    assert "\n" not in message
    assert message.startswith(ZIP), message
    assert message.endswith(end), message
    assert "characters left out" in message
    (tmp_path / "SHA256SUMS").write_text(f"{pin}  {ZIP}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["diff", str(packaged_dataset), str(path)])
    assert result.exit_code == 1
    assert len(result.output) < 1_200, result.output[:300]


MESSAGES_TO_SHOW = [
    "a" * 1_001,  # one over the bound: cut, and shorter than it after the cut
    "\n" * 1_000,  # a character that is written as six
    "\U000e0001" * 2_000,  # a character beyond U+FFFF that is written as ten
    "x" * 1_000_000 + ": no such release file or folder",
]


@pytest.mark.parametrize("text", MESSAGES_TO_SHOW, ids=["1001", "newlines", "beyond-bmp", "long"])
def test_a_message_is_shown_in_at_most_its_bound_escaped_and_never_cut_inside_an_escape(
    text: str,
) -> None:
    shown = str(cac.ReleaseFormatError(text))
    not_found = f"{text}: no such release file or folder"  # the one class with its own __str__
    assert str(cac.ReleaseNotFoundError(text)) == str(cac.ReleaseFormatError(not_found))
    assert len(shown) <= SHOWN_MESSAGE_CHARS
    assert shown.isprintable()
    assert re.fullmatch(r"(?:[^\\]|\\u[0-9a-f]{4}|\\U[0-9a-f]{8})*", shown), shown
    left_out = int(re.search(r"…\[([\d,]+) characters left out\]…", shown)[1].replace(",", ""))
    kept = shown.replace(f"…[{left_out:,} characters left out]…", "")
    assert left_out + len(re.sub(r"\\u[0-9a-f]{4}|\\U[0-9a-f]{8}", "?", kept)) == len(text)
    assert shown.endswith(text[-10:] if text[-1].isprintable() else "")


@pytest.mark.parametrize("argument", ["release", "data_dir"])
def test_a_path_too_long_for_the_system_is_not_found_not_an_os_error(argument: str) -> None:
    with pytest.raises(cac.ReleaseNotFoundError, match=r"no such release file or folder$"):
        cac.load("sources", **{argument: "x" * 100_000})


# --- anchors: nothing is used unless something outside the file vouches for it -----------------


def test_a_zip_with_nothing_beside_it_is_refused_listing_the_ways_to_anchor_it(
    release_dir: Path, tmp_path: Path
) -> None:
    path, _ = _write(tmp_path, (release_dir / ZIP).read_bytes())
    with pytest.raises(cac.UnverifiedReleaseError) as caught:
        cac.load("sources", release=path)
    for way in ("sha256=", "SHA256SUMS", "version="):
        assert way in str(caught.value)


# (what the command line is given, a way to anchor it that the command line itself can take)
UNANCHORED_ON_THE_COMMAND_LINE = [
    (["diff", "{zip}", "{dataset}"], "keep the release's SHA256SUMS beside it"),
    (["diff", "999.0.0", "{dataset}"], "open the release file with its SHA256SUMS beside it"),
    (["cite", "--release", "{extracted}"], "read the folder as it is (as DATA_DIR"),
    (["diff", "http://127.0.0.1:9/x.zip", "{dataset}"], "use https://"),
]


@pytest.mark.parametrize(
    ("args", "way"), UNANCHORED_ON_THE_COMMAND_LINE, ids=[" ".join(a) for a, _ in
                                                        UNANCHORED_ON_THE_COMMAND_LINE]
)  # fmt: skip
def test_the_command_line_is_told_a_way_it_can_take_and_python_arguments_as_such(
    args: list[str], way: str, release_dir: Path, tmp_path: Path, packaged_dataset: Path
) -> None:
    path, _ = _write(tmp_path, (release_dir / ZIP).read_bytes())
    extracted = tmp_path / "extracted"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(extracted)
    given = {"zip": str(path), "dataset": str(packaged_dataset), "extracted": str(extracted)}
    result = CliRunner().invoke(app, [arg.format(**given) for arg in args])
    assert result.exit_code != 0
    (line,) = result.stderr.splitlines()
    assert way in line
    # a Python argument (sha256=) is named only as Python's: the command line has no such option
    outside_python = re.sub(r"in Python,.*$", "", re.sub(r"\([^()]*in Python[^()]*\)", "", line))
    assert not re.search(r"\b\w+=", outside_python), line


@pytest.mark.parametrize("form", ["text", "binary"])
def test_sha256sums_in_text_and_binary_form_anchor_a_file(
    form: str, release_dir: Path, tmp_path: Path
) -> None:
    path, digest = _write(tmp_path, (release_dir / ZIP).read_bytes())
    marker = " " if form == "text" else "*"
    (tmp_path / "SHA256SUMS").write_text(f"{digest} {marker}{ZIP}\n", encoding="utf-8")
    pd.testing.assert_frame_equal(cac.load("models", release=path), cac.load("models"))
    (tmp_path / "SHA256SUMS").write_text(f"{'0' * 64} {marker}{ZIP}\n", encoding="utf-8")
    with pytest.raises(cac.ChecksumError, match="SHA256SUMS"):
        cac.load("models", release=path)


def _zip_of(members: int, stated: int | None = None, *, zip64: bool = False) -> bytes:
    """A zip of ``members`` empty members; its end record states ``stated`` members if given
    (zipfile never reads that count), in a zip64 end record if ``zip64``, where the classic end
    record's directory size is then written as 0 (zipfile reads the zip64 record's)."""
    buffer = io.BytesIO()
    with pytest.MonkeyPatch.context() as patch:
        if zip64:  # zipfile writes a zip64 end record past this many members
            patch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)
        with zipfile.ZipFile(buffer, "w") as archive:
            for member in range(members):
                archive.writestr(f"m{member}", b"")
    data = buffer.getvalue()
    if zip64:
        end = data.rfind(b"PK\x05\x06")
        data = data[: end + 12] + bytes(4) + data[end + 16 :]
    if stated is not None:
        end = data.rfind(b"PK\x05\x06")
        count = stated.to_bytes(2, "little")
        data = data[: end + 8] + count + count + data[end + 12 :]
    return data


# (members, the count the end record states, zip64 end record, refused for its members)
ZIP_MEMBER_COUNTS = [
    (40, None, False, False),
    (60, None, False, True),
    (60, 1, False, True),  # the end record lies
    (40, None, True, False),
    (60, None, True, True),
]


@pytest.mark.parametrize(("members", "stated", "zip64", "refused"), ZIP_MEMBER_COUNTS)
def test_a_zip_is_refused_for_its_members_as_zipfile_would_read_them(
    members: int,
    stated: int | None,
    zip64: bool,
    refused: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, zip_entries=50))
    path, pin = _write(tmp_path, _zip_of(members, stated, zip64=zip64))
    with pytest.raises(cac.ReleaseFormatError) as caught:
        cac.load("sources", release=path, sha256=pin)
    said = str(caught.value)
    assert ("more than the 50 members allowed" in said) is refused, said
    if not refused:
        assert "datapackage.json: no such member" in said  # read as a zip, then found wanting


def test_an_endless_sha256sums_beside_a_file_is_refused(release_dir: Path, tmp_path: Path) -> None:
    path, _ = _write(tmp_path, (release_dir / ZIP).read_bytes())
    if not hasattr(os, "mkfifo"):
        pytest.fail("this platform cannot make a FIFO")
    os.mkfifo(tmp_path / "SHA256SUMS")  # reading it would never end
    with pytest.raises(cac.UnsafePathError, match="not a regular file"):
        cac.load("models", release=path)


# --- folders: regular files inside only -------------------------------------------------------

SECRET = b"id,secret\nx,the contents of a private file\n"


def _folder_case(case: str, folder: Path, outside: Path) -> str:
    """Point the people resource at something outside or irregular; the path the descriptor
    now names."""
    target = folder / "people.csv"
    target.unlink()
    if case == "dot-dot":
        return "../outside/people.csv"
    if case == "absolute":
        return str(outside / "people.csv")
    if case == "device":
        return "/dev/zero"
    if case == "symlink":
        target.symlink_to(outside / "people.csv")
    elif case == "linked-folder":
        (folder / "sub").symlink_to(outside)
        return "sub/people.csv"
    elif case == "hard-link":
        os.link(outside / "people.csv", target)
    elif case == "fifo":
        os.mkfifo(target)
    elif case == "folder":
        target.mkdir()
    return "people.csv"


FOLDER_CASES = [
    ("dot-dot", "a path outside the release"),
    ("absolute", "an absolute path"),
    ("device", "an absolute path"),
    ("symlink", "a link"),
    ("linked-folder", "a link"),
    ("hard-link", "a hard link"),
    ("fifo", "not a regular file"),
    ("folder", "not a regular file"),
]


@pytest.mark.parametrize(("case", "words"), FOLDER_CASES, ids=[case[0] for case in FOLDER_CASES])
def test_a_release_folder_reads_only_regular_files_inside_it(
    case: str, words: str, genuine: Members, tmp_path: Path
) -> None:
    folder, outside = tmp_path / "release", tmp_path / "outside"
    outside.mkdir()
    # Outside, the genuine people.csv: only the path rule, not a hash, can stop it.
    (outside / "people.csv").write_bytes(genuine["people.csv"])
    (outside / "secret.csv").write_bytes(SECRET)
    folder.mkdir()
    for name, data in genuine.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    named = _folder_case(case, folder, outside)
    descriptor = json.loads(genuine["datapackage.json"])
    for resource in descriptor["resources"]:
        if resource["name"] == "people":
            resource["path"] = named
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    pin = sha256((folder / "datapackage.json").read_bytes())
    with pytest.raises(cac.UnsafePathError, match=words) as caught:
        cac.load("people", release=folder, sha256=pin)
    assert sha256(genuine["people.csv"]) not in str(caught.value)
    # diff reads a folder as it is, by the same rule, and says so in one line.
    result = CliRunner().invoke(app, ["diff", str(folder), str(folder)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("china-ai-claims: error:"), lines
    assert "private file" not in result.output
    assert sha256(genuine["people.csv"]) not in result.output


# --- hostile servers: each load runs in a child process with limits ----------------------------

CHILD = """
import dataclasses, json, resource, sys
arguments = json.loads(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (arguments["address_space"],) * 2)
import china_ai_claims as cac
from china_ai_claims import limits
limits.LIMITS = dataclasses.replace(limits.LIMITS, **arguments["limits"])
try:
    frame = cac.load("models", release=arguments["release"], sha256=arguments["sha256"])
    result = {"rows": len(frame)}
except Exception as error:
    result = {"error": type(error).__name__, "message": str(error),
              "family": isinstance(error, cac.ReleaseError)}
result["peak_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(result))
"""

TEST_LIMITS = {
    "download_seconds": 2.0,
    "read_timeout_seconds": 1.5,  # well over the 0.2 s between dripped bytes
    "release_bytes": 8 * MiB,
    "sums_bytes": 64 * 1024,
}


def _start_child(release: str, sha256: str | None, cache: Path) -> subprocess.Popen[str]:
    """A child process that loads ``release`` under the limits; :func:`_child_result` reads it."""
    environment = {
        **os.environ,
        "CHINA_AI_CLAIMS_CACHE": str(cache),
        "SSL_CERT_FILE": str(TEST_CA),
        "NO_PROXY": "127.0.0.1,localhost",
        "OPENBLAS_NUM_THREADS": "1",
    }
    arguments = {
        "release": release,
        "sha256": sha256,
        "limits": TEST_LIMITS,
        "address_space": CHILD_ADDRESS_SPACE,
    }
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(arguments)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def _child_result(child: subprocess.Popen[str]) -> dict[str, Any]:
    """What the child reports, once it has ended: its result and its peak memory."""
    try:
        stdout, stderr = child.communicate(timeout=120)  # a guard against a hang, not a measurement
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 0, stderr[-3000:]
    result: dict[str, Any] = json.loads(stdout)
    assert result["peak_kib"] * 1024 < PEAK_MEMORY, result
    return result


def _endless(handler: Any) -> None:
    handler.send_response(200)
    handler.end_headers()  # no length: the body ends when the connection does, i.e. never
    chunk = b"\0" * 65536
    while True:
        handler.wfile.write(chunk)


def _announces(size: int) -> Callable[[Any], None]:
    def route(handler: Any) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(size))
        handler.end_headers()
        handler.wfile.write(b"PK" * 10)

    return route


def _slow_body(handler: Any) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    handler.wfile.flush()
    drip(handler, b"x" * 1000, 0.2)


def _slow_headers(handler: Any) -> None:
    drip(handler, b"HTTP/1.1 200 OK\r\n" + b"X-Padding: " + b"a" * 1000 + b"\r\n", 0.2)


def _stall(handler: Any) -> None:
    threading.Event().wait(30)


def _redirect(location: str) -> Callable[[Any], None]:
    def route(handler: Any) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def _truncated(handler: Any) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    handler.wfile.write(b"PK\x03\x04" + b"\0" * 100)
    handler.close_connection = True


@functools.cache
def _zip_bomb() -> bytes:
    """A deflated member that inflates 1000-fold, recorded honestly in its descriptor."""
    bomb = b"0" * (64 * MiB)
    descriptor = {
        "version": "0.1.0",
        "resources": [
            {
                "name": "models",
                "path": "models.csv",
                "bytes": len(bomb),
                "hash": f"sha256:{sha256(bomb)}",
                "schema": {"fields": [{"name": "id", "type": "string"}]},
            }
        ],
    }
    members = {"datapackage.json": json.dumps(descriptor).encode(), "models.csv": bomb}
    return make_zip(members, zipfile.ZIP_DEFLATED)


@functools.cache
def _descriptor_bomb() -> bytes:
    """A datapackage.json of 64 MiB of spaces, deflated to a few hundred kB."""
    return make_zip({"datapackage.json": b" " * (64 * MiB)}, zipfile.ZIP_DEFLATED)


GENUINE, SUMS, BINARY_SUMS = "genuine zip", "its SHA256SUMS", "its SHA256SUMS, binary form"
# The bombs are made when their case runs, not each time the module is collected.
BOMBS = {"zip bomb": _zip_bomb, "descriptor bomb": _descriptor_bomb}
Answer = bytes | str | Callable[[Any], None]

LATE = f"took longer than the {TEST_LIMITS['download_seconds']:g} s"
SERVER_CASES: list[tuple[str, Answer, Answer | None, bool, str, str]] = [
    # (id, answer for the zip, answer for SHA256SUMS beside it, pin the zip?, error, words)
    ("not-found", b"", None, True, "DownloadError", "HTTP 404"),
    ("server-error", lambda h: send(h, b"oops", 500), None, True, "DownloadError", "HTTP 500"),
    ("endless-body", _endless, None, True, "DownloadError", "more than the 8388608 bytes"),
    ("announces-5-gb", _announces(5 << 30), None, True, "DownloadError", "announces 5368709120"),
    ("a-byte-at-a-time", _slow_body, None, True, "DownloadError", LATE),
    ("headers-dripped", _slow_headers, None, True, "DownloadError", LATE),
    ("silent", _stall, None, True, "DownloadError", "time"),
    ("cut-short", _truncated, None, True, "DownloadError", "ended after 104 of 100000 bytes"),
    ("redirect-to-ftp", _redirect("ftp://127.0.0.1/x.zip"), None, True, "DownloadError", "redirected to ftp://"),
    ("redirect-to-file", _redirect("file:///etc/passwd"), None, True, "DownloadError", "file:///etc/passwd"),
    ("redirect-to-http", _redirect("http://127.0.0.1:9/x.zip"), None, False, "DownloadError", "redirected to http://"),
    ("redirect-loop", _redirect("/redirect-loop/" + ZIP), None, True, "DownloadError", "HTTP 302"),
    ("html-error-page", b"<html>busy</html>", SUMS, False, "ChecksumError", "its SHA256SUMS"),
    ("no-sums-no-pin", GENUINE, None, False, "UnverifiedReleaseError", "cannot verify"),
    ("endless-sums", GENUINE, _endless, False, "DownloadError", "more than the 65536 bytes"),
    ("zip-bomb-pinned", "zip bomb", None, True, "ReleaseFormatError", "packed more than 50 to 1"),
    ("descriptor-bomb-pinned", "descriptor bomb", None, True, "ReleaseFormatError", "json: unpacks to"),
    ("sums-in-binary-form", GENUINE, BINARY_SUMS, False, "", ""),
    ("genuine-pinned", GENUINE, None, True, "", ""),
]  # fmt: skip


def _answer(server: Server, path: str, answer: Answer, genuine_zip: bytes) -> bytes | None:
    """Arrange the server's answer at ``path``; the bytes it serves, when it serves bytes."""
    if callable(answer):
        server.routes[path] = answer
        return None
    data = {
        GENUINE: genuine_zip,
        SUMS: f"{sha256(genuine_zip)}  {ZIP}\n".encode(),
        BINARY_SUMS: f"{sha256(genuine_zip)} *{ZIP}\n".encode(),
    }.get(answer, answer)
    if isinstance(data, str):
        data = BOMBS[data]()
    assert isinstance(data, bytes)
    if data:
        server.serve_bytes(path, data)
    return data


def _arrange(
    server: Server,
    case: str,
    zip_answer: Answer,
    sums_answer: Answer | None,
    pinned: bool,
    genuine_zip: bytes,
) -> tuple[str, str | None]:
    """Arrange ``case``'s answers under a folder of its own; the URL to load and its pin."""
    folder = "/" + case + "/"
    served = _answer(server, folder + ZIP, zip_answer, genuine_zip)
    if sums_answer is not None:
        _answer(server, folder + "SHA256SUMS", sums_answer, genuine_zip)
    return server.base + folder + ZIP, sha256(served or genuine_zip) if pinned else None


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[Server]:
    """The server of the table of hostile servers: each case answers under a folder of its own."""
    with serving() as running:
        yield running


@dataclasses.dataclass
class _Child:
    process: subprocess.Popen[str]
    cache: Path


@contextlib.contextmanager
def _dripped_handshake() -> Iterator[str]:
    """A server that announces a 16 kB TLS record and sends it a byte every 0.2 s: each read is
    quick, the handshake would take nearly an hour. Yields the URL of a release on it."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        with contextlib.suppress(OSError):
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)  # the client's hello
                connection.sendall(b"\x16\x03\x03\x40\x00")
                while not stop.wait(0.2):
                    connection.sendall(b"\0")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}/{ZIP}"
    finally:
        stop.set()
        listener.close()
        thread.join()


SERVER_TEST = "test_a_hostile_server_ends_in_a_documented_error_in_bounded_time_and_memory"
HANDSHAKE_TEST = "test_a_tls_handshake_dripped_byte_by_byte_is_cut_short"
# The cases that end only when a limit runs out: seconds of waiting on a dripping or silent
# server, and almost no work. Their children start with the module and wait while its other
# tests run; each case's test then reads its child's result as the other cases do.
WAITING_CASES = ("a-byte-at-a-time", "headers-dripped", "silent")


@pytest.fixture(scope="module", autouse=True)
def waiting_children(
    request: pytest.FixtureRequest,
    hostile_server: Server,
    release_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, _Child]]:
    """The children of the waiting cases (and of the dripped handshake) this run selected,
    started, by case (the handshake's under :data:`HANDSHAKE_TEST`)."""
    selected = {item.name for item in request.session.items if item.module is request.module}
    genuine_zip = (release_dir / ZIP).read_bytes()
    started: dict[str, _Child] = {}
    with contextlib.ExitStack() as servers:
        for case, zip_answer, sums_answer, pinned, _, _ in SERVER_CASES:
            if case in WAITING_CASES and f"{SERVER_TEST}[{case}]" in selected:
                url, pin = _arrange(
                    hostile_server, case, zip_answer, sums_answer, pinned, genuine_zip
                )
                cache = tmp_path_factory.mktemp(case) / "child-cache"
                started[case] = _Child(_start_child(url, pin, cache), cache)
        if HANDSHAKE_TEST in selected:
            url = servers.enter_context(_dripped_handshake())
            cache = tmp_path_factory.mktemp("handshake") / "child-cache"
            started[HANDSHAKE_TEST] = _Child(_start_child(url, "0" * 64, cache), cache)
        yield started
        for child in started.values():  # a test that did not run leaves its child to be stopped
            if child.process.poll() is None:
                child.process.kill()
            child.process.communicate()


@pytest.mark.parametrize(
    ("zip_answer", "sums_answer", "pinned", "error", "words"),
    [case[1:] for case in SERVER_CASES],
    ids=[case[0] for case in SERVER_CASES],
)
def test_a_hostile_server_ends_in_a_documented_error_in_bounded_time_and_memory(
    zip_answer: Answer,
    sums_answer: Answer | None,
    pinned: bool,
    error: str,
    words: str,
    hostile_server: Server,
    waiting_children: dict[str, _Child],
    release_dir: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    case = request.node.callspec.id
    child = waiting_children.get(case)
    if child is None:
        genuine_zip = (release_dir / ZIP).read_bytes()
        url, pin = _arrange(hostile_server, case, zip_answer, sums_answer, pinned, genuine_zip)
        cache = tmp_path / "child-cache"
        child = _Child(_start_child(url, pin, cache), cache)
    result = _child_result(child.process)
    if not error:
        assert result == {"rows": len(cac.load("models")), "peak_kib": result["peak_kib"]}
        return
    assert result["error"] == error, result
    assert result["family"], result
    assert words in result["message"], result
    assert hostile_server.base in result["message"] or error != "DownloadError", result
    if error != "ReleaseFormatError":  # the bombs were pinned: their bytes verified, then refused
        # Nothing unverified is ever left in the cache.
        left = [p for p in child.cache.rglob("*") if p.is_file() and p.name != ".lock"]
        assert left == [], left


def test_a_tls_handshake_dripped_byte_by_byte_is_cut_short(
    waiting_children: dict[str, _Child],
) -> None:
    """The child loads from :func:`_dripped_handshake`'s server (started with the module)."""
    result = _child_result(waiting_children[HANDSHAKE_TEST].process)
    assert result["error"] == "DownloadError", result
    assert "handshake operation timed out" in result["message"], result


def test_plain_http_is_refused_without_a_pin_and_used_with_one(
    release_dir: Path, tmp_path: Path
) -> None:
    with serving(tls=False) as plain:
        data = (release_dir / ZIP).read_bytes()
        plain.serve_bytes("/" + ZIP, data)
        with pytest.raises(cac.DownloadError, match="only for a file pinned"):
            cac.load("models", release=plain.base + "/" + ZIP)
        assert plain.requests == []
        loaded = cac.load("models", release=plain.base + "/" + ZIP, sha256=sha256(data))
    pd.testing.assert_frame_equal(loaded, cac.load("models"))


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/x.zip", "file:///etc/passwd", "https://127.0.0.1/"]
)
def test_urls_that_are_not_https_release_files_are_refused(url: str) -> None:
    with pytest.raises(cac.DownloadError):
        cac.load("models", release=url, sha256="0" * 64)


# --- damaged bytes, whatever they are: genuine data or a ReleaseError, nothing else ------------


@settings(
    max_examples=int(os.environ.get("CHINA_AI_CLAIMS_FUZZ_EXAMPLES", examples(25))),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_damaged_release_bytes_raise_only_release_errors(
    data: st.DataObject, release_dir: Path, tmp_path: Path
) -> None:
    name = data.draw(st.sampled_from([ZIP, JSON_FILE]))
    original = (release_dir / name).read_bytes()
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(damaged) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            damaged[position] ^= data.draw(st.integers(1, 255))
        elif action == "cut":
            del damaged[position : position + data.draw(st.integers(1, 4096))]
        else:
            damaged[position:position] = data.draw(st.binary(min_size=1, max_size=64))
        if not damaged:
            damaged = bytearray(b"\0")
    path = tmp_path / name
    path.write_bytes(bytes(damaged))
    pin = hashlib.sha256(damaged).hexdigest()
    with contextlib.suppress(cac.ReleaseError, cac.UnknownTableError):
        cac.load_all(release=path, sha256=pin)
    with contextlib.suppress(cac.ReleaseError, cac.UnknownTableError):
        cac.records("events", release=path, sha256=pin)


FUZZ = settings(
    max_examples=int(os.environ.get("CHINA_AI_CLAIMS_FUZZ_EXAMPLES", examples(25))),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


def _load_everything(path: Path, pin: str, packaged_dataset: Path) -> None:
    """Every way to read ``path``: genuine data or a ReleaseError, never another exception."""
    with contextlib.suppress(cac.ReleaseError, cac.UnknownTableError):
        cac.load_all(release=path, sha256=pin)
    for table in ("cost_claims", "sources"):
        with contextlib.suppress(cac.ReleaseError, cac.UnknownTableError):
            cac.records(table, release=path, sha256=pin)
    (path.parent / "SHA256SUMS").write_text(f"{pin}  {path.name}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["diff", str(packaged_dataset), str(path)])
    assert result.exit_code in (0, 1, 2), result.output
    # CliRunner catches what escapes the command: only typer's own exit may.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


@FUZZ
@given(data=st.data())
def test_hash_consistent_damaged_tables_raise_only_release_errors(
    data: st.DataObject, genuine: Members, tmp_path: Path, packaged_dataset: Path
) -> None:
    name = data.draw(st.sampled_from(["cost_claims.csv", "sources.csv", "models.csv"]))
    table = bytearray(genuine[name])
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(table)))
        table[position:position] = data.draw(
            st.sampled_from([b'"', b",", b"\n", b"\r", b"\xff", b"NaN", b"\0"])
        )
    members = dict(genuine)
    members[name] = bytes(table)
    rehash(members)
    path, pin = _write(tmp_path, make_zip(members))
    _load_everything(path, pin, packaged_dataset)


@FUZZ
@given(data=st.data())
def test_hash_consistent_odd_descriptors_raise_only_release_errors(
    data: st.DataObject, genuine: Members, tmp_path: Path, packaged_dataset: Path
) -> None:
    descriptor = json.loads(genuine["datapackage.json"])
    for _ in range(data.draw(st.integers(1, 3))):
        node: Any = descriptor
        while isinstance(node, (dict, list)) and node and data.draw(st.booleans()):
            key = data.draw(
                st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node)))
            )
            if not isinstance(node[key], (dict, list)):
                break
            node = node[key]
        # A copy of each drawn value: a later round may change it in place, and a drawn value
        # must stay as drawn for hypothesis to replay the example.
        if isinstance(node, dict) and node:
            node[data.draw(st.sampled_from(sorted(node)))] = copy.deepcopy(data.draw(JSON_VALUES))
        elif isinstance(node, list) and node:
            value = copy.deepcopy(data.draw(JSON_VALUES))
            node[data.draw(st.integers(0, len(node) - 1))] = value
    members = dict(genuine)
    members["datapackage.json"] = json.dumps(descriptor).encode()
    path, pin = _write(tmp_path, make_zip(members))
    _load_everything(path, pin, packaged_dataset)


def test_concurrent_loads_of_one_url_all_succeed_and_download_it_once(
    server: Server, release_dir: Path, tmp_path: Path
) -> None:
    data = (release_dir / ZIP).read_bytes()
    server.serve_bytes("/c/" + ZIP, data)
    server.serve_bytes("/c/SHA256SUMS", f"{sha256(data)}  {ZIP}\n".encode())
    code = (
        "import china_ai_claims as c, sys; "
        f"print(len(c.load('models', release={server.base + '/c/' + ZIP!r})))"
    )
    environment = {**os.environ, "CHINA_AI_CLAIMS_CACHE": str(tmp_path / "shared-cache")}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    expected = str(len(cac.load("models")))
    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
        assert stdout.strip() == expected
    assert server.count("/c/" + ZIP) == 1


def test_a_link_planted_in_the_cache_is_replaced_not_written_through(
    server: Server, release_dir: Path, tmp_path: Path
) -> None:
    from china_ai_claims import cache

    data = (release_dir / ZIP).read_bytes()
    url = server.base + "/p/" + ZIP
    server.serve_bytes("/p/" + ZIP, data)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    folder = cache._folder(url)
    folder.mkdir(parents=True)
    (folder / ZIP).symlink_to(victim)
    pd.testing.assert_frame_equal(
        cac.load("models", release=url, sha256=sha256(data)), cac.load("models")
    )
    assert victim.read_bytes() == b"precious"
    assert not (folder / ZIP).is_symlink()


def _as_documented(name: str, value: float) -> str:
    if name.endswith("_bytes"):
        return f"{value / 1024**3:g} GiB" if value >= 1024**3 else f"{value / MiB:g} MiB"
    if name.endswith("_seconds"):
        return f"{value:g} s"
    return f"{value:,}"


def test_the_readme_documents_every_limit_with_its_value(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    for bound in dataclasses.fields(limits.Limits):
        value = getattr(limits.Limits(), bound.name)
        row = f"| `{bound.name}` | {_as_documented(bound.name, value)} |"
        assert row in readme, row


def test_a_failed_download_leaves_the_cache_empty(server: Server, tmp_path: Path) -> None:
    with pytest.raises(cac.DownloadError, match="HTTP 404"):
        cac.load("models", release=server.base + "/missing/" + ZIP, sha256="0" * 64)
    leftovers = [p.name for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert [name for name in leftovers if name != ".lock"] == []


@pytest.mark.parametrize("written", ["a\rb", "a\r\nb", "a\x00b"], ids=["CR", "CR LF", "NUL"])
def test_a_json_release_cell_no_dataset_file_holds_is_named_by_record_and_field(
    written: str, release_dir: Path, tmp_path: Path
) -> None:
    document = json.loads((release_dir / JSON_FILE).read_bytes())
    table = next(name for name in cac.tables() if document.get(name))
    field = next(iter(document[table][0]))
    document[table][0][field] = written
    path, pin = _write(tmp_path, json.dumps(document).encode(), JSON_FILE)
    for read in (cac.load, cac.records):
        with pytest.raises(cac.ReleaseDataError) as caught:
            read(table, release=path, sha256=pin)
        assert (caught.value.file, caught.value.row, caught.value.column) == (JSON_FILE, 2, field)
        assert str(caught.value).startswith(f"{JSON_FILE}: {table}, record 1, {field}: ")
