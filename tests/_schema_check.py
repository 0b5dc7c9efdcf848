"""check-jsonschema, run in the test process.

It ships the schemas of GitHub's workflows and of Dependabot's config, so it needs no network;
in a Python process of its own it took some 0.35 s of CPU a file, in this one a few ms.
"""

from __future__ import annotations

import warnings


def check_jsonschema(*arguments: str) -> tuple[int, str]:
    """``check-jsonschema ARGUMENTS``: its exit code and what it printed."""
    with warnings.catch_warnings():
        # check-jsonschema 0.29 (the lowest the test extras allow) subclasses click APIs that
        # later clicks deprecate: warnings not ours to fix, which its own process never showed.
        warnings.simplefilter("ignore", DeprecationWarning)
        from check_jsonschema import main
        from click.testing import CliRunner

        result = CliRunner().invoke(main, list(arguments))
    # Only its own exit may end it: a crash would otherwise pass for the exit code 1 of a finding.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output
