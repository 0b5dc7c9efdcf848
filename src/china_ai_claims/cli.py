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
# No markup, highlighting or emoji codes: data is printed as it is (":warning:" stays text).
console = Console(highlight=False, soft_wrap=True, emoji=False)
error_console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

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
    """Generate schemas/*.json, dataset/datapackage.json and docs/data-dictionary.md from the
    record models."""
    from china_ai_claims.schema_builder import stale_files, write_contract

    data_dir, schema_dir, docs_dir = root / "dataset", root / "schemas", root / "docs"
    if not (data_dir / "datapackage.json").is_file():
        fail(f"{data_dir}/datapackage.json not found: run from the repository root or pass --root")
    if check:
        stale = stale_files(data_dir, schema_dir, docs_dir)
        for path in stale:
            error_console.print(
                f"{path}: stale; run 'china-ai-claims schemas' and commit the result", markup=False
            )
        if stale:
            raise typer.Exit(EXIT_INVALID)
        console.print("generated files are current", markup=False)
        return
    for path in write_contract(data_dir, schema_dir, docs_dir):
        console.print(f"wrote {path}", markup=False)


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


DataDirArgument = Annotated[
    # A string, not a Path: Path("") would silently become the current folder.
    Optional[str],  # noqa: UP045 - typer reads the annotation at run time, on Python 3.10 too
    typer.Argument(
        help="Dataset folder (holding datapackage.json); default: the packaged dataset.",
        show_default=False,
    ),
]


def _folder(data_dir: str | None) -> Path | None:
    """The DATA_DIR argument as a path; an empty string is a usage error, not the current folder."""
    if data_dir is None:
        return None
    if data_dir == "":
        fail("DATA_DIR is an empty string")
    return Path(data_dir)


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
        report = run_validation(_folder(data_dir))
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
        written = build_release(out, _folder(data_dir))
    except UsageError as error:
        fail(str(error))
    except ReleaseError as error:
        fail(str(error), EXIT_INVALID)
    except ImportError as error:  # the release extra (pyarrow) is not installed
        fail(str(error))
    for path in written:
        console.print(f"wrote {path}", markup=False)


class DiffFormat(str, Enum):
    text = "text"
    json = "json"
    changelog = "changelog"


@app.command()
def diff(
    old: Annotated[
        str,
        typer.Argument(
            help="Old version: dataset folder, zip, JSON, URL, or a published version (0.1.0)."
        ),
    ],
    new: Annotated[str, typer.Argument(help="New version, in any of the same forms.")],
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
    from china_ai_claims.errors import DataError, ReleaseError

    try:
        result = compare(open_any(old), open_any(new))
    except (ReleaseError, DataError) as error:
        fail(str(error), EXIT_INVALID if error.data_invalid else EXIT_USAGE)
    if output_format is DiffFormat.json:
        console.print(render_json(result), end="", markup=False)
    elif output_format is DiffFormat.changelog:
        day = date or datetime.date.today().isoformat()
        console.print(render_changelog(result, day), end="", markup=False)
    else:
        console.print(render_text(result), end="", markup=False)


def _contributor_data_dir(data_dir: Path | None) -> Path:
    """The dataset folder a contributor means: --data-dir, else ./dataset, else the packaged one."""
    if data_dir is not None:
        return data_dir
    if Path("dataset", "datapackage.json").is_file():
        return Path("dataset")
    from china_ai_claims._resources import dataset_dir

    return dataset_dir()


DataDirOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer reads the annotation at run time
    typer.Option(
        "--data-dir",
        help="Dataset folder (default: ./dataset, else the packaged one).",
        file_okay=False,
    ),
]


@app.command("add-source")
def add_source_command(
    file: Annotated[Path, typer.Argument(help="The text to archive (UTF-8).", dir_okay=False)],
    source_id: Annotated[
        str, typer.Option("--id", help="New source id, e.g. reuters-deepseek-2025.")
    ],
    title: Annotated[str, typer.Option("--title", help="Title of the text.")],
    url: Annotated[Optional[str], typer.Option(help="Where it was published.")] = None,  # noqa: UP045
    publisher: Annotated[Optional[str], typer.Option(help="Who published it.")] = None,  # noqa: UP045
    published: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Publication date, YYYY-MM-DD (lets relative dates be resolved)."),
    ] = None,
    language: Annotated[str, typer.Option(help="BCP 47 language tag.")] = "en",
    data_dir: DataDirOption = None,
) -> None:
    """Archive a text into sources/ (NFC, LF endings) and describe it in sources.csv."""
    from china_ai_claims.archiving import SourceError, add_source

    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        target = add_source(
            file,
            source_id=source_id,
            title=title,
            data_dir=_contributor_data_dir(data_dir),
            url=url,
            publisher=publisher,
            published=published,
            language=language,
        )
    except SourceError as error:
        fail(str(error), EXIT_INVALID)
    console.print(
        f"archived {target}; described in sources.csv; datapackage.json refreshed", markup=False
    )


@app.command()
def quote(
    source_id: Annotated[str, typer.Argument(help="The source to search.")],
    words: Annotated[str, typer.Argument(help="The passage roughly as you remember it.")],
    limit: Annotated[int, typer.Option(help="How many passages to print.", min=1)] = 3,
    data_dir: DataDirOption = None,
) -> None:
    """Print the passages of a source closest to WORDS, exactly as written, with line numbers."""
    from china_ai_claims.passages import closest_passages

    folder = _contributor_data_dir(data_dir)
    path = folder / "sources" / f"{source_id}.txt"
    if not path.is_file():
        fail(f"no source {source_id!r} in {folder}/sources")
    text = path.read_text(encoding="utf-8")
    for passage in closest_passages(text, words, limit):
        console.print(f"line {passage.line}: {passage.text}", markup=False)


@app.command()
def info(data_dir: DataDirArgument = None) -> None:
    """The version, each table with its row count, and the sources."""
    from china_ai_claims.loading import load_all

    dataset = load_all(data_dir=_folder(data_dir))
    console.print(f"china-ai-claims {dataset.version}", markup=False)
    for name, frame in dataset.tables.items():
        console.print(f"  {name:<16} {len(frame):>6} rows", markup=False)
    console.print("sources:", markup=False)
    for _, source in dataset.sources.iterrows():
        console.print(f"  {source['id']}: {source['title']}", markup=False)


class ShowFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def show(
    table: Annotated[str, typer.Argument(help="Table name (see 'china-ai-claims info').")],
    where: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            help="Keep rows whose COLUMN equals VALUE; repeat to combine.", metavar="COLUMN=VALUE"
        ),
    ] = None,
    columns: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Show only these columns, in this order.", metavar="A,B,C"),
    ] = None,
    limit: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(help="Show at most N rows.", metavar="N", min=0),
    ] = None,
    output_format: Annotated[
        ShowFormat,
        typer.Option(
            "--format",
            help="table: fits the terminal (a table, else one record at a time); "
            "csv or json: every column, streamed.",
        ),
    ] = ShowFormat.table,
    data_dir: DataDirOption = None,
) -> None:
    """Print a table, or the rows matching --where, fitted to the terminal."""
    from china_ai_claims import terminal
    from china_ai_claims.loading import UnknownTableError, load

    try:
        frame = load(table, data_dir=data_dir)
        frame = terminal.keep_rows(frame, table, where or [])
        frame = terminal.pick_columns(frame, table, columns)
    except (UnknownTableError, terminal.ShowError) as error:
        fail(str(error))
    if limit is not None:
        frame = frame.head(limit)
    if output_format is ShowFormat.csv:
        lines = terminal.csv_lines(frame)
    elif output_format is ShowFormat.json:
        lines = terminal.json_lines(frame)
    else:
        lines = terminal.human_lines(frame, table, terminal.terminal_width())
    terminal.write_lines(lines)


@app.command()
def chart(
    out: Annotated[Path, typer.Option("--out", help="SVG file to write.")] = Path(
        "docs/claims.svg"
    ),
) -> None:
    """Draw the cost and funding claims with amounts (needs the chart extra: matplotlib)."""
    try:
        from china_ai_claims.chart import draw

        written = draw(out)
    except ImportError as error:
        fail(str(error))
    console.print(f"wrote {written}", markup=False)


@app.command()
def browse(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8001,
    data_dir: DataDirArgument = None,
) -> None:
    """Build the SQLite release in a temporary folder and serve it with Datasette on 127.0.0.1
    as the database china-ai-claims (needs the browse extra: datasette). Stop with Ctrl-C."""
    from china_ai_claims.browsing import BrowseError, serve
    from china_ai_claims.release import ReleaseError

    def announce(message: str) -> None:
        console.print(message, markup=False)

    try:
        code = serve(port, _folder(data_dir), announce)
    except BrowseError as error:
        fail(str(error))
    except ReleaseError as error:
        fail(str(error), EXIT_INVALID)
    if code != 0:
        fail(f"datasette stopped with exit code {code}", EXIT_INVALID)


class CompareFormat(str, Enum):
    text = "text"
    json = "json"


class CoverageFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def compare(
    data_dir: DataDirArgument = None,
    output_format: Annotated[
        CompareFormat, typer.Option("--format", help="text for people, json for machines.")
    ] = CompareFormat.text,
) -> None:
    """Group the cost and funding claims that state the same quantity and say whether their
    amounts agree or conflict. Exit 0 either way: a conflict between sources is information."""
    from china_ai_claims.comparing import compare_claims, render_json, render_text
    from china_ai_claims.loading import DataError, load_all
    from china_ai_claims.opening import ReleaseFormatError

    folder = _folder(data_dir)
    try:
        dataset = load_all(data_dir=folder)
    except (OSError, DataError, ReleaseFormatError) as error:
        fail(f"{error}; run 'china-ai-claims validate' on the folder first")
    read = f"{folder if folder is not None else 'the packaged dataset'} ({dataset.version})"
    render = render_json if output_format is CompareFormat.json else render_text
    console.print(render(compare_claims(dataset.tables), read), end="", markup=False)


@app.command()
def coverage(
    data_dir: DataDirArgument = None,
    output_format: Annotated[
        CoverageFormat,
        typer.Option("--format", help="text for people, json for machines."),
    ] = CoverageFormat.text,
) -> None:
    """Per source, the share of sentences the rows cite, and every uncited sentence that writes
    a number or names an entity (with its line) unless coverage-exclusions.csv acknowledges it.

    Exit 0 when nothing is left unacknowledged, 1 otherwise, 2 a problem with the command.
    """
    from china_ai_claims._resources import dataset_dir
    from china_ai_claims.coverage import CoverageError, render_json, render_text
    from china_ai_claims.coverage import coverage as measure

    folder = _folder(data_dir)
    try:
        report = measure(dataset_dir() if folder is None else folder)
    except CoverageError as error:
        fail(str(error))
    render = render_json if output_format is CoverageFormat.json else render_text
    console.print(render(report), end="", markup=False)
    raise typer.Exit(EXIT_OK if report.empty else EXIT_INVALID)


class CacheAction(str, Enum):
    listing = "list"
    clear = "clear"
    path = "path"


@app.command()
def cache(
    action: Annotated[
        CacheAction,
        typer.Argument(help="list the cached downloads, clear them, or print the cache's path."),
    ] = CacheAction.listing,
) -> None:
    """The cache of downloaded releases ($CHINA_AI_CLAIMS_CACHE, else the user cache folder)."""
    from china_ai_claims import cache as downloads_cache

    if action is CacheAction.path:
        console.print(str(downloads_cache.cache_dir()), markup=False)
    elif action is CacheAction.clear:
        removed = downloads_cache.clear()
        console.print(f"removed {removed} cached downloads", markup=False)
    else:
        found = downloads_cache.entries()
        for entry in found:
            console.print(
                f"{entry.path}  {entry.size} bytes  sha256 {entry.sha256}  {entry.url}",
                markup=False,
            )
        console.print(
            f"{len(found)} cached downloads in {downloads_cache.cache_dir()}", markup=False
        )


class CiteFormat(str, Enum):
    bibtex = "bibtex"
    apa = "apa"
    cff = "cff"


@app.command()
def cite(
    data_dir: DataDirArgument = None,
    output_format: Annotated[
        CiteFormat, typer.Option("--format", help="bibtex, apa, or cff (CITATION.cff).")
    ] = CiteFormat.bibtex,
    release: Annotated[
        Optional[str],  # noqa: UP045 - typer reads the annotation at run time
        typer.Option(help="Cite this release instead (zip, JSON, extracted folder or URL)."),
    ] = None,
) -> None:
    """Print the citation of the installed version (or of DATA_DIR's, or of --release's)."""
    from china_ai_claims.citation import citation
    from china_ai_claims.opening import ChecksumError, ReleaseFormatError, open_data

    try:
        package = open_data(_folder(data_dir), release)
    except (OSError, ValueError, ChecksumError, ReleaseFormatError) as error:
        fail(str(error))
    console.print(citation(package.descriptor, output_format.value), end="", markup=False)


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


@app.command()
def site(
    data_dir: DataDirArgument = None,
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write the website into.", file_okay=False)
    ] = Path("site"),
) -> None:
    """Validate, then write the claims explorer: a static website of the dataset that works from
    file:// or any web host, with every quote marked in its source (needs the site extra)."""
    from china_ai_claims.site import SiteError, build_site
    from china_ai_claims.validators import UsageError

    try:
        written = build_site(out, _folder(data_dir))
    except (UsageError, ImportError) as error:
        fail(str(error))
    except SiteError as error:
        fail(str(error), EXIT_INVALID)
    console.print(f"wrote {len(written)} files into {out}; open {out / 'index.html'}", markup=False)
