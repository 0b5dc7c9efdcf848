"""How much work opening a release may cost, whatever its bytes say.

A genuine release is small (the CSV zip of 0.1.0 is about 110 kB, its JSON file about 125 kB, its
``datapackage.json`` about 60 kB); each limit leaves room for a release thousands of times larger,
and stops a hostile one (a zip bomb, an endless download, a descriptor nested a million deep) in
bounded time and memory. The values are documented in README.md ("Loading releases").

Code reads ``LIMITS`` at call time, so a program (or a test) may lower them with
``dataclasses.replace``.
"""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    release_bytes: int = 1024 * MiB
    """A release file (zip or JSON), downloaded or local."""
    descriptor_bytes: int = 16 * MiB
    """``datapackage.json`` inside a zip or a folder; a JSON release's metadata, in characters."""
    sums_bytes: int = 1 * MiB
    """A ``SHA256SUMS`` file."""
    table_bytes: int = 512 * MiB
    """One table's CSV, besides the exact size its descriptor records."""
    unpacked_bytes: int = 1024 * MiB
    """All the tables of one release together."""
    compression_ratio: int = 50
    """Unpacked to packed size of a zip member (releases are stored, ratio 1)."""
    zip_entries: int = 100_000
    """Members listed in a zip's central directory."""
    json_depth: int = 64
    """Nesting of arrays and objects in any JSON document (a release's is at most 9)."""
    json_record_chars: int = 1 * MiB
    """One record of a JSON release, in characters (a genuine one has a few thousand)."""
    download_seconds: float = 900.0
    """A whole download, from connecting to the last byte."""
    read_timeout_seconds: float = 30.0
    """Silence from the server while connecting or reading."""
    redirects: int = 5
    """Redirects followed for one download."""


LIMITS = Limits()
