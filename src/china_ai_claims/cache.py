"""The download cache: nothing is kept until it verifies, and concurrent loads share one copy.

Where: ``$CHINA_AI_CLAIMS_CACHE`` if set, else the platform's user cache folder (platformdirs).
Each URL has its own folder (named by the hash of the URL) holding the verified file and, beside
it, the SHA-256 it was verified against (``<name>.sha256``), so that later loads check the copy
offline. A download goes to a fresh temporary file in that folder (created exclusively, so a link
planted there is never written through), is verified against its anchor (a pin, the registry of
published releases, or a ``SHA256SUMS`` fetched fresh beside it) and only then renamed into place
(atomic). A file lock (filelock) per URL folder makes concurrent processes wait for one download
instead of racing. A cached copy that no longer verifies is fetched again once; if the new copy
fails too, the error names the cached path.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import tempfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from china_ai_claims import limits, registry
from china_ai_claims.errors import ChecksumError, DownloadError, UnverifiedReleaseError

CACHE_VARIABLE = "CHINA_AI_CLAIMS_CACHE"
DOWNLOADS = "downloads"
RECORD_SUFFIX = ".sha256"
LOCK_FILE = ".lock"
URL_FILE = ".url"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.(zip|json)")


def cache_dir() -> Path:
    """Where downloaded releases are kept: ``$CHINA_AI_CLAIMS_CACHE``, else the user cache."""
    configured = os.environ.get(CACHE_VARIABLE)
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("china-ai-claims", appauthor=False))


@dataclass(frozen=True)
class CachedFile:
    """One verified download in the cache."""

    url: str
    path: Path
    sha256: str
    size: int


def _folder(url: str) -> Path:
    return cache_dir() / DOWNLOADS / hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]


def _file_name(url: str) -> str:
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
    if not _NAME.fullmatch(name):
        raise DownloadError(url, "the URL must end in the name of a release file (.zip or .json)")
    return name


def _hash_file(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 16):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _verified_copy(target: Path, pin: str | None) -> str | None:
    """The SHA-256 of the cached copy if it still matches what it was verified against."""
    record = target.with_name(target.name + RECORD_SUFFIX)
    try:
        recorded = record.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if pin is not None and recorded != pin:
        return None
    return recorded if _hash_file(target) == recorded else None


def _write_atomically(folder: Path, target: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".part-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _expected(url: str, name: str, pin: str | None) -> tuple[str, str]:
    """The hash the download must have, and what vouches for it."""
    published = registry.published_hash(name)
    if published is not None and pin in (None, published):
        return published, f"the published {name}"
    if pin is not None:
        return pin, "sha256="
    from china_ai_claims.downloads import download
    from china_ai_claims.opening import SUMS_FILE, parse_sums

    sums_url = urllib.parse.urljoin(url, SUMS_FILE)
    buffer = io.BytesIO()
    try:
        download(sums_url, buffer, pinned=False, cap=limits.LIMITS.sums_bytes)
    except DownloadError as error:
        if error.status != 404:
            raise
    listed = parse_sums(buffer.getvalue(), sums_url).get(name)
    if listed is None:
        raise UnverifiedReleaseError(
            f"{url}: cannot verify it: nothing pins it, it is not a published release this "
            f"package knows, and no {SUMS_FILE} beside it lists {name}; open a published version "
            "by its number (version= in Python), or, in Python, pass sha256= with the file's "
            "SHA-256"
        )
    return listed, f"its {SUMS_FILE}"


def fetch(url: str, pin: str | None = None, *, refresh: bool = False) -> tuple[Path, str]:
    """The verified local copy of ``url`` and its SHA-256: from the cache when it still verifies
    (offline), else downloaded, verified and then cached."""
    from filelock import FileLock, Timeout

    from china_ai_claims.downloads import check_url, download

    pin = pin.lower() if pin is not None else None
    check_url(url, pinned=pin is not None)
    name = _file_name(url)
    folder = _folder(url)
    target = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = FileLock(str(folder / LOCK_FILE), timeout=limits.LIMITS.download_seconds * 2 + 60)
        lock.acquire()
    except Timeout:
        raise DownloadError(url, f"another process holds the cache lock of {folder}") from None
    except OSError as error:
        raise DownloadError(url, f"cannot use the cache folder {folder}: {error}") from None
    try:
        stale = target.exists()
        if not refresh and (verified := _verified_copy(target, pin)) is not None:
            return target, verified
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".part-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                actual = download(url, handle, pinned=pin is not None)
            expected, anchor = _expected(url, name, pin)
            if actual != expected:
                note = f" ({anchor}); nothing cached"
                if stale:
                    note = f" ({anchor}); the cached copy {target} no longer verified either"
                raise ChecksumError(url, expected, actual, note=note)
            os.replace(temporary, target)
            _write_atomically(folder, target.with_name(name + RECORD_SUFFIX), actual.encode())
            _write_atomically(folder, folder / URL_FILE, url.encode("utf-8"))
            return target, actual
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
    finally:
        lock.release()


def entries() -> list[CachedFile]:
    """Every verified download in the cache."""
    root = cache_dir() / DOWNLOADS
    found = []
    for record in sorted(root.glob(f"*/*{RECORD_SUFFIX}")):
        path = record.with_name(record.name.removesuffix(RECORD_SUFFIX))
        url_file = record.parent / URL_FILE
        with contextlib.suppress(OSError, UnicodeDecodeError):
            found.append(
                CachedFile(
                    url=url_file.read_text(encoding="utf-8").strip() if url_file.exists() else "",
                    path=path,
                    sha256=record.read_text(encoding="ascii").strip(),
                    size=path.stat().st_size,
                )
            )
    return found


def clear() -> int:
    """Remove every download from the cache; how many there were."""
    count = len(entries())
    shutil.rmtree(cache_dir() / DOWNLOADS, ignore_errors=True)
    return count
