"""Loading a JSON release: read a record at a time, with the outcome ``json.loads`` would give.

The oracle is the reading that parses the whole document with ``json.loads`` (through the same
strict checks) and writes each table's records as CSV. Every document, genuine, reordered,
repeated, reformatted or broken, must give the same tables or the same kind of error, also when
the windows the reader parses from are a few hundred characters long.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import china_ai_claims as cac
from _fuzzing import examples
from china_ai_claims import json_release, limits
from china_ai_claims.descriptors import check_descriptor, decoded_json_text, parse_json
from china_ai_claims.errors import ReleaseDataError, ReleaseFormatError
from china_ai_claims.opening import csv_text

JSON_FILE = f"china-ai-claims-{cac.__version__}.json"
MiB = 1 << 20


def oracle(data: bytes, shown: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The whole document parsed at once, then each table the metadata lists written as CSV."""
    document = parse_json(data, shown)
    metadata = document.get("metadata") if isinstance(document, dict) else None
    if not isinstance(metadata, dict):
        raise ReleaseFormatError(f"{shown}: not a china-ai-claims JSON release (no metadata)")
    descriptor = {key: value for key, value in metadata.items() if key != "resources"}
    descriptor["resources"] = metadata.get("resources")
    check_descriptor(descriptor, shown, paths=False, hashes=False)
    contents = {}
    for resource in descriptor["resources"]:
        rows = document.get(resource["name"])
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ReleaseFormatError(f"{shown}: {resource['name']!r} is not an array of records")
        fields = [field["name"] for field in resource["schema"]["fields"]]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(fields)
        for number, row in enumerate(rows, start=1):
            cells = [csv_text(row.get(field)) for field in fields]
            if any("\r" in cell or "\x00" in cell for cell in cells):
                raise ReleaseDataError(f"{shown}: {resource['name']}, record {number}")
            writer.writerow(cells)
        contents[resource["name"]] = buffer.getvalue().encode("utf-8")
    descriptor["resources"] = [
        {**resource, "path": f"{resource['name']}.csv"} for resource in descriptor["resources"]
    ]
    return descriptor, contents


def streamed(data: bytes, shown: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    return json_release.read_json_release(decoded_json_text(data, shown), shown)


def outcome(read: Any, data: bytes) -> Any:
    """What ``read`` gives for ``data``: its result, or the kind of error it raises."""
    try:
        return read(data, JSON_FILE)
    except (ReleaseFormatError, ReleaseDataError) as error:
        return type(error).__name__


@pytest.fixture(scope="module")
def genuine(release_dir: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((release_dir / JSON_FILE).read_bytes())
    return document


@pytest.fixture
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows of 3,000 characters: every table's records are read from many of them."""
    monkeypatch.setattr(json_release, "WINDOW_CHARS", 3_000)
    monkeypatch.setattr(
        limits, "LIMITS", dataclasses.replace(limits.LIMITS, json_record_chars=2_000)
    )


def _members(document: dict[str, Any]) -> list[tuple[str, Any]]:
    return list(document.items())


def _written(members: list[tuple[str, Any]], indent: int | None, separators: Any) -> bytes:
    """An object of ``members`` in their order, repeated keys kept, as ``json.dumps`` lays
    out its values."""
    parts = [
        json.dumps(key) + separators[1] + json.dumps(value, indent=indent, ensure_ascii=False)
        for key, value in members
    ]
    return ("{" + separators[0].join(parts) + "}").encode("utf-8")


def test_the_genuine_json_release_reads_as_json_loads_would(release_dir: Path) -> None:
    data = (release_dir / JSON_FILE).read_bytes()
    assert streamed(data, JSON_FILE) == oracle(data, JSON_FILE)


def test_the_genuine_json_release_reads_the_same_from_small_windows(
    release_dir: Path, small_windows: None
) -> None:
    data = (release_dir / JSON_FILE).read_bytes()
    assert streamed(data, JSON_FILE) == oracle(data, JSON_FILE)


@settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_order_repetition_or_layout_reads_as_json_loads_would(
    data: st.DataObject, genuine: dict[str, Any], small_windows: None
) -> None:
    members = data.draw(st.permutations(_members(genuine)))
    extra = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from([*genuine, "x"]),
                st.one_of(
                    st.lists(st.fixed_dictionaries({"id": st.text(max_size=5)}), max_size=3),
                    st.lists(st.integers(), max_size=2),
                    st.integers(),
                    st.none(),
                ),
            ),
            max_size=3,
        )
    )
    for key, value in extra:  # a repeated key: the last one counts
        members.insert(data.draw(st.integers(0, len(members))), (key, value))
    indent = data.draw(st.sampled_from([None, 0, 2]))
    separators = data.draw(st.sampled_from([(", ", ": "), (",", ":"), (" ,\n", " :\t")]))
    written = _written(members, indent, separators)
    assert outcome(streamed, written) == outcome(oracle, written)


def test_tables_written_under_metadata_that_is_not_the_release_s_are_written_again(
    genuine: dict[str, Any],
) -> None:
    """A metadata object inside another value is not the document's: its fields are not used."""
    decoy = json.loads(json.dumps(genuine["metadata"]))
    for resource in decoy["resources"]:
        resource["schema"]["fields"].reverse()
    members = [("x", {"metadata": decoy}), *sorted(genuine.items())]
    written = _written(members, 2, (", ", ": "))
    assert written.index(b'"metadata":') < written.index(b'"cost_claims":')
    assert outcome(streamed, written) == outcome(oracle, written)
    assert isinstance(outcome(oracle, written), tuple)


@settings(max_examples=examples(100), deadline=None)
@given(cut=st.integers(min_value=0), byte=st.sampled_from(b'{}[],:"\\ 0an'))
def test_a_damaged_json_release_is_refused_as_json_loads_would_refuse_it(
    cut: int, byte: int, release_dir: Path
) -> None:
    data = (release_dir / JSON_FILE).read_bytes()
    at = cut % len(data)
    for damaged in (data[:at], data[:at] + bytes([byte]) + data[at + 1 :]):
        expected = outcome(oracle, damaged)
        assert outcome(streamed, damaged) == expected
        if isinstance(expected, str) and expected == "ReleaseFormatError":
            with pytest.raises(ReleaseFormatError) as caught:
                oracle(damaged, JSON_FILE)
            if "not valid JSON" in str(caught.value):  # the same words, at the same place
                with pytest.raises(ReleaseFormatError, match="not valid JSON") as ours:
                    streamed(damaged, JSON_FILE)
                assert str(ours.value) == str(caught.value)


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# (case, key, its value's JSON text, limits, what the error says); the nesting is refused by a
# whole parse too, the lengths only here
PAST_A_LIMIT = [
    (
        "record-longer-than-allowed",
        "cost_claims",
        '[{"id": "' + "x" * 2_100 + '"}]',
        {"json_record_chars": 2_000},
        "'cost_claims', record 1: longer than the 2,000 characters allowed",
    ),
    (  # 65 arrays in a record, in an array, in the document
        "record-nested-too-deep",
        "cost_claims",
        '[{"id": ' + _nested(65) + "}]",
        {},
        "JSON nested 68 deep, more than the 64 allowed",
    ),
    (  # measured before the parse: past Python's recursion, even when a program raised it
        "record-nested-past-the-parser",
        "cost_claims",
        '[{"id": ' + _nested(60_000) + "}]",
        {},
        "JSON nested 60003 deep, more than the 64 allowed",
    ),
    (  # the text is measured, not the object that keeps a repeated key's last value
        "record-nested-under-a-repeated-key",
        "cost_claims",
        '[{"id": ' + _nested(900) + ', "id": 1}]',
        {},
        "JSON nested 903 deep",
    ),
    ("array-of-a-key-not-a-table", "x", "[" + _nested(66) + "]", {}, "JSON nested 68 deep"),
    (
        "metadata-longer-than-allowed",
        "metadata",
        None,
        {"descriptor_bytes": 5_000},
        "metadata: longer than the 5,000 characters allowed",
    ),
    ("metadata-nested-too-deep", "metadata", '{"x": ' + _nested(70) + "}", {}, "nested 72 deep"),
]


@pytest.mark.parametrize(
    ("key", "value", "changed", "words"),
    [case[1:] for case in PAST_A_LIMIT],
    ids=[case[0] for case in PAST_A_LIMIT],
)
def test_a_value_past_a_limit_is_refused_naming_it(
    key: str,
    value: str | None,
    changed: dict[str, int],
    words: str,
    genuine: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    document = dict(genuine)
    if value is not None:
        document[key] = "REPLACED"
    data = json.dumps(document, sort_keys=True).encode()
    if value is not None:
        data = data.replace(b'"REPLACED"', value.encode())
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, **changed))
    with pytest.raises(ReleaseFormatError) as caught:
        streamed(data, JSON_FILE)
    assert words in str(caught.value)
    if "nested" in words:
        assert outcome(oracle, data) == "ReleaseFormatError"


def test_no_parse_reads_more_than_a_window(
    release_dir: Path, small_windows: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each value is parsed from a window: never from the whole text, so one record cannot
    make the parser build more than a window's objects."""
    lengths = []
    decoder = json_release.JSON_DECODER

    class Watched(json.JSONDecoder):
        def raw_decode(self, s: str, idx: int = 0) -> tuple[Any, int]:
            lengths.append(len(s))
            return decoder.raw_decode(s, idx)

    monkeypatch.setattr(json_release, "JSON_DECODER", Watched())
    data = (release_dir / JSON_FILE).read_bytes()
    metadata = len(json.dumps(json.loads(data)["metadata"], indent=4))  # more than it takes
    monkeypatch.setattr(
        limits, "LIMITS", dataclasses.replace(limits.LIMITS, descriptor_bytes=metadata)
    )
    assert streamed(data, JSON_FILE) == oracle(data, JSON_FILE)
    window = max(json_release.WINDOW_CHARS, limits.LIMITS.json_record_chars + 1)
    longer = [length for length in lengths if length > window]
    assert len(longer) == 1, longer  # the metadata's
    assert max(longer) <= metadata + 1 < len(data)


# (case, a table's records, the error's kind): not a record outweighs a cell, as for json.loads
TABLE_PROBLEMS = [
    ("cell-then-not-a-record", '[{"id": "a\\rb"}, 5]', "ReleaseFormatError"),
    ("not-a-record-then-cell", '[5, {"id": "a\\rb"}]', "ReleaseFormatError"),
    ("cell", '[{"id": "a"}, {"id": "a\\u0000b"}]', "ReleaseDataError"),
]


@pytest.mark.parametrize(
    ("records", "kind"),
    [case[1:] for case in TABLE_PROBLEMS],
    ids=[case[0] for case in TABLE_PROBLEMS],
)
def test_a_table_s_problem_is_the_one_json_loads_s_reading_gives(
    records: str, kind: str, genuine: dict[str, Any]
) -> None:
    document = {**genuine, "sources": "REPLACED"}
    data = json.dumps(document, sort_keys=True).encode().replace(b'"REPLACED"', records.encode())
    assert outcome(oracle, data) == kind
    assert outcome(streamed, data) == kind


def test_a_table_whose_csv_outgrows_its_limit_is_refused(
    release_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (release_dir / JSON_FILE).read_bytes()
    _, contents = streamed(data, JSON_FILE)
    largest = max(contents, key=lambda table: len(contents[table]))
    smaller = len(contents[largest]) - 1
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, table_bytes=smaller))
    with pytest.raises(ReleaseFormatError, match=f"{largest}: more than the {smaller:,} bytes"):
        streamed(data, JSON_FILE)


def test_each_character_is_measured_about_once_and_names_are_made_only_for_errors(
    genuine: dict[str, Any], small_windows: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows are cut where a value does not fit the last one, so the text is measured about
    once, however many small values it holds; a record's name is made only for an error."""
    measured: list[int] = []
    named: list[str] = []
    check_depth = json_release.check_depth

    def counting(text: str, where: str, outer: int = 0) -> None:
        measured.append(len(text))
        check_depth(text, where, outer)

    monkeypatch.setattr(json_release, "check_depth", counting)
    monkeypatch.setattr(json_release, "_record_named", lambda *args: named.append("") or "")
    members = [(f"x{index}", index) for index in range(2_000)] + sorted(genuine.items())
    data = _written(members, None, (",", ":"))
    assert streamed(data, JSON_FILE) == oracle(data, JSON_FILE)
    # each character at most twice (a value that runs past a window starts the next), and the
    # metadata's window, which may reach the end
    assert sum(measured) <= 3 * len(data), (len(data), len(measured))
    assert named == []


CHILD = """
import dataclasses, json, resource, sys
arguments = json.loads(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (arguments["address_space"],) * 2)
import china_ai_claims as cac
from china_ai_claims import limits
limits.LIMITS = dataclasses.replace(limits.LIMITS, release_bytes=64 << 20)
try:
    cac.load("models", release=arguments["release"], sha256=arguments["sha256"])
    result = {"error": None}
except cac.ReleaseError as error:
    result = {"error": type(error).__name__, "message": str(error)}
# the peak of this program's own memory (ru_maxrss would count the test process it was forked
# from, on Linux); None where the system does not say
try:
    with open("/proc/self/status", encoding="ascii") as status:
        peak = next(line for line in status if line.startswith("VmHWM:"))
    result["peak_mib"] = int(peak.split()[1]) / 1024
except (OSError, StopIteration):
    result["peak_mib"] = None
print(json.dumps(result))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="resource limits are POSIX")
def test_a_record_of_nothing_but_empty_arrays_is_refused_in_bounded_memory(
    genuine: dict[str, Any], tmp_path: Path
) -> None:
    """32 MiB of ``[],``: parsed whole, some 700 MiB of lists; here, refused by its length."""
    flood = b"[" + b"[]," * (32 * MiB // 3) + b"[]]"
    document = dict(genuine)
    document["cost_claims"] = "FLOOD"
    data = (
        json.dumps(document, sort_keys=True)
        .encode()
        .replace(b'"FLOOD"', b'[{"id": ' + flood + b"}]")
    )
    path = tmp_path / JSON_FILE
    path.write_bytes(data)

    arguments = {
        "release": str(path),
        "sha256": hashlib.sha256(data).hexdigest(),
        "address_space": 1024 * MiB,
    }
    child = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(arguments)],
        capture_output=True,
        text=True,
        timeout=120,  # a guard against a hang, not a measurement
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    result = json.loads(child.stdout)
    assert result["error"] == "ReleaseFormatError", result
    assert "'cost_claims', record 1: " in result["message"], result
    assert result["peak_mib"] is None or result["peak_mib"] < 400, result
