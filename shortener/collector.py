"""paused(): Python's cycle collector off while a bulk step runs, back on after.

The click CSV export, bulk minting and the import make and drop thousands
of small objects a chunk, none of them in a reference cycle. The
allocations alone set off collections, and what lives through a few moves
to the old generation, whose full passes trace every object the process
holds: in a worker with a large heap, a quarter to a third of a chunk's
time. Paused for the chunk, its objects are freed by their reference counts
before the collector looks; cycles made meanwhile wait for its next pass.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off inside the block; on again after it (errors included) if it was on."""
    if not gc.isenabled():
        yield  # paused by an outer block, or by the process: left as it is
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
