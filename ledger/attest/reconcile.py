"""The reconciler: at start and periodically, make the database agree with the chain.

1. Anchored rows whose block the chain no longer has (the node lost state, a reorg) go
   back to sending. At start every anchored block is checked; afterwards only the newest
   one each round (a node that went back in time loses its newest blocks first: a block
   hash commits to all before it), and all of them again when that one moved, or when
   the anchorer, about to record a newer anchor, found the previous newest replaced.
2. Every batch and single record not yet final is settled: a transaction still known is
   awaited, a lost one re-sent with a fresh nonce (``Anchorer.settle``); content the chain
   refuses for good (an expiry now past, say) is marked failed and logged.
3. At start (``requeue_orphans``, before serving), batch-mode records that never reached
   a batch (the process died between storing them and closing it) go back to the batcher.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import literal_column
from sqlmodel import Session, col, select

from ledger.attest.anchorer import Target
from ledger.attest.anchoring import AnchorPending
from ledger.attest.records import SealedRecord
from ledger.attest.service import AttestationService
from ledger.store.tables import Batch, IssuedRecord
from ledger.tx import TRANSIENT, ContractRevert, TxError

log = logging.getLogger(__name__)
# A literal, not a bound value, so that the database plans with the partial index over
# single records (``ix_issuedrecord_single``) instead of reading every batch record.
SINGLE = col(IssuedRecord.mode) == literal_column("'single'")


@dataclass
class Round:
    """What one reconciliation round did (counts)."""

    reopened: int = 0
    settled: int = 0
    pending: int = 0
    failed: int = 0


class Reconciler:
    def __init__(
        self,
        service: AttestationService,
        *,
        interval_s: float = 5.0,
        settle_timeout_s: float = 30.0,
        workers: int = 4,
    ) -> None:
        self.service = service
        self.anchorer = service.anchorer
        self.interval_s = interval_s
        self.settle_timeout_s = settle_timeout_s
        self.workers = workers

    def run(self, stop: threading.Event) -> None:
        """A full round now, then a round every ``interval_s`` until ``stop``."""
        startup = True
        while not stop.is_set():
            try:
                self.run_once(startup=startup)
                startup = False
            except Exception as exc:  # the node or the database is away: next round
                log.warning("reconciler: round failed (%s); retrying", exc)
            stop.wait(self.interval_s)

    def run_once(self, *, startup: bool = False) -> Round:
        done = Round()
        if startup or self.anchorer.sweep_needed.is_set() or self._newest_block_moved():
            self.anchorer.sweep_needed.clear()
            done.reopened = self._reopen_lost_blocks()
        targets = self._open_targets()
        if targets:
            with ThreadPoolExecutor(self.workers, thread_name_prefix="reconcile") as pool:
                for outcome in pool.map(self._settle, targets):
                    setattr(done, outcome, getattr(done, outcome) + 1)
        if done != Round():
            log.info("reconciler: %s", done)
        return done

    # -- 1. anchored rows against the chain ----------------------------------------------

    def _anchored_blocks(self, newest_only: bool) -> list[tuple[int, str]]:
        with Session(self.service.engine) as session:
            blocks: set[tuple[int, str]] = set()
            for table in (Batch, IssuedRecord):
                query = select(table.block_number, table.block_hash).where(
                    table.status == "anchored", col(table.block_number).is_not(None)
                )
                if table is IssuedRecord:
                    query = query.where(SINGLE)
                if newest_only:
                    query = query.order_by(col(table.block_number).desc()).limit(1)
                blocks |= {(n, h) for n, h in session.exec(query.distinct()).all()}
        if newest_only:
            return sorted(blocks)[-1:]
        return sorted(blocks)

    def _newest_block_moved(self) -> bool:
        return any(
            self.anchorer.confirmer.block_hash(n) != h for n, h in self._anchored_blocks(True)
        )

    def _reopen_lost_blocks(self) -> int:
        lost = [n for n, h in self._anchored_blocks(False) if self._gone(n, h)]
        with Session(self.service.engine) as session:
            batches = session.exec(
                select(Batch).where(
                    Batch.status == "anchored",
                    col(Batch.block_number).in_(lost) | col(Batch.block_number).is_(None),
                )
            ).all()
            singles = session.exec(
                select(IssuedRecord).where(
                    SINGLE,
                    IssuedRecord.status == "anchored",
                    col(IssuedRecord.block_number).in_(lost)
                    | col(IssuedRecord.block_number).is_(None),
                )
            ).all()
        targets = [self.anchorer.batch(b) for b in batches]
        targets += [self.anchorer.single(r) for r in singles]
        # Rows anchored by a transaction we did not see mined carry no block: ask the chain.
        gone = [t for t in targets if not self.anchorer.on_chain(t)]
        self.anchorer.reopen(gone, "its block is no longer on the chain")
        return len(gone)

    def _gone(self, number: int, block_hash: str) -> bool:
        return self.anchorer.confirmer.block_hash(number) != block_hash

    # -- 2. settle what is not final -----------------------------------------------------

    def _open_targets(self) -> list[Target]:
        busy = self.anchorer.busy()
        with Session(self.service.engine) as session:
            batches = session.exec(select(Batch).where(Batch.status == "sending")).all()
            singles = session.exec(
                select(IssuedRecord).where(SINGLE, IssuedRecord.status == "pending")
            ).all()
        targets = [self.anchorer.batch(b) for b in batches]
        targets += [self.anchorer.single(r) for r in singles]
        return [t for t in targets if t.key not in busy]

    def _settle(self, target: Target) -> str:
        with self.anchorer.claim(target.key, blocking=False) as free:
            if not free:
                return "pending"
            try:
                self.anchorer.settle(target, self.settle_timeout_s)
            except ContractRevert as exc:
                self.anchorer.mark_failed(target, exc.error)
                return "failed"
            except (AnchorPending, TxError, *TRANSIENT) as exc:
                log.info("reconciler: %s %s not final yet (%s)", target.kind, target.key, exc)
                return "pending"
        return "settled"

    # -- 3. records that never reached a batch -----------------------------------------

    def requeue_orphans(self) -> int:
        """Call once at start, before serving: batch-mode records stored by an earlier
        process that died before closing their batch go back to the batcher."""
        with Session(self.service.engine) as session:
            rows = session.exec(
                select(IssuedRecord.sealed).where(
                    IssuedRecord.mode == "batch",
                    IssuedRecord.status == "pending",
                    col(IssuedRecord.batch_root).is_(None),
                )
            ).all()
        if rows:
            log.warning("reconciler: %d stored records never reached a batch; queued", len(rows))
            self.service.batcher.submit([SealedRecord.from_json(r) for r in rows])
        return len(rows)
