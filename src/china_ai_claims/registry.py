"""The published releases this package knows, and where to download them.

``releases.json`` ships inside the package: for each published version, the SHA-256 of its CSV
zip, its JSON file and the ``datapackage.json`` inside the zip. Releases are byte-reproducible, so
the release workflow writes the entry from the files it has just built (see :func:`main`), and a
test checks that the entry for the current version, once there, matches a fresh build. These
hashes anchor ``load(version=...)`` and any copy of a published file, wherever it came from.

Downloads come from ``$CHINA_AI_CLAIMS_RELEASES_URL`` (a mirror: ``<url>/v<version>/<file>``),
by default the project's GitHub releases.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from china_ai_claims.errors import UnknownVersionError

REGISTRY_FILE = Path(__file__).resolve().parent / "releases.json"
RELEASES_URL_VARIABLE = "CHINA_AI_CLAIMS_RELEASES_URL"
DEFAULT_RELEASES_URL = "https://github.com/china-ai-claims/china-ai-claims/releases/download"
DESCRIPTOR_KEY = "datapackage.json"
_VERSION = re.compile(r"\d+\.\d+\.\d+")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def zip_name(version: str) -> str:
    return f"china-ai-claims-{version}-csv.zip"


def json_name(version: str) -> str:
    return f"china-ai-claims-{version}.json"


def read_registry(path: Path) -> dict[str, dict[str, str]]:
    """``version -> {file name -> sha256}`` from a registry file (its shape checked)."""
    document: Any = json.loads(path.read_text(encoding="utf-8"))
    releases = document.get("releases") if isinstance(document, dict) else None
    if not isinstance(releases, dict):
        raise ValueError(f"{path}: no 'releases' object")
    for version, files in releases.items():
        if not _VERSION.fullmatch(version) or not isinstance(files, dict):
            raise ValueError(f"{path}: {version!r} is not a version with its files")
        for name, digest in files.items():
            if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
                raise ValueError(f"{path}: {version} {name}: not a sha256")
    return releases


@functools.lru_cache(maxsize=1)
def published() -> dict[str, dict[str, str]]:
    """The published releases the installed package knows."""
    return read_registry(REGISTRY_FILE)


def published_hash(name: str) -> str | None:
    """The published SHA-256 of a release file name, if a known release has that file."""
    for files in published().values():
        if name != DESCRIPTOR_KEY and name in files:
            return files[name]
    return None


def published_descriptor_hashes() -> set[str]:
    """The SHA-256 of the ``datapackage.json`` of every published release."""
    return {files[DESCRIPTOR_KEY] for files in published().values() if DESCRIPTOR_KEY in files}


def releases_url() -> str:
    return (os.environ.get(RELEASES_URL_VARIABLE) or DEFAULT_RELEASES_URL).rstrip("/")


def release_url(version: str) -> tuple[str, str]:
    """The URL of a published version's CSV zip and its published SHA-256."""
    files = published().get(version)
    name = zip_name(version)
    if files is None or name not in files:
        known = ", ".join(sorted(published())) or "none yet"
        raise UnknownVersionError(
            f"version {version!r} is not a release this package knows (published: {known}); "
            "upgrade china-ai-claims for newer releases, or open the release file with its "
            "SHA256SUMS beside it (in Python, release= with sha256= also does)"
        )
    return f"{releases_url()}/v{version}/{name}", files[name]


def registry_entry(release_dir: Path, version: str) -> dict[str, str]:
    """The registry entry of a release built into ``release_dir``: the hashes of the files the
    loader opens (the SQLite file depends on the SQLite library, so it is not listed)."""
    import hashlib
    import zipfile

    zip_path = release_dir / zip_name(version)
    entry = {
        name: hashlib.sha256((release_dir / name).read_bytes()).hexdigest()
        for name in (zip_name(version), json_name(version))
    }
    with zipfile.ZipFile(zip_path) as archive:
        entry[DESCRIPTOR_KEY] = hashlib.sha256(archive.read(DESCRIPTOR_KEY)).hexdigest()
    return dict(sorted(entry.items()))


def add_release(registry: Path, release_dir: Path, version: str) -> dict[str, str]:
    """Record a built release in ``registry``; a published entry is never changed."""
    releases = read_registry(registry) if registry.exists() else {}
    entry = registry_entry(release_dir, version)
    if releases.get(version, entry) != entry:
        raise ValueError(
            f"{registry}: {version} is recorded with other hashes; a published release never "
            "changes: bump the version"
        )
    releases[version] = entry
    document = {"releases": dict(sorted(releases.items(), key=lambda item: _key(item[0])))}
    registry.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return entry


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def main(arguments: list[str]) -> int:
    """``python -m china_ai_claims.registry RELEASE_DIR REGISTRY``: add the release built in
    RELEASE_DIR (its version read from the zip's descriptor) to the registry file REGISTRY
    (in a source tree: ``src/china_ai_claims/releases.json``; never the installed copy)."""
    import zipfile

    if len(arguments) != 2:
        print(main.__doc__, file=sys.stderr)
        return 2
    release_dir, target = Path(arguments[0]), Path(arguments[1])
    zips = sorted(release_dir.glob("china-ai-claims-*-csv.zip"))
    if len(zips) != 1:
        print(f"{release_dir}: expected one release zip, found {len(zips)}", file=sys.stderr)
        return 2
    with zipfile.ZipFile(zips[0]) as archive:
        version = json.loads(archive.read(DESCRIPTOR_KEY))["version"]
    try:
        entry = add_release(target, release_dir, version)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{target}: {version} {json.dumps(entry)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
