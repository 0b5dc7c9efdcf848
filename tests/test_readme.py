"""A newcomer follows README.md: its commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path


def _shell_blocks(readme: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```(?:sh|bash)\n(.*?)```", readme, re.DOTALL)]


def test_ci_runs_readme_test_command_verbatim(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    blocks = _shell_blocks(readme)
    test_commands = [block for block in blocks if "pytest" in block]
    assert len(test_commands) == 1, test_commands
    ci_lines = (repo_root / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_commands[0] in ci_lines


def test_readme_links_resolve(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\((?!https?://|#)([^)]+)\)", readme):
        assert (repo_root / target).exists(), target


def test_every_command_is_documented_in_the_readme(repo_root: Path) -> None:
    from china_ai_claims.cli import app

    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    names = [command.name or command.callback.__name__ for command in app.registered_commands]
    assert len(names) >= 10
    missing = [name for name in names if f"china-ai-claims {name}" not in readme]
    assert missing == []
