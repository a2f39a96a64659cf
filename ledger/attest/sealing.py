"""Seal large batches of records on more than one core.

Sealing (salting and hashing every field, ~26 keccak calls per record) is the hot loop
of issuance. Its hashing, and writing each record's sealed JSON, is one C call
(``ledger.attest._seal``) that runs without the GIL, so a request of thousands of
records is split over threads: one share hashed on the calling thread while the others
are hashed on ``workers`` more, all at once on as many cores. Threads rather than processes: nothing is pickled or copied, the records'
texts are read where they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from ledger.attest.records import SALT_BYTES, ScoreRecord, SealedRecord, seal_many

try:
    from ledger.attest._seal import commitments as _commitments
except ImportError:  # pragma: no cover - a source tree that was never built
    _commitments = None

MIN_PARALLEL = 2_000  # below this, handing out work costs more than it saves


class ParallelSealer:
    """``seal_many`` with the hashing spread over this thread and ``workers`` others."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="seal")
        return self._pool

    def seal_many(self, records: Sequence[ScoreRecord]) -> list[SealedRecord]:
        if self.workers < 1 or len(records) < MIN_PARALLEL or _commitments is None:
            return seal_many(records)
        return seal_many(records, commit=self._commit)

    def _commit(
        self, canonicals: list[list[tuple[str, str]]], entropy: bytes, forms: dict[str, str]
    ) -> tuple[bytes, list[str]]:
        """The C call on ``workers + 1`` shares of the records at once."""
        share = -(-len(canonicals) // (self.workers + 1))
        parts: list[tuple[list[list[tuple[str, str]]], bytes]] = []
        salt = 0
        for start in range(0, len(canonicals), share):
            part = canonicals[start : start + share]
            size = SALT_BYTES * sum(map(len, part))
            parts.append((part, entropy[salt : salt + size]))
            salt += size
        assert _commitments is not None
        futures: list[Future[tuple[bytes, list[str]]]] = [
            self._executor().submit(_commitments, *part, forms) for part in parts[1:]
        ]
        roots, texts = _commitments(*parts[0], forms)
        for future in futures:
            more_roots, more_texts = future.result()
            roots += more_roots
            texts += more_texts
        return roots, texts

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
