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
from typing import TYPE_CHECKING, Any

from china_ai_claims._collector import collection_paused
from china_ai_claims.fast_frames import arrow_enumerated, text_settings, value_set

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

# The cells each conversion accepts, as whole-cell RE2 patterns (\A and \z: RE2's $ is not
# Python's, and no cell may hold a newline); [0-9] keeps the digits ASCII.
_NUMBER = r"\A[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\z"
_INTEGER = r"\A[+-]?[0-9]{1,18}\z"
_DATE = r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\z"


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
        columns = {
            spec["name"]: _convert(table.column(spec["name"]), spec, text) for spec in fields
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

    # Where the two readers part, the checked road's reading is the one to give. (Carriage
    # returns are counted only in a file that holds one: a search for a byte is cheaper.)
    if not content.endswith(b"\n"):
        return None  # a quote maybe left open, which Arrow ends at the end of the file
    if b"\r" in content and content.count(b"\r") != content.count(b"\r\n"):
        return None  # lone carriage returns: pandas reads blank lines between them otherwise
    try:
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


def _all_written_as(column: pa.ChunkedArray, pattern: str) -> None:
    """Raise :class:`_Refused` unless every cell that is not empty matches ``pattern``."""
    import pyarrow.compute as pc

    # all() skips the empty cells, and is None when every cell is empty
    if pc.all(pc.match_substring_regex(column, pattern)).as_py() is False:
        raise _Refused


def _present(column: pa.ChunkedArray) -> Any:
    """A NumPy mask of the empty cells, the mask pandas' nullable arrays take."""
    import pyarrow.compute as pc

    return pc.is_null(column).to_numpy()


def _numbers(column: pa.ChunkedArray, spec: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    _all_written_as(column, _NUMBER)
    try:
        values = pc.cast(column, pa.float64())
    except (pa.ArrowException, ValueError):
        raise _Refused from None
    filled = values.fill_null(0.0).to_numpy()
    if not np.isfinite(filled).all():  # too large for a float: the checked road refuses it
        raise _Refused
    return pd.arrays.FloatingArray(np.array(filled, dtype=np.float64), _present(column))


def _integers(column: pa.ChunkedArray, spec: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    _all_written_as(column, _INTEGER)
    unsigned = pc.utf8_ltrim(column, characters="+")  # int() reads "+5"; Arrow's cast does not
    values = pc.cast(unsigned, pa.int64()).fill_null(0).to_numpy()
    return pd.arrays.IntegerArray(np.array(values, dtype=np.int64), _present(column))


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

    _all_written_as(column, _DATE)
    dtype = _date_dtype(every_cell_empty=column.null_count == len(column))
    try:  # Arrow's cast refuses a day that does not exist, as pandas' reading does
        days = pc.cast(pc.cast(column, pa.date32()), pa.timestamp(np.datetime_data(dtype)[0]))
    except (pa.ArrowException, ValueError):
        raise _Refused from None
    return pd.array(days.to_numpy(), dtype=dtype)


@functools.cache
def _date_dtype(*, every_cell_empty: bool) -> Any:
    """The dtype the checked road's ``pandas.to_datetime`` gives a column of dates (its unit is
    pandas' to choose, and differs when no cell holds a date)."""
    import pandas as pd

    probe = pd.Series([None if every_cell_empty else "2000-01-01"], dtype="str")
    return pd.to_datetime(probe, format="%Y-%m-%d", errors="coerce").dtype


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
