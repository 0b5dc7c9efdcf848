"""Open the data in any of its forms, checking every hash before anything is read.

- a dataset folder (the packaged one, or a checkout's ``dataset/``): read as it is;
- a release: the CSV zip, the JSON file or an extracted folder, or an http(s) URL of one of them,
  downloaded once into a cache folder and reused offline.

A release is verified before data is returned: each CSV against the ``hash`` its
``datapackage.json`` records, and the whole file against ``sha256=`` or the ``SHA256SUMS`` beside
it. A mismatch raises :class:`ChecksumError` naming the file and both hashes.

``zipfile`` and ``urllib`` are imported where they are needed: loading the packaged dataset should
pay for neither.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from china_ai_claims._resources import DATAPACKAGE_FILE, LIST_DELIMITER, dataset_dir

CACHE_VARIABLE = "CHINA_AI_CLAIMS_CACHE"
SUMS_FILE = "SHA256SUMS"
DOWNLOAD_TIMEOUT_SECONDS = 60
PANDAS_MISSING = ("NAType", "NaTType")  # pandas.NA and pandas.NaT, named to spare the import


class ChecksumError(ValueError):
    """A file's SHA-256 is not the one recorded for it."""

    def __init__(self, file: str, expected: str, actual: str) -> None:
        self.file, self.expected, self.actual = file, expected, actual
        super().__init__(f"{file}: sha256 is {actual}, expected {expected}; refusing to load it")


class ReleaseFormatError(ValueError):
    """The path or URL is not a release this package can read."""


@dataclass(frozen=True)
class Package:
    """The descriptor of a Data Package and a way to read each table's CSV bytes."""

    descriptor: dict[str, Any]
    read_csv: Callable[[str], bytes]

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


def _expected_hash(resource: dict[str, Any], where: str) -> str:
    recorded = resource.get("hash")
    if not isinstance(recorded, str) or not recorded.startswith("sha256:"):
        raise ReleaseFormatError(
            f"{where}: resource {resource.get('name')!r} has no sha256 hash: not a release "
            "(pass data_dir= to read an unreleased dataset folder)"
        )
    return recorded.removeprefix("sha256:")


def _verified_reader(
    descriptor: dict[str, Any], read: Callable[[str], bytes], where: str
) -> Callable[[str], bytes]:
    """Check every resource now, so that no data is returned from a damaged release."""
    contents: dict[str, bytes] = {}
    for resource in descriptor["resources"]:
        path = resource["path"]
        data = read(path)
        _check(f"{where}/{path}", data, _expected_hash(resource, where))
        contents[resource["name"]] = data
    return lambda table: contents[table]


def dataset_folder(root: Path | None = None) -> Package:
    """A dataset folder as it is (no hashes needed): the packaged one by default."""
    folder = dataset_dir() if root is None else Path(root)
    descriptor = json.loads((folder / DATAPACKAGE_FILE).read_text(encoding="utf-8"))
    paths = {resource["name"]: resource["path"] for resource in descriptor["resources"]}
    return Package(descriptor, lambda table: (folder / paths[table]).read_bytes())


def _sums_beside(path: Path) -> dict[str, str]:
    sums = path.parent / SUMS_FILE
    if not sums.is_file():
        return {}
    entries = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if digest and name:
            entries[name.lstrip("*")] = digest
    return entries


def _check_whole_file(path: Path, data: bytes, sha256: str | None, *, required: bool) -> None:
    if sha256 is not None:
        _check(path.name, data, sha256)
        return
    listed = _sums_beside(path).get(path.name)
    if listed is not None:
        _check(path.name, data, listed)
    elif required:
        raise ReleaseFormatError(
            f"{path}: cannot verify it: pass sha256= or keep the release's {SUMS_FILE} beside it"
        )


def _zip_release(path: Path, sha256: str | None) -> Package:
    import zipfile

    data = path.read_bytes()
    _check_whole_file(path, data, sha256, required=False)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ReleaseFormatError(f"{path}: not a zip file ({error})") from None
    with archive:
        try:
            descriptor = json.loads(archive.read(DATAPACKAGE_FILE))
        except KeyError:
            raise ReleaseFormatError(f"{path}: no {DATAPACKAGE_FILE} inside") from None
        reader = _verified_reader(descriptor, archive.read, path.name)
    return Package(descriptor, reader)


def _folder_release(path: Path) -> Package:
    descriptor = json.loads((path / DATAPACKAGE_FILE).read_text(encoding="utf-8"))
    reader = _verified_reader(descriptor, lambda name: (path / name).read_bytes(), path.name)
    return Package(descriptor, reader)


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


def records_to_csv(fields: list[str], rows: list[dict[str, Any]]) -> bytes:
    """JSON records as the CSV bytes of the dataset's dialect."""
    cells = [[csv_text(row.get(field)) for field in fields] for row in rows]
    return records_csv(fields, cells).encode("utf-8")


def _json_release(path: Path, sha256: str | None) -> Package:
    data = path.read_bytes()
    _check_whole_file(path, data, sha256, required=True)
    try:
        document = json.loads(data)
        meta = document["metadata"]
        resources = meta["resources"]
    except (ValueError, KeyError, TypeError):
        raise ReleaseFormatError(f"{path}: not a china-ai-claims JSON release") from None
    descriptor = {key: value for key, value in meta.items() if key != "resources"}
    descriptor["resources"] = [
        {**resource, "path": f"{resource['name']}.csv"} for resource in resources
    ]
    contents = {
        resource["name"]: records_to_csv(
            [field["name"] for field in resource["schema"]["fields"]], document[resource["name"]]
        )
        for resource in resources
    }
    return Package(descriptor, lambda table: contents[table])


def cache_dir() -> Path:
    """Where downloaded releases are kept: ``$CHINA_AI_CLAIMS_CACHE``, else the user cache."""
    configured = os.environ.get(CACHE_VARIABLE)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "china-ai-claims"


def _download(url: str, target: Path) -> None:
    import urllib.request

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    request = urllib.request.Request(url, headers={"User-Agent": "china-ai-claims"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:  # noqa: S310
        partial.write_bytes(response.read())
    os.replace(partial, target)


def _cached(url: str, sha256: str | None) -> Path:
    """The local copy of ``url``: downloaded once (with its ``SHA256SUMS``), then reused."""
    import urllib.parse

    parsed = urllib.parse.urlparse(url)
    name = Path(parsed.path).name
    if parsed.scheme not in ("http", "https") or not name:
        raise ReleaseFormatError(f"{url}: only http(s) URLs of a release file are supported")
    folder = cache_dir() / hashlib.sha256(url.encode()).hexdigest()[:16]
    target = folder / name
    if not target.is_file():
        _download(url, target)
        if sha256 is None:
            # A zip carries its own hashes; a JSON file without sums is refused when opened.
            with contextlib.suppress(OSError):
                _download(urllib.parse.urljoin(url, SUMS_FILE), folder / SUMS_FILE)
    return target


def open_release(release: str | Path, sha256: str | None = None) -> Package:
    """A verified release from a zip, JSON file, extracted folder or http(s) URL."""
    text = str(release)
    path = _cached(text, sha256) if text.startswith(("http://", "https://")) else Path(release)
    if path.is_dir():
        if sha256 is not None:
            raise ReleaseFormatError(f"{path}: sha256= pins a file, not a folder")
        return _folder_release(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such release file or folder")
    if path.suffix == ".zip":
        return _zip_release(path, sha256)
    if path.suffix == ".json":
        return _json_release(path, sha256)
    raise ReleaseFormatError(f"{path}: a release is a .zip, a .json file or an extracted folder")


def open_data(
    data_dir: str | Path | None = None,
    release: str | Path | None = None,
    sha256: str | None = None,
) -> Package:
    """The package to read: a release when given, else a dataset folder (the packaged one)."""
    if release is not None:
        if data_dir is not None:
            raise ValueError("pass either data_dir= or release=, not both")
        return open_release(release, sha256)
    if sha256 is not None:
        raise ValueError("sha256= checks a release: pass release= too")
    return dataset_folder(None if data_dir is None else Path(data_dir))
