"""Read a file inside a folder as a hostile release may name it: regular files inside only, bounded.

A relative path from a descriptor is refused when it is absolute, climbs out with ``..``, holds a
backslash, a drive or a NUL, or passes through a link; the file itself must be a regular file with
one link (no symbolic or hard link, device, FIFO or socket), opened without following links and
without blocking, and no larger than the cap. Errors name the path as the release wrote it and
never show what is, or what hashes to what, outside the release.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from china_ai_claims.errors import ReleaseFormatError, ReleaseNotFoundError, UnsafePathError

# O_NOFOLLOW and O_NONBLOCK are POSIX; elsewhere the lstat() checks below stand alone.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
)
CHUNK = 1 << 16


def safe_parts(relative: str, where: str) -> list[str]:
    """The components of a path a release names, or :class:`UnsafePathError`."""
    shown = f"{where}/{relative!r}"
    if not relative or "\\" in relative or "\x00" in relative or ":" in relative:
        raise UnsafePathError(shown, "not a plain relative path")
    path = PurePosixPath(relative)
    if path.is_absolute():
        raise UnsafePathError(shown, "an absolute path")
    parts = [part for part in path.parts if part != "."]
    if not parts or ".." in parts:
        raise UnsafePathError(shown, "a path outside the release")
    return parts


def _regular(path: Path, shown: str) -> os.stat_result:
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        raise ReleaseFormatError(f"{shown}: no such file in the release") from None
    except OSError as error:
        raise ReleaseFormatError(f"{shown}: cannot be read ({error.strerror})") from None
    if stat.S_ISLNK(status.st_mode):
        raise UnsafePathError(shown, "a link")
    return status


def read_inside(
    folder: Path, relative: str, cap: int, where: str, *, installed: bool = False
) -> bytes:
    """The bytes of ``relative`` inside ``folder``, at most ``cap`` of them.

    ``installed`` marks the dataset installed with the package: its paths are still checked,
    but its files may be hard links (package managers such as conda link installed files).
    """
    parts = safe_parts(relative, where)
    shown = f"{where}/{relative}"
    if installed:
        return read_regular(folder.joinpath(*parts), cap, shown, named_by_release=False)
    current = folder
    for part in parts[:-1]:
        current = current / part
        if not stat.S_ISDIR(_regular(current, shown).st_mode):
            raise UnsafePathError(shown, f"{part!r} is not a folder")
    target = current / parts[-1]
    if not stat.S_ISREG(_regular(target, shown).st_mode):
        raise UnsafePathError(shown, "not a regular file")
    return read_regular(target, cap, shown)


def open_regular(path: Path, cap: int, shown: str, *, named_by_release: bool) -> BinaryIO:
    """A regular file opened for reading, at most ``cap`` bytes long, checked on the open handle.

    A path the release named is opened without following a link and refused when hard-linked;
    a path the user gave may be a link of theirs, but must still lead to a regular file.
    """
    flags = _OPEN_FLAGS if named_by_release else _OPEN_FLAGS & ~getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise ReleaseNotFoundError(shown) from None
    except OSError as error:
        raise UnsafePathError(
            shown, f"cannot be opened as a regular file ({error.strerror})"
        ) from None
    handle = os.fdopen(descriptor, "rb")
    status = os.fstat(handle.fileno())
    problem = ""
    if not stat.S_ISREG(status.st_mode):
        problem = "not a regular file"
    elif named_by_release and status.st_nlink > 1:
        problem = "a hard link"
    if problem:
        handle.close()
        raise UnsafePathError(shown, problem)
    if status.st_size > cap:
        handle.close()
        raise ReleaseFormatError(f"{shown}: {status.st_size} bytes, more than the {cap} allowed")
    return handle


def read_regular(path: Path, cap: int, shown: str, *, named_by_release: bool = True) -> bytes:
    """A regular file's bytes, at most ``cap`` (see :func:`open_regular`)."""
    with open_regular(path, cap, shown, named_by_release=named_by_release) as handle:
        try:
            # Asked for the size it has (a read of cap + 1 bytes would first allocate them all),
            # then for the rest up to the cap, should it have grown since.
            size = os.fstat(handle.fileno()).st_size
            data = handle.read(min(size, cap) + 1)
            if len(data) > size:
                data += handle.read(cap + 1 - len(data))
        except OSError as error:
            raise ReleaseFormatError(f"{shown}: cannot be read ({error.strerror})") from None
    if len(data) > cap:
        raise ReleaseFormatError(f"{shown}: more than the {cap} bytes allowed")
    return data
