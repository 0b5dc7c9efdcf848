"""The result of a validation run, and its three renderings: text, JSON, GitHub annotations."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from china_ai_claims.validators.problems import Problem

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("text", "json", "github")


@dataclass(frozen=True)
class Report:
    """Every problem found in one dataset folder, sorted by file and line.

    ``warnings`` are hints from the quotes' words (see ``validators.hints``): shown in every
    format, never part of ``valid``; ``explained`` counts those a row's note explains.
    """

    errors: list[Problem]
    tables: int = 0
    rows: int = 0
    sources: int = 0
    warnings: list[Problem] = field(default_factory=list)
    explained: int = 0

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        """Number of problems per rule code, most frequent first."""
        return dict(Counter(error.rule for error in self.errors).most_common())

    def to_frame(self) -> pd.DataFrame:
        """The problems as a DataFrame: one row each, columns file, line, column, rule, layer,
        value, message, hint."""
        import pandas as pd

        columns = ["file", "line", "column", "rule", "layer", "value", "message", "hint"]
        frame = pd.DataFrame([error.as_dict() for error in self.errors], columns=columns)
        dtypes = dict.fromkeys(columns, "string")
        dtypes["line"] = "Int64"
        typed: pd.DataFrame = frame.astype(dtypes)
        return typed

    def summary(self) -> str:
        checked = (
            f"{self.rows} rows in {self.tables} tables, {self.sources} source"
            f"{'' if self.sources == 1 else 's'}"
        )
        if self.warnings or self.explained:
            checked += (
                f"; {len(self.warnings)} warning{'' if len(self.warnings) == 1 else 's'}"
                f" ({self.explained} more explained in notes)"
            )
        if self.valid:
            return f"valid: {checked}"
        by_rule = ", ".join(f"{rule}: {count}" for rule, count in self.counts.items())
        files = len({error.file for error in self.errors})
        plural = "" if len(self.errors) == 1 else "s"
        return (
            f"invalid: {len(self.errors)} problem{plural} in {files} file"
            f"{'' if files == 1 else 's'} ({by_rule}); checked {checked}"
        )

    def refusal(self) -> str:
        """Why a command that builds from the data (release, site) refuses invalid data."""
        return (
            f"the data is invalid; fix it first ({self.summary()}); "
            "'china-ai-claims validate' lists every problem"
        )


def _under(prefix: str, file: str) -> str:
    """``file`` (relative to the dataset folder) as seen from where ``prefix`` is relative to."""
    return f"{prefix.rstrip('/')}/{file}" if prefix not in ("", ".") else file


def _summary(report: Report, read: str) -> str:
    return f"{report.summary()} in {read}" if read else report.summary()


def render_text(report: Report, prefix: str = "", read: str = "") -> str:
    """One line per problem, ``path:line: rule [column] message (value) hint``, then the
    summary. ``prefix`` is the dataset folder as the user typed it (so that terminals and
    editors open ``dataset/cost_claims.csv:3``); ``read`` names the data in the summary."""
    lines = []
    for error in [*report.errors, *report.warnings]:
        path = _under(prefix, error.file)
        where = f"{path}:{error.line}" if error.line else path
        column = f" [{error.column}]" if error.column else ""
        value = f' (value: "{error.value}")' if error.value is not None else ""
        severity = "warning: " if error.severity == "warning" else ""
        lines.append(
            f"{where}: {severity}{error.rule}{column} {error.message}{value} hint: {error.hint}"
        )
    lines.append(_summary(report, read))
    return "\n".join(lines) + "\n"


def render_json(report: Report, read: str = "") -> str:
    document: dict[str, object] = {
        "valid": report.valid,
        "summary": report.summary(),
        "counts": report.counts,
        "checked": {"tables": report.tables, "rows": report.rows, "sources": report.sources},
        "errors": [error.as_dict() for error in report.errors],
        "warnings": [warning.as_dict() for warning in report.warnings],
        "explained_warnings": report.explained,
    }
    if read:
        document["read"] = read
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report, prefix: str, read: str = "") -> str:
    """Workflow commands that annotate the pull request's files; ``prefix`` is the dataset folder
    as seen from the repository root (e.g. ``dataset``)."""
    lines = []
    for error in [*report.errors, *report.warnings]:
        path = _under(prefix, error.file)
        properties = [f"file={_escape_property(path)}"]
        if error.line:
            properties.append(f"line={error.line}")
        title = error.rule + (f" [{error.column}]" if error.column else "")
        properties.append(f"title={_escape_property(title)}")
        value = f' (value: "{error.value}")' if error.value is not None else ""
        body = _escape_data(f"{error.message}{value} hint: {error.hint}")
        lines.append(f"::{error.severity} {','.join(properties)}::{body}")
    lines.append(_escape_data(_summary(report, read)))
    return "\n".join(lines) + "\n"


def render(report: Report, fmt: str, prefix: str | None = None, read: str = "") -> str:
    """The report in ``fmt``. ``prefix``: the dataset folder as typed, put before each file
    (GitHub annotations default to ``dataset``, the folder as seen from the repository root);
    ``read``: what was read, named in the summary (e.g. ``dataset/ (checkout)``)."""
    if fmt == "json":
        return render_json(report, read)
    if fmt == "github":
        return render_github(report, "dataset" if prefix is None else prefix, read)
    return render_text(report, prefix or "", read)
