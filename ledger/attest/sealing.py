"""Seal large batches of records on more than one core.

Sealing (salting and hashing every field, ~26 keccak calls per record) is the hot loop
of issuance. A request of thousands of records is split: one share is sealed in this
process while the others are sealed in worker processes, which send back only the
salts and commitments (cheap to pickle); the parent rebuilds the ``SealedRecord``s.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from ledger.attest.records import SALT_BYTES, ScoreRecord, SealedRecord, seal_many

MIN_PARALLEL = 2_000  # below this, process overhead outweighs the gain

Sealed = tuple[bytes, bytes]  # (concatenated salts in field order, commitment)


def _seal_remote(records: Sequence[ScoreRecord]) -> list[Sealed]:
    return [(b"".join(s.salts.values()), s.commitment) for s in seal_many(records)]


def _rebuild(record: ScoreRecord, sealed: Sealed) -> SealedRecord:
    salts_blob, commitment = sealed
    names = [name for name, _ in record.canonical()]
    salts = {n: salts_blob[i * SALT_BYTES : (i + 1) * SALT_BYTES] for i, n in enumerate(names)}
    return SealedRecord(record, salts, commitment)


class ParallelSealer:
    """``seal_many`` spread over this process and ``workers`` others."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: the service has threads (batcher, indexer, server).
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
        return self._pool

    def seal_many(self, records: Sequence[ScoreRecord]) -> list[SealedRecord]:
        if self.workers < 1 or len(records) < MIN_PARALLEL:
            return seal_many(records)
        share = len(records) // (self.workers + 1)
        remote_parts = [records[(i + 1) * share : (i + 2) * share] for i in range(self.workers)]
        remote_parts[-1] = records[self.workers * share :]
        futures: list[Future[list[Sealed]]] = [
            self._executor().submit(_seal_remote, part) for part in remote_parts
        ]
        local = seal_many(records[:share])
        for part, fut in zip(remote_parts, futures, strict=True):
            local += [_rebuild(r, s) for r, s in zip(part, fut.result(), strict=True)]
        return local

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
