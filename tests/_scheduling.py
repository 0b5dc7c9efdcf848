"""Which process runs which test file under README's test command (``-n 2 --dist loadfile``).

pytest-xdist gives each process whole files, those with the most tests first. A file with few
tests may still be among the longest (the validator's fuzz tests, the browser, the hostile
servers): handed out last, it ran alone at the end while the other process had nothing left to
do. The longest files go first instead, so that the many short ones even out the end.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from xdist.scheduler import LoadFileScheduling

# The longest files, longest first, by the seconds (CPU and waiting) of their tests, fixtures
# and child processes under README's command; every other file keeps xdist's order after them.
LONGEST_FILES = (
    "test_validate_fuzz.py",
    "test_load_release_hostile.py",
    "test_site.py",
    "test_release_formats.py",
    "test_validate.py",
    "test_load_fast.py",
    "test_use_with.py",
    "test_read.py",
    "test_show.py",
    "test_claim_modality.py",
    "test_contribute.py",
    "test_datasette.py",
    "test_contribute_ci.py",
    "test_contract.py",
    "test_packaging.py",
    "test_locating.py",
)


class LongestFilesFirst(LoadFileScheduling):
    """xdist's ``loadfile`` scheduling with :data:`LONGEST_FILES` handed out first."""

    def __init__(self, config: Any, log: Any = None) -> None:
        super().__init__(config, log)
        self._ordered = False

    def _assign_work_unit(self, node: Any) -> None:
        if not self._ordered:  # the queue is complete when the first file is handed out
            self._ordered = True
            rank = {name: n for n, name in enumerate(LONGEST_FILES)}
            first = sorted(
                (scope for scope in self.workqueue if PurePosixPath(scope).name in rank),
                key=lambda scope: rank[PurePosixPath(scope).name],
            )
            for scope in reversed(first):
                self.workqueue.move_to_end(scope, last=False)
        super()._assign_work_unit(node)
