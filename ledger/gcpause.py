"""Pause Python's cyclic garbage collector around work that allocates many objects at once.

Parsing and verifying 10,000 disclosures builds a few million dicts, lists and strings
that live until the answer is sent; every 700 allocations the collector walks the young
objects and, as they survive, older generations too: about 40% of the CPU of a batch, and
nothing is freed (measured in BENCHMARKS.md, issue 14). Reference counting still frees
everything; only cycles wait until the pause ends.

Pauses may overlap (concurrent requests): the collector comes back when the last ends.
The API never runs with it off otherwise, so it is switched on then, whatever another
module's own pause did meanwhile (a pause elsewhere that ends later restores it anyway).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_active = 0


@contextmanager
def collector_paused() -> Iterator[None]:
    global _active
    with _lock:
        _active += 1
        gc.disable()
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                gc.enable()
