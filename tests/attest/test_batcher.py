"""Batching by size and by time (the anchoring step is the batcher's injected function)."""

from __future__ import annotations

import threading
import time

from ledger.attest.batcher import Batcher
from ledger.attest.records import ScoreRecord, seal_many


def sealed(n: int, expires_offset: int = 60):
    now = int(time.time())
    records = [
        ScoreRecord(
            subject=f"0x{i:064x}",
            score=500,
            grade="C",
            model_id=b"\x07" * 32,
            issued_at=now,
            expires_at=now + expires_offset,
            attester=1,
        )
        for i in range(n)
    ]
    return seal_many(records)


class Recorder:
    def __init__(self) -> None:
        self.batches: list[int] = []
        self.lock = threading.Lock()

    def __call__(self, records) -> str:
        with self.lock:
            self.batches.append(len(records))
            return f"root-{len(self.batches)}"


def test_submissions_in_quick_succession_share_one_batch():
    anchor = Recorder()
    batcher = Batcher(anchor, max_size=1_000, max_wait_s=0.3)
    try:
        futures = batcher.submit(sealed(3)) + batcher.submit(sealed(4))
        roots = {f.result(timeout=5) for f in futures}
    finally:
        batcher.close()
    assert anchor.batches == [7] and roots == {"root-1"}


def test_a_full_batch_closes_at_once_and_the_rest_waits_for_time():
    anchor = Recorder()
    batcher = Batcher(anchor, max_size=10, max_wait_s=0.2)
    try:
        futures = batcher.submit(sealed(25))
        for f in futures:
            f.result(timeout=5)
    finally:
        batcher.close()
    assert sorted(anchor.batches) == [5, 10, 10]


def test_different_expiries_go_to_different_batches():
    anchor = Recorder()
    batcher = Batcher(anchor, max_size=100, max_wait_s=0.1)
    try:
        futures = batcher.submit(sealed(2, 60)) + batcher.submit(sealed(3, 120))
        for f in futures:
            f.result(timeout=5)
    finally:
        batcher.close()
    assert sorted(anchor.batches) == [2, 3]


def test_an_anchor_failure_reaches_every_waiting_record():
    def failing(records) -> str:
        raise RuntimeError("node down")

    batcher = Batcher(failing, max_size=5, max_wait_s=0.1)
    try:
        futures = batcher.submit(sealed(5))
        errors = [f.exception(timeout=5) for f in futures]
    finally:
        batcher.close()
    assert all(isinstance(e, RuntimeError) for e in errors)
