"""The ``china-ai-claims`` command: parses options, calls the library, renders, sets the exit code.

Exit codes: 0 success, 1 the data (or a generated file) is not as it should be, 2 a problem with the
command itself (bad option, missing folder).
"""

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

import typer
from rich.console import Console

from china_ai_claims.command import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    PROGRAM,
    UsageFailure,
    error_line,
    internal_error_line,
    located,
    output_folder,
    process_is_the_command,
    run_release,
    validation_output,
    version_line,
)

if TYPE_CHECKING:
    from china_ai_claims.locating import DataLocation

app = typer.Typer(
    name=PROGRAM,
    help="Validate, release and read the china-ai-claims dataset.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
# No markup, highlighting or emoji codes: data is printed as it is (":warning:" stays text).
console = Console(highlight=False, soft_wrap=True, emoji=False)
error_console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print one line to stderr and exit with ``code``."""
    error_console.print(error_line(message), markup=False)
    raise typer.Exit(code)


def _print_version(value: bool) -> None:
    # Only a literal True (the flag given): a click release that passes another truthy value to
    # an unset flag must never turn a command into "print the version and exit 0".
    if value is True:
        console.print(version_line(), markup=False)
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
    Optional[Path],  # noqa: UP045 - typer reads the annotation at run time
    typer.Option(
        "--root",
        help="Repository root holding dataset/ and schemas/ (default: the checkout around the "
        "current folder).",
        file_okay=False,
        show_default=False,
    ),
]


@app.command()
def schemas(
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if a generated file is stale."),
    ] = False,
    root: RootOption = None,
) -> None:
    """Generate schemas/*.json, dataset/datapackage.json and docs/data-dictionary.md from the
    record models."""
    from china_ai_claims.schema_builder import stale_files, write_contract

    if root is None:
        root = _checkout_root("schemas")
    data_dir, schema_dir, docs_dir = root / "dataset", root / "schemas", root / "docs"
    if not (data_dir / "datapackage.json").is_file():
        fail(f"{data_dir}/datapackage.json not found: run from the repository root or pass --root")
    if not check:
        _writable(data_dir, "schemas")
    if check:
        stale = stale_files(data_dir, schema_dir, docs_dir)
        for path in stale:
            error_console.print(
                f"{path}: stale; run 'china-ai-claims schemas' and commit the result", markup=False
            )
        if stale:
            raise typer.Exit(EXIT_INVALID)
        from china_ai_claims.locating import shown

        where = "this folder" if shown(root) == "." else shown(root)
        console.print(f"generated files are current in {where}", markup=False)
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
        help="Dataset folder (holding datapackage.json); default: dataset/ of the checkout "
        "around the current folder, else the installed one.",
        show_default=False,
    ),
]


def _located(data_dir: str | Path | None) -> "DataLocation":
    """Where the data of a command is (see locating): a usage error when it is no dataset."""
    try:
        return located(data_dir)
    except UsageFailure as failure:
        fail(str(failure), failure.code)


def _writable(data_dir: str | Path | None, what: str) -> Path:
    """The dataset folder a writing command may change (never the installed one)."""
    from china_ai_claims.locating import LocationError, writable_location

    try:
        return writable_location(data_dir, what)
    except LocationError as error:
        fail(str(error))


def _checkout_root(what: str) -> Path:
    from china_ai_claims.locating import find_checkout

    root = find_checkout()
    if root is None:
        fail(f"{what}: not in a checkout (no dataset/datapackage.json here or above): run it in "
             "a clone of the repository, or pass --root")  # fmt: skip
    return root


def _output(given: Path | None, in_checkout: str, option: str) -> Path:
    try:
        return output_folder(given, in_checkout, option)
    except UsageFailure as failure:
        fail(str(failure), failure.code)


def _os_message(error: OSError) -> str:
    """An operating-system error as ``path: reason``, without Python's ``[Errno 2]``."""
    if error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror.lower()}"
    return str(error)


def _say_read(location: "DataLocation", *, machine: bool = False) -> None:
    """Name the data a command read: on stdout, or on stderr when stdout is for machines."""
    (error_console if machine else console).print(f"read {location.label}", markup=False)


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
    # (With plain arguments the program runs this in china_ai_claims.command, without typer.)
    try:
        output, read, code = validation_output(data_dir, output_format.value)
    except UsageFailure as failure:
        fail(str(failure), failure.code)
    console.print(output, end="", markup=False)
    if read:
        error_console.print(read, end="", markup=False)
    raise typer.Exit(code)


@app.command()
def release(
    data_dir: DataDirArgument = None,
    out: Annotated[
        Optional[Path],  # noqa: UP045 - typer reads the annotation at run time
        typer.Option(
            "--out",
            help="Folder to write the release files into, outside the dataset folder (default: "
            "release/ of the checkout).",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Validate, then build the CSV zip, JSON, SQLite (+ Datasette metadata), a Parquet file per
    table, Croissant metadata and SHA256SUMS.

    The same data gives byte-identical files; invalid data is refused and nothing is written.
    """
    # (With plain arguments the program runs this in china_ai_claims.command, without typer.)
    try:
        run_release(
            data_dir,
            out,
            lambda line: console.print(line, markup=False),
            own_process=process_is_the_command(),
        )
    except UsageFailure as failure:
        fail(str(failure), failure.code)


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

    from china_ai_claims.diff import (
        compare,
        names_a_version_or_url,
        open_any,
        render_changelog,
        render_json,
        render_text,
    )
    from china_ai_claims.errors import DataError, ReleaseError
    from china_ai_claims.locating import not_a_dataset, shown

    local = {side: not names_a_version_or_url(side) for side in (old, new)}
    for side in (old, new):
        reason = not_a_dataset(Path(side), side) if local[side] else None
        if reason is not None:
            fail(reason)
    try:
        result = compare(open_any(old), open_any(new))
    except (ReleaseError, DataError) as error:
        fail(str(error), EXIT_INVALID if error.data_invalid else EXIT_USAGE)
    except OSError as error:
        fail(_os_message(error))
    read = [shown(Path(side)) if local[side] else side for side in (old, new)]
    error_console.print(f"compared {read[0]} with {read[1]}", markup=False)
    if output_format is DiffFormat.json:
        console.print(render_json(result), end="", markup=False)
    elif output_format is DiffFormat.changelog:
        day = date or datetime.date.today().isoformat()
        console.print(render_changelog(result, day), end="", markup=False)
    else:
        console.print(render_text(result), end="", markup=False)


DataDirOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer reads the annotation at run time
    typer.Option(
        "--data-dir",
        help="Dataset folder (default: dataset/ of the checkout around the current folder, "
        "else the installed one).",
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
    data_dir: Annotated[
        Optional[Path],  # noqa: UP045 - typer reads the annotation at run time
        typer.Option(
            "--data-dir",
            help="Dataset folder to archive into (default: dataset/ of the checkout around the "
            "current folder; never the installed one).",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Archive a text into sources/ (NFC, LF endings) and describe it in sources.csv."""
    from china_ai_claims.archiving import SourceError, add_source

    if not file.is_file():
        fail(f"{file}: no such file")
    folder = _writable(data_dir, "add-source")
    try:
        target = add_source(
            file,
            source_id=source_id,
            title=title,
            data_dir=folder,
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

    location = _located(data_dir)
    path = location.path / "sources" / f"{source_id}.txt"
    if not path.is_file():
        from china_ai_claims.validators.problems import did_you_mean

        archived = [found.stem for found in (location.path / "sources").glob("*.txt")]
        fail(
            f"no source {source_id!r} in {location.display}/sources"
            f"{did_you_mean(source_id, archived)}"
        )
    if not any(character.isalnum() for character in words):
        fail(f"WORDS {words!r}: give some words of the passage, as you remember them")
    text = path.read_text(encoding="utf-8")
    passages = closest_passages(text, words, limit)
    if not passages:
        _say_read(location, machine=True)
        fail(f"no sentence of {source_id} shares a word with {words!r}", EXIT_INVALID)
    for passage in passages:
        console.print(f"line {passage.line}: {passage.text}", markup=False)
    # on stderr: the passages are for pasting, so they stay the whole of stdout
    _say_read(location, machine=True)


@app.command()
def info(data_dir: DataDirArgument = None) -> None:
    """The version, each table with its row count, and the sources."""
    from china_ai_claims.loading import load_all

    location = _located(data_dir)
    try:
        dataset = load_all(data_dir=location.path)
    except (ValueError, LookupError, OSError) as error:
        _unreadable(location, error)
    console.print(f"china-ai-claims {dataset.version}", markup=False)
    for name, frame in dataset.tables.items():
        rows = "row" if len(frame) == 1 else "rows"
        console.print(f"  {name:<16} {len(frame):>6} {rows}", markup=False)
    console.print("sources:", markup=False)
    for _, source in dataset.sources.iterrows():
        console.print(f"  {source['id']}: {source['title']}", markup=False)
    _say_read(location)


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
    with_key: Annotated[
        bool,
        typer.Option(
            "--with-key",
            help="Add claim_key, and for a claim that others state the same quantity as, "
            "same_key_verdict (agree, conflict, not_compared) and same_key_claims (their ids).",
        ),
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Print a table, or the rows matching --where, fitted to the terminal."""
    from china_ai_claims import terminal
    from china_ai_claims.loading import UnknownTableError, load

    location = _located(data_dir)
    try:
        frame = load(table, data_dir=location.path)
        if with_key:
            frame = terminal.with_related_claims(frame, table)
        frame = terminal.keep_rows(frame, table, where or [])
        frame = terminal.pick_columns(frame, table, columns)
    except (UnknownTableError, terminal.ShowError) as error:
        fail(str(error))
    except (ValueError, LookupError, OSError) as error:
        _unreadable(location, error)
    if limit is not None:
        frame = frame.head(limit)
    if output_format is ShowFormat.csv:
        lines = terminal.csv_lines(frame)
    elif output_format is ShowFormat.json:
        lines = terminal.json_lines(frame)
    else:
        lines = terminal.human_lines(frame, table, terminal.terminal_width())
    terminal.write_lines(lines)
    _say_read(location, machine=output_format is not ShowFormat.table)


def _unreadable(location: "DataLocation", error: Exception) -> NoReturn:
    """Fail for data that cannot be read: exit 1 for a cell or row the data may not hold, 2 for
    anything else (a file that cannot be opened)."""
    from china_ai_claims.errors import VALIDATE_FOR_DETAILS, DataError

    said = _os_message(error) if isinstance(error, OSError) else str(error)
    said = said.removesuffix(VALIDATE_FOR_DETAILS)  # the hint below names the folder
    fail(
        f"{location.label} cannot be read: {said}; 'china-ai-claims validate "
        f"{location.display}' lists every problem",
        EXIT_INVALID if isinstance(error, DataError) else EXIT_USAGE,
    )


@app.command()
def chart(
    data_dir: DataDirArgument = None,
    out: Annotated[
        Optional[Path],  # noqa: UP045 - typer reads the annotation at run time
        typer.Option(
            "--out",
            help="SVG file to write (default: docs/claims.svg of the checkout).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Draw the cost and funding claims with amounts (needs the chart extra: matplotlib)."""
    location = _located(data_dir)
    target = _output(out, "docs/claims.svg", "--out")
    if target.suffix.lower() != ".svg":
        fail(f"--out {target}: the chart is drawn as SVG; name a file ending in .svg")
    try:
        from china_ai_claims.chart import draw

        written = draw(target, location.path)
    except ImportError as error:
        fail(str(error))
    console.print(f"wrote {written}", markup=False)
    _say_read(location)


@app.command()
def browse(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8001,
    data_dir: DataDirArgument = None,
) -> None:
    """Build the SQLite release in a temporary folder and serve it with Datasette on 127.0.0.1
    as the database china-ai-claims (needs the browse extra: datasette). Stop with Ctrl-C."""
    from china_ai_claims.browsing import BrowseError, serve
    from china_ai_claims.release import BuildError

    def announce(message: str) -> None:
        console.print(message, markup=False)

    location = _located(data_dir)
    _say_read(location)
    try:
        code = serve(port, location.path, announce)
    except BrowseError as error:
        fail(str(error))
    except BuildError as error:
        fail(str(error), EXIT_INVALID)
    if code != 0:
        fail(f"datasette stopped with exit code {code}", EXIT_INVALID)


class TextOrJson(str, Enum):
    text = "text"
    json = "json"


TextOrJsonOption = Annotated[
    TextOrJson, typer.Option("--format", help="text for people, json for machines.")
]


@app.command()
def compare(
    data_dir: DataDirArgument = None,
    output_format: TextOrJsonOption = TextOrJson.text,
) -> None:
    """Group the cost and funding claims that state the same quantity and say whether their
    amounts agree or conflict. Exit 0 either way: a conflict between sources is information."""
    from china_ai_claims.comparing import compare_claims, render_json, render_text
    from china_ai_claims.loading import load_all

    location = _located(data_dir)
    try:
        dataset = load_all(data_dir=location.path)
    except (ValueError, LookupError, OSError) as error:
        _unreadable(location, error)
    shown = location.label  # the installed copy's label already names its version
    read = shown if dataset.version in shown else f"{shown} ({dataset.version})"
    groups = compare_claims(dataset.tables)
    if output_format is TextOrJson.json:
        console.print(render_json(groups, read), end="", markup=False)
        error_console.print(f"read {read}", markup=False)  # the document holds it too
    else:  # for a person at a terminal, wrapped to its width; it ends with what it read
        width = console.width if console.is_terminal else None
        console.print(render_text(groups, read, width), end="", markup=False)


@app.command()
def coverage(
    data_dir: DataDirArgument = None,
    output_format: TextOrJsonOption = TextOrJson.text,
) -> None:
    """Per source, the share of sentences the rows cite, and every uncited sentence that writes
    a number or names an entity (with its line) unless coverage-exclusions.csv acknowledges it.

    Exit 0 when nothing is left unacknowledged, 1 otherwise, 2 a problem with the command.
    """
    from china_ai_claims.coverage import CoverageError, render_json, render_text
    from china_ai_claims.coverage import coverage as measure

    location = _located(data_dir)
    try:
        report = measure(location.path)
    except CoverageError as error:
        fail(str(error))
    render = render_json if output_format is TextOrJson.json else render_text
    console.print(render(report), end="", markup=False)
    _say_read(location, machine=output_format is TextOrJson.json)
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
        typer.Option(
            help="Cite this release instead: a published version (0.1.0), or a zip, JSON, "
            "extracted folder or URL."
        ),
    ] = None,
) -> None:
    """Print the citation of the installed version (or of DATA_DIR's, or of --release's)."""
    from china_ai_claims.citation import citation
    from china_ai_claims.diff import names_a_version
    from china_ai_claims.errors import ReleaseError
    from china_ai_claims.opening import open_data

    location = None if release is not None else _located(data_dir)
    try:
        if location is not None:
            package = open_data(location.path)
        elif release is not None and names_a_version(release):
            package = open_data(version=release)  # a published version, from the registry
        else:
            package = open_data(None, release)
    except (OSError, ValueError, ReleaseError) as error:
        fail(str(error))
    console.print(citation(package.descriptor, output_format.value), end="", markup=False)
    # on stderr: the citation is for pasting, so it stays the whole of stdout
    error_console.print(f"read {release if location is None else location.label}", markup=False)


@app.command()
def site(
    data_dir: DataDirArgument = None,
    out: Annotated[
        Optional[Path],  # noqa: UP045 - typer reads the annotation at run time
        typer.Option(
            "--out",
            help="Folder to write the website into (default: site/ of the checkout).",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Validate, then write the claims explorer: a static website of the dataset that works from
    file:// or any web host, with every quote marked in its source (needs the site extra)."""
    from china_ai_claims.validators import UsageError

    location = _located(data_dir)
    target = _output(out, "site", "--out")
    try:
        from china_ai_claims.site import SiteError, build_site

        written = build_site(target, location.path)
    except (UsageError, ImportError) as error:
        fail(str(error))
    except SiteError as error:
        fail(str(error), EXIT_INVALID)
    console.print(
        f"wrote {len(written)} files into {target}; open {target / 'index.html'}", markup=False
    )
    _say_read(location)


def main() -> None:
    """Console-script entry point: a bug shows as one line and exit code 2, never a traceback."""
    try:
        app(standalone_mode=True)
    except Exception as error:
        error_console.print(internal_error_line(error), markup=False)
        raise SystemExit(EXIT_USAGE) from None
