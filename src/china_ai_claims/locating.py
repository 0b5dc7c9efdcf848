"""Which data a command reads, and where it may write: one rule for every command.

Inside a checkout (the current folder, or a parent of it, holding ``dataset/datapackage.json``)
a command reads that ``dataset/``; elsewhere it reads the copy installed with the package. A
folder named on the command line is read as given. Every command names what it read with the
:attr:`DataLocation.label` of this module, and nothing is ever written into the installed
package: a command that writes by default does so only in a checkout.

Standard library only, so that the CLI can answer ``--help`` and usage errors quickly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from china_ai_claims._resources import DATAPACKAGE_FILE, dataset_dir, installed_package_dir
from china_ai_claims.errors import printable

DATASET_FOLDER = "dataset"


class LocationError(Exception):
    """The command cannot use the folder it was given or found (exit code 2)."""


@dataclass(frozen=True)
class DataLocation:
    """A dataset folder, how to name it to the user, and whether a command may write there."""

    path: Path
    label: str
    display: str
    writable: bool
    checkout: Path | None


def find_checkout(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (the current folder) holding
    ``dataset/datapackage.json``; ``None`` outside a checkout."""
    here = Path(os.path.abspath(start if start is not None else Path.cwd()))
    package = installed_package_dir()
    for folder in (here, *here.parents):
        if folder == package:
            continue  # the installed package holds dataset/ too, but is no checkout
        if (folder / DATASET_FOLDER / DATAPACKAGE_FILE).is_file():
            return folder
    return None


def is_inside_installed_package(path: Path) -> bool:
    """True when ``path`` is the installed package's folder or lies inside it."""
    resolved = Path(os.path.realpath(path))
    package = Path(os.path.realpath(installed_package_dir()))
    return resolved == package or package in resolved.parents


def shown(path: Path, cwd: Path | None = None) -> str:
    """``path`` as a user would type it here: relative to the current folder when it lies
    inside it (so that terminals and editors can open ``dataset/cost_claims.csv:3``), absolute
    otherwise. Always with ``/`` separators."""
    here = Path(os.path.abspath(cwd if cwd is not None else Path.cwd()))
    absolute = Path(os.path.abspath(here / path))
    if absolute == here:
        return "."
    if here in absolute.parents:
        return absolute.relative_to(here).as_posix()
    return absolute.as_posix()


def _same(one: Path, other: Path) -> bool:
    return os.path.abspath(one) == os.path.abspath(other)


def locate(data_dir: str | Path | None, cwd: Path | None = None) -> DataLocation:
    """Where a command's data is: ``data_dir`` as given, else the checkout's ``dataset/``, else
    the installed copy. An empty ``data_dir`` is an error, never the current folder."""
    if data_dir is not None:
        if str(data_dir) == "":
            raise LocationError("DATA_DIR is an empty string")
        path = Path(data_dir) if cwd is None else cwd / data_dir
        installed = is_inside_installed_package(path)
        display = shown(path, cwd)
        named = printable(display)  # a folder's name may hold a newline or a terminal's escape
        checkout = find_checkout(path)
        if installed:
            label = f"{named}/ (installed package)"
        elif checkout is not None and _same(path, checkout / DATASET_FOLDER):
            label = f"{named}/ (checkout)"
        else:
            label = f"{named}/"
        return DataLocation(path, label, display, not installed, checkout)
    checkout = find_checkout(cwd)
    if checkout is not None:
        path = checkout / DATASET_FOLDER
        display = shown(path, cwd)
        return DataLocation(path, f"{printable(display)}/ (checkout)", display, True, checkout)
    from china_ai_claims._resources import read_version

    path = dataset_dir()
    return DataLocation(
        path,
        f"installed package {read_version(path)}",
        shown(path, cwd),
        writable=not is_inside_installed_package(path),
        checkout=None,
    )


def writable_location(data_dir: str | Path | None, what: str, cwd: Path | None = None) -> Path:
    """The dataset folder a writing command (``what``) may change, or a :class:`LocationError`
    saying what to do: outside a checkout, or in the installed package, nothing is written."""
    location = locate(data_dir, cwd)
    if data_dir is None and location.checkout is None:
        raise LocationError(
            f"{what} changes a dataset folder, and this is not a checkout (no "
            f"{DATASET_FOLDER}/{DATAPACKAGE_FILE} here or above): run it inside a clone of the "
            "repository, or pass the dataset folder to change"
        )
    if not location.writable:
        raise LocationError(
            f"{location.display} is the dataset installed with the package, which is never "
            f"changed: clone the repository and run {what} there"
        )
    return location.path


def default_output(
    given: Path | None, in_checkout: str, option: str, cwd: Path | None = None
) -> Path:
    """Where a command writes its output: ``given``, else ``in_checkout`` under the checkout's
    root. Outside a checkout the option must be given: no folder is created in an arbitrary
    place, and nothing is written into the installed package."""
    if given is None:
        checkout = find_checkout(cwd)
        if checkout is None:
            raise LocationError(
                f"not in a checkout, so there is no default for {option}: pass {option} with "
                "the path to write"
            )
        given = checkout / in_checkout
    if is_inside_installed_package(given):
        raise LocationError(f"{given} is inside the installed package, which is never written")
    return given


RELEASE_FILE_PATTERNS = ("china-ai-claims-*-csv.zip", "china-ai-claims-*.json")


def is_release(path: Path) -> bool:
    """Whether ``path`` is a release file, or a folder of release files (and no dataset)."""
    if path.is_file():
        return any(path.match(pattern) for pattern in RELEASE_FILE_PATTERNS)
    return (
        path.is_dir()
        and not (path / DATAPACKAGE_FILE).exists()
        and any(next(path.glob(pattern), None) for pattern in RELEASE_FILE_PATTERNS)
    )


def not_a_dataset(path: Path, given: str, table_files: tuple[str, ...] = ()) -> str | None:
    """Why the folder ``path`` (typed as ``given``) holds no dataset, or ``None`` when it holds
    ``datapackage.json`` or any of ``table_files`` (then it is a dataset, damaged or not)."""
    if not os.path.lexists(path):
        return f"{given}: no such file or folder"
    if not path.is_dir():
        return None
    if any(os.path.lexists(path / name) for name in (DATAPACKAGE_FILE, *table_files)):
        return None
    if (path / DATASET_FOLDER / DATAPACKAGE_FILE).is_file():
        nested = f"{given.rstrip('/')}/{DATASET_FOLDER}/" if given not in ("", ".") else "dataset/"
        return f"no dataset here: {given} holds no {DATAPACKAGE_FILE}; did you mean {nested}?"
    releases = [
        found.name for pattern in RELEASE_FILE_PATTERNS for found in sorted(path.glob(pattern))
    ]
    if releases:
        return (
            f"{given} is a folder of release files: pass one of them, such as "
            f"{given.rstrip('/')}/{releases[0]}"
        )
    return f"no dataset here: {given} holds no {DATAPACKAGE_FILE}"
