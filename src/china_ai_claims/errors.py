"""The errors of opening and loading the data: one :class:`ReleaseError` family.

Every failure to open a release (a file, a folder, a URL or a published version) raises a subclass
of :class:`ReleaseError`, whatever the bytes were; no exception of the libraries underneath
(``zipfile``, ``json``, ``csv``, ``http.client``, pandas) escapes. Each class says whether the
data was at fault (``data_invalid``: the CLI exits 1) or the request (exit 2).

Standard library only, imported by nothing heavy: ``import china_ai_claims`` stays light.
"""

from __future__ import annotations

# The end of a loading error's message: the validator says what is wrong, and where, in full.
VALIDATE_FOR_DETAILS = "; run 'china-ai-claims validate' for details"


def escaped(character: str) -> str:
    """``character`` as Python writes it in a string: ``\\uXXXX``, or ``\\UXXXXXXXX`` beyond
    U+FFFF (``\\u1d173`` would read as U+1D17 and a 3)."""
    point = ord(character)
    return f"\\u{point:04x}" if point <= 0xFFFF else f"\\U{point:08x}"


def printable(text: str) -> str:
    """``text`` with each non-printable character (newline, escape, bidi control...) written as
    ``\\uXXXX``: a hostile name in a message stays on one line and cannot steer a terminal."""
    if text.isprintable():
        return text
    return "".join(map(_printed, text))


def _printed(character: str) -> str:
    return character if character.isprintable() else escaped(character)


# The most characters of a message an error shows: a name read from a hostile file may be megabytes
# long, and a message's start (where) and end (what is wrong) are what a reader needs.
SHOWN_MESSAGE_CHARS = 1_000
_LEFT_OUT = "…[{:,} characters left out]…"
_LEFT_OUT_ROOM = len(_LEFT_OUT.format(10**15))


def shown_message(text: str, most: int = SHOWN_MESSAGE_CHARS) -> str:
    """``text`` as one line of printable characters (see :func:`printable`) of at most ``most``
    characters: when longer, its start and its end, with how many characters of ``text`` were
    left out between them. An escape is never cut in two."""
    if len(text) <= most:
        whole = printable(text)
        if len(whole) <= most:
            return whole
    room = (most - _LEFT_OUT_ROOM) // 2
    head = _fitting(text[:room], room)
    tail = _fitting(text[::-1][:room], room)
    left_out = len(text) - len(head) - len(tail)
    return "".join(head) + _LEFT_OUT.format(left_out) + "".join(reversed(tail))


def _fitting(characters: str, room: int) -> list[str]:
    """The first of ``characters``, each as :func:`printable` writes it, that fit in ``room``."""
    taken: list[str] = []
    for character in characters:
        written = _printed(character)
        room -= len(written)
        if room < 0:
            break
        taken.append(written)
    return taken


class _OneLine(Exception):
    """An exception whose message is printed as one short line of printable characters."""

    def __str__(self) -> str:
        return shown_message(super().__str__())


class DataError(_OneLine, ValueError):
    """A table's file does not match its schema (run ``china-ai-claims validate``).

    ``row`` is the row of the bad cell, the header being row 1 (after a cell of several lines it
    is smaller than the line the validator names); ``line`` is set instead for a byte that no
    file of the dataset holds, which is found before the file is read as rows.
    """

    data_invalid = True

    def __init__(
        self,
        message: str,
        *,
        file: str = "",
        row: int | None = None,
        column: str = "",
        line: int | None = None,
    ) -> None:
        self.file, self.row, self.column, self.line = file, row, column, line
        super().__init__(message)


class ReleaseError(_OneLine):
    """A release (or another form of the data) cannot be opened; nothing was returned from it."""

    data_invalid = True


class ChecksumError(ReleaseError, ValueError):
    """A file's SHA-256 is not the one recorded for it."""

    def __init__(self, file: str, expected: str, actual: str, *, note: str = "") -> None:
        self.file, self.expected, self.actual = file, expected, actual
        super().__init__(
            f"{file}: sha256 is {actual}, expected {expected}; refusing to load it{note}"
        )


class ReleaseFormatError(ReleaseError, ValueError):
    """The path or URL is not a release this package can read (damaged, malformed, too large)."""


class UnverifiedReleaseError(ReleaseFormatError):
    """Nothing outside the file vouches for its bytes, so none of them is used; the message
    lists the ways to vouch for it (the request lacks an anchor: not invalid data)."""

    data_invalid = False


class UnsafePathError(ReleaseError, ValueError):
    """A release names a path outside itself, a link, a device or another non-regular file."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        super().__init__(f"{path}: {reason}; a release is read only from regular files inside it")


class ReleaseDataError(ReleaseError, DataError):
    """A verified release holds a cell its schema does not allow; names the file, row and column
    (or line), as :class:`DataError` does (whose ``__init__`` it takes: ``ReleaseError`` has
    none)."""


class ReleaseNotFoundError(ReleaseError, FileNotFoundError):
    """No release file or folder at the path given."""

    data_invalid = False

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"{path}: no such release file or folder")

    def __str__(self) -> str:  # OSError's own would show the arguments as a tuple
        return shown_message(str(self.args[0]))


class DownloadError(ReleaseError):
    """A release could not be downloaded: names the URL and, when the server answered, the
    HTTP status."""

    data_invalid = False

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        self.url, self.status = url, status
        answered = f"HTTP {status}: " if status is not None else ""
        super().__init__(f"{url}: {answered}{reason}")


class UnknownVersionError(ReleaseError, LookupError):
    """``version=`` names a release this installed package does not know to be published."""

    data_invalid = False
