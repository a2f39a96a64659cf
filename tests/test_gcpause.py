"""The collector pause: off inside, back on when the last of overlapping pauses ends."""

from __future__ import annotations

import gc

import pytest

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
