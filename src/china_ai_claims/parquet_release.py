"""The Parquet files of a release: one per table, typed as its Table Schema says.

Types: ``string`` -> UTF-8 string; ``integer`` -> nullable int64; ``number`` -> float64 (the
schema's numbers are plain decimals in units, exact in a double up to 2**53); ``boolean`` -> bool;
``date`` -> date32; a field with an ``enum`` -> dictionary (categorical) whose dictionary is every
allowed value in the schema's order, used or not; ``list`` -> list of strings (an empty cell is an
empty list, as in the records). Empty cells are nulls. Each field carries its description, and the
file carries the table's Table Schema, in the Parquet key-value metadata.

Streaming: a table is written from its validated records as they come, :data:`ROW_GROUP_SIZE`
rows at a time, each batch one row group, so that memory stays flat however many rows a table
has. A table of at most :data:`ROW_GROUP_SIZE` rows is one row group; a larger table gets several
(the same values, read back as one table, in the same order). The records come as the text the
JSON release holds for them, which pyarrow's JSON reader reads in C (:class:`TableWriter`).

Reproducibility: the same records give the same Parquet bytes for a given pyarrow version (fixed
row groups and compression, no statistics of time or host; the writer records its own version,
``created_by``, in the footer), so a release is byte-identical only when built with the same
pyarrow.

pyarrow comes from the ``release`` extra and is imported only here, only when the first rows of a
release are written.
"""

from __future__ import annotations

import array
import contextlib
import datetime
import itertools
import json
import os
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from china_ai_claims._resources import install_extra
from china_ai_claims.background import run_in

if TYPE_CHECKING:
    import pyarrow as pa

    from china_ai_claims.background import Background

MEDIA_TYPE = "application/vnd.apache.parquet"
COMPRESSION = "zstd"
COMPRESSION_LEVEL = 9
# Rows per row group: each table holds at most this many rows in memory before writing them.
# Small enough that the rows waiting to be written stay a few MiB whatever the table's size,
# large enough that every table of the dataset, and of a dataset a hundred times its size, is
# one row group.
ROW_GROUP_SIZE = 8192
# Rows the writer encodes at a time (pyarrow's default, given so that it stays the same).
WRITE_BATCH_SIZE = 1024
# Records read by the JSON reader at a time: their text stays small (about a MiB), while the rows
# waiting for a row group are held as Arrow arrays, more compact than the text or Python values.
RECORDS_PER_READ = 1024


class ParquetUnavailableError(ImportError):
    """pyarrow is not installed: the release's Parquet files cannot be written."""


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow._parquet  # the Parquet writer: see _open_writer
    except ImportError:
        raise ParquetUnavailableError(
            f"writing the release's Parquet files needs pyarrow: {install_extra('release')}"
        ) from None
    return pyarrow


# The first pyarrow whose import goes on without NumPy when NumPy cannot be imported.
NUMPY_OPTIONAL_SINCE = 18


def import_pyarrow_without_numpy() -> bool:
    """Import pyarrow without NumPy, which the release's writers do not use and whose import costs
    a release about 11 MiB at its peak and a tenth of a second: only for a process that builds a
    release and then ends (the command line's ``release`` run as a program), before the build.
    pyarrow then does without NumPy for the rest of the process (its conversions to NumPy and
    pandas fail, or crash once pandas has imported NumPy), so a process that goes on must never
    call this. Does nothing, and says so (``False``), where pyarrow or NumPy is imported already,
    or the pyarrow to be imported is missing or older than 18 (where NumPy is not optional). A
    pyarrow whose import still fails without NumPy is taken out of ``sys.modules`` again, for the
    build to import as it does otherwise. The bytes written are the same."""
    if "numpy" in sys.modules or "pyarrow" in sys.modules:
        return False
    major = _installed_pyarrow_major()
    if major is None or major < NUMPY_OPTIONAL_SINCE:
        return False
    try:
        with _numpy_blocked():
            import pyarrow  # noqa: F401  (its Parquet writer, imported later, needs no NumPy)
    except ImportError:
        for name in [n for n in sys.modules if n == "pyarrow" or n.startswith("pyarrow.")]:
            del sys.modules[name]
        return False
    return True


def _installed_pyarrow_major() -> int | None:
    """The major version of the pyarrow that ``import pyarrow`` would import, read from its own
    version module (not the installed distribution's metadata, which another pyarrow earlier on
    the path would contradict) without importing pyarrow; ``None`` if there is none to read."""
    import importlib.util

    spec = importlib.util.find_spec("pyarrow")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).with_name("_generated_version.py")
    loaded = importlib.util.spec_from_file_location("_pyarrow_generated_version", path)
    if loaded is None or loaded.loader is None:
        return None
    module = importlib.util.module_from_spec(loaded)
    try:
        loaded.loader.exec_module(module)
    except Exception:  # a version module not as expected: no choice is made
        return None
    version = getattr(module, "version_tuple", None)
    if isinstance(version, tuple) and version and isinstance(version[0], int):
        return version[0]
    return None


@contextlib.contextmanager
def _numpy_blocked() -> Iterator[None]:
    """Within the block, ``import numpy`` fails (Python's import refuses a module that
    ``sys.modules`` holds as ``None``); after it, ``sys.modules`` holds what it held."""
    before = sys.modules.get("numpy")
    sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if before is None:
            del sys.modules["numpy"]
        else:
            sys.modules["numpy"] = before


# The environment variable by which Arrow's C++ library chooses its default allocator, read once,
# when pyarrow first allocates.
ARROW_POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


@contextlib.contextmanager
def system_allocator_preferred() -> Iterator[None]:
    """Within the block, the C library's allocator is Arrow's default for a pyarrow imported there,
    unless the environment chose one: for a process that builds a release and nothing else (the
    command line's ``release``), around the build. The Parquet writer allocates its encoders,
    pages and compression buffers from the default allocator, which no argument of pyarrow's
    writer changes; pyarrow's default (mimalloc or jemalloc) keeps memory it freed for reuse,
    which costs a large release's peak about 13 MiB. The bytes written are the same.

    Arrow reads the variable once, when pyarrow first allocates (a pyarrow already in use keeps
    its allocator); the variable is removed after the block, so that neither the rest of a
    process that runs the command among other work nor its child processes inherit the choice.
    """
    chosen = ARROW_POOL_VARIABLE in os.environ
    if not chosen:
        os.environ[ARROW_POOL_VARIABLE] = "system"
    try:
        yield
    finally:
        if not chosen:
            os.environ.pop(ARROW_POOL_VARIABLE, None)


def parquet_file(stem: str, table: str) -> str:
    """File name of a table's Parquet file in a release whose files start with ``stem``."""
    return f"{stem}-{table}.parquet"


def _arrow_type(pa: Any, field: dict[str, Any]) -> pa.DataType:
    if "enum" in field.get("constraints", {}):
        return pa.dictionary(pa.int32(), pa.string())
    kinds = {
        "string": pa.string(),
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "list": pa.list_(pa.string()),
    }
    return kinds[field["type"]]


def arrow_schema(resource: dict[str, Any]) -> pa.Schema:
    """The Arrow schema of a table: its fields typed, described, nullable unless required."""
    pa = _pyarrow()
    fields = [
        pa.field(
            field["name"],
            _arrow_type(pa, field),
            nullable=not field.get("constraints", {}).get("required", False),
            metadata={"description": field.get("description", "")},
        )
        for field in resource["schema"]["fields"]
    ]
    metadata = {
        "description": resource.get("description", ""),
        "table_schema": json.dumps(resource["schema"], ensure_ascii=False, sort_keys=True),
    }
    return pa.schema(fields, metadata=metadata)


class TableWriter:
    """Writes one table's Parquet file at ``target`` from the table's records, given as the text
    of JSON objects, one after another, ``count`` at a time (``add_json``), :data:`ROW_GROUP_SIZE`
    rows to a row group; ``close`` writes the last rows (an empty table still gets its file) and
    closes the file. It counts the rows it wrote and, per column, the cells they fill.

    The text is what the JSON release holds for the records (each value encoded once, by the json
    module's C encoder): pyarrow's JSON reader parses it in C, and every step of a row group but
    the enumerations' and dates' conversions (reading, compressing, writing) runs in C code that
    releases the GIL, in ``background`` when given (the jobs run in the order given), so that a
    row group is written while the next one's records are validated. ``rows`` and ``filled`` are
    known once those jobs have run."""

    def __init__(
        self, resource: dict[str, Any], target: Path, background: Background | None = None
    ) -> None:
        self._resource = resource
        self._fields: list[dict[str, Any]] = resource["schema"]["fields"]
        self._target = target
        self._background = background
        self._texts: list[bytes] = []  # records not yet handed to a job
        self._waiting = 0  # how many records ``_texts`` holds
        self._read: list[Any] = []  # rows read, short of a row group (Arrow tables)
        self._writer: Any = None
        self._schema: Any = None  # the file's Arrow schema, and the one the JSON is read as
        self._read_as: Any = None
        self.rows = 0
        self._filled = [0] * len(self._fields)

    def add_json(self, objects: bytes, count: int) -> None:
        """Take ``count`` records as the UTF-8 text of their JSON objects, one after another
        (whitespace between them; each object's keys are the table's fields)."""
        self._texts.append(objects)
        self._waiting += count
        if self._waiting >= RECORDS_PER_READ:
            self._hand_over(last=False)

    def filled(self) -> dict[str, int]:
        """How many of the rows written fill each column (a list, even empty, fills its cell)."""
        return {field["name"]: n for field, n in zip(self._fields, self._filled, strict=True)}

    def close(self) -> None:
        """Write the rows left and close the file (in ``background``, after the jobs before)."""
        self._hand_over(last=True)

    def abandon(self) -> None:
        """Close the file, leaving out the rows not yet written (when a build is given up; call
        it once the background jobs are done)."""
        self._texts, self._read = [], []
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.close()

    def _hand_over(self, last: bool) -> None:
        texts, self._texts, self._waiting = self._texts, [], 0

        run_in(self._background, lambda: self._write(texts, last))

    def _write(self, texts: list[bytes], last: bool) -> None:
        """Read ``texts``, write every full row group of the rows read (every row, when
        ``last``) and, when ``last``, close the file."""
        pa = _pyarrow()
        if self._writer is None:
            self._schema = arrow_schema(self._resource)
            self._read_as = pa.schema(
                [pa.field(f["name"], _read_type(pa, f), nullable=True) for f in self._fields]
            )
            self._writer = _open_writer(pa, self._target, self._schema)
        if texts:
            self._read.append(self._read_json(pa, b"\n".join(texts)))
        rows = sum(table.num_rows for table in self._read)
        wrote = rows >= ROW_GROUP_SIZE or (last and rows)
        if wrote:
            self._write_groups(pa, rows, last)
        if last:
            if self.rows == 0:  # an empty table: its file holds one empty row group
                self._write_group(pa, None)
            self.abandon()
        if wrote or last:
            _give_back(pa)

    def _write_groups(self, pa: Any, rows: int, last: bool) -> None:
        """Write every full row group of the ``rows`` read (every row, when ``last``), keeping
        the rows short of a group."""
        table = pa.concat_tables(self._read)
        start = 0
        while rows - start >= ROW_GROUP_SIZE or (last and start < rows):
            self._write_group(pa, table.slice(start, ROW_GROUP_SIZE))
            start += ROW_GROUP_SIZE
        # The rows short of a group, copied so that the rows written are freed.
        rest = table.slice(start)
        self._read = [rest.combine_chunks(memory_pool=_memory(pa))] if start < rows else []

    def _read_json(self, pa: Any, text: bytes) -> Any:
        """The records of ``text`` as an Arrow table of the file's types, in one chunk."""
        import pyarrow.json as pjson

        table = pjson.read_json(
            pa.BufferReader(text),
            read_options=pjson.ReadOptions(use_threads=False, block_size=len(text) + 1),
            parse_options=pjson.ParseOptions(
                explicit_schema=self._read_as,
                newlines_in_values=True,
                unexpected_field_behavior="error",
            ),
            memory_pool=_memory(pa),
        )
        arrays = []
        for field, read_as, written in zip(self._fields, self._read_as, self._schema, strict=True):
            column = table.column(field["name"])
            read = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks(_memory(pa))
            if read_as.type != written.type:  # an enumeration or a date
                values = read.to_pylist()
                if field["type"] == "date":
                    values = [None if v is None else _from_iso(v) for v in values]
                read = _array(pa, values, field)
            arrays.append(read)
        return pa.Table.from_arrays(arrays, schema=self._schema)

    def _write_group(self, pa: Any, group: Any) -> None:
        if group is None:
            arrays = [_array(pa, [], field) for field in self._fields]
            group = pa.Table.from_arrays(arrays, schema=self._schema)
        else:
            # Chunks whose lengths are whole write batches are written as one array would be
            # (the writer takes a chunk's rows a write batch at a time); others are joined.
            lengths = [len(chunk) for chunk in group.column(0).chunks] if group.num_columns else []
            if any(length % WRITE_BATCH_SIZE for length in lengths[:-1]):
                group = group.combine_chunks(memory_pool=_memory(pa))
        for number, column in enumerate(group.columns):
            self._filled[number] += len(column) - column.null_count
        self.rows += group.num_rows
        self._writer.write_table(group, row_group_size=max(group.num_rows, 1))


# What ``pyarrow.parquet.ParquetWriter`` gives the writer it wraps besides the options below (its
# defaults, as of pyarrow 16 to 26), given the same way so that the bytes are the same.
_WRAPPER_DEFAULTS: dict[str, Any] = {
    "version": "2.6",
    "use_dictionary": True,
    "write_statistics": True,
    "use_deprecated_int96_timestamps": False,
    "writer_engine_version": "V2",
    "data_page_version": "1.0",
    "use_compliant_nested_type": True,
}


def _open_writer(pa: Any, target: Path, schema: Any, public: bool = False) -> Any:
    """A Parquet writer of ``schema`` at ``target``: the one ``pyarrow.parquet.ParquetWriter``
    wraps, given the wrapper's settings, so as not to import ``pyarrow.parquet``, whose import of
    ``pyarrow.fs`` (the S3, GCS, Azure and HDFS file systems) costs a release about 9 MiB of
    memory; the public wrapper where that class takes other arguments (or when ``public``). A
    test holds the two to the same bytes."""
    options = {
        "compression": COMPRESSION,
        "compression_level": COMPRESSION_LEVEL,
        "store_schema": True,
        "write_batch_size": WRITE_BATCH_SIZE,
        "memory_pool": _memory(pa),
    }
    if not public:
        try:
            from pyarrow._parquet import ParquetWriter

            return ParquetWriter(str(target), schema, **_WRAPPER_DEFAULTS, **options)
        except TypeError:  # (``_pyarrow`` has imported the module)
            pass
    import pyarrow.parquet as pq

    return pq.ParquetWriter(target, schema, **options)


def _read_type(pa: Any, field: dict[str, Any]) -> pa.DataType:
    """The type the JSON reader reads a field as: its file's type, but text for an enumeration
    and a date (the reader makes neither: they are converted after)."""
    if "enum" in field.get("constraints", {}) or field["type"] == "date":
        return pa.string()
    return _arrow_type(pa, field)


_from_iso = datetime.date.fromisoformat


# Arrays are built from their buffers, never with ``pyarrow.array``: that function imports pandas
# on its first call (to ask whether the values are pandas objects), which costs a release about
# 50 MiB of memory and a third of a second, more than all its Parquet files take to write.
_EPOCH = datetime.date(1970, 1, 1).toordinal()  # date32 counts days from 1970-01-01


def _array(pa: Any, values: list[Any], field: dict[str, Any]) -> pa.Array:
    """The Arrow array of one column's ``values`` (as a record holds them, an enumeration as its
    member or its text; ``None`` is null), typed as the field says: the array
    ``pyarrow.array(values, type)`` would give."""
    validity, nulls = _validity(pa, values)
    enum = field.get("constraints", {}).get("enum")
    if enum is not None:
        codes = list(map(_Codes(enum).__getitem__, values))
        indices = _numbers(pa, pa.int32(), "i", codes, validity, nulls)
        return pa.DictionaryArray.from_arrays(indices, _strings(pa, enum), memory_pool=_memory(pa))
    kind = field["type"]
    if kind == "string":
        return _strings(pa, values)
    if kind == "list":
        offsets = array.array("i", itertools.accumulate((len(v or ()) for v in values), initial=0))
        items = _strings(pa, list(itertools.chain.from_iterable(v or () for v in values)))
        buffers = [validity, pa.py_buffer(offsets)]
        return pa.Array.from_buffers(
            _arrow_type(pa, field), len(values), buffers, nulls, 0, [items]
        )
    if kind == "boolean":
        return pa.Array.from_buffers(pa.bool_(), len(values), [validity, _bits(pa, values)], nulls)
    if kind == "date":
        days = [0 if v is None else v.toordinal() - _EPOCH for v in values]
        return _numbers(pa, pa.date32(), "i", days, validity, nulls)
    if kind == "integer":
        return _numbers(
            pa, pa.int64(), "q", [0 if v is None else v for v in values], validity, nulls
        )
    if kind == "number":
        floats = [0.0 if v is None else v for v in values]
        return _numbers(pa, pa.float64(), "d", floats, validity, nulls)
    raise ValueError(f"no Arrow array for a {kind} field")


class _Codes(dict[Any, int]):
    """The position of each allowed value of an enumeration (a null's is 0, under the validity
    bitmap), looked up by its text or by its member. A member of a ``str`` enumeration equals its
    text but hashes as its name, so its first lookup finds it by its ``value`` and keeps it:
    later ones are one dictionary lookup, without the ``value`` property's cost."""

    def __init__(self, allowed: list[str]) -> None:
        super().__init__({value: index for index, value in enumerate(allowed)})
        self[None] = 0

    def __missing__(self, member: Any) -> int:
        if not isinstance(member, Enum):
            raise KeyError(member)
        self[member] = code = self[member.value]
        return code


def _bits(pa: Any, flags: Any) -> Any:
    """A bitmap buffer of ``flags`` (truthy or not), least significant bit first."""
    digits = bytes(map(bool, flags)).translate(_BINARY_DIGITS)
    # Python reads base 2 in linear time; the last flag is the most significant digit.
    return pa.py_buffer(int(digits[::-1] or b"0", 2).to_bytes(-(-len(digits) // 8), "little"))


_BINARY_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def _validity(pa: Any, values: list[Any]) -> tuple[Any, int]:
    """The validity bitmap of ``values`` (``None`` where none is null) and the count of nulls."""
    nulls = values.count(None)
    if not nulls:
        return None, 0
    return _bits(pa, (v is not None for v in values)), nulls


def _numbers(
    pa: Any, kind: pa.DataType, code: str, numbers: list[Any], validity: Any, nulls: int
) -> pa.Array:
    """An array of fixed-width numbers, from the ``array`` module's machine values (``code``)."""
    data = pa.py_buffer(array.array(code, numbers))
    return pa.Array.from_buffers(kind, len(numbers), [validity, data], nulls)


def _memory(pa: Any) -> Any:
    """Where the arrays and the writer's buffers are allocated: the C library's allocator, which
    gives freed memory back, rather than pyarrow's default pool, which keeps it for reuse (about
    20 MiB more at the peak of a large release). The bytes written are the same."""
    return pa.system_memory_pool()


def _give_back(pa: Any) -> None:
    """Return to the system the memory freed in the C library's allocator (``malloc_trim`` with
    glibc; nothing elsewhere), after a row group is written. The thread that writes has an
    allocator arena of its own, which keeps what a row group freed (its rows, the compressor's
    work space of a few MiB): after validation has read a large file, the C library keeps up to
    twice that file's size free in each arena before giving any back, so without this the
    writing thread holds some 13 MiB it no longer uses at a large release's peak."""
    _memory(pa).release_unused()


def _strings(pa: Any, values: list[Any]) -> pa.Array:
    builder = pa.lib.StringBuilder(_memory(pa))
    builder.append_values(values)
    return builder.finish()
