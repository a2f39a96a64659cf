"""The collector pause: off inside, back on when the last of overlapping pauses ends."""

from __future__ import annotations

import gc

import pytest

from ledger import gcpause
from ledger.gcpause import collector_paused


def test_overlapping_pauses_restore_the_collector_when_the_last_ends():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still runs
    assert gc.isenabled()


def test_a_failure_inside_still_restores_the_collector():
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_pauses_that_keep_overlapping_still_let_cycles_be_collected(monkeypatch):
    """Steady load: each pause starts before the last ends, so the collector would never
    come back on; a pause ending after MAX_OFF_S collects once itself."""
    clock = [1000.0]
    monkeypatch.setattr(gcpause.time, "monotonic", lambda: clock[0])
    collections: list[int] = []
    monkeypatch.setattr(gcpause.gc, "collect", lambda *a: collections.append(1) or 0)
    outer = collector_paused()
    outer.__enter__()
    for _ in range(3):  # short pauses inside the long one, within the limit: no collection
        with collector_paused():
            clock[0] += 1
    assert not collections
    clock[0] += gcpause.MAX_OFF_S
    with collector_paused():
        pass
    assert len(collections) == 1 and not gc.isenabled()  # collected, and still paused
    with collector_paused():
        clock[0] += 1
    assert len(collections) == 1  # the next one is MAX_OFF_S away
    outer.__exit__(None, None, None)
    assert gc.isenabled()
