"""Type a table through Arrow: the fast road of :mod:`china_ai_claims.fast_frames` where pandas
keeps its text in Arrow arrays (pandas 3 with pyarrow installed).

pyarrow's CSV reader reads every cell as text, in C++, in a fraction of the time ``read_csv``
takes; each column is then checked and converted by one Arrow compute call or two. A cell is
accepted only as the checked road would accept it (ASCII digits, the declared true and false
values, enumerated values) and converted to the same value: Arrow's text-to-float cast rounds
correctly, as Python's ``float()`` does, and a date is read as a day that exists, in the unit the
checked road's ``pandas.to_datetime`` gives. Anything else -- a parse error, a header that
differs, a cell it would refuse, a value it cannot convert -- returns ``None`` and leaves the
table to the checked road, which names the problem.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from china_ai_claims._collector import collection_paused
from china_ai_claims.fast_frames import (
    arrow_enumerated,
    check_dialect_bytes,
    date_dtype,
    text_settings,
    value_set,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

# The cells each conversion accepts are checked on the bytes of the whole column at once, with
# NumPy (a regular expression per cell took most of the time of typing a number column): ASCII
# digits only, and the signs, points and exponents of fast_frames.NUMBER_CELL and INTEGER_CELL.
_DIGITS = b"0123456789"
_SIGNS = b"+-"
_NUMBER_BYTES = _DIGITS + _SIGNS + b".eE"
_INTEGER_DIGITS = 18  # at most, as fast_frames.INTEGER_CELL: what fits Int64
_DATE_DASHES = (4, 7)  # YYYY-MM-DD


class _Refused(Exception):
    """A column the Arrow road does not type as the checked road would."""


def arrow_frame(content: bytes, fields: list[dict[str, Any]]) -> pd.DataFrame | None:
    """The table in ``content`` typed as ``fields`` say, or ``None`` to take the checked road."""
    import pandas as pd

    if not arrow_is_pandas_text():
        return None  # its text columns would not be the checked road's
    names = [spec["name"] for spec in fields]
    if len(names) < 2 or "" in names or len(set(names)) < len(names):
        # pandas drops a line of spaces in a table of one column, renames an empty header cell
        # and a repeated one: tables the checked road reads otherwise, or refuses
        return None
    table = _read(content, names)
    if table is None or _ends_inside_quotes(table):
        return None
    text = text_settings()
    try:
        # _read found the header to be the names, in their order: no column looked up by name
        columns = {
            spec["name"]: _convert(column, spec, text)
            for spec, column in zip(fields, table.columns, strict=True)
        }
    except _Refused:
        return None
    # Every column is as long as the table: the index pandas gives them is read_csv's own.
    frame: pd.DataFrame = pd.DataFrame(columns, copy=False)
    return frame


def _read(content: bytes, names: list[str]) -> pa.Table | None:
    """Every cell as text (an empty cell, quoted or not, as missing), or ``None`` when pyarrow
    reads the header otherwise or cannot read the file (rows of another length, bad UTF-8)."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    # Where the two readers part, the checked road's reading is the one to give.
    if not content.endswith(b"\n"):
        return None  # a quote maybe left open, which Arrow ends at the end of the file
    try:
        check_dialect_bytes(content)  # the checked road refuses such text
        table = pa_csv.read_csv(
            pa.py_buffer(content),
            # One thread: as fast on files of this size, and no waiting on a pool of busy cores.
            read_options=pa_csv.ReadOptions(use_threads=False),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
        header = table.column_names  # decoded here: bad UTF-8 in the header raises now
    except (pa.ArrowException, ValueError):  # ArrowInvalid and UnicodeDecodeError are both
        return None
    if header != names:
        return None
    return table


def _ends_inside_quotes(table: pa.Table) -> bool:
    """Whether the last cell may be a quote left open: Arrow ends such a cell at the end of the
    file, where pandas refuses the file. Arrow reads a row the header's length only, so such a
    cell is the last of its row and of the table, and holds the line end the file ends with.
    (Counting quotes would not do: an unquoted cell may hold one.)"""
    if table.num_rows == 0:
        return False
    last = table.column(table.num_columns - 1)[-1].as_py()
    return isinstance(last, str) and last.endswith(("\n", "\r"))


def _convert(column: pa.ChunkedArray, spec: dict[str, Any], text: Hashable) -> Any:
    enum = spec.get("constraints", {}).get("enum")
    if enum is not None:
        return _enumerated(column, enum, text)
    kind = spec["type"]
    if kind in ("number", "integer", "boolean") and column.null_count == len(column):
        return _all_missing(kind, len(column))
    if kind not in _CONVERSIONS:
        raise _Refused
    return _CONVERSIONS[kind](column, spec)


def _all_missing(kind: str, length: int) -> Any:
    """A column of ``kind`` whose every cell is empty: no cell to check or convert."""
    import numpy as np
    import pandas as pd

    array, values = {
        "number": (pd.arrays.FloatingArray, np.float64),
        "integer": (pd.arrays.IntegerArray, np.int64),
        "boolean": (pd.arrays.BooleanArray, np.bool_),
    }[kind]
    return array(np.zeros(length, dtype=values), np.ones(length, dtype=np.bool_))


def _text(column: pa.ChunkedArray, spec: dict[str, Any]) -> Any:
    import pandas as pd

    return pd.arrays.ArrowStringArray(column)


def _enumerated(column: pa.ChunkedArray, enum: list[str], text: Hashable) -> Any:
    if not enum:
        raise _Refused
    categories = arrow_enumerated(column, enum, text)
    if categories is None:
        raise _Refused
    return categories


@dataclass(frozen=True)
class _Bytes:
    """A text column's cells as NumPy sees Arrow's buffers (no copy of a column of one chunk)."""

    data: np.ndarray  # the bytes of every cell, one cell after another
    starts: np.ndarray  # for every row, where its cell starts in ``data``
    lengths: np.ndarray  # and how many bytes it has (none for an empty cell)
    missing: np.ndarray  # whether its cell is empty: the mask pandas' nullable arrays take


def _bytes(column: pa.ChunkedArray) -> _Bytes:
    import numpy as np

    array = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    rows = len(array)
    validity, offsets_buffer, data_buffer = array.buffers()
    if validity is None:
        missing = np.zeros(rows, dtype=np.bool_)
    else:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        missing = ~bits[array.offset : array.offset + rows].astype(np.bool_)
    if rows == 0 or offsets_buffer is None:
        nothing = np.zeros(rows, dtype=np.int64)
        return _Bytes(np.zeros(0, dtype=np.uint8), nothing, nothing, missing)
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[array.offset : array.offset + rows + 1]
    first, last = int(offsets[0]), int(offsets[-1])
    data = (
        np.frombuffer(data_buffer, dtype=np.uint8)[first:last]
        if last > first
        else np.zeros(0, dtype=np.uint8)
    )
    return _Bytes(data, offsets[:-1] - first, np.diff(offsets), missing)


@functools.cache
def _byte_table(allowed: bytes) -> np.ndarray:
    """For each of the 256 byte values, whether it is one of ``allowed``."""
    import numpy as np

    table = np.zeros(256, dtype=np.bool_)
    table[list(allowed)] = True
    return table


def _only(data: np.ndarray, allowed: bytes) -> bool:
    """Whether every byte of ``data`` is one of ``allowed`` (so no other character is there:
    any byte of a non-ASCII character is above 127)."""
    return bool(_byte_table(allowed)[data].all())


def _filled(cells: _Bytes) -> None:
    """Refuse a cell of no bytes that is not missing, or bytes under a missing cell: Arrow's
    reader gives neither (an empty cell is missing), and the checks below count on it."""
    if ((cells.lengths == 0) != cells.missing).any():
        raise _Refused


def _number_bytes(column: pa.ChunkedArray) -> _Bytes:
    """The cells of a number column, refused unless written with digits, signs, points and
    exponents only. Written so, a cell that Arrow's cast to float then reads is one that
    ``fast_frames.NUMBER_CELL`` takes (Arrow reads no "inf" or "nan" without letters other than
    "e"; a test compares the two on every short cell of these characters), and the others it
    refuses (such as "1e" or "+-1")."""
    cells = _bytes(column)
    _filled(cells)
    if not _only(cells.data, _NUMBER_BYTES):
        raise _Refused
    return cells


def _integer_bytes(column: pa.ChunkedArray) -> _Bytes:
    """The cells of an integer column, refused unless each is ``fast_frames.INTEGER_CELL``: an
    optional sign first, then 1 to 18 ASCII digits."""
    import numpy as np

    cells = _bytes(column)
    _filled(cells)
    if not _only(cells.data, _DIGITS + _SIGNS):
        raise _Refused
    signs = np.append(_byte_table(_SIGNS)[cells.data], False)  # an empty last cell starts there
    signed = signs[cells.starts] & ~cells.missing
    if int(signs.sum()) != int(signed.sum()):
        raise _Refused  # a sign elsewhere than first
    digits = cells.lengths - signed
    if ((digits > _INTEGER_DIGITS) | ((digits < 1) & ~cells.missing)).any():
        raise _Refused
    return cells


def _date_bytes(column: pa.ChunkedArray) -> _Bytes:
    """The cells of a date column, refused unless each is ten bytes, ``YYYY-MM-DD`` in ASCII
    digits, of a year other than 0000 (as ``fast_frames.DATE_CELL``): Arrow's cast reads other
    forms too."""

    cells = _bytes(column)
    _filled(cells)
    if ((cells.lengths != 10) & ~cells.missing).any():
        raise _Refused
    kinds, expected = _date_kinds()
    if not (kinds[cells.data].reshape(-1, 10) == expected).all():
        raise _Refused
    if (cells.data.reshape(-1, 10)[:, :4] == ord("0")).all(axis=1).any():
        raise _Refused  # the year 0000, which Arrow reads and Python's dates do not
    return cells


@functools.cache
def _date_kinds() -> tuple[np.ndarray, np.ndarray]:
    """Each byte value's kind (1 for an ASCII digit, 2 for a dash, 0 for anything else), and
    the kind each of a date's ten bytes must have."""
    import numpy as np

    kinds = _byte_table(_DIGITS).astype(np.uint8) + 2 * _byte_table(b"-")
    expected = np.ones(10, dtype=np.uint8)
    expected[list(_DATE_DASHES)] = 2
    return kinds, expected


def _present(column: pa.ChunkedArray) -> Any:
    """A NumPy mask of the empty cells, the mask pandas' nullable arrays take."""
    import pyarrow.compute as pc

    return pc.is_null(column).to_numpy()


def _numbers(column: pa.ChunkedArray, spec: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = _number_bytes(column)
    try:
        values = pc.cast(column, pa.float64())
    except (pa.ArrowException, ValueError):
        raise _Refused from None
    # NaN under the empty cells, set to 0 in a new array of pandas' own
    filled = np.where(cells.missing, 0.0, values.to_numpy(zero_copy_only=False))
    if not np.isfinite(filled).all():  # too large for a float: the checked road refuses it
        raise _Refused
    return pd.arrays.FloatingArray(filled.astype(np.float64, copy=False), cells.missing)


def _integers(column: pa.ChunkedArray, spec: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = _integer_bytes(column)
    if (cells.data == ord("+")).any():  # int() reads "+5"; Arrow's cast does not
        column = pc.utf8_ltrim(column, characters="+")
    values = pc.cast(column, pa.int64()).fill_null(0).to_numpy()
    return pd.arrays.IntegerArray(np.array(values, dtype=np.int64), cells.missing)


def _booleans(column: pa.ChunkedArray, spec: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd
    import pyarrow.compute as pc

    true = pc.is_in(
        column, value_set=value_set(tuple(spec.get("trueValues", ["true"])), column.type)
    )
    false = pc.is_in(
        column, value_set=value_set(tuple(spec.get("falseValues", ["false"])), column.type)
    )
    if (pc.sum(pc.or_(true, false)).as_py() or 0) != len(column) - column.null_count:
        raise _Refused  # a cell that is neither
    # A value listed as both is false, as the checked road's mapping has it.
    values = pc.and_not(true, false).to_numpy()
    return pd.arrays.BooleanArray(np.array(values, dtype=np.bool_), _present(column))


def _dates(column: pa.ChunkedArray, spec: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    _date_bytes(column)
    dtype = date_dtype()
    try:  # Arrow's cast refuses a day that does not exist, as pandas' reading does
        days = pc.cast(pc.cast(column, pa.date32()), pa.timestamp(np.datetime_data(dtype)[0]))
    except (pa.ArrowException, ValueError):
        raise _Refused from None
    return pd.array(days.to_numpy(), dtype=dtype)


def _lists(column: pa.ChunkedArray, spec: dict[str, Any]) -> Any:
    import pandas as pd

    delimiter = spec.get("delimiter", ",")
    with collection_paused():  # lists of text: no cycle can form among them
        # An empty cell is an empty list, as in the records, not a missing value.
        lists = [[] if cell is None else cell.split(delimiter) for cell in column.to_pylist()]
    return pd.Series(lists, dtype=object)


# How each Table Schema type is typed: a conversion of one whole column.
_CONVERSIONS: dict[str, Callable[[pa.ChunkedArray, dict[str, Any]], Any]] = {
    "string": _text,
    "number": _numbers,
    "integer": _integers,
    "boolean": _booleans,
    "date": _dates,
    "list": _lists,
}


def arrow_is_pandas_text() -> bool:
    """Whether pandas keeps text in Arrow arrays here (pandas 3 with pyarrow, unless an option
    says otherwise), so that the Arrow road's text columns are the checked road's."""
    import pandas as pd

    try:
        return bool(pd.StringDtype().storage == "pyarrow")
    except ImportError:
        return False
