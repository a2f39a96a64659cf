import threading
import time

import pytest

from ledger.attest._seal import commitments
from ledger.attest.records import ScoreRecord, commitment
from ledger.attest.sealing import MIN_PARALLEL, ParallelSealer


def _records(n: int) -> list[ScoreRecord]:
    now = int(time.time())
    return [
        ScoreRecord(
            subject=f"0x{i:064x}",
            score=i % 1000,
            grade="B",
            model_id=b"\x01" * 32,
            issued_at=now,
            expires_at=now + 60,
            attester=1,
            pd_bps=i % 10_000,
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("workers", [1, 3])
def test_parallel_sealing_gives_valid_commitments_in_order(workers: int):
    records = _records(MIN_PARALLEL + 501)
    sealer = ParallelSealer(workers=workers)
    try:
        sealed = sealer.seal_many(records)
    finally:
        sealer.close()
    assert [s.record for s in sealed] == records
    assert all(commitment(s) == s.commitment for s in sealed)
    assert len({s.commitment for s in sealed}) == len(records)


def test_the_hashing_runs_without_the_gil():
    """Other threads run while the C call hashes: that is what lets the shares of a
    request be hashed on several cores at once."""
    canonicals = [r.canonical() for r in _records(20_000)]
    entropy = bytes(32 * sum(map(len, canonicals)))
    done = threading.Event()
    call: list[float] = []

    def hash_all() -> None:
        call.append(time.perf_counter())
        commitments(canonicals, entropy)
        call.append(time.perf_counter())
        done.set()

    ticks: list[float] = []
    worker = threading.Thread(target=hash_all)
    worker.start()
    while not done.is_set():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    worker.join()
    start, end = call
    margin = (end - start) / 10
    # Holding the GIL, the call would keep this thread from running at all meanwhile.
    assert any(start + margin < t < end - margin for t in ticks)
