"""A fictional second contribution, made the way CONTRIBUTING.md says and nothing else.

A new source archived with ``china-ai-claims add-source``, rows appended to the tables, the minor
version bumped in ``dataset/datapackage.json`` and a CHANGELOG entry. Everything in it is
invented for the tests and says so.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from _installed import CHINA_AI_CLAIMS

COMMAND = CHINA_AI_CLAIMS
NOTE = "Fictional: a test contribution only."


class Contribution:
    """The fictional contribution, its names made from ``word`` (``Placeholder`` by default:
    another word gives another contribution that can be made on top of this one)."""

    def __init__(self, word: str = "Placeholder") -> None:
        slug = word.lower()
        self.company, self.investor = f"{word} Vision", f"{word} Ventures"
        self.source_id = f"{slug}-vision-funding"
        self.organizations = (f"{slug}-vision", f"{slug}-ventures")
        self.funding_claim = f"{slug}-vision-round"
        self.added_ids = {
            "sources": [self.source_id],
            "organizations": list(self.organizations),
            "funding_claims": [self.funding_claim],
        }
        self.sentence = (
            f"{self.company}, a fictional Hangzhou camera start-up invented for a test, said it "
            f"raised $12 million from {self.investor}."
        )
        self.article = f"{self.company} raises $12 million\n{self.sentence}\n"
        company_quote = self.sentence.split(", said", 1)[0]
        investor_quote = f"said it raised $12 million from {self.investor}"
        self.organization_rows = [
            f"{self.organizations[0]},{self.company},,company,CN,,{self.source_id},"
            f'"{company_quote}",{NOTE}',
            f"{self.organizations[1]},{self.investor},,investor,,,{self.source_id},"
            f"{investor_quote},{NOTE}",
        ]
        self.funding_columns = {
            "id": self.funding_claim,
            "claim_kind": "investment",
            "funder_organization_id": self.organizations[1],
            "target_text": self.company,
            "amount": "12000000",
            "currency": "USD",
            "bound": "exact",
            "amount_text": "$12 million",
            "modality": "assertion",
            "period_kind": "one_off",  # one round of funding
            "claimed_by_organization_id": self.organizations[0],
            "source_id": self.source_id,
            "quote": self.sentence,
            "note": NOTE,
        }


CHANGELOG_TOP = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", re.MULTILINE)


def run_installed(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``china-ai-claims ARGS`` as a contributor types it, in ``repo``: the installed script."""
    return subprocess.run(
        [COMMAND, *args], cwd=repo, capture_output=True, text=True, check=False, encoding="utf-8"
    )


def run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``china-ai-claims ARGS`` run in ``repo`` as :func:`run_installed` runs it, but in this
    process (the same command, without starting Python and importing it each time)."""
    from typer.testing import CliRunner

    from china_ai_claims.cli import app

    here = Path.cwd()
    os.chdir(repo)
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(
        [COMMAND, *args], result.exit_code, result.stdout, result.stderr
    )


def _append(table: Path, lines: list[str]) -> None:
    with table.open("a", encoding="utf-8", newline="\n") as handle:
        handle.writelines(line + "\n" for line in lines)


def _funding_row(dataset: Path, columns: dict[str, str]) -> str:
    header = (dataset / "funding_claims.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    cells = [columns.get(column, "") for column in header.split(",")]
    return ",".join(f'"{cell}"' if "," in cell else cell for cell in cells)


def next_minor(version: str) -> str:
    major, minor, _ = version.split(".")
    return f"{major}.{int(minor) + 1}.0"


def contribute(repo: Path, made: Contribution, date: str = "2026-12-01") -> str:
    """Apply the contribution ``made`` to the checkout ``repo``; returns the new version."""
    dataset = repo / "dataset"
    article = repo.parent / f"{made.source_id}.txt"
    article.write_text(made.article, encoding="utf-8")
    archived = run(
        repo,
        "add-source",
        str(article),
        "--id",
        made.source_id,
        "--title",
        f"{made.company} raises $12 million",
        "--publisher",
        "Example News",
    )
    assert archived.returncode == 0, archived.stdout + archived.stderr
    _append(dataset / "organizations.csv", made.organization_rows)
    _append(dataset / "funding_claims.csv", [_funding_row(dataset, made.funding_columns)])
    # The headline repeats the round: acknowledged, so that the coverage report stays empty.
    _append(
        dataset / "coverage-exclusions.csv",
        [f"{made.source_id},{made.company} raises $12 million,Headline repeating the round."],
    )

    descriptor_file = dataset / "datapackage.json"
    descriptor = descriptor_file.read_text(encoding="utf-8")
    old = json.loads(descriptor)["version"]
    new = next_minor(old)
    descriptor_file.write_text(
        descriptor.replace(f'"version": "{old}"', f'"version": "{new}"', 1),
        encoding="utf-8",
        newline="\n",
    )
    regenerated = run(repo, "schemas")  # the files that cite the version follow it
    assert regenerated.returncode == 0, regenerated.stdout + regenerated.stderr
    changelog_file = repo / "CHANGELOG.md"
    changelog = changelog_file.read_text(encoding="utf-8")
    entry = (
        f"## [{new}] - {date}\n\n### Added\n\n"
        f"- Source `{made.source_id}` (fictional); `organizations`: "
        f"{', '.join(made.organizations)}; `funding_claims`: {made.funding_claim}.\n\n"
    )
    first = CHANGELOG_TOP.search(changelog)
    assert first is not None
    changelog_file.write_text(
        changelog[: first.start()] + entry + changelog[first.start() :], encoding="utf-8"
    )
    return new
