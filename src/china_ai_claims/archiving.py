"""Archive a new source text into a dataset folder, the way the validator expects it.

The text is stored as UTF-8 in Unicode NFC with LF line endings, under ``sources/<id>.txt``, and
described in ``sources.csv`` with its SHA-256 and size; ``datapackage.json`` is refreshed. Nothing
is overwritten: an existing id or file is refused. A text that is binary, not UTF-8, or holds
control, bidi or zero-width characters is refused with the line to look at.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import unicodedata
from pathlib import Path

from china_ai_claims.models import ID_PATTERN, URL_PATTERN, Source, columns
from china_ai_claims.schema_builder import data_package, dumps
from china_ai_claims.validators.files import MAX_FILE_BYTES
from china_ai_claims.validators.text import BIDI, SOURCE_CONTROL, ZERO_WIDTH

SOURCES_CSV = "sources.csv"


class SourceError(ValueError):
    """The text or its description cannot be archived; nothing was written."""


def _text_of(file: Path) -> str:
    data = file.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"{file}: larger than {MAX_FILE_BYTES} bytes")
    if b"\x00" in data:
        raise SourceError(f"{file}: looks binary (it holds NUL bytes); archive a plain text")
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SourceError(
            f"{file}:{line}: byte 0x{data[error.start]:02x} is not UTF-8; "
            "save the text as UTF-8 first (no encoding is guessed)"
        ) from None
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    for number, line_text in enumerate(text.split("\n"), start=1):
        for pattern, what in (
            (SOURCE_CONTROL, "control"),
            (BIDI, "bidi"),
            (ZERO_WIDTH, "zero-width"),
        ):
            found = pattern.search(line_text)
            if found:
                raise SourceError(
                    f"{file}:{number}: {what} character U+{ord(found.group()):04X}; remove it "
                    "from the text first"
                )
    if not text.strip():
        raise SourceError(f"{file}: the text is empty")
    return text


def _check_fields(source_id: str, title: str, url: str | None, published: str | None) -> None:
    if not re.fullmatch(ID_PATTERN, source_id) or len(source_id) > 80:
        raise SourceError(
            f"id {source_id!r}: lower-case ASCII words joined by hyphens, e.g. "
            "'reuters-deepseek-2025'"
        )
    if not title.strip() or title != title.strip() or "\n" in title:
        raise SourceError("title: one line, without leading or trailing spaces")
    if url is not None and not re.fullmatch(URL_PATTERN, url):
        raise SourceError(
            f"url {url!r}: an http(s) address, without spaces, quotes, angle brackets or "
            "backslashes (percent-encode other characters)"
        )
    if published is not None:
        try:
            day = datetime.date.fromisoformat(published)
        except ValueError:
            raise SourceError(f"published {published!r}: an ISO date such as 2025-03-31") from None
        from china_ai_claims.validators.whole import FUTURE_MARGIN

        today = datetime.datetime.now(datetime.timezone.utc).date()
        if day > today + FUTURE_MARGIN:  # validate would refuse the row (date-in-future)
            raise SourceError(f"published {published}: after today ({today}); check the date")


def add_source(
    file: Path,
    *,
    source_id: str,
    title: str,
    data_dir: Path,
    url: str | None = None,
    publisher: str | None = None,
    published: str | None = None,
    language: str = "en",
    retrieved: datetime.date | None = None,
) -> Path:
    """Archive ``file`` as source ``source_id`` of ``data_dir``; returns the archived file."""
    _check_fields(source_id, title, url, published)
    table = data_dir / SOURCES_CSV
    if not table.is_file():
        raise SourceError(f"{table} not found: pass the dataset folder (--data-dir)")
    with table.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    existing = {row["id"] for row in rows}
    target = data_dir / "sources" / f"{source_id}.txt"
    if source_id in existing:
        raise SourceError(f"id {source_id!r} is already in {SOURCES_CSV}; ids are never reused")
    if target.exists() or target.is_symlink():
        raise SourceError(f"{target} already exists; nothing is overwritten")
    data = _text_of(file).encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    archived_as = next((row["id"] for row in rows if row.get("sha256") == digest), None)
    if archived_as is not None:
        raise SourceError(
            f"{file} is already archived as source {archived_as!r} (same text, same sha256): "
            "use that id in your rows"
        )
    row = {
        "id": source_id,
        "title": title,
        "publisher": publisher or "",
        "url": url or "",
        "published": published or "",
        "retrieved": (retrieved or datetime.date.today()).isoformat(),
        "language": language,
        "path": f"sources/{source_id}.txt",
        "sha256": digest,
        "bytes": str(len(data)),
        "note": "",
    }
    Source.model_validate(row)
    target.parent.mkdir(exist_ok=True)
    with target.open("xb") as handle:
        handle.write(data)
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=columns(Source), lineterminator="\n").writerow(row)
    current = table.read_bytes()
    separator = b"" if current.endswith(b"\n") else b"\n"
    table.write_bytes(current + separator + buffer.getvalue().encode("utf-8"))
    (data_dir / "datapackage.json").write_text(
        dumps(data_package(data_dir)), encoding="utf-8", newline="\n"
    )
    return target
