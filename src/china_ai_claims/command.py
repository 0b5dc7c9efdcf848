"""The ``china-ai-claims`` program's entry point, and the work of ``validate`` and ``release``.

Contributors and CI run ``validate`` more than any other command, often on every commit, and
``release`` validates first. With plain arguments (at most a folder, and ``--format`` or
``--out``) they run here without importing the command-line framework: typer and rich are a
seventh of the instructions of a ``validate`` of the real data. So does ``--version`` alone.
Every other command line, ``--help`` and every malformed one included, goes to
:mod:`china_ai_claims.cli`, which parses it as it always has. Both ways print the same bytes and
exit with the same code.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from china_ai_claims.locating import DataLocation

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # as the command-line framework exits on Ctrl-C

PROGRAM = "china-ai-claims"
ENTRY_MODULES = ("china_ai_claims.command", "china_ai_claims.cli")  # whose main a script runs
OUTPUT_FORMATS = ("text", "json", "github")

# rich, which the full command line prints through, drops these control characters and expands
# tabs: a text that holds one is printed through rich, so that both ways print the same bytes.
# (A report escapes every control character of the data: only a folder's name can hold one.)
_CHANGED_BY_RICH = re.compile("[\a\b\t\v\f\r]")
# Where the full command line would expand the argument first (on Windows it expands ~, $VAR,
# %VAR% and wildcards itself, as a shell would elsewhere).
_EXPANDED_ON_WINDOWS = re.compile(r"[~$%*?\[]")


class UsageFailure(Exception):
    """A command that cannot do its work: its message is printed after ``error:``, and it exits
    with ``code`` (2, a problem with the command itself, unless said otherwise)."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def plain_validate_arguments(arguments: list[str]) -> tuple[str | None, str] | None:
    """``(folder or None, output format)`` when ``arguments`` are ``validate`` with at most one
    folder and one valid ``--format``; ``None`` for any other command line, which the full
    command line then parses (and explains, when it is wrong)."""
    plain = _plain_arguments(arguments, "validate", "--format")
    if plain is None:
        return None
    folder, output_format = plain
    if output_format is not None and output_format not in OUTPUT_FORMATS:
        return None
    return folder, output_format or "text"


def plain_release_arguments(arguments: list[str]) -> tuple[str | None, Path | None] | None:
    """``(folder or None, --out or None)`` when ``arguments`` are ``release`` with at most one
    folder and one ``--out`` naming no file; ``None`` for any other command line."""
    plain = _plain_arguments(arguments, "release", "--out")
    if plain is None:
        return None
    folder, out = plain
    if out is not None and (out == "" or os.path.isfile(out)):
        return None  # the full command line explains (--out takes a folder)
    return folder, None if out is None else Path(out)


def _plain_arguments(
    arguments: list[str], command: str, option: str
) -> tuple[str | None, str | None] | None:
    """``(folder, the option's value)``, each ``None`` when not given, when ``arguments`` are
    ``command`` with at most one folder and one ``option`` (as ``OPTION VALUE`` or
    ``OPTION=VALUE``)."""
    if not arguments or arguments[0] != command:
        return None
    folder: str | None = None
    value: str | None = None
    rest = iter(arguments[1:])
    for argument in rest:
        if argument == option or argument.startswith(f"{option}="):
            given = argument[len(option) + 1 :] if "=" in argument else next(rest, None)
            if value is not None or given is None or given.startswith("-"):
                return None
            value = given
        elif argument.startswith("-") or folder is not None:
            return None  # another option, "--", "-" or a second folder
        elif os.name == "nt" and _EXPANDED_ON_WINDOWS.search(argument):
            return None
        else:
            folder = argument
    if value is not None and os.name == "nt" and _EXPANDED_ON_WINDOWS.search(value):
        return None
    if _completing():
        return None
    return folder, value


def _completing() -> bool:
    """Whether a shell asks the command-line framework to complete a word."""
    return any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ)


def validation_output(data_dir: str | None, output_format: str) -> tuple[str, str, int]:
    """What ``validate`` prints on stdout, on stderr (what it read, for JSON, whose document
    also holds it: the other formats end with it) and its exit code: 0 valid, 1 invalid. Raises
    :class:`UsageFailure` when ``data_dir`` is no dataset folder."""
    from china_ai_claims.locating import LocationError, is_release, locate
    from china_ai_claims.validators import UsageError, render, validate

    if data_dir and is_release(Path(data_dir)):
        raise UsageFailure(
            f"{data_dir} is a release, and validate checks a dataset folder (a checkout's "
            "dataset/): check a release with 'sha256sum -c SHA256SUMS' in its folder; loading "
            "it (load(..., release=FILE), 'china-ai-claims diff FILE dataset') verifies every "
            "hash before use"
        )
    try:
        location = locate(data_dir)
        report = validate(location.path)
    except (LocationError, UsageError) as error:
        raise UsageFailure(str(error)) from None
    output = render(report, output_format, location.display, location.label)
    read = f"read {location.label}\n" if output_format == "json" else ""
    return output, read, EXIT_OK if report.valid else EXIT_INVALID


def located(data_dir: str | Path | None) -> DataLocation:
    """Where the data of a command is (see :mod:`china_ai_claims.locating`); raises
    :class:`UsageFailure` when it is no dataset."""
    from china_ai_claims.locating import LocationError, locate, not_a_dataset

    try:
        location = locate(data_dir)
    except LocationError as error:
        raise UsageFailure(str(error)) from None
    reason = not_a_dataset(location.path, location.display if data_dir is None else str(data_dir))
    if reason is not None:
        raise UsageFailure(reason)
    return location


def output_folder(given: Path | None, in_checkout: str, option: str) -> Path:
    """The folder a command writes into: ``given``, else ``in_checkout`` of the checkout."""
    from china_ai_claims.locating import LocationError, default_output

    try:
        return default_output(given, in_checkout, option)
    except LocationError as error:
        raise UsageFailure(str(error)) from None


def run_release(
    data_dir: str | None, out: Path | None, say: Callable[[str], None], *, own_process: bool
) -> None:
    """Validate, then build the release of ``data_dir`` into ``out``, telling ``say`` which data
    it read and each file it wrote. ``own_process``: the process runs this command and ends
    with it, so pyarrow is imported without NumPy. Raises :class:`UsageFailure` (exit 1 for
    invalid data)."""
    from china_ai_claims.parquet_release import (
        import_pyarrow_without_numpy,
        system_allocator_preferred,
    )
    from china_ai_claims.release import BuildError, OutputInsideDataError, build_release
    from china_ai_claims.validators import UsageError

    location = located(data_dir)
    target = output_folder(out, "release", "--out")
    say(f"read {location.label}")
    try:
        # The command builds the release and nothing else; run as a program, its process ends.
        with system_allocator_preferred():
            if own_process:
                import_pyarrow_without_numpy()
            written = build_release(target, location.path)
    except (UsageError, OutputInsideDataError) as error:
        raise UsageFailure(str(error)) from None
    except BuildError as error:
        raise UsageFailure(str(error), EXIT_INVALID) from None
    except ImportError as error:  # the release extra (pyarrow) is not installed
        raise UsageFailure(str(error)) from None
    for path in written:
        say(f"wrote {path}")


def process_is_the_command() -> bool:
    """Whether the process runs the command line as its program, and so ends with the command:
    ``python -m china_ai_claims``, or the console script installers write, which imports ``main``
    (this module's, or :mod:`china_ai_claims.cli`'s in an older install) into a file named for
    the command (on Windows, a ``-script.py`` file or a ``__main__.py`` inside the launcher
    ``china-ai-claims.exe``). Never a process that calls ``main`` or ``app`` among other work: a
    notebook, a test runner, a script of the user's."""
    program = sys.modules.get("__main__")
    spec = getattr(program, "__spec__", None)
    if spec is not None and spec.name == "china_ai_claims.__main__":
        return True
    entry = getattr(program, "main", None)
    if getattr(entry, "__module__", None) not in ENTRY_MODULES or (
        getattr(entry, "__name__", None) != "main"
    ):
        return False
    script = PurePath(getattr(program, "__file__", None) or "")
    return script.name in {PROGRAM, f"{PROGRAM}-script.py"} or (
        script.name == "__main__.py" and script.parent.name.lower() == f"{PROGRAM}.exe"
    )


def error_line(message: str) -> str:
    return f"{PROGRAM}: error: {message}"


def internal_error_line(error: Exception) -> str:
    """A bug, shown as one line instead of a traceback."""
    return f"{PROGRAM}: internal error: {type(error).__name__}: {error}; please report it"


def write(stream: TextIO | None, text: str) -> None:
    """``text`` on ``stream`` as the full command line prints it (through rich). A stream the
    process was started without (``>&-``: Python's ``sys.stdout`` is then ``None``) gets
    nothing, as rich writes it nothing."""
    if stream is None:
        return
    if _CHANGED_BY_RICH.search(text) is None and not _no_columns():
        try:
            stream.write(text)
        except UnicodeEncodeError:
            pass  # rich raises the same error, with its advice on the encoding
        else:
            stream.flush()
            return
    from rich.console import Console

    Console(file=stream, highlight=False, soft_wrap=True, emoji=False).print(
        text, end="", markup=False
    )


def _no_columns() -> bool:
    """Whether ``COLUMNS`` says the terminal is 0 characters wide, where rich prints nothing."""
    try:
        return int(os.environ.get("COLUMNS", "")) == 0
    except ValueError:
        return False


def _validate_plainly(data_dir: str | None, output_format: str) -> int:
    output, read, code = validation_output(data_dir, output_format)
    write(sys.stdout, output)
    if read:
        write(sys.stderr, read)
    return code


def _release_plainly(data_dir: str | None, out: Path | None) -> int:
    run_release(
        data_dir,
        out,
        lambda line: write(sys.stdout, line + "\n"),
        own_process=process_is_the_command(),
    )
    return EXIT_OK


def version_line() -> str:
    from china_ai_claims._resources import VERSION

    return f"{PROGRAM} {VERSION}"


def _version_plainly() -> int:
    write(sys.stdout, version_line() + "\n")
    return EXIT_OK


def _plainly(arguments: list[str]) -> Callable[[], int] | None:
    """The command that ``arguments`` ask for, run without the full command line, or ``None``."""
    if arguments == ["--version"] and not _completing():
        return _version_plainly
    validating = plain_validate_arguments(arguments)
    if validating is not None:
        return lambda: _validate_plainly(*validating)
    releasing = plain_release_arguments(arguments)
    if releasing is not None:
        return lambda: _release_plainly(*releasing)
    return None


def main() -> None:
    """Console-script entry point: a bug shows as one line and exit code 2, never a traceback."""
    run = _plainly(sys.argv[1:])
    if run is None:
        from china_ai_claims.cli import main as run_command_line

        run_command_line()
        return
    try:
        code = run()
    except UsageFailure as failure:
        write(sys.stderr, error_line(str(failure)) + "\n")
        code = failure.code
    except BrokenPipeError:
        # The reader stopped reading (``| head``): as the full command line, exit 1 in silence,
        # with stdout sent nowhere so that Python's last flush finds no broken pipe.
        if sys.stdout is not None:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = EXIT_INVALID
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except Exception as error:
        write(sys.stderr, internal_error_line(error) + "\n")
        code = EXIT_USAGE
    raise SystemExit(code)
