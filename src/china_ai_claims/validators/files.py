"""Layer 1: the dataset folder, its files and its descriptor, read without trusting any of them.

Nothing here follows a link, opens a path the descriptor names, or touches the network: the files
read are the known tables (``<table>.csv``) and ``sources/<id>.txt``, each opened only after every
component of its path was seen to be a plain folder or file inside the dataset folder.
"""

from __future__ import annotations

import json
import os
import re
import stat
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from china_ai_claims.validators.problems import Problem, problem

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_PROBLEMS_PER_FILE = 1_000
MAX_RESOURCES = 100
DESCRIPTOR = "datapackage.json"
LICENCE = "LICENSE"
SOURCES_FOLDER = "sources"
COMPRESSED_SUFFIXES = (".gz", ".zip", ".bz2", ".xz", ".zst", ".7z", ".tar", ".tgz", ".lz4")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


class UsageError(Exception):
    """The command itself cannot run (no such folder); the CLI exits with code 2."""


@dataclass
class Context:
    """What one validation run has found so far.

    At most ``MAX_PROBLEMS_PER_FILE`` problems are listed per file; the rest are counted and
    summed up in one ``too-many-problems`` record, so hostile input cannot flood the report.
    """

    root: Path
    explicit: bool = True  # False for the installed copy, whose files may be hard links
    problems: list[Problem] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    reported_paths: set[str] = field(default_factory=set)
    per_file: dict[str, int] = field(default_factory=dict)

    def add(
        self,
        file: str,
        line: int,
        rule: str,
        message: str,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        count = self.per_file.get(file, 0) + 1
        self.per_file[file] = count
        if count <= MAX_PROBLEMS_PER_FILE:
            self.problems.append(problem(file, line, rule, message, column, value))

    def add_path_problem(self, file: str, rule: str, message: str) -> None:
        """A problem with the file itself, reported once however often the file is met."""
        if file not in self.reported_paths:
            self.reported_paths.add(file)
            self.add(file, 0, rule, message)

    def finish(self) -> list[Problem]:
        """Every listed problem, plus a count for each file that had more than the cap."""
        for file, count in sorted(self.per_file.items()):
            if count > MAX_PROBLEMS_PER_FILE:
                self.problems.append(
                    problem(
                        file,
                        0,
                        "too-many-problems",
                        f"{count - MAX_PROBLEMS_PER_FILE} more problems in this file were not "
                        "listed",
                    )
                )
        return sorted(self.problems, key=Problem.sort_key)


def open_root(path: str | Path) -> Path:
    """The dataset folder as an absolute path; a usage error if it is not a folder."""
    if str(path) == "":
        raise UsageError("the dataset folder is an empty string")
    root = Path(os.path.abspath(path))
    if not os.path.lexists(root):
        raise UsageError(f"{path}: no such folder")
    if not root.is_dir() and not root.is_symlink():
        raise UsageError(f"{path}: not a folder")
    return root


def scan_tree(context: Context) -> bool:
    """Record every file under the root; report links, special files and too many entries.

    Returns ``False`` when the root itself is a link, so that nothing under it is read.
    """
    if context.root.is_symlink():
        context.add_path_problem(".", "symlink", "the dataset folder itself is a symbolic link")
        return False
    pending = [""]
    seen = 0
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(context.root / folder if folder else context.root) as listing:
                entries = sorted(listing, key=lambda item: item.name)
        except OSError as error:
            context.add_path_problem(
                folder or ".", "unsafe-path", f"the folder cannot be listed: {error.strerror}"
            )
            continue
        for entry in entries:
            seen += 1
            if seen > MAX_ENTRIES:
                context.add_path_problem(".", "too-many-files", f"more than {MAX_ENTRIES} entries")
                return True
            relative = f"{folder}/{entry.name}" if folder else entry.name
            try:
                if entry.is_symlink():
                    context.add_path_problem(relative, "symlink", "a symbolic link in the dataset")
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(relative)
                elif entry.is_file(follow_symlinks=False):
                    context.files.add(relative)
                else:
                    context.add_path_problem(
                        relative, "unsafe-path", "not a regular file or folder"
                    )
            except OSError as error:
                context.add_path_problem(relative, "unsafe-path", f"cannot be examined: {error}")
    return True


def check_unexpected(context: Context, described: set[str]) -> None:
    """Report each file outside ``sources/`` that is none of ``described`` (the descriptor, the
    licence, the tables and the exclusions): nothing checks it, yet a file named like a table
    would ship with the data. Hidden files (``.DS_Store``) are left alone: nothing ships them."""
    for path in sorted(context.files):
        if path.startswith(f"{SOURCES_FOLDER}/") or path in described:
            continue
        if any(part.startswith(".") for part in path.split("/")):
            continue
        context.add(
            path,
            0,
            "unexpected-file",
            "the dataset does not describe this file, so nothing checks it",
        )


def read_file(context: Context, relative: str, *, required: bool = True) -> bytes | None:
    """The bytes of ``relative`` (a ``/``-separated path under the root), or ``None`` after
    reporting why it cannot be read. Never follows a link, never reads past the size cap."""
    current = context.root
    for part in relative.split("/"):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except (FileNotFoundError, NotADirectoryError):
            if required:
                context.add(relative, 0, "missing-file", "the file does not exist")
            return None
        except OSError as error:
            context.add(relative, 0, "unsafe-path", f"cannot be examined: {error.strerror}")
            return None
        if stat.S_ISLNK(mode):
            context.add_path_problem(relative, "symlink", "a symbolic link in the dataset")
            return None
    if not stat.S_ISREG(mode):
        context.add_path_problem(relative, "unsafe-path", "not a regular file or folder")
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(current, flags | getattr(os, "O_BINARY", 0))
    except OSError as error:
        context.add(relative, 0, "unsafe-path", f"cannot be opened: {error.strerror}")
        return None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            context.add_path_problem(relative, "unsafe-path", "not a regular file or folder")
            return None
        if context.explicit and status.st_nlink > 1:
            # A hard link shares its bytes with a file that may lie outside the folder; git cannot
            # create one, so a checkout never holds one. (The packaged dataset is exempt: some
            # installers hard-link package files from their cache.)
            context.add_path_problem(relative, "unsafe-path", "a hard link to another file")
            return None
        if status.st_size > MAX_FILE_BYTES:
            context.add(relative, 0, "file-too-large", f"larger than {MAX_FILE_BYTES} bytes")
            return None
        # Read what fstat promised and one byte more: a read sized by the cap would allocate
        # the whole cap for every file, and a file that grows meanwhile is refused, not followed.
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            data = handle.read(status.st_size + 1)
    finally:
        os.close(descriptor)
    if len(data) > status.st_size:
        context.add(relative, 0, "file-too-large", "the file grew while it was read")
        return None
    return data


def line_of(text: str, needle: str, after: str = "") -> int:
    """The line of ``text`` where ``needle`` first occurs after ``after`` (1 when it does not)."""
    start = text.find(after) if after else 0
    at = text.find(needle, max(start, 0))
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        counts = Counter(key for key, _ in pairs)
        duplicated = sorted(key for key, count in counts.items() if count > 1)
        raise ValueError(f"duplicate keys {duplicated[:5]}")
    return document


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_descriptor(context: Context, text: str) -> dict[str, Any] | None:
    """The descriptor as a dict, or ``None`` after a ``descriptor-error``."""
    try:
        document = json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants
        )
    except json.JSONDecodeError as error:
        context.add(DESCRIPTOR, error.lineno, "descriptor-error", f"not JSON: {error.msg}")
        return None
    except (ValueError, RecursionError) as error:
        context.add(DESCRIPTOR, 1, "descriptor-error", str(error))
        return None
    if not isinstance(document, dict):
        context.add(DESCRIPTOR, 1, "descriptor-error", "the descriptor must be a JSON object")
        return None
    return document


def unsafe_reason(path: object) -> str | None:
    """Why ``path`` may not be followed, or ``None`` for a plain relative path."""
    if not isinstance(path, str):
        return "the path must be one string (multi-part and non-string paths are refused)"
    if not path:
        return "the path is empty"
    if path.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", path):  # C:\x, or C:x on drive C
        return "the path is absolute"
    if _SCHEME.match(path):
        return "the path carries a URL scheme; nothing is fetched"
    if "\\" in path:
        return "the path contains a backslash"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "the path contains '..', '.' or an empty component"
    return None


def same_json(one: object, other: object) -> bool:
    """Whether two parsed JSON values are the same JSON: ``1``, ``1.0`` and ``true`` are equal
    in Python, not in a descriptor that other tools read."""
    return json.dumps(one, sort_keys=True) == json.dumps(other, sort_keys=True)


_RFC3339 = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
)


def is_rfc3339(value: object) -> bool:
    """Whether ``value`` is an RFC 3339 time, as a Data Package's ``created`` is."""
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        return False
    try:  # a real date and time, too (a leap second's :60 included)
        time.strptime(value[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return False
    return True


def check_resources(
    context: Context, descriptor: dict[str, Any], text: str, expected: dict[str, dict[str, Any]]
) -> bool:
    """Check the descriptor's resources against the expected ones; ``True`` when all match."""
    clean = True

    anchor = ""

    def report(rule: str, message: str, needle: object, column: str | None = None) -> None:
        nonlocal clean
        clean = False
        line = line_of(text, json.dumps(needle, ensure_ascii=False), anchor)
        context.add(DESCRIPTOR, line, rule, message, column)

    version = descriptor.get("version")
    if not isinstance(version, str) or not _SEMVER.match(version):
        report("descriptor-mismatch", "version must be MAJOR.MINOR.PATCH", "version", "version")
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        report("descriptor-mismatch", "resources must be a list", "resources", "resources")
        return False
    if len(resources) > MAX_RESOURCES:
        report("descriptor-mismatch", f"more than {MAX_RESOURCES} resources", "resources")
        return False
    named: set[str] = set()
    for resource in resources:
        if not isinstance(resource, dict):
            report("descriptor-mismatch", "each resource must be an object", "resources")
            continue
        name = resource.get("name")
        anchor = f'"name": {json.dumps(name, ensure_ascii=False)}' if isinstance(name, str) else ""
        path = resource.get("path")
        reason = unsafe_reason(path)
        if reason is not None:
            report("unsafe-path", f"resource {name!r}: {reason}", path, "path")
        if not isinstance(name, str) or name not in expected:
            report("descriptor-mismatch", f"unknown resource {name!r}", name, "name")
            continue
        named.add(name)
        wanted = expected[name]
        if isinstance(path, str) and path.lower().endswith(COMPRESSED_SUFFIXES):
            report("compressed-resource", f"resource {name!r} is compressed", path, "path")
        elif "compression" in resource:
            report("compressed-resource", f"resource {name!r} declares compression", name)
        elif reason is None and path != wanted["path"]:
            report("descriptor-mismatch", f"resource {name!r} must be at {wanted['path']}", path)
        if str(resource.get("encoding", "")).lower() != "utf-8":
            report("descriptor-mismatch", f"resource {name!r}: encoding must be utf-8", name)
        schema = resource.get("schema")
        if isinstance(schema, str):
            why = unsafe_reason(schema) or "schemas are inline in this package"
            report("unsafe-path", f"resource {name!r}: schema by path refused: {why}", schema)
        elif not same_json(schema, wanted["schema"]):
            report(
                "descriptor-mismatch",
                f"resource {name!r}: schema differs from the record models' schema",
                name,
                "schema",
            )
    anchor = ""
    for name in expected:
        if name not in named:
            report("descriptor-mismatch", f"resource {name!r} is missing", "resources")
    return clean
