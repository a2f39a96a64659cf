import time

from ledger.attest.records import ScoreRecord, commitment
from ledger.attest.sealing import MIN_PARALLEL, ParallelSealer


def test_parallel_sealing_gives_valid_commitments_in_order():
    now = int(time.time())
    records = [
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
        for i in range(MIN_PARALLEL + 501)
    ]
    sealer = ParallelSealer(workers=1)
    try:
        sealed = sealer.seal_many(records)
    finally:
        sealer.close()
    assert [s.record for s in sealed] == records
    assert all(commitment(s) == s.commitment for s in sealed)
    assert len({s.commitment for s in sealed}) == len(records)
