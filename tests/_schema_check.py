"""check-jsonschema, run in the test process.

It ships the schemas of GitHub's workflows and of Dependabot's config, so it needs no network;
in a Python process of its own it took some 0.35 s of CPU a file, in this one a few ms.
"""

from __future__ import annotations


def check_jsonschema(*arguments: str) -> tuple[int, str]:
    """``check-jsonschema ARGUMENTS``: its exit code and what it printed."""
    from check_jsonschema import main
    from click.testing import CliRunner

    result = CliRunner().invoke(main, list(arguments))
    return result.exit_code, result.output
