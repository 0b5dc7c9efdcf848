"""A table in the terminal: ``china-ai-claims show``.

A person reads a table that fits the terminal, else one record at a time (field: value), with the
columns empty in every shown row left out and no id ever cut. A program reads CSV (the dataset's
dialect) or JSON (ISO dates, whole numbers as integers, as in the JSON release). Rows are written
one by one, so ``| head`` gets its first lines at once, and a closed pipe ends the output quietly.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO, cast

from rich.cells import cell_len

from china_ai_claims.opening import csv_text

if TYPE_CHECKING:
    import pandas as pd

GAP = "  "  # between table columns
FIELD_GAP = "   "  # between fields packed on one line of a record


class ShowError(ValueError):
    """An option names a column the table does not have, or is malformed."""


def keep_rows(frame: pd.DataFrame, table: str, where: Iterable[str]) -> pd.DataFrame:
    """The rows whose COLUMN cell, as the CSV writes it, equals VALUE, for each COLUMN=VALUE."""
    for condition in where:
        column, separator, value = condition.partition("=")
        if not separator or column not in frame.columns:
            raise ShowError(
                f"--where {condition!r}: use COLUMN=VALUE with a column of {table}: "
                f"{', '.join(frame.columns)}"
            )
        allowed = _allowed_values(frame[column])
        if allowed and value not in allowed:
            from china_ai_claims.validators.problems import did_you_mean

            # A value outside the column's allowed values would match nothing: say so instead.
            raise ShowError(
                f"--where {column}={value}: {value!r} is not an allowed value of {column} "
                f"({', '.join(allowed)}){did_you_mean(value, allowed)}"
            )
        value = _as_csv_writes_it(frame[column], column, value)
        frame = frame[[csv_text(cell) == value for cell in frame[column]]]
    return frame


def _as_csv_writes_it(column: pd.Series, name: str, value: str) -> str:
    """``value`` as the CSV writes a cell of a number, date or true/false column (6e6 is
    6000000), or a :class:`ShowError` when no cell of the column could ever be ``value``:
    filtering a number column by a word would silently show no row at all."""
    import datetime

    import pandas as pd

    if value == "":
        return value  # the rows where the cell is empty
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        if value not in ("true", "false"):
            raise ShowError(f"--where {name}={value}: {name} is true or false")
    elif pd.api.types.is_numeric_dtype(dtype):
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if number != number or number in (float("inf"), float("-inf")):
            raise ShowError(f"--where {name}={value}: {name} holds numbers, such as 6000000 or 1.5")
        return csv_text(number)
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            raise ShowError(
                f"--where {name}={value}: {name} holds dates, written as 2025-03-31"
            ) from None
    return value


def _allowed_values(column: pd.Series) -> list[str]:
    """The allowed values of an enumerated column (``load`` types it as a category holding every
    allowed value), else nothing."""
    import pandas as pd

    if isinstance(column.dtype, pd.CategoricalDtype):
        return [str(value) for value in column.dtype.categories]
    return []


def with_related_claims(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """``frame`` (the whole of a claim table) with its ``claim_key`` and, for each claim that
    others state the same quantity as, whether they agree and which they are."""
    import pandas as pd

    from china_ai_claims.comparing import CLAIM_TABLES, claim_groups, with_claim_keys

    if table not in CLAIM_TABLES:
        raise ShowError(f"--with-key: claim keys are defined for {', '.join(CLAIM_TABLES)}")
    groups = claim_groups({table: frame})
    found = [groups.get((table, row_id)) for row_id in frame["id"]]
    verdicts = [None if group is None else group.verdict for group in found]
    others = [
        None if group is None else "|".join(other.id for other in group.others(row_id))
        for row_id, group in zip(frame["id"], found, strict=True)
    ]
    keyed: pd.DataFrame = with_claim_keys(table, frame).assign(
        same_key_verdict=pd.array(verdicts, dtype="string"),
        same_key_claims=pd.array(others, dtype="string"),
    )
    return keyed


def pick_columns(frame: pd.DataFrame, table: str, columns: str | None) -> pd.DataFrame:
    """The columns named in a comma-separated list, in its order; all when ``columns`` is None."""
    if columns is None:
        return frame
    names = [name.strip() for name in columns.split(",") if name.strip()]
    unknown = [name for name in names if name not in frame.columns]
    if unknown or not names:
        raise ShowError(
            f"--columns {columns!r}: unknown {', '.join(unknown) or 'list'}; "
            f"columns of {table}: {', '.join(frame.columns)}"
        )
    return cast("pd.DataFrame", frame[names])


def csv_lines(frame: pd.DataFrame) -> Iterator[str]:
    """The header and each row in the dataset's CSV dialect, one line at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    yield buffer.getvalue()
    for row in frame.itertuples(index=False):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_text(cell) for cell in row])
        yield buffer.getvalue()


def json_value(value: Any) -> Any:
    """A cell as JSON: null for missing, ISO dates, whole numbers as integers, lists as lists."""
    if isinstance(value, list):
        return value
    text = csv_text(value)
    if text == "":
        return None
    if hasattr(value, "isoformat"):
        return text
    if isinstance(value, bool) or type(value).__name__ in ("bool", "bool_"):
        return bool(value)
    if isinstance(value, int) or type(value).__name__.startswith("int"):
        return int(value)
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        number = float(value)
        return int(number) if number.is_integer() else number
    return text


def json_lines(frame: pd.DataFrame) -> Iterator[str]:
    """A JSON array of records, one record a line."""
    names = [str(name) for name in frame.columns]
    yield "["
    for index, row in enumerate(frame.itertuples(index=False)):
        record = {name: json_value(cell) for name, cell in zip(names, row, strict=True)}
        separator = "\n  " if index == 0 else ",\n  "
        yield separator + json.dumps(record, ensure_ascii=False)
    yield "\n]\n"


def _cells(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Column names and cell texts, without the columns empty in every row."""
    rows = [[csv_text(cell) for cell in row] for row in frame.itertuples(index=False)]
    kept = [i for i in range(len(frame.columns)) if any(row[i] for row in rows)]
    return [str(frame.columns[i]) for i in kept], [[row[i] for i in kept] for row in rows]


def _table_lines(title: str, names: list[str], rows: list[list[str]]) -> Iterator[str]:
    widths = [max([cell_len(name), *(cell_len(row[i]) for row in rows)]) for i, name in
              enumerate(names)]  # fmt: skip

    def line(cells: list[str]) -> str:
        padded = (
            cell + " " * (width - cell_len(cell)) for cell, width in zip(cells, widths, strict=True)
        )
        return GAP.join(padded).rstrip() + "\n"

    yield f"{title}\n"
    yield line(names)
    yield line(["─" * width for width in widths])
    for row in rows:
        yield line(row)


def _record_lines(title: str, names: list[str], rows: list[list[str]], width: int) -> Iterator[str]:
    """Each record under a rule naming it; short fields packed side by side, long ones wrapped
    with a hanging indent. Words are never cut, so ids and URLs stay whole."""
    wrapper = textwrap.TextWrapper(
        width=max(width, 20), subsequent_indent="  ", break_long_words=False,
        break_on_hyphens=False,
    )  # fmt: skip
    yield f"{title}\n"
    for number, row in enumerate(rows, 1):
        named = row[0] if names[0] == "id" else f"{names[0]}: {row[0]}"
        yield f"\n── {number} of {len(rows)}: {named}\n"
        packed = ""
        for name, cell in zip(names[1:], row[1:], strict=True):
            if not cell:
                continue
            item = f"{name}: {cell}"
            if cell_len(item) > width:
                if packed:
                    yield packed + "\n"
                    packed = ""
                yield from (f"{line}\n" for line in wrapper.wrap(item))
            elif packed and cell_len(packed) + len(FIELD_GAP) + cell_len(item) <= width:
                packed += FIELD_GAP + item
            else:
                if packed:
                    yield packed + "\n"
                packed = item
        if packed:
            yield packed + "\n"


def human_lines(frame: pd.DataFrame, table: str, width: int) -> Iterator[str]:
    """A table when every shown column fits in ``width``, else one record at a time."""
    names, rows = _cells(frame)
    title = f"{table} ({len(rows)} row{'' if len(rows) == 1 else 's'})"
    if not names:
        yield f"{title}\n"
        return
    needed = sum(max([cell_len(n), *(cell_len(r[i]) for r in rows)]) for i, n in enumerate(names))
    if needed + len(GAP) * (len(names) - 1) <= width:
        yield from _table_lines(title, names, rows)
    else:
        yield from _record_lines(title, names, rows, width)


def terminal_width() -> int:
    """The terminal's width in columns ($COLUMNS, else the terminal's, else 80)."""
    return shutil.get_terminal_size((80, 24)).columns


def write_lines(lines: Iterable[str], stream: TextIO | None = None) -> None:
    """Write and flush line by line; a reader that closes the pipe (``| head``) ends it quietly."""
    out = sys.stdout if stream is None else stream
    try:
        for line in lines:
            out.write(line)
            out.flush()
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, out.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):
            pass
