"""Python's cyclic garbage collector paused while many containers are made that cannot form a
cycle: their number sets off collections, full ones among them, which walk every object of the
process."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """The collector paused for the block, then left as found: switched back on only if it was
    on (a caller that switched it off, or another thread in such a block, keeps it off)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
