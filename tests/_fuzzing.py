"""How many examples a property test draws, from the hypothesis profile of the run.

``conftest.py`` registers two profiles: ``ci`` (README's test command, which CI runs) draws the
full counts, 100 examples a test unless a test asks for more; ``dev``, the default, draws a
quarter of them for a quick run while working.
"""

from __future__ import annotations

from hypothesis import settings

CI_EXAMPLES = 100  # the ``ci`` profile's examples per test (hypothesis's own default)
DEV_EXAMPLES = 25


def examples(under_ci: int) -> int:
    """``under_ci`` examples under the ``ci`` profile; the same share of the current profile's
    count otherwise (never fewer than one)."""
    return max(1, under_ci * settings().max_examples // CI_EXAMPLES)
