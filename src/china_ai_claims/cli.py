"""The ``china-ai-claims`` command: parses options, calls the library, renders, sets the exit code.

Exit codes: 0 success, 1 the data (or a generated file) is not as it should be, 2 a problem with the
command itself (bad option, missing folder).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer
from rich.console import Console

app = typer.Typer(
    name="china-ai-claims",
    help="Validate, release and read the china-ai-claims dataset.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False, soft_wrap=True)
error_console = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print one line to stderr and exit with ``code``."""
    error_console.print(f"china-ai-claims: error: {message}", markup=False)
    raise typer.Exit(code)


def _print_version(value: bool) -> None:
    if value:
        from china_ai_claims._resources import VERSION

        console.print(f"china-ai-claims {VERSION}", markup=False)
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the dataset version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Validate, release and read the china-ai-claims dataset."""


RootOption = Annotated[
    Path,
    typer.Option(
        "--root",
        help="Repository root holding dataset/ and schemas/ (default: the current folder).",
        file_okay=False,
    ),
]


@app.command()
def schemas(
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if a generated file is stale."),
    ] = False,
    root: RootOption = Path("."),
) -> None:
    """Generate schemas/*.json and dataset/datapackage.json from the record models."""
    from china_ai_claims.schema_builder import stale_files, write_contract

    data_dir, schema_dir = root / "dataset", root / "schemas"
    if not (data_dir / "datapackage.json").is_file():
        fail(f"{data_dir}/datapackage.json not found: run from the repository root or pass --root")
    if check:
        stale = stale_files(data_dir, schema_dir)
        for path in stale:
            error_console.print(
                f"{path}: stale; run 'china-ai-claims schemas' and commit the result", markup=False
            )
        if stale:
            raise typer.Exit(EXIT_INVALID)
        console.print("generated files are current", markup=False)
        return
    for path in write_contract(data_dir, schema_dir):
        console.print(f"wrote {path}", markup=False)


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


DataDirArgument = Annotated[
    Optional[Path],  # noqa: UP045 - typer reads the annotation at run time, on Python 3.10 too
    typer.Argument(
        help="Dataset folder (holding datapackage.json); default: the packaged dataset.",
        show_default=False,
    ),
]


@app.command()
def validate(
    data_dir: DataDirArgument = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", help="text for people, json for machines, github for CI."),
    ] = OutputFormat.text,
) -> None:
    """Check a dataset folder: files, text, types, keys, record rules and provenance.

    Exit 0 valid, 1 invalid data, 2 a problem with the command itself.
    """
    from china_ai_claims.validators import UsageError, render
    from china_ai_claims.validators import validate as run_validation

    try:
        report = run_validation(data_dir)
    except UsageError as error:
        fail(str(error))
    prefix = str(data_dir) if data_dir is not None else "dataset"
    console.print(render(report, output_format.value, prefix), end="", markup=False)
    raise typer.Exit(EXIT_OK if report.valid else EXIT_INVALID)


@app.command()
def release(
    data_dir: DataDirArgument = None,
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder to write the release files into.", file_okay=False),
    ] = Path("release"),
) -> None:
    """Validate, then build the CSV zip, JSON, SQLite (+ Datasette metadata) and SHA256SUMS.

    The same data gives byte-identical files; invalid data is refused and nothing is written.
    """
    from china_ai_claims.release import ReleaseError, build_release
    from china_ai_claims.validators import UsageError

    try:
        written = build_release(out, data_dir)
    except UsageError as error:
        fail(str(error))
    except ReleaseError as error:
        fail(str(error), EXIT_INVALID)
    for path in written:
        console.print(f"wrote {path}", markup=False)


class DiffFormat(str, Enum):
    text = "text"
    json = "json"
    changelog = "changelog"


@app.command()
def diff(
    old: Annotated[
        Path, typer.Argument(help="Old version: dataset folder, zip, JSON or release folder.")
    ],
    new: Annotated[Path, typer.Argument(help="New version, in any of the same forms.")],
    output_format: Annotated[
        DiffFormat,
        typer.Option("--format", help="text, json, or a CHANGELOG entry (changelog)."),
    ] = DiffFormat.text,
    date: Annotated[
        Optional[str],  # noqa: UP045 - typer reads the annotation at run time
        typer.Option(help="Date of the CHANGELOG entry (default: today)."),
    ] = None,
) -> None:
    """List the rows added, removed and changed (by id, with old -> new values) per table."""
    import datetime

    from china_ai_claims.diff import compare, open_any, render_changelog, render_json, render_text
    from china_ai_claims.opening import ChecksumError, ReleaseFormatError

    try:
        result = compare(open_any(old), open_any(new))
    except (OSError, ValueError, ChecksumError, ReleaseFormatError) as error:
        fail(str(error))
    if output_format is DiffFormat.json:
        console.print(render_json(result), end="", markup=False)
    elif output_format is DiffFormat.changelog:
        day = date or datetime.date.today().isoformat()
        console.print(render_changelog(result, day), end="", markup=False)
    else:
        console.print(render_text(result), end="", markup=False)


def main() -> None:
    """Console-script entry point: a bug shows as one line and exit code 2, never a traceback."""
    try:
        app(standalone_mode=True)
    except Exception as error:
        error_console.print(
            f"china-ai-claims: internal error: {type(error).__name__}: {error}; please report it",
            markup=False,
        )
        raise SystemExit(EXIT_USAGE) from None
