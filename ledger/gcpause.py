"""Pause Python's cyclic garbage collector around work that allocates many objects at once.

Parsing and verifying 10,000 disclosures builds a few million dicts, lists and strings
that live until the answer is sent; every 700 allocations the collector walks the young
objects and, as they survive, older generations too: about 40% of the CPU of a batch, and
nothing is freed (measured in BENCHMARKS.md, issue 14). Reference counting still frees
everything; only cycles wait until the pause ends.

Pauses may overlap (concurrent requests): the collector comes back when the last ends.
The API never runs with it off otherwise, so it is switched on then, whatever another
module's own pause did meanwhile (a pause elsewhere that ends later restores it anyway).
Under steady load overlapping pauses could keep it off for good, so a pause that ends
after the collector has been off for ``MAX_OFF_S`` runs one collection itself: cycles
wait at most that long.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

MAX_OFF_S = 10.0

_lock = threading.Lock()
_active = 0
_collected_at = 0.0  # when the collector last ran or came back on, while paused


@contextmanager
def collector_paused() -> Iterator[None]:
    global _active, _collected_at
    with _lock:
        if _active == 0:
            _collected_at = time.monotonic()
        _active += 1
        gc.disable()
    try:
        yield
    finally:
        overdue = False
        with _lock:
            _active -= 1
            if _active == 0:
                gc.enable()
            elif time.monotonic() - _collected_at >= MAX_OFF_S:
                _collected_at, overdue = time.monotonic(), True
        if overdue:  # outside the lock: other pauses start and end meanwhile
            gc.collect()
