"""Type a table at the speed of ``pandas.read_csv``, or give up and leave it to the checked road.

:func:`china_ai_claims.loading.load` types each column as its Table Schema says and names the
first bad cell. Doing that cell by cell costs several times the read itself, so every table is
first tried here: one ``read_csv`` that lets pandas read text its fastest way (inferred text
columns, which recent pandas builds without a Python string per cell) and hands over the other
typed columns as Python strings; then each column is converted with whole-column operations that
accept only cells the checked road would accept (ASCII digits, the declared true and false
values, enumerated values) and give the values it would give. On anything else -- a cell it
would refuse or report, a text column pandas read as numbers, a parse error -- :func:`quick_frame`
returns ``None`` and the caller takes the checked road, which reads the table again and gives
today's exact values or error. So the fast road changes how long loading takes, never what it
gives.

Where pandas keeps its text in Arrow arrays (pandas 3 with pyarrow), the faster road of
:mod:`china_ai_claims.arrow_frames` is taken instead, under the same rule.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# The cells the checked road (loading) and the fast roads accept, in ASCII digits only, as the
# validator reads them: \d would also take "１２" (fullwidth) or "٣", which int() and float() read
# but no other tool does. No groups kept: a search a third faster.
INTEGER_CELL = r"[+-]?[0-9]{1,18}"  # what fits Int64
NUMBER_CELL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"  # no NaN, no Infinity
# pandas' "%Y-%m-%d" also reads "2025-1-7" and digits of other scripts, and pandas 3 the year
# 0000; the validator (Python's dates) does not.
DATE_CELL = r"(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}"


def _column_of(cell: str) -> re.Pattern[str]:
    """Cells joined by newlines, each one ``cell``: one match checks a whole column."""
    return re.compile(rf"(?:{cell})(?:\n(?:{cell}))*", re.ASCII)


NUMBERS = _column_of(NUMBER_CELL)
INTEGERS = _column_of(INTEGER_CELL)
_DATES = _column_of(DATE_CELL)


class BytesOutsideDialect(ValueError):
    """The text holds a byte that no file of the dataset's dialect holds (its lines end in LF,
    or CRLF in a Windows checkout, and no cell holds a CR or a control character) and that
    pandas' C reader misreads:

    - a carriage return not followed by a line feed: until the fix of pandas issue 51141 (so in
      every pandas 2), a line that starts after one with a space or tab is read again and again,
      until memory runs out, or some 260,000 rows the file does not hold are given;
    - a NUL byte: pandas 2 ends the cell at it (pandas issue 19886), pandas 3 keeps it.

    The csv module reads both otherwise again, so every reader of a table refuses such text,
    whatever pandas is installed: the same file gives the same answer everywhere."""

    def __init__(self, line: int, byte: bytes) -> None:
        self.line = line  # counted by line feeds, as the validator counts lines
        what = (
            "a carriage return (CR) not followed by a line feed (LF)"
            if byte == b"\r"
            else "a NUL byte (U+0000)"
        )
        super().__init__(f"line {line}: {what}, which the dataset's files never hold")


_OUTSIDE_DIALECT = re.compile(rb"\r(?!\n)|\x00")


def check_dialect_bytes(content: bytes) -> None:
    """Raise :class:`BytesOutsideDialect` at the first CR not followed by an LF, or NUL byte,
    in ``content``. Counts and searches for bytes, in C, settle the usual files (LF, or CRLF
    from a Windows checkout); the pattern, a Python-speed scan, only finds the line of one."""
    if b"\x00" not in content and (
        b"\r" not in content or content.count(b"\r") == content.count(b"\r\n")
    ):
        return
    found = _OUTSIDE_DIALECT.search(content)
    if found is not None:
        raise BytesOutsideDialect(content.count(b"\n", 0, found.start()) + 1, found.group())


def read_cells(content: bytes, dtypes: dict[str, Any], *, low_memory: bool = True) -> pd.DataFrame:
    """``read_csv`` in the dataset's dialect: UTF-8, and an empty cell is the only missing value
    (text such as "NA" or "null" stays text). Text with a byte pandas misreads is refused
    (:class:`BytesOutsideDialect`) before pandas sees it."""
    import pandas as pd

    check_dialect_bytes(content)
    frame: pd.DataFrame = pd.read_csv(
        io.BytesIO(content),
        dtype=dtypes,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8",
        low_memory=low_memory,
    )
    return frame


def rows_fit_header(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` has the row numbers ``read_csv`` gives a file whose rows fit its header:
    when every row has more cells, pandas quietly takes the first ones as an index."""
    import pandas as pd

    return isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0


JOINED_CELLS = 4096


def rows_are_whole(content: bytes, read: pd.DataFrame) -> bool:
    """Whether each row ``read_csv`` read from ``content`` had a cell for every column. pandas
    fills the cells missing from a short row as empty: a row missing a cell midway would load with
    the cells after it in the wrong columns (a note as the quote), unseen. Settled by counting
    commas in C code: a file's commas are the separators of its whole rows (a blank line, which
    pandas skips, has none) and the commas inside its cells, whose text it has read; a row with a
    cell too many is pandas' error already."""
    inside = 0
    for _, column in read.items():  # noqa: PERF102 - a frame's .values are its cells
        if column.dtype.kind in "biufcmM":
            continue  # only text can hold a comma
        cells = column.to_numpy()[column.notna().to_numpy()]
        for start in range(0, len(cells), JOINED_CELLS):  # joined a bounded number at a time
            some = cells[start : start + JOINED_CELLS]
            try:
                inside += "".join(some).count(",")
            except TypeError:  # an integer too large for 64 bits, kept as a Python int
                inside += sum(cell.count(",") for cell in some if isinstance(cell, str))
    return content.count(b",") == (len(read) + 1) * (len(read.columns) - 1) + inside


# A line of spaces and tabs alone: pandas skips it as blank, the csv module and the validator read
# it as a row of one cell (a line inside a quoted cell matches too: the csv module then decides).
_WHITESPACE_LINE_AFTER_NEWLINE = re.compile(rb"\n[ \t]+(?:\r?\n|\Z)")
_WHITESPACE_TO_LINE_END = re.compile(rb"[ \t]+(?:\r?\n|\Z)")


def holds_whitespace_line(content: bytes) -> bool:
    """Whether ``content`` may hold a row that pandas skips as blank but that is a short row.
    (The search starts with a newline, which the regex engine skips to in C code: some 0.5 ns
    a byte, where a search that may also begin at the start runs thirty times as long.)"""
    return (
        _WHITESPACE_TO_LINE_END.match(content) is not None
        or _WHITESPACE_LINE_AFTER_NEWLINE.search(content) is not None
    )


def first_short_row(content: bytes, width: int) -> tuple[int, int] | None:
    """``(row, line)`` of the first row of ``content`` with fewer than ``width`` cells, counting
    rows as ``read_csv`` does (the header is row 1, blank lines are skipped), or ``None``."""
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    row, line = 0, 1
    for cells in reader:
        if cells:
            row += 1
            if len(cells) < width:
                return row, line
        line = reader.line_num + 1
    return None


def quick_frame(content: bytes, fields: list[dict[str, Any]]) -> pd.DataFrame | None:
    """The table in ``content`` typed as ``fields`` say, or ``None`` to take the checked road."""
    from china_ai_claims.arrow_frames import arrow_frame, arrow_is_pandas_text

    if arrow_is_pandas_text():
        return arrow_frame(content, fields)
    return pandas_frame(content, fields)


def pandas_frame(content: bytes, fields: list[dict[str, Any]]) -> pd.DataFrame | None:
    """:func:`quick_frame` by ``read_csv`` and whole-column conversions, where pandas keeps its
    text otherwise than in Arrow arrays."""
    import pandas as pd

    try:
        # low_memory=False: each column inferred whole, never from chunks of mixed types.
        read = read_cells(content, _read_dtypes(fields), low_memory=False)
    except (ValueError, OverflowError):
        return None
    if list(read.columns) != [spec["name"] for spec in fields]:
        return None
    if (
        not rows_fit_header(read)
        or not rows_are_whole(content, read)
        or holds_whitespace_line(content)
    ):
        return None  # the checked road says what is wrong
    read_columns = dict(read.items())
    if _text_maybe_read_as_missing(read_columns, fields, content):
        return None
    columns: dict[str, Any] = {}
    text = text_settings()
    for spec in fields:
        typed = _convert(read_columns[spec["name"]], spec, text)
        if typed is None:
            return None
        columns[spec["name"]] = typed
    frame: pd.DataFrame = pd.DataFrame(columns, index=read.index, columns=read.columns, copy=False)
    return frame


# pandas 2 marks a missing integer with -2**63 while it reads a column as integers, so a cell
# holding that number, in a column with an empty cell, comes out missing as well.
_INT64_MIN_DIGITS = b"9223372036854775808"


def _text_maybe_read_as_missing(
    read_columns: dict[Hashable, pd.Series], fields: list[dict[str, Any]], content: bytes
) -> bool:
    """Whether a text column that pandas read as floats (which it does only when every cell
    reads as missing) may hold cells it lost: -2**63, with any sign, zeros or spaces pandas
    reads around it, beside empty cells. Such a table goes to the checked road, which reads its
    text as text."""
    import numpy as np

    return any(
        spec["type"] == "string" and read_columns[spec["name"]].dtype == np.dtype(float)
        for spec in fields
    ) and (_INT64_MIN_DIGITS in content)


def _read_dtypes(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """Text and enumerations are left to pandas' inference (its fastest road for text), dates are
    read as the checked road reads them, the rest as Python strings."""
    return {
        spec["name"]: "str" if spec["type"] == "date" else object
        for spec in fields
        if spec["type"] != "string"
    }


def _convert(column: pd.Series, spec: dict[str, Any], text: Hashable) -> Any:
    enum = spec.get("constraints", {}).get("enum")
    if enum is not None:
        return _enumerated(column, enum, text)
    kind = spec["type"]
    if kind == "string":
        return _text(column)
    if kind == "date":
        return _dates(column)
    if kind == "list":
        return _lists(column, spec.get("delimiter", ","))
    present, cells = _cells(column)
    if kind == "number":
        return _numbers(present, cells)
    if kind == "integer":
        return _integers(present, cells)
    if kind == "boolean":
        return _booleans(present, cells, spec)
    return None


def _is_text(column: pd.Series) -> bool:
    """Whether pandas read every cell of ``column`` as the text it is: inferred as text (or as
    float because every cell is empty), not as numbers or booleans."""
    import numpy as np
    import pandas as pd

    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype):
        return not _holds_empty_text(column)
    if dtype == np.dtype(object):  # pandas that infers text as Python strings
        return pd.api.types.infer_dtype(column, skipna=True) in (
            "string",
            "empty",
        ) and not _holds_empty_text(column)
    return bool(dtype == np.dtype(float) and column.isna().all())


def _holds_empty_text(column: pd.Series) -> bool:
    """Whether an empty cell came through as "" rather than missing: pandas skips
    ``na_values`` in a column it first tried to read as integers and found too large for 64
    bits, so such a column goes to the checked road, which reads an empty cell as missing."""
    return bool((column == "").any())


def _text(column: pd.Series) -> Any:
    import numpy as np
    import pandas as pd

    if not _is_text(column):
        return None
    target = pd.StringDtype()
    arrow = target.storage == "pyarrow"
    if column.dtype == np.dtype(float):  # every cell empty
        if arrow:
            import pyarrow as pa

            return pd.arrays.ArrowStringArray(pa.nulls(len(column), pa.large_string()))
        return pd.array(np.full(len(column), None, dtype=object), dtype=target)
    read = column.array
    if arrow and isinstance(read, pd.arrays.ArrowStringArray):
        # The same Arrow strings, with pd.NA for missing: no copy, no pass over the cells.
        return pd.arrays.ArrowStringArray(read.__arrow_array__())
    return read.astype(target)


def text_settings() -> Hashable:
    """What decides the dtype pandas gives text here (an option may change it at any time): part
    of the key of everything kept that holds a dtype of text, such as an enumeration's."""
    import pandas as pd

    storage = pd.StringDtype().storage
    infers = _infers_text()
    if infers is None:  # a pandas without the flag: ask it, at the price of building an Index
        return pd.Index(["text"]).dtype, storage
    return _inferred_text_dtype(infers(), storage), storage


@functools.cache
def _infers_text() -> Callable[[], bool] | None:
    """pandas' own reading of its option that makes text ``str`` (named ``using_string_dtype``
    since pandas 2.3, ``using_pyarrow_string_dtype`` before), or ``None`` if it has neither:
    asked directly, as ``get_option`` warns that the option is deprecated in pandas 3.1."""
    from pandas import _config

    flag = getattr(_config, "using_string_dtype", None)
    flag = getattr(_config, "using_pyarrow_string_dtype", None) if flag is None else flag
    return flag if callable(flag) else None


@functools.lru_cache(maxsize=8)
def _inferred_text_dtype(infers: bool, storage: str) -> Any:
    """The dtype pandas infers for text under these two settings, found once per pair (building an
    Index takes tens of microseconds: once per table it was a tenth of loading a small one)."""
    import pandas as pd

    return pd.Index(["text"]).dtype


@functools.lru_cache(maxsize=256)
def _enumeration(
    values: tuple[str, ...], text: Hashable
) -> tuple[pd.CategoricalDtype, dict[str, int], type]:
    import numpy as np
    import pandas as pd

    dtype = pd.CategoricalDtype(categories=list(values))
    codes = np.int8 if len(values) < 127 else np.int16 if len(values) < 32767 else np.int32
    return dtype, {value: code for code, value in enumerate(values)}, codes


def _enumerated(column: pd.Series, enum: list[str], text: Hashable) -> Any:
    import numpy as np
    import pandas as pd

    if not enum or not _is_text(column):
        return None
    dtype, code_of, code_type = _enumeration(tuple(enum), text)
    if column.dtype == np.dtype(float):  # every cell empty
        return pd.Categorical.from_codes(
            np.full(len(column), -1, dtype=code_type), dtype=dtype, validate=False
        )
    if isinstance(column.array, pd.arrays.ArrowStringArray):
        return arrow_enumerated(column.array.__arrow_array__(), enum, text)
    found, seen = pd.factorize(column)  # -1 for an empty cell
    try:
        recode: np.ndarray = np.array([code_of[value] for value in seen] + [-1], dtype=code_type)
    except KeyError:  # a value outside the enumeration: the checked road names its row
        return None
    return pd.Categorical.from_codes(recode[found], dtype=dtype, validate=False)


def arrow_enumerated(cells: Any, enum: list[str], text: Hashable) -> Any:
    """Arrow text as categories: each cell's position in ``enum``, found in one pass; ``None``
    for a value outside the enumeration. ``text`` is :func:`text_settings`."""
    import pandas as pd
    import pyarrow.compute as pc

    values = tuple(enum)
    dtype, _, code_type = _enumeration(values, text)
    # An empty cell is found as the last entry, after the values: the positions have no gaps
    lookup = value_set((*values, None), cells.type)
    positions = pc.index_in(cells, value_set=lookup, skip_nulls=False)
    if positions.null_count:  # a value outside the enumeration
        return None
    codes = positions.to_numpy().astype(code_type)
    codes[codes == len(values)] = -1
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


@functools.lru_cache(maxsize=256)
def value_set(values: tuple[str | None, ...], text_type: Any) -> Any:
    """``values`` as an Arrow array of ``text_type``, built once: what Arrow's membership
    searches take."""
    import pyarrow as pa

    return pa.array(values, type=text_type)


@functools.cache
def date_dtype() -> Any:
    """The dtype of a date column on every road: the one pandas' ``to_datetime`` gives dates it
    reads (its unit is pandas' to choose: nanoseconds before pandas 3, microseconds since).
    A column whose every cell is empty gets it too, where ``to_datetime`` would give seconds:
    a table's dtypes do not depend on which cells hold a date."""
    import pandas as pd

    probe = pd.Series(["2000-01-01"], dtype="str")
    return pd.to_datetime(probe, format="%Y-%m-%d").dtype


def _dates(column: pd.Series) -> Any:
    import pandas as pd

    present, cells = _cells(column)
    if not all_match(_DATES, cells):
        return None
    dates = pd.Series(pd.to_datetime(column, format="%Y-%m-%d", errors="coerce"))
    if (present & dates.isna().to_numpy()).any():
        return None
    return dates.astype(date_dtype()).array


def _cells(column: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """Which cells are not empty, and their texts."""
    import pandas as pd

    values = column.to_numpy(dtype=object)
    present = pd.notna(values)
    return present, values[present].tolist()


def all_match(column: re.Pattern[str], cells: list[Any]) -> bool:
    """Whether every cell matches: the joined text does, and no cell holds a newline."""
    if not cells:
        return True
    try:
        joined = "\n".join(cells)
    except TypeError:
        return False
    return joined.count("\n") == len(cells) - 1 and column.fullmatch(joined) is not None


def _filled(present: np.ndarray, values: list[Any], kind: type) -> np.ndarray:
    import numpy as np

    data: np.ndarray = np.zeros(len(present), dtype=kind)
    data[present] = values
    return data


def _numbers(present: np.ndarray, cells: list[Any]) -> Any:
    import numpy as np
    import pandas as pd

    if not all_match(NUMBERS, cells):
        return None
    values = [float(cell) for cell in cells]  # Python's float, as the checked road converts
    if not np.isfinite(values).all():
        return None
    return pd.arrays.FloatingArray(_filled(present, values, np.float64), ~present)


def _integers(present: np.ndarray, cells: list[Any]) -> Any:
    import numpy as np
    import pandas as pd

    if not all_match(INTEGERS, cells):
        return None
    values = [int(cell) for cell in cells]
    return pd.arrays.IntegerArray(_filled(present, values, np.int64), ~present)


def _booleans(present: np.ndarray, cells: list[Any], spec: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd

    truth = dict.fromkeys(spec.get("trueValues", ["true"]), True)
    truth.update(dict.fromkeys(spec.get("falseValues", ["false"]), False))
    if not set(cells) <= truth.keys():
        return None
    values = [truth[cell] for cell in cells]
    return pd.arrays.BooleanArray(_filled(present, values, np.bool_), ~present)


def _lists(column: pd.Series, delimiter: str) -> Any:
    import pandas as pd

    # An empty cell (read as NaN, a float) is an empty list, as in the records, not a missing value.
    cells = column.to_numpy(dtype=object).tolist()
    lists = [cell.split(delimiter) if cell.__class__ is str else [] for cell in cells]
    return pd.Series(lists, index=column.index, dtype=object)
