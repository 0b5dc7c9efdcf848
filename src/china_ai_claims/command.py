"""The ``china-ai-claims`` program's entry point, and the work of its ``validate`` command.

Contributors and CI run ``validate`` more than any other command, often on every commit. With
plain arguments (at most a folder, and ``--format``) it runs here without importing the
command-line framework: typer and rich are a seventh of the instructions of a ``validate`` of
the real data. Every other command line, ``--help`` and every malformed one included, goes to
:mod:`china_ai_claims.cli`, which parses it as it always has. Both ways print the same bytes and
exit with the same code.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TextIO

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # as the command-line framework exits on Ctrl-C

PROGRAM = "china-ai-claims"
OUTPUT_FORMATS = ("text", "json", "github")

# rich, which the full command line prints through, drops these control characters and expands
# tabs: a text that holds one is printed through rich, so that both ways print the same bytes.
# (A report escapes every control character of the data: only a folder's name can hold one.)
_CHANGED_BY_RICH = re.compile("[\a\b\t\v\f\r]")
# Where the full command line would expand the argument first (on Windows it expands ~, $VAR,
# %VAR% and wildcards itself, as a shell would elsewhere).
_EXPANDED_ON_WINDOWS = re.compile(r"[~$%*?\[]")


class UsageFailure(Exception):
    """A problem with the command itself (exit 2): its message is printed after ``error:``."""


def plain_validate_arguments(arguments: list[str]) -> tuple[str | None, str] | None:
    """``(folder or None, output format)`` when ``arguments`` are ``validate`` with at most one
    folder and one valid ``--format``; ``None`` for any other command line, which the full
    command line then parses (and explains, when it is wrong)."""
    if not arguments or arguments[0] != "validate":
        return None
    folder: str | None = None
    output_format: str | None = None
    rest = iter(arguments[1:])
    for argument in rest:
        if argument == "--format" or argument.startswith("--format="):
            value = argument[len("--format=") :] if "=" in argument else next(rest, None)
            if output_format is not None or value not in OUTPUT_FORMATS:
                return None
            output_format = value
        elif argument.startswith("-") or folder is not None:
            return None  # an option, "--", "-" or a second folder
        elif os.name == "nt" and _EXPANDED_ON_WINDOWS.search(argument):
            return None
        else:
            folder = argument
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return None  # a shell asks the framework to complete a word
    return folder, output_format or "text"


def validation_output(data_dir: str | None, output_format: str) -> tuple[str, int]:
    """What ``validate`` prints on stdout, and its exit code: 0 valid, 1 invalid. Raises
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
    return output, EXIT_OK if report.valid else EXIT_INVALID


def error_line(message: str) -> str:
    return f"{PROGRAM}: error: {message}"


def internal_error_line(error: Exception) -> str:
    """A bug, shown as one line instead of a traceback."""
    return f"{PROGRAM}: internal error: {type(error).__name__}: {error}; please report it"


def write(stream: TextIO, text: str) -> None:
    """``text`` on ``stream`` as the full command line prints it (through rich)."""
    if _CHANGED_BY_RICH.search(text) is None:
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


def _validate_plainly(data_dir: str | None, output_format: str) -> int:
    try:
        output, code = validation_output(data_dir, output_format)
    except UsageFailure as failure:
        write(sys.stderr, error_line(str(failure)) + "\n")
        return EXIT_USAGE
    try:
        write(sys.stdout, output)
    except BrokenPipeError:
        # The reader stopped reading (``| head``): as the full command line, exit 1 in silence,
        # with stdout sent nowhere so that Python's last flush finds no broken pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_INVALID
    return code


def main() -> None:
    """Console-script entry point: a bug shows as one line and exit code 2, never a traceback."""
    plain = plain_validate_arguments(sys.argv[1:])
    if plain is None:
        from china_ai_claims.cli import main as run_command_line

        run_command_line()
        return
    try:
        code = _validate_plainly(*plain)
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except Exception as error:
        write(sys.stderr, internal_error_line(error) + "\n")
        code = EXIT_USAGE
    raise SystemExit(code)
