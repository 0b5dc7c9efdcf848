"""The console scripts installed beside the Python that runs the tests, on any OS."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def script(name: str) -> str:
    """The path of the console script ``name`` of this environment (``name.exe`` on Windows)."""
    folder = Path(sys.executable).parent
    found = shutil.which(name, path=str(folder))
    return found if found is not None else str(folder / name)


CHINA_AI_CLAIMS = script("china-ai-claims")
