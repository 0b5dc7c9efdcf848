"""A fictional second contribution, made the way CONTRIBUTING.md says and nothing else.

A new source archived with ``china-ai-claims add-source``, rows appended to the tables, the minor
version bumped in ``dataset/datapackage.json`` and a CHANGELOG entry. Everything in it is
invented for the tests and says so.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

COMMAND = str(Path(sys.executable).with_name("china-ai-claims"))
SOURCE_ID = "placeholder-vision-funding"
ORGANIZATIONS = ("placeholder-vision", "placeholder-ventures")
FUNDING_CLAIM = "placeholder-vision-round"
ADDED_IDS = {
    "sources": [SOURCE_ID],
    "organizations": list(ORGANIZATIONS),
    "funding_claims": [FUNDING_CLAIM],
}
ARTICLE = (
    "Placeholder Vision raises $12 million\n"
    "Placeholder Vision, a fictional Hangzhou camera start-up invented for a test, said it raised "
    "$12 million from Placeholder Ventures.\n"
)
NOTE = "Fictional: a test contribution only."
ROWS = {
    "organizations.csv": [
        f'placeholder-vision,Placeholder Vision,,company,CN,,{SOURCE_ID},"Placeholder Vision, a '
        f'fictional Hangzhou camera start-up invented for a test",{NOTE}',
        f"placeholder-ventures,Placeholder Ventures,,investor,,,{SOURCE_ID},said it raised $12 "
        f"million from Placeholder Ventures,{NOTE}",
    ],
}
FUNDING_COLUMNS = {
    "id": FUNDING_CLAIM,
    "claim_kind": "investment",
    "funder_organization_id": "placeholder-ventures",
    "target_text": "Placeholder Vision",
    "amount": "12000000",
    "currency": "USD",
    "bound": "exact",
    "amount_text": "$12 million",
    "claimed_by_organization_id": "placeholder-vision",
    "source_id": SOURCE_ID,
    "quote": ARTICLE.splitlines()[1],
    "note": NOTE,
}
CHANGELOG_TOP = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", re.MULTILINE)


def run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``china-ai-claims ARGS`` as a contributor types it, in ``repo``."""
    return subprocess.run(
        [COMMAND, *args], cwd=repo, capture_output=True, text=True, check=False, encoding="utf-8"
    )


def _append(table: Path, lines: list[str]) -> None:
    with table.open("a", encoding="utf-8", newline="\n") as handle:
        handle.writelines(line + "\n" for line in lines)


def _funding_row(dataset: Path) -> str:
    header = (dataset / "funding_claims.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    cells = [FUNDING_COLUMNS.get(column, "") for column in header.split(",")]
    return ",".join(f'"{cell}"' if "," in cell else cell for cell in cells)


def next_minor(version: str) -> str:
    major, minor, _ = version.split(".")
    return f"{major}.{int(minor) + 1}.0"


def contribute(repo: Path, date: str = "2026-12-01") -> str:
    """Apply the contribution to the checkout ``repo``; returns the new version."""
    dataset = repo / "dataset"
    article = repo.parent / "placeholder-article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    archived = run(
        repo,
        "add-source",
        str(article),
        "--id",
        SOURCE_ID,
        "--title",
        "Placeholder Vision raises $12 million",
        "--publisher",
        "Example News",
    )
    assert archived.returncode == 0, archived.stdout + archived.stderr
    for table, lines in ROWS.items():
        _append(dataset / table, lines)
    _append(dataset / "funding_claims.csv", [_funding_row(dataset)])

    descriptor_file = dataset / "datapackage.json"
    descriptor = descriptor_file.read_text(encoding="utf-8")
    old = json.loads(descriptor)["version"]
    new = next_minor(old)
    descriptor_file.write_text(
        descriptor.replace(f'"version": "{old}"', f'"version": "{new}"', 1),
        encoding="utf-8",
        newline="\n",
    )
    changelog_file = repo / "CHANGELOG.md"
    changelog = changelog_file.read_text(encoding="utf-8")
    entry = (
        f"## [{new}] - {date}\n\n### Added\n\n"
        f"- Source `{SOURCE_ID}` (fictional); `organizations`: {', '.join(ORGANIZATIONS)}; "
        f"`funding_claims`: {FUNDING_CLAIM}.\n\n"
    )
    first = CHANGELOG_TOP.search(changelog)
    assert first is not None
    changelog_file.write_text(
        changelog[: first.start()] + entry + changelog[first.start() :], encoding="utf-8"
    )
    return new
