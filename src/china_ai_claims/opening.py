"""Open the data in any of its forms; a release only from bytes vouched for outside it.

- a dataset folder (the packaged one, a checkout's ``dataset/``, a folder given to ``diff``): read
  as it is, regular files inside it only, checking any hash its descriptor records;
- a release: the CSV zip, the JSON file or an extracted folder, an http(s) URL of a file, or a
  published version (see :mod:`china_ai_claims.cache` and :mod:`china_ai_claims.registry`).

A release is treated as hostile, like a contribution. Its bytes are used only when anchored outside
the file itself: by ``sha256=``, by the ``SHA256SUMS`` beside it (``hash  name`` and
``hash *name`` lines) or by the hashes of the published releases this package carries; then each
table is checked against the ``hash`` and ``bytes`` its ``datapackage.json`` records. Every read is
bounded (:mod:`china_ai_claims.limits`), every table is read once, and every failure is a
:class:`~china_ai_claims.errors.ReleaseError`.

``zipfile`` is imported where it is needed: loading the packaged dataset pays for none of this.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from china_ai_claims import limits, registry
from china_ai_claims._resources import DATAPACKAGE_FILE, LIST_DELIMITER, dataset_dir
from china_ai_claims.descriptors import check_descriptor, parse_json
from china_ai_claims.errors import (
    ChecksumError,
    ReleaseError,
    ReleaseFormatError,
    ReleaseNotFoundError,
    UnverifiedReleaseError,
)
from china_ai_claims.safe_files import CHUNK, open_regular, read_inside, read_regular

__all__ = [
    "SUMS_FILE",
    "ChecksumError",
    "Package",
    "ReleaseFormatError",
    "csv_text",
    "dataset_folder",
    "open_data",
    "open_release",
    "parse_sums",
    "records_csv",
    "sha256_of",
]

SUMS_FILE = "SHA256SUMS"
PANDAS_MISSING = ("NAType", "NaTType")  # pandas.NA and pandas.NaT, named to spare the import
# What vouches for a release, said for the command line and for Python alike: both open files.
ANCHORS = (
    "keep the release's SHA256SUMS beside it, open a published version by its number "
    "(version= in Python), or, in Python, pass sha256= with the file's SHA-256"
)
_SUMS_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](.+)")


@dataclass(frozen=True)
class Package:
    """The descriptor of a Data Package and a way to read each table's CSV bytes.

    ``release`` is true when the data came from a release, whose data errors are then
    :class:`~china_ai_claims.errors.ReleaseDataError`. The descriptor of a dataset folder is
    shared by every package opened from the same bytes: read it, never change it.
    """

    descriptor: dict[str, Any]
    read_csv: Callable[[str], bytes]
    release: bool = False

    @property
    def version(self) -> str:
        return str(self.descriptor["version"])

    def table_names(self) -> list[str]:
        return [resource["name"] for resource in self.descriptor["resources"]]

    def resource(self, table: str) -> dict[str, Any]:
        from china_ai_claims.loading import UnknownTableError

        for resource in self.descriptor["resources"]:
            if resource["name"] == table:
                return dict(resource)
        raise UnknownTableError(table, self.table_names())


def sha256_of(data: bytes) -> str:
    """The lower-case hex SHA-256 of ``data``, as SHA256SUMS and descriptor hashes write it."""
    return hashlib.sha256(data).hexdigest()


def _check(file: str, data: bytes, expected: str) -> None:
    actual = sha256_of(data)
    if actual != expected.lower():
        raise ChecksumError(file, expected.lower(), actual)


def _descriptor(data: bytes, shown: str, *, hashes: bool) -> dict[str, Any]:
    """The checked ``datapackage.json`` of a zip or folder (``hashes``: a release's)."""
    document = parse_json(data, f"{shown}/{DATAPACKAGE_FILE}")
    return check_descriptor(document, shown, paths=True, hashes=hashes)


# A dataset folder's descriptor is read on every call, but parsed and checked only when its bytes
# (under the same limits) have not been checked before in this process: the key is the whole
# content, so a changed file is always checked again and no file skips a check another passed.
_CHECKED_FOLDER_DESCRIPTORS: dict[tuple[bytes, limits.Limits], dict[str, Any]] = {}
_CHECKED_KEPT = 8  # descriptors, each of at most _CHECKED_KEPT_BYTES (larger ones are not kept)
_CHECKED_KEPT_BYTES = 4 * limits.MiB
_checked_lock = threading.Lock()


def _folder_descriptor(data: bytes, shown: str) -> dict[str, Any]:
    """The checked descriptor of a dataset folder, shared by every call that read the same bytes:
    callers only read it (``descriptors.copy_json`` gives one to change or hand out)."""
    key = (data, limits.LIMITS)
    with _checked_lock:
        checked = _CHECKED_FOLDER_DESCRIPTORS.get(key)
    if checked is not None:
        return checked
    checked = _descriptor(data, shown, hashes=False)
    if len(data) > _CHECKED_KEPT_BYTES:
        return checked
    with _checked_lock:
        while len(_CHECKED_FOLDER_DESCRIPTORS) >= _CHECKED_KEPT:
            del _CHECKED_FOLDER_DESCRIPTORS[next(iter(_CHECKED_FOLDER_DESCRIPTORS))]
        _CHECKED_FOLDER_DESCRIPTORS[key] = checked
    return checked


# --- anchors: what vouches for a file from outside it -----------------------------------------


def parse_sums(data: bytes, where: str) -> dict[str, str]:
    """``name -> sha256`` from a SHA256SUMS file, in the text (``hash  name``) and binary
    (``hash *name``) forms that ``sha256sum`` writes; other lines are ignored."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ReleaseFormatError(f"{where}: not UTF-8") from None
    entries: dict[str, str] = {}
    for line in text.splitlines():
        match = _SUMS_LINE.fullmatch(line.rstrip("\r"))
        if match is None:
            continue
        digest, name = match.group(1).lower(), match.group(2)
        if entries.setdefault(name, digest) != digest:
            raise ReleaseFormatError(f"{where}: lists {name!r} twice with different hashes")
    return entries


def _sums_beside(path: Path) -> dict[str, str]:
    sums = path.parent / SUMS_FILE
    if not sums.exists():
        return {}
    shown = str(sums)
    return parse_sums(read_regular(sums, limits.LIMITS.sums_bytes, shown), shown)


def _anchor(name: str, actual: str, pin: str | None, beside: Path | None) -> None:
    """Refuse the file named ``name`` whose SHA-256 is ``actual`` unless a pin, the registry of
    published releases or a SHA256SUMS beside it (at ``beside``) agrees."""
    if pin is not None:
        expected, why = pin.lower(), ""
    elif (published := registry.published_hash(name)) is not None:
        expected, why = published, f" (the published {name})"
    else:
        listed = _sums_beside(beside).get(name) if beside is not None else None
        if listed is None:
            raise UnverifiedReleaseError(
                f"{name}: cannot verify it: nothing vouches for its bytes; {ANCHORS}"
            )
        expected, why = listed, f" (its {SUMS_FILE})"
    if actual != expected:
        raise ChecksumError(name, expected, actual, note=why)


def _hash_handle(handle: IO[bytes], cap: int, shown: str) -> str:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        size += len(chunk)
        if size > cap:
            raise ReleaseFormatError(f"{shown}: more than the {cap} bytes allowed")
        digest.update(chunk)
    return digest.hexdigest()


# --- the forms of a release -------------------------------------------------------------------

# zipfile raises many types on damaged input (BadZipFile, EOFError, zlib.error, lzma.LZMAError,
# NotImplementedError for unknown methods, RuntimeError for encrypted members, ValueError,
# OSError, struct.error): each becomes one ReleaseFormatError naming the member.
_ZIP_FAILURES = (Exception,)


_CENTRAL_ENTRY = struct.Struct("<4s24xHHH12x")  # a central directory entry's fixed 46 bytes
_ZIP64_END = struct.Struct("<4s36xQ8x")  # the zip64 end record's fixed 56 bytes: its cd size
_ZIP64_TAIL = _ZIP64_END.size + 20  # the zip64 end record, then its 20-byte locator


def _zip_entries(handle: IO[bytes], shown: str) -> None:
    """Refuse a central directory of more than ``limits.zip_entries`` members before zipfile
    builds an object for each. They are counted as zipfile reads them, entry after entry over
    the directory's size (the count the end record states may lie, or wrap past 65,535), and
    the count stops past the limit."""
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(max(0, size - (1 << 16) - 22))
    tail = handle.read()
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) < end + 22:
        raise ReleaseFormatError(f"{shown}: not a zip file (no end of central directory)")
    directory_end = size - len(tail) + end
    directory_size = int.from_bytes(tail[end + 12 : end + 16], "little")
    if directory_end >= _ZIP64_TAIL:
        handle.seek(directory_end - _ZIP64_TAIL)
        zip64 = handle.read(_ZIP64_TAIL)
        if zip64[-20:-16] == b"PK\x06\x07":  # as zipfile reads it: the record, then its locator
            signature, directory_size = _ZIP64_END.unpack(zip64[: _ZIP64_END.size])
            if signature != b"PK\x06\x06":
                raise ReleaseFormatError(f"{shown}: not a zip file (a damaged zip64 end record)")
            directory_end -= _ZIP64_TAIL
    position = directory_end - directory_size
    if position < 0:
        raise ReleaseFormatError(f"{shown}: not a zip file (its central directory does not fit)")
    handle.seek(position)
    entries, allowed = 0, limits.LIMITS.zip_entries
    while position < directory_end:
        entry = handle.read(_CENTRAL_ENTRY.size)
        if len(entry) < _CENTRAL_ENTRY.size:
            break  # damaged: zipfile says so
        signature, name, extra, comment = _CENTRAL_ENTRY.unpack(entry)
        if signature != b"PK\x01\x02":
            break
        entries += 1
        if entries > allowed:
            raise ReleaseFormatError(f"{shown}: lists more than the {allowed} members allowed")
        position += _CENTRAL_ENTRY.size + name + extra + comment
        handle.seek(position)
    handle.seek(0)


def _read_member(archive: Any, name: str, cap: int, shown: str) -> bytes:
    """One zip member, streamed and stopped past ``cap`` bytes or a suspicious packing ratio."""
    where = f"{shown}/{name}"
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ReleaseFormatError(f"{where}: no such member in the zip") from None
    ratio = limits.LIMITS.compression_ratio
    if info.file_size > cap:
        raise ReleaseFormatError(
            f"{where}: unpacks to {info.file_size} bytes, more than the {cap} allowed"
        )
    if info.file_size > ratio * info.compress_size + 1024:
        raise ReleaseFormatError(
            f"{where}: unpacks to {info.file_size} bytes from {info.compress_size}, "
            f"packed more than {ratio} to 1"
        )
    chunks, size = [], 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                size += len(chunk)
                if size > cap:
                    raise ReleaseFormatError(f"{where}: more than the {cap} bytes allowed")
                chunks.append(chunk)
    except ReleaseError:
        raise
    except _ZIP_FAILURES as error:
        raise ReleaseFormatError(f"{where}: damaged zip member ({type(error).__name__})") from None
    return b"".join(chunks)


def _verified_tables(
    descriptor: dict[str, Any], read: Callable[[str, int], bytes], where: str
) -> Callable[[str], bytes]:
    """Read and check every table now, each once, so that no data comes from a damaged release."""
    contents: dict[str, bytes] = {}
    total = 0
    for resource in descriptor["resources"]:
        path, size = resource["path"], resource["bytes"]
        total += size
        if total > limits.LIMITS.unpacked_bytes:
            raise ReleaseFormatError(
                f"{where}: tables add up to more than the "
                f"{limits.LIMITS.unpacked_bytes} bytes allowed"
            )
        data = read(path, size)
        if len(data) != size:
            raise ReleaseFormatError(
                f"{where}/{path}: {len(data)} bytes where the descriptor records {size}"
            )
        _check(f"{where}/{path}", data, resource["hash"].removeprefix("sha256:"))
        contents[resource["name"]] = data
    return contents.__getitem__


def _zip_release(path: Path, pin: str | None) -> Package:
    import zipfile

    shown = path.name
    with open_regular(
        path, limits.LIMITS.release_bytes, str(path), named_by_release=False
    ) as handle:
        _anchor(path.name, _hash_handle(handle, limits.LIMITS.release_bytes, shown), pin, path)
        handle.seek(0)
        _zip_entries(handle, shown)
        try:
            archive = zipfile.ZipFile(handle)
        except _ZIP_FAILURES as error:
            raise ReleaseFormatError(f"{shown}: not a zip file ({type(error).__name__})") from None
        with archive:
            data = _read_member(archive, DATAPACKAGE_FILE, limits.LIMITS.descriptor_bytes, shown)
            descriptor = _descriptor(data, shown, hashes=True)
            reader = _verified_tables(
                descriptor, lambda name, size: _read_member(archive, name, size, shown), shown
            )
    return Package(descriptor, reader, release=True)


def _folder_release(folder: Path, pin: str | None) -> Package:
    """An extracted release: its ``datapackage.json`` anchored by ``sha256=`` or the registry,
    then every table checked against it."""
    shown = folder.name or str(folder)
    data = read_inside(folder, DATAPACKAGE_FILE, limits.LIMITS.descriptor_bytes, shown)
    actual = sha256_of(data)
    if pin is None and actual not in registry.published_descriptor_hashes():
        raise UnverifiedReleaseError(
            f"{shown}/{DATAPACKAGE_FILE}: cannot verify it: nothing vouches for it; open the "
            "release file instead, read the folder as it is (as DATA_DIR, or data_dir= in "
            f"Python), or, in Python, pass sha256= with the SHA-256 of its {DATAPACKAGE_FILE}"
        )
    if pin is not None and actual != pin.lower():
        raise ChecksumError(f"{shown}/{DATAPACKAGE_FILE}", pin.lower(), actual)
    descriptor = _descriptor(data, shown, hashes=True)
    reader = _verified_tables(
        descriptor, lambda name, size: read_inside(folder, name, size, shown), shown
    )
    return Package(descriptor, reader, release=True)


def dataset_folder(root: Path | None = None) -> Package:
    """A dataset folder as it is (the packaged one by default): regular files inside it only;
    any hash its descriptor records is checked when the table is read."""
    from china_ai_claims.locating import is_inside_installed_package

    folder = dataset_dir() if root is None else Path(root)
    # The installed copy, however it is named, may be made of hard links (uv and conda link
    # installed files from their caches); any other folder may not.
    shown = str(folder)
    if not _is_folder(folder):
        raise ReleaseNotFoundError(shown)
    installed = root is None or is_inside_installed_package(folder)
    bound = limits.LIMITS
    data = read_inside(folder, DATAPACKAGE_FILE, bound.descriptor_bytes, shown, installed=installed)
    descriptor = _folder_descriptor(data, shown)
    resources = {resource["name"]: resource for resource in descriptor["resources"]}

    def read(table: str) -> bytes:
        resource = resources[table]
        content = read_inside(
            folder, resource["path"], bound.table_bytes, shown, installed=installed
        )
        recorded = resource.get("hash")
        if isinstance(recorded, str) and recorded.startswith("sha256:"):
            _check(f"{shown}/{resource['path']}", content, recorded.removeprefix("sha256:"))
        # A Windows checkout may end lines with CRLF, inside a quoted cell too; no cell of the
        # data holds a CR (the validator refuses one), so each CRLF was a line feed. (A search
        # for one byte runs at the speed of memory, one for two bytes some eighty times slower.)
        return content.replace(b"\r\n", b"\n") if b"\r" in content else content

    return Package(descriptor, read)


def csv_text(value: Any) -> str:
    """A value as the dataset's CSV writes it: "" for missing, true/false, plain numbers,
    ISO dates, list items joined by "|"."""
    if value is None or type(value).__name__ in PANDAS_MISSING:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    if isinstance(value, bool) or type(value).__name__ in ("bool", "bool_"):  # numpy's too
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_DELIMITER.join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat()).removesuffix("T00:00:00")
    return str(value)


def records_csv(fields: list[str], rows: list[list[str]]) -> str:
    """A header and rows of cell texts in the dataset's CSV dialect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    writer.writerows(rows)
    return buffer.getvalue()


def _json_release(path: Path, pin: str | None) -> Package:
    from china_ai_claims.descriptors import decoded_json_text
    from china_ai_claims.json_release import read_json_release

    data = read_regular(path, limits.LIMITS.release_bytes, str(path), named_by_release=False)
    _anchor(path.name, sha256_of(data), pin, path)
    text = decoded_json_text(data, path.name)
    del data  # not held beside its text while the tables are read
    descriptor, contents = read_json_release(text, path.name)
    return Package(descriptor, contents.__getitem__, release=True)


def open_release(
    release: str | Path, sha256: str | None = None, *, refresh: bool = False
) -> Package:
    """A verified release from a zip, JSON file, extracted folder or http(s) URL."""
    if sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
        raise ReleaseFormatError(f"sha256={sha256!r}: not 64 hexadecimal digits")
    text = str(release)
    if text.startswith(("http://", "https://")) or "://" in text:
        from china_ai_claims.cache import fetch

        path, verified = fetch(text, sha256, refresh=refresh)
        return _file_release(path, verified)
    path = Path(release)
    if _is_folder(path):
        return _folder_release(path, sha256)
    if _looked_up(path) is None:
        raise ReleaseNotFoundError(str(path))
    return _file_release(path, sha256)


def _looked_up(path: Path) -> os.stat_result | None:
    """What ``path`` is (links followed, as ``is_dir`` and ``exists`` follow them); ``None`` where
    nothing is, or the system cannot look the path up (a name too long)."""
    try:
        return path.stat()
    except OSError:
        return None


def _is_folder(path: Path) -> bool:
    found = _looked_up(path)
    return found is not None and stat.S_ISDIR(found.st_mode)


def _file_release(path: Path, pin: str | None) -> Package:
    if path.suffix == ".zip":
        return _zip_release(path, pin)
    if path.suffix == ".json":
        return _json_release(path, pin)
    raise ReleaseFormatError(f"{path}: a release is a .zip, a .json file or an extracted folder")


def open_data(
    data_dir: str | Path | None = None,
    release: str | Path | None = None,
    sha256: str | None = None,
    *,
    version: str | None = None,
    refresh: bool = False,
) -> Package:
    """The package to read: a release or published version when given, else a dataset folder
    (the packaged one)."""
    chosen = [
        name
        for name, value in (("data_dir", data_dir), ("release", release), ("version", version))
        if value is not None
    ]
    if len(chosen) > 1:
        raise ValueError(
            f"pass one of data_dir=, release= and version=, not {' and '.join(chosen)}"
        )
    if version is not None:
        if sha256 is not None:
            raise ValueError("version= is checked against the published hashes: drop sha256=")
        url, expected = registry.release_url(version)
        return open_release(url, expected, refresh=refresh)
    if release is not None:
        return open_release(release, sha256, refresh=refresh)
    if sha256 is not None:
        raise ValueError("sha256= checks a release: pass release= too")
    return dataset_folder(None if data_dir is None else Path(data_dir))
