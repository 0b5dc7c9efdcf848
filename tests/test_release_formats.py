"""A downloader opens the release with the tools they already use: the Parquet files with pandas,
DuckDB and polars, the Croissant file with mlcroissant, the zip as a Hugging Face dataset card, and
frictionless agrees that every release format it can read is valid."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import shutil
import sqlite3
import sys
import zipfile
from enum import Enum
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

import china_ai_claims as cac
from china_ai_claims.opening import SUMS_FILE, csv_text, sha256_of
from china_ai_claims.parquet_release import NUMPY_OPTIONAL_SINCE

VERSION = cac.__version__
STEM = f"china-ai-claims-{VERSION}"


@pytest.fixture(scope="module")
def descriptor(release_dir: Path) -> dict[str, Any]:
    with zipfile.ZipFile(release_dir / f"{STEM}-csv.zip") as archive:
        document: dict[str, Any] = json.loads(archive.read("datapackage.json"))
    return document


def _csv_cells(release_dir: Path, table: str) -> tuple[list[str], list[list[str]]]:
    with zipfile.ZipFile(release_dir / f"{STEM}-csv.zip") as archive:
        text = archive.read(f"{table}.csv").decode("utf-8")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    return header, rows


def _text(value: Any) -> str:
    """A value read back from Parquet, written as the dataset's CSV writes it."""
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()  # numpy arrays (list cells) and numpy scalars
    return csv_text(value)


def _parquet(release_dir: Path, table: str) -> Path:
    return release_dir / f"{STEM}-{table}.parquet"


def _read_with_pandas(path: Path) -> tuple[list[str], list[list[Any]]]:
    frame = pd.read_parquet(path)
    return list(frame.columns), [list(row) for row in frame.itertuples(index=False)]


def _read_with_polars(path: Path) -> tuple[list[str], list[list[Any]]]:
    import polars as pl

    frame = pl.read_parquet(path)
    return frame.columns, [list(row) for row in frame.rows()]


def _read_with_duckdb(path: Path) -> tuple[list[str], list[list[Any]]]:
    import duckdb

    connection = duckdb.connect()
    try:
        result = connection.execute("SELECT * FROM read_parquet(?)", [str(path)])
        names = [column[0] for column in result.description]
        return names, [list(row) for row in result.fetchall()]
    finally:
        connection.close()


READERS = {"pandas": _read_with_pandas, "polars": _read_with_polars, "duckdb": _read_with_duckdb}


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("table", cac.tables())
def test_every_parquet_file_reads_back_identical_to_its_csv(
    release_dir: Path, table: str, reader: str
) -> None:
    header, csv_rows = _csv_cells(release_dir, table)
    names, rows = READERS[reader](_parquet(release_dir, table))
    assert names == header
    assert [[_text(value) for value in row] for row in rows] == csv_rows


def test_a_table_longer_than_a_row_group_is_several_that_read_back_as_its_csv(
    release_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    from china_ai_claims import parquet_release
    from china_ai_claims.release import build_release

    group = 2  # so that any table of more than two rows has several
    monkeypatch.setattr(parquet_release, "ROW_GROUP_SIZE", group)
    out = tmp_path / "small-groups"
    build_release(out)
    longer = 0
    for table in cac.tables():
        header, csv_rows = _csv_cells(release_dir, table)
        parquet = pq.ParquetFile(_parquet(out, table))
        assert parquet.metadata.num_row_groups == max(1, -(-len(csv_rows) // group)), table
        longer += len(csv_rows) > group
        names, rows = _read_with_pandas(_parquet(out, table))
        assert names == header
        assert [[_text(value) for value in row] for row in rows] == csv_rows
        assert parquet.read().equals(pq.read_table(_parquet(release_dir, table)))
    assert longer  # the dataset has a table longer than the groups


# Columns as a record may hold them, each with its Table Schema field: the Parquet writer builds
# their Arrow arrays from buffers, and they must be what pyarrow.array makes of the same values.
ENUM = {"type": "string", "constraints": {"enum": ["x", "y", "z"]}}


class _Letter(str, Enum):
    """As records hold an enumeration: members whose names are not their values."""

    ex = "x"
    why = "y"


COLUMNS = [
    ("text", {"type": "string"}, ["a", None, "", "中文 and 😀", "a\x00b"]),
    ("integer", {"type": "integer"}, [1, None, -(2**63), 2**63 - 1, 0]),
    ("number", {"type": "number"}, [0.1, None, -0.0, 1e300, 6000000.0]),
    ("boolean", {"type": "boolean"}, [True, None, False, True, True, False, False, True, True]),
    ("date", {"type": "date"}, [dt.date(1970, 1, 1), None, dt.date(2025, 1, 27), dt.date(1, 1, 1)]),
    ("list", {"type": "list"}, [[], ["a", "b"], None, [""], ["中"]]),
    ("enumeration", ENUM, ["y", None, "x", "y"]),
    ("enumeration members", ENUM, [_Letter.why, None, _Letter.ex, "y", _Letter.why]),
    ("only nulls", {"type": "integer"}, [None, None]),
    ("no rows", {"type": "string"}, []),
    ("no rows of lists", {"type": "list"}, []),
    ("no rows of an enumeration", ENUM, []),
]


@pytest.mark.parametrize(("kind", "field", "values"), COLUMNS, ids=[c[0] for c in COLUMNS])
def test_a_parquet_column_holds_what_pyarrow_makes_of_its_values(
    kind: str, field: dict[str, Any], values: list[Any]
) -> None:
    import pyarrow as pa

    from china_ai_claims.parquet_release import _array, _arrow_type

    built = _array(pa, values, {"name": kind, **field})
    built.validate(full=True)
    assert built.to_pylist() == values
    if field is ENUM:
        assert built.dictionary.to_pylist() == ENUM["constraints"]["enum"]
        assert built.indices.type == pa.int32()
    else:
        assert built.equals(pa.array(values, _arrow_type(pa, field)))


def _parquet_through_the_json_text(
    path: Path, fields: list[dict[str, Any]], rows: list[tuple[Any, ...]]
) -> None:
    """Write ``rows`` to a Parquet file as a release does: the JSON array's text of the records,
    read by the Parquet writer (in a background thread)."""
    from china_ai_claims.background import Background
    from china_ai_claims.parquet_release import TableWriter
    from china_ai_claims.release import _JsonArray

    background = Background("test-writer")
    writer = TableWriter({"schema": {"fields": fields}}, path, background)
    array = _JsonArray(path.with_suffix(".json-array"), fields, also=writer.add_json)
    for row in rows:
        array.add(row)
    array.close()
    writer.close()
    background.join()


@pytest.mark.parametrize(("kind", "field", "values"), COLUMNS, ids=[c[0] for c in COLUMNS])
def test_a_parquet_column_read_from_the_json_text_holds_the_records_values(
    tmp_path: Path, kind: str, field: dict[str, Any], values: list[Any]
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from china_ai_claims.parquet_release import _array

    fields = [{"name": "n", "type": "integer"}, {"name": kind, **field}]
    path = tmp_path / "table.parquet"
    _parquet_through_the_json_text(path, fields, list(enumerate(values)))
    column = pq.read_table(path).column(kind).combine_chunks()
    column.validate(full=True)
    assert column.to_pylist() == values
    assert column.equals(_array(pa, values, {"name": kind, **field}))


def test_numbers_read_from_the_json_text_are_the_records_doubles_bit_for_bit(
    tmp_path: Path,
) -> None:
    """The JSON text writes each double as the shortest text that reads back to it: the Parquet
    writer's reader must read every one back exactly (any bit pattern of a finite double)."""
    import random
    import struct

    import pyarrow.parquet as pq

    draw = random.Random(20261130)  # noqa: S311 - test values, not secrets
    doubles: list[float] = []
    while len(doubles) < 3000:
        (value,) = struct.unpack("<d", draw.getrandbits(64).to_bytes(8, "little"))
        if value == value and abs(value) != float("inf"):  # finite: validation allows no other
            doubles.append(value)
    doubles += [draw.randint(1, 10**6) / 10 ** draw.randint(1, 8) for _ in range(1000)]
    fields = [{"name": "x", "type": "number"}]
    _parquet_through_the_json_text(tmp_path / "x.parquet", fields, [(v,) for v in doubles])
    read = pq.read_table(tmp_path / "x.parquet").column("x").to_pylist()
    assert [struct.pack("<d", v) for v in read] == [struct.pack("<d", v) for v in doubles]


@pytest.mark.parametrize("per_read", [1, 100, 1000, 1024, 5000])
def test_the_parquet_bytes_do_not_depend_on_how_many_records_are_read_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_read: int
) -> None:
    """Rows are read a few at a time and written a row group at a time: pieces of any length
    give the file that one piece gives (the writer encodes a column a write batch at a time,
    and starts a page, of a MiB, between two batches: the long texts fill several)."""
    from china_ai_claims import parquet_release

    fields = [
        {"name": "id", "type": "string"},
        {"name": "kind", **ENUM},
        {"name": "amount", "type": "number"},
        {"name": "names", "type": "list"},
        {"name": "day", "type": "date"},
    ]
    rows = [
        (f"row-{n}-" + "long text " * 60, "xyz"[n % 3] if n % 7 else None, n / 7 if n % 5 else None,
         [f"a{n}"] * (n % 3), dt.date(2025, 1, 1 + n % 28) if n % 4 else None)
        for n in range(5000)
    ]  # fmt: skip
    monkeypatch.setattr(parquet_release, "ROW_GROUP_SIZE", 2048)
    monkeypatch.setattr(parquet_release, "RECORDS_PER_READ", 10**6)
    _parquet_through_the_json_text(tmp_path / "whole.parquet", fields, rows)
    monkeypatch.setattr(parquet_release, "RECORDS_PER_READ", per_read)
    _parquet_through_the_json_text(tmp_path / "pieces.parquet", fields, rows)
    whole = (tmp_path / "whole.parquet").read_bytes()
    assert (tmp_path / "pieces.parquet").read_bytes() == whole


def test_writing_row_groups_gives_the_memory_they_freed_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After each batch of records that completes row groups, and after the last, the writer
    returns what it freed to the system (its thread's allocator arena would keep it)."""
    from china_ai_claims import parquet_release

    given_back: list[int] = []
    monkeypatch.setattr(parquet_release, "_give_back", lambda pa: given_back.append(1))
    monkeypatch.setattr(parquet_release, "ROW_GROUP_SIZE", 2048)
    fields = [{"name": "id", "type": "string"}]
    path = tmp_path / "rows.parquet"
    _parquet_through_the_json_text(path, fields, [(f"row-{n}",) for n in range(5000)])
    # read 1,024 records at a time: groups complete at 2,048 and 4,096 records, the last closes
    assert len(given_back) == 3
    import pyarrow.parquet as pq

    assert pq.ParquetFile(path).metadata.num_row_groups == 3


def _no_allocator_chosen() -> dict[str, str]:
    """This process's environment without a choice of Arrow allocator."""
    import os

    from china_ai_claims.parquet_release import ARROW_POOL_VARIABLE

    return {k: v for k, v in os.environ.items() if k != ARROW_POOL_VARIABLE}


def _fresh_process_output(script: str, *args: Path) -> list[str]:
    """What ``script`` prints, run in a Python process of its own (with ``args``, from a folder
    of its own), in an environment that chooses no Arrow allocator."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        capture_output=True, text=True, check=True, env=_no_allocator_chosen(),
        cwd=args[0].parent,
    )  # fmt: skip
    return done.stdout.split()


def test_building_a_release_leaves_pandas_unimported(tmp_path: Path) -> None:
    script = (
        "import sys, pathlib\n"
        "from china_ai_claims.release import build_release\n"
        "build_release(pathlib.Path(sys.argv[1]))\n"
        "print('pandas' in sys.modules, 'pyarrow' in sys.modules, 'pyarrow.fs' in sys.modules)\n"
        "import pyarrow\n"
        "print(pyarrow.lib.np is sys.modules.get('numpy'))\n"
    )
    # pandas would cost the build about 50 MiB; pyarrow.fs (imported by pyarrow.parquet) 9 MiB.
    # A process that goes on after the build keeps pyarrow's NumPy (and pandas) conversions.
    printed = _fresh_process_output(script, tmp_path / "out")
    assert printed == ["False", "True", "False", "True"]


def _pyarrow_major() -> int:
    from importlib import metadata

    return int(metadata.version("pyarrow").partition(".")[0])


def _console_script() -> Path:
    import os

    scripts = Path(sys.executable).parent
    return scripts / ("china-ai-claims.exe" if os.name == "nt" else "china-ai-claims")


@pytest.mark.parametrize("program", ["console script", "python -m"])
def test_the_release_program_imports_pyarrow_without_numpy_where_pyarrow_allows(
    release_dir: Path, tmp_path: Path, program: str
) -> None:
    """Run as a program, the command's process ends with the build: a pyarrow that can do
    without NumPy (18 or later) is imported without it, and the files are the same."""
    import subprocess

    from china_ai_claims._resources import dataset_dir

    out = tmp_path / "out"
    command = (
        [str(_console_script())]
        if program == "console script"
        else [sys.executable, "-m", "china_ai_claims"]
    )
    done = subprocess.run(
        [*command, "release", str(dataset_dir()), "--out", str(out)],
        capture_output=True, text=True, check=True, cwd=tmp_path,
        env={**_no_allocator_chosen(), "PYTHONPROFILEIMPORTTIME": "1"},  # each import, on stderr
    )  # fmt: skip
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "pyarrow._parquet" in imported
    assert ("numpy" in imported) == (_pyarrow_major() < NUMPY_OPTIONAL_SINCE)
    assert "typer" not in imported  # plain arguments: the program runs the command itself
    assert (out / SUMS_FILE).read_text() == (release_dir / SUMS_FILE).read_text()


# What ``__main__`` is -> whether the process runs the command as its program: its file, the
# command's ``main`` it imported (as console scripts do: ``command``'s, or ``cli``'s in an older
# install), the name it was run by (``-m``).
PROGRAMS = [
    ("console script", "/venv/bin/china-ai-claims", "command", None, True),
    ("console script of an older install", "/venv/bin/china-ai-claims", "cli", None, True),
    ("Windows launcher", "C:/venv/Scripts/china-ai-claims.exe/__main__.py", "command", None, True),
    ("Windows script", "C:/venv/Scripts/china-ai-claims-script.py", "command", None, True),
    ("python -m", "/src/china_ai_claims/__main__.py", None, "china_ai_claims.__main__", True),
    ("a script in a checkout", "/home/u/china-ai-claims/analysis.py", "command", None, False),
    ("a script named for the command", "/home/u/china-ai-claims.py", "cli", None, False),
    ("a file named so that does not run main", "/venv/bin/china-ai-claims", None, None, False),
    ("python -c", None, "command", None, False),
    ("another module run with -m", "/lib/pytest/__main__.py", None, "pytest.__main__", False),
]


@pytest.mark.parametrize(
    ("file", "imported_main", "spec_name", "expected"),
    [program[1:] for program in PROGRAMS],
    ids=[program[0] for program in PROGRAMS],
)
def test_the_command_knows_when_its_process_is_its_own(
    monkeypatch: pytest.MonkeyPatch,
    file: str | None,
    imported_main: str | None,
    spec_name: str | None,
    expected: bool,
) -> None:
    import importlib.machinery
    import types

    from china_ai_claims import cli, command

    program = types.ModuleType("__main__")
    if file is not None:
        program.__file__ = file
    program.__spec__ = (
        None if spec_name is None else importlib.machinery.ModuleSpec(spec_name, None)
    )
    if imported_main is not None:
        program.main = {"command": command.main, "cli": cli.main}[imported_main]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "__main__", program)
    assert command.process_is_the_command() is expected


# A pyarrow package first on the path: the version its own version module says (None: it has
# none), what its ``__init__`` does, and whether it is then imported without NumPy.
FAKE_PYARROWS = [
    ("pyarrow 18 that does without NumPy", (18, 0, 0), "", True),
    ("pyarrow 16, which needs NumPy", (16, 0, 0), "import numpy\n", False),
    ("pyarrow 16 that would do without NumPy", (16, 0, 0), "", False),
    ("a pyarrow that says 18 but needs NumPy", (18, 1, 0), "import numpy\n", False),
    (
        "one that fails after its core loaded",
        (18, 0, 0),
        "from . import lib\nimport numpy\n",
        False,
    ),
    ("a pyarrow without a version module", None, "", False),
]


@pytest.mark.parametrize(
    ("version", "init", "imported_without"),
    [fake[1:] for fake in FAKE_PYARROWS],
    ids=[fake[0] for fake in FAKE_PYARROWS],
)
def test_pyarrow_is_imported_without_numpy_only_where_the_pyarrow_to_be_imported_allows(
    tmp_path: Path, version: tuple[int, ...] | None, init: str, imported_without: bool
) -> None:
    """The version is read from the pyarrow that ``import pyarrow`` finds first (not from the
    metadata of the one installed); a pyarrow that fails without NumPy is taken out of
    ``sys.modules``, with its modules loaded before it failed, and NumPy is not left refused."""
    package = tmp_path / "first" / "pyarrow"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(init)
    (package / "lib.py").write_text("")
    if version is not None:
        (package / "_generated_version.py").write_text(
            f"version = '{'.'.join(map(str, version))}'\nversion_tuple = {version!r}\n"
        )
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(package.parent)!r})\n"
        "from china_ai_claims.parquet_release import import_pyarrow_without_numpy\n"
        "done = import_pyarrow_without_numpy()\n"
        "print(done, any(n.split('.')[0] == 'pyarrow' for n in sys.modules), "
        "sys.modules.get('numpy', 0) is None)\n"
    )
    printed = _fresh_process_output(script, tmp_path / "out")
    assert printed == [str(imported_without), str(imported_without), "False"]


def test_pyarrow_is_left_alone_where_numpy_is_imported_already(tmp_path: Path) -> None:
    script = (
        "import sys, numpy\n"
        "from china_ai_claims.parquet_release import import_pyarrow_without_numpy\n"
        "print(import_pyarrow_without_numpy(), 'pyarrow' in sys.modules)\n"
    )
    assert _fresh_process_output(script, tmp_path / "out") == ["False", "False"]


def test_a_blocked_numpy_is_given_back_even_when_the_import_fails() -> None:
    import numpy as numpy_module

    from china_ai_claims.parquet_release import _numpy_blocked

    with pytest.raises(ImportError), _numpy_blocked():
        import numpy  # noqa: F401
    assert sys.modules["numpy"] is numpy_module


@settings(max_examples=200)
@given(st.lists(st.booleans(), max_size=70))
def test_a_bitmap_holds_each_flag_in_its_bit(flags: list[bool]) -> None:
    import pyarrow as pa

    from china_ai_claims.parquet_release import _bits

    arrow = pa.array(flags, pa.bool_())  # its values' buffer: the flags, least significant first
    assert _bits(pa, flags).to_pybytes() == arrow.buffers()[1].to_pybytes()[: -(-len(flags) // 8)]


def test_the_release_command_writes_parquet_with_the_c_librarys_allocator(
    release_dir: Path, tmp_path: Path
) -> None:
    """The command's process builds the release and nothing else: Arrow allocates from the C
    library's allocator, which gives freed memory back (pyarrow's default keeps it), unless the
    environment chose an allocator; the files are the same either way."""
    from china_ai_claims._resources import dataset_dir

    script = (
        "import sys\n"
        "from china_ai_claims.command import main\n"
        "sys.argv = ['china-ai-claims', 'release', sys.argv[2], '--out', sys.argv[1]]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        "print('numpy' in sys.modules)\n"
        "import os, pyarrow\n"
        "print(pyarrow.default_memory_pool().backend_name)\n"
        "print('ARROW_DEFAULT_MEMORY_POOL' in os.environ)\n"
    )
    out = tmp_path / "out"
    # The choice is the build's: the rest of the process and its children do not inherit it.
    # A process that calls ``main`` among other work keeps pyarrow's NumPy.
    printed = _fresh_process_output(script, out, dataset_dir())[-3:]
    assert printed == ["True", "system", "False"]
    sums = (out / SUMS_FILE).read_text()
    assert sums == (release_dir / SUMS_FILE).read_text()
    assert ".parquet" in sums


@pytest.mark.parametrize("chosen", [None, "jemalloc"])
def test_the_allocator_preference_leaves_the_environment_as_it_found_it(
    monkeypatch: pytest.MonkeyPatch, chosen: str | None
) -> None:
    import os

    from china_ai_claims.parquet_release import ARROW_POOL_VARIABLE, system_allocator_preferred

    if chosen is None:
        monkeypatch.delenv(ARROW_POOL_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(ARROW_POOL_VARIABLE, chosen)
    with system_allocator_preferred():
        assert os.environ[ARROW_POOL_VARIABLE] == (chosen or "system")
    assert os.environ.get(ARROW_POOL_VARIABLE) == chosen
    with pytest.raises(RuntimeError), system_allocator_preferred():
        raise RuntimeError("a build that fails")
    assert os.environ.get(ARROW_POOL_VARIABLE) == chosen


def test_the_parquet_writer_writes_the_bytes_of_pyarrow_parquets_writer(tmp_path: Path) -> None:
    """The release writes through the class ``pyarrow.parquet.ParquetWriter`` wraps (importing
    ``pyarrow.parquet`` costs 9 MiB): given the wrapper's settings, the same rows give the same
    bytes, in one row group or several."""
    import pyarrow as pa

    from china_ai_claims.parquet_release import _array, _open_writer, arrow_schema

    columns = [({"name": kind, **field}, values) for kind, field, values in COLUMNS if values]
    schema = arrow_schema({"description": "test", "schema": {"fields": [f for f, _ in columns]}})
    rows = 2000  # each column's values over and over
    arrays = [_array(pa, (values * rows)[:rows], field) for field, values in columns]
    table = pa.Table.from_arrays(arrays, schema=schema)
    written = []
    for public in (False, True):
        path = tmp_path / f"public-{public}.parquet"
        writer = _open_writer(pa, path, schema, public=public)
        assert type(writer).__module__ == ("pyarrow.parquet.core" if public else "pyarrow._parquet")
        for start in (0, 1024, 1500):
            writer.write_table(table.slice(start, 500), row_group_size=500)
        writer.close()
        written.append(path.read_bytes())
    assert written[0] == written[1]


# Table Schema type -> the Arrow type the Parquet file must hold for it.
ARROW_TYPES = {
    "string": "string",
    "integer": "int64",
    "number": "double",
    "boolean": "bool",
    "date": "date32[day]",
    "list": "list<string>",
}


def _arrow_type_name(arrow_type: Any) -> str:
    import pyarrow as pa

    if pa.types.is_list(arrow_type):
        return f"list<{arrow_type.value_type}>"
    return str(arrow_type)


@pytest.mark.parametrize("table", cac.tables())
def test_parquet_types_follow_the_table_schema(
    release_dir: Path, descriptor: dict[str, Any], table: str
) -> None:
    import pyarrow.parquet as pq

    (resource,) = [r for r in descriptor["resources"] if r["name"] == table]
    schema = pq.read_schema(_parquet(release_dir, table))
    frame = pd.read_parquet(_parquet(release_dir, table))
    for field in resource["schema"]["fields"]:
        arrow = schema.field(field["name"])
        enum = field.get("constraints", {}).get("enum")
        if enum is not None:
            assert str(arrow.type) == "dictionary<values=string, indices=int32, ordered=0>"
            dtype = frame[field["name"]].dtype
            assert isinstance(dtype, pd.CategoricalDtype)
            assert list(dtype.categories) == enum  # every allowed value, used or not
        else:
            assert _arrow_type_name(arrow.type) == ARROW_TYPES[field["type"]], field["name"]
        assert arrow.nullable == (not field.get("constraints", {}).get("required", False))
        assert arrow.metadata[b"description"].decode() == field["description"]
    embedded = json.loads(schema.metadata[b"table_schema"])
    assert embedded == resource["schema"]


def test_parquet_and_croissant_files_are_hashed_in_sha256sums(release_dir: Path) -> None:
    listed = dict(
        reversed(line.split("  "))
        for line in (release_dir / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    )
    expected = {f"{STEM}-{table}.parquet" for table in cac.tables()} | {f"{STEM}.croissant.json"}
    assert expected <= set(listed)
    for name in expected:
        assert listed[name] == sha256_of((release_dir / name).read_bytes())


@pytest.fixture(scope="module")
def croissant(release_dir: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (release_dir / f"{STEM}.croissant.json").read_text(encoding="utf-8")
    )
    return document


def test_croissant_lists_every_other_release_file_with_its_sha256(
    release_dir: Path, croissant: dict[str, Any]
) -> None:
    files = {item["contentUrl"]: item["sha256"] for item in croissant["distribution"]}
    others = {path.name for path in release_dir.iterdir()} - {
        "SHA256SUMS",
        f"{STEM}.croissant.json",
    }
    assert set(files) == others
    for name, digest in files.items():
        assert digest == sha256_of((release_dir / name).read_bytes())


def test_croissant_describes_the_dataset_and_where_it_comes_from(
    croissant: dict[str, Any], packaged_dataset: Path
) -> None:
    assert croissant["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    assert croissant["version"] == VERSION
    assert croissant["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert f"version = {{{VERSION}}}" in croissant["citeAs"]
    with (packaged_dataset / "sources.csv").open(encoding="utf-8", newline="") as handle:
        sources = list(csv.DictReader(handle))
    collection = croissant["rai:dataCollection"]
    assert "small number of archived source texts" in collection
    assert f"({len(sources)} source text" in collection
    first = sources[0]
    unknown = [label for column, label in (("publisher", "publisher"), ("url", "URL"),
               ("published", "publication date")) if not first[column]]  # fmt: skip
    assert f"The first source, “{first['title']}” ({first['id']})," in collection
    for label in unknown:
        assert label in collection.split("The first source", 1)[1].split(".")[0]
    assert collection in croissant["rai:dataLimitations"]


def test_croissant_record_sets_carry_typed_described_fields(
    croissant: dict[str, Any], descriptor: dict[str, Any]
) -> None:
    record_sets = {item["name"]: item for item in croissant["recordSet"]}
    assert list(record_sets) == cac.tables()
    types = {"string": "sc:Text", "integer": "sc:Integer", "number": "sc:Float",
             "boolean": "sc:Boolean", "date": "sc:Date", "list": "sc:Text"}  # fmt: skip
    for resource in descriptor["resources"]:
        fields = record_sets[resource["name"]]["field"]
        assert [f["name"] for f in fields] == [f["name"] for f in resource["schema"]["fields"]]
        for entry, field in zip(fields, resource["schema"]["fields"], strict=True):
            assert entry["dataType"] == types[field["type"]]
            assert entry["description"] == field["description"]
            assert entry.get("isArray", False) == (field["type"] == "list")


# mlcroissant calls APIs of rdflib and pandas that those deprecate: warnings not ours to fix.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_mlcroissant_loads_every_record_set_offline_as_the_csvs_hold_it(
    release_dir: Path, croissant: dict[str, Any]
) -> None:
    import mlcroissant as mlc

    dataset = mlc.Dataset(jsonld=str(release_dir / f"{STEM}.croissant.json"))
    for record_set in croissant["recordSet"]:
        table = record_set["name"]
        header, csv_rows = _csv_cells(release_dir, table)
        loaded = list(dataset.records(record_set=table))
        assert len(loaded) == len(csv_rows), table
        ids = [record[f"{table}/id"].decode("utf-8") for record in loaded]
        assert ids == [row[header.index("id")] for row in csv_rows]


def test_the_zip_readme_is_a_hugging_face_dataset_card(
    release_dir: Path, descriptor: dict[str, Any]
) -> None:
    with zipfile.ZipFile(release_dir / f"{STEM}-csv.zip") as archive:
        card = archive.read("README.md").decode("utf-8")
        members = set(archive.namelist())
    assert card.startswith("---\n")
    front = YAML(typ="safe").load(card.split("---\n")[1])
    assert front["license"] == "cc-by-4.0"
    configs = {config["config_name"]: config["data_files"] for config in front["configs"]}
    assert list(configs) == cac.tables()
    assert set(configs.values()) <= members
    assert "```bibtex\n@misc{" in card
    assert f"version = {{{VERSION}}}" in card


def _frictionless_package(descriptor: dict[str, Any], resource: Any, folder: Path) -> Any:
    from frictionless import Package, Schema

    return Package(
        resources=[
            resource(item["name"], Schema.from_descriptor(item["schema"]))
            for item in descriptor["resources"]
        ],
        basepath=str(folder),
    )


def test_frictionless_reports_the_json_release_valid_table_by_table(
    release_dir: Path, descriptor: dict[str, Any]
) -> None:
    from frictionless import Resource, formats

    path = f"{STEM}.json"
    package = _frictionless_package(
        descriptor,
        lambda name, schema: Resource(
            name=name, path=path, format="json", schema=schema,
            control=formats.JsonControl(property=name),
        ),
        release_dir,
    )  # fmt: skip
    report = package.validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type"])
    assert report.stats["tasks"] == len(cac.tables())


def test_frictionless_reports_the_sqlite_release_valid_with_the_csvs_rows(
    release_dir: Path, tmp_path: Path
) -> None:
    """frictionless opens the SQLite file as a Data Package (types and foreign keys from the SQL
    schema) and finds it valid, each table holding the CSV's rows.

    frictionless cannot read the Parquet files: its Parquet reader hands list cells to its type
    detector as arrays, which fails; pandas, polars, DuckDB and mlcroissant read them above."""
    from frictionless import Package

    release = release_dir / f"{STEM}.sqlite"
    package = Package(f"sqlite:///{release}")
    # The full-text indexes (<table>_fts and SQLite's shadow tables behind them) are search
    # machinery, not data: every other table is one of the dataset's.
    names = {resource.name for resource in package.resources}
    assert sorted(name for name in names if "_fts" not in name) == sorted(cac.tables())
    # SQLAlchemy reflects every table of the file each time frictionless opens one (some 60
    # times here), and the indexes are five tables to each data table: frictionless checks a
    # copy without them, which holds the same data tables, schemas and keys.
    data_only = tmp_path / release.name
    shutil.copyfile(release, data_only)
    with contextlib.closing(sqlite3.connect(data_only)) as database, database:
        for name in sorted(name for name in names if name.endswith("_fts")):
            database.execute(f'DROP TABLE "{name}"')  # and its shadow tables with it
    package = Package(f"sqlite:///{data_only}")
    assert sorted(resource.name for resource in package.resources) == sorted(cac.tables())
    report = package.validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type"])
    for table in cac.tables():
        # The keys are checked above: reading the rows again needs no lookup of other tables.
        resource = package.get_resource(table).to_copy()
        resource.schema.foreign_keys = []
        rows = resource.read_rows()
        header, csv_rows = _csv_cells(release_dir, table)
        assert [row["id"] for row in rows] == [row[header.index("id")] for row in csv_rows]


def test_building_without_pyarrow_says_which_extra_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from china_ai_claims.cli import app

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["release", "--out", str(out)])
    assert result.exit_code == 2
    assert "pip install 'china-ai-claims[release]'" in result.output
    assert "in a clone of the project: pip install '.[release]'" in result.output
    assert not out.exists() or list(out.iterdir()) == []
