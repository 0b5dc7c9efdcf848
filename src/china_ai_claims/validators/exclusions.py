"""The reviewed list of sentences left out on purpose (``coverage-exclusions.csv``).

The file is optional. When it is there it is data like the tables: its bytes and text are checked
the same way, its header is fixed, and each row names an archived source, a sentence that stands
in that source's text exactly as written, and the reason it is left out. An exclusion that no
longer matches its source would silently stop acknowledging anything, so it is an error.
"""

from __future__ import annotations

import csv

from china_ai_claims._resources import EXCLUSION_COLUMNS, EXCLUSIONS_FILE
from china_ai_claims.validators.files import Context, read_file
from china_ai_claims.validators.problems import MAX_SUGGESTIONS, did_you_mean, escape
from china_ai_claims.validators.text import cell_problems, decoded_lines, without_crlf

HEADER = list(EXCLUSION_COLUMNS)


def check_exclusions(
    context: Context, texts: dict[str, bytes], listed: set[str] | None = None
) -> None:
    """Report every problem of ``coverage-exclusions.csv``. ``listed`` are the source ids of
    ``sources.csv`` (``None`` when it could not be read), ``texts`` the archived texts that were
    read: a sentence of a listed source whose text is unreadable is not judged, since that
    source's own problem is reported already."""
    data = read_file(context, EXCLUSIONS_FILE, required=False)
    if data is None:
        return
    data = without_crlf(context, EXCLUSIONS_FILE, data)
    reader = csv.reader(decoded_lines(context, EXCLUSIONS_FILE, data))
    try:
        header = next(reader, None)
        if header != HEADER:
            context.add(
                EXCLUSIONS_FILE,
                1,
                "incorrect-label",
                f"the header must be {','.join(HEADER)}",
                value=escape(",".join(header or [])),
            )
            return
        decoded: dict[str, str] = {}
        known = set(texts) if listed is None else listed
        seen: dict[tuple[str, ...], int] = {}
        suggestions = [MAX_SUGGESTIONS]
        line = reader.line_num + 1  # where the row starts (a quoted cell may span lines)
        for row in reader:
            _check_row(context, line, row, known, texts, decoded, suggestions)
            entry = tuple(row[:2])  # a source and a sentence
            if len(row) == len(HEADER) and all(entry) and entry in seen:
                context.add(
                    EXCLUSIONS_FILE,
                    line,
                    "duplicate-row",
                    f"the sentence is left out already, on line {seen[entry]}",
                    "sentence",
                )
            seen.setdefault(entry, line)
            line = reader.line_num + 1
    except csv.Error as error:
        context.add(EXCLUSIONS_FILE, reader.line_num, "format-error", f"not valid CSV: {error}")


def _check_row(
    context: Context,
    line: int,
    row: list[str],
    known: set[str],
    texts: dict[str, bytes],
    decoded: dict[str, str],
    suggestions: list[int],
) -> None:
    if len(row) != len(HEADER):
        rule = "missing-cell" if len(row) < len(HEADER) else "extra-cell"
        context.add(
            EXCLUSIONS_FILE, line, rule, f"the row has {len(row)} cells, the header {len(HEADER)}"
        )
        return
    source_id, sentence, reason = row
    for column, value in zip(HEADER, row, strict=True):
        if not value.strip():
            context.add(
                EXCLUSIONS_FILE, line, "constraint-error", "the cell is empty but required", column
            )
        # the tables' text rules; a reason, like a note, may run over lines, and a sentence holds
        # what its source holds, which may be a tab
        checked = value.replace("\t", " ") if column == "sentence" else value
        for rule, message in cell_problems(checked, multiline=column == "reason"):
            context.add(EXCLUSIONS_FILE, line, rule, message, column, value)
    if not source_id.strip() or not sentence.strip() or not reason.strip():
        return
    if source_id not in known:
        # each suggestion compares the id with every source's: bounded, as for the tables' keys
        suggestions[0] -= 1
        suggestion = did_you_mean(source_id, known) if suggestions[0] >= 0 else ""
        context.add(
            EXCLUSIONS_FILE,
            line,
            "foreign-key",
            f"no archived source {source_id!r}{suggestion}",
            "source_id",
            escape(source_id),
        )
        return
    if source_id not in texts:
        return
    if source_id not in decoded:
        decoded[source_id] = texts[source_id].decode("utf-8", errors="replace")
    if sentence not in decoded[source_id]:
        context.add(
            EXCLUSIONS_FILE,
            line,
            "quote-not-in-source",
            f"the sentence is not in source {source_id} as written: copy it exactly "
            "('china-ai-claims coverage' prints each uncited sentence as it stands)",
            "sentence",
            escape(sentence),
        )
