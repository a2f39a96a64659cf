"""Issue score attestations: seal records, group them into batches, anchor, store proofs.

Exactly once per request key: a request's records are stored in ONE transaction under
``(request_key, request_index)`` (unique), so a retry, whatever failed before it, finds
the records already accepted and waits for them instead of issuing new ones. Anchoring
(``ledger.attest.anchorer``) sends, re-sends a lost transaction and waits for the
configured confirmations; what is not final when a request stops waiting is finished by
the reconciler (``ledger.attest.reconcile``), never dropped.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import TimeoutError as FutureTimeout

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ledger.attest import record_state
from ledger.attest.anchorer import BATCHES, Anchorer, PlannedBatch, Target
from ledger.attest.anchoring import AnchorPending
from ledger.attest.batcher import Batcher, hex32
from ledger.attest.proofs import ProofReader
from ledger.attest.reading import RecordReads
from ledger.attest.records import Pseudonyms, ScoreRecord, SealedRecord
from ledger.attest.registry import Registry
from ledger.attest.sealing import ParallelSealer
from ledger.store.bulk import insert_tuples
from ledger.store.db import session_scope
from ledger.store.tables import IssuedRecord
from ledger.tx import TRANSIENT, ContractRevert, TxError

RECORDS = IssuedRecord.__table__  # type: ignore[attr-defined]
STORED_COLUMNS = (
    "commitment",
    "subject",
    "model_id",
    "expires_at",
    "sealed",
    "mode",
    "batch_root",
    "leaf",
    "status",
    "request_key",
    "request_index",
    "created_at",
)
__all__ = ["AnchorPending", "AttestationService", "Batcher", "IssueError", "hex32"]


class IssueError(ValueError):
    """A request to issue records is invalid (the message names the field)."""


class AttestationService(RecordReads):
    """Seals, stores and anchors score records for one attester."""

    def __init__(
        self,
        engine: Engine,
        registry: Registry,
        *,
        pseudonym_secret: bytes,
        max_batch_size: int = 10_000,
        max_wait_s: float = 0.5,
        seal_workers: int = 0,
        confirmations: int = 0,
        anchor_wait_s: float = 300.0,
    ) -> None:
        self.engine = engine
        self.sealer = ParallelSealer(seal_workers)
        self.registry = registry
        self._pseudonym = Pseudonyms(pseudonym_secret)
        self._known_models: set[str] = set()
        self.attester_id = registry.attester_of(registry.sender.address)
        self.anchorer = Anchorer(engine, registry, confirmations)
        self.proofs = ProofReader(engine)
        self.anchor_wait_s = anchor_wait_s
        self.batcher = Batcher(self._anchor_batch, max_batch_size, max_wait_s)

    # -- building records --------------------------------------------------------------

    def model_known(self, model_id: str) -> bool:
        """Whether ``model_id`` (0x-hex) is registered on chain (positive answers cached)."""
        if model_id not in self._known_models:
            if self.registry.model(bytes.fromhex(model_id[2:])) is None:
                return False
            self._known_models.add(model_id)
        return True

    def new_record(
        self,
        *,
        subject_id: str,
        score: int,
        grade: str,
        model_id: str,
        expires_at: int,
        issued_at: int,
        pd_bps: int | None = None,
        reasons: Sequence[str] | None = None,
    ) -> ScoreRecord:
        """A record for this attester; the raw subject id is replaced by its keyed pseudonym."""
        return ScoreRecord(
            subject=self._pseudonym(subject_id),
            score=score,
            grade=grade,
            model_id=bytes.fromhex(model_id[2:]),
            issued_at=issued_at,
            expires_at=expires_at,
            attester=self.attester_id,
            pd_bps=pd_bps,
            reasons=tuple(reasons) if reasons is not None else None,
        )

    # -- issuing -----------------------------------------------------------------------

    def issue(
        self,
        records: Sequence[ScoreRecord],
        *,
        mode: str = "batch",
        request_key: str | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> list[SealedRecord]:
        """Seal, store and anchor ``records`` (one transaction each in single mode).

        With a ``request_key`` whose records were accepted before, those are returned
        (once anchored) and ``records`` is ignored. Raises ``IssueError`` if the chain
        refuses them (nothing stays stored) and ``AnchorPending`` if they are stored but
        not final within ``timeout`` (the reconciler finishes them).
        """
        return self.issue_with_roots(
            records, mode=mode, request_key=request_key, wait=wait, timeout=timeout
        )[0]

    def issue_with_roots(
        self,
        records: Sequence[ScoreRecord],
        *,
        mode: str = "batch",
        request_key: str | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> tuple[list[SealedRecord], list[str | None]]:
        """``issue``, with each record's batch root (None for a single record, or for one
        still waiting for its batch when not ``wait``ing)."""
        if not records:
            raise IssueError("records: at least one record is required")
        if mode not in ("batch", "single"):
            raise IssueError("mode: must be 'batch' or 'single'")
        timeout = self.anchor_wait_s if timeout is None else timeout
        if request_key and (earlier := self.accepted(request_key)):
            if wait:
                self.await_anchored(request_key, timeout)
            return earlier, self.roots_of(earlier, request_key)
        attester = self.registry.attester(self.attester_id)
        if attester is None or attester.suspended:
            raise IssueError("attester: suspended or not registered; it cannot issue now")
        sealed = self.sealer.seal_many(records)
        full, rest = self._plan(sealed) if mode == "batch" else ([], [])
        if not self._store(sealed, mode, request_key, full):
            return self.issue_with_roots(
                records, mode=mode, request_key=request_key, wait=wait, timeout=timeout
            )
        roots: list[str | None] = [None] * len(sealed)
        try:
            if mode == "single":
                for item in sealed:
                    self._anchor_single(item, timeout)
                return sealed, roots
            # The rest first: it waits for records of other requests on the batcher's thread
            # while this one sends the full batches.
            futures = self.batcher.submit([sealed[i] for i in rest]) if rest else []
            keys = [[hex32(sealed[i].commitment) for i in plan.members] for plan in full]
            for n, plan in enumerate(full):
                try:
                    self._settle_batch(plan.target, keys[n])
                except ContractRevert:
                    # The request is refused: its batches not sent yet go with it (stored,
                    # they would be sent later by the reconciler for an answer already 409).
                    for later, later_keys in zip(full[n + 1 :], keys[n + 1 :], strict=True):
                        self._discard_batch(later.target.key, later_keys)
                    raise
                for i in plan.members:
                    roots[i] = plan.target.key
            if wait:
                for fut in futures:
                    fut.result(timeout=timeout)
        except ContractRevert as exc:
            raise IssueError(f"the registry refused: {exc.error}") from exc
        except (FutureTimeout, TxError, *TRANSIENT) as exc:
            # Stored and not final (node away, transaction lost or refused by the node for
            # now): the reconciler finishes them; a retry with the key answers with them.
            raise AnchorPending(f"{len(sealed)} records accepted; anchoring pending") from exc
        if rest:  # batched with other requests' records: their roots are in the database
            for i, root in zip(rest, self.roots_of([sealed[i] for i in rest]), strict=True):
                roots[i] = root
        return sealed, roots

    def _plan(self, sealed: Sequence[SealedRecord]) -> tuple[list[PlannedBatch], list[int]]:
        """Cut a request into full batches now, per (model, expiry), so that their records
        are stored once, already in their batch; the positions of the rest (fewer than a
        batch per group) go to the batcher to be grouped with other requests' records."""
        groups: dict[tuple[bytes, int], list[int]] = defaultdict(list)
        for i, s in enumerate(sealed):
            groups[(s.record.model_id, s.record.expires_at)].append(i)
        size = self.batcher.max_size
        full: list[PlannedBatch] = []
        rest: list[int] = []
        for positions in groups.values():
            cut = len(positions) - len(positions) % size
            for start in range(0, cut, size):
                chunk = positions[start : start + size]
                plan = self.anchorer.plan_batch([sealed[i] for i in chunk])
                full.append(dataclasses.replace(plan, members=chunk))
            rest += positions[cut:]
        return full, rest

    def accepted(self, request_key: str) -> list[SealedRecord]:
        """The records stored under ``request_key``, in request order (empty if none)."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(IssuedRecord.sealed)
                .where(IssuedRecord.request_key == request_key)
                .order_by(IssuedRecord.request_index)
            ).all()
        return [SealedRecord.from_json(r) for r in rows]

    def await_anchored(self, request_key: str, timeout: float) -> None:
        """Wait until every record of ``request_key`` is anchored (the reconciler or the
        batcher does the work); ``AnchorPending`` after ``timeout``, ``IssueError`` if the
        chain refused them for good."""
        deadline = time.monotonic() + timeout
        while True:
            with Session(self.engine) as session:
                states = record_state.counts(session, RECORDS.c.request_key == request_key)
            if states.get("failed"):
                raise IssueError("records: the chain refused this request's records")
            waiting = sum(n for state, n in states.items() if state != "anchored")
            if not waiting:
                return
            if time.monotonic() >= deadline:
                raise AnchorPending(f"{waiting} records of this request are not anchored yet")
            time.sleep(0.1)

    def _store(
        self,
        sealed: Sequence[SealedRecord],
        mode: str,
        key: str | None,
        batches: Sequence[PlannedBatch] = (),
    ) -> bool:
        """Store the request's records, and the full ``batches`` cut from them, in one
        transaction: each record is written once, with its batch and leaf when it has one.
        False if another attempt stored this request first."""
        now = int(time.time())
        roots: list[str | None] = [None] * len(sealed)
        leaves: list[int | None] = [None] * len(sealed)
        for plan in batches:
            for i, leaf in zip(plan.members, plan.leaves, strict=True):
                roots[i], leaves[i] = plan.target.key, leaf
        rows = [
            (
                hex32(s.commitment),
                s.record.subject,
                hex32(s.record.model_id),
                s.record.expires_at,
                s.to_json(),
                mode,
                roots[i],
                leaves[i],
                "pending",
                key,
                i if key else None,
                now,
            )
            for i, s in enumerate(sealed)
        ]
        try:
            with self.engine.begin() as conn:
                if batches:
                    conn.execute(insert(BATCHES), [plan.row() for plan in batches])
                # Tuples to the driver: SQLAlchemy's per-row work costs more than the write.
                insert_tuples(conn, RECORDS, STORED_COLUMNS, rows)
        except IntegrityError:
            if key and self.accepted(key):
                return False
            raise
        return True

    def _anchor_single(self, sealed: SealedRecord, timeout: float) -> None:
        commitment = hex32(sealed.commitment)
        target = self.anchorer.load("single", commitment)
        assert target is not None
        with self.anchorer.claim(commitment):
            try:
                self.anchorer.settle(target, timeout)
            except ContractRevert:
                self._discard([commitment])
                raise

    def _anchor_batch(self, records: Sequence[SealedRecord]) -> str:
        """The batcher's anchor function: records stored before their batch closed."""
        target = self.anchorer.prepare_batch(records)
        self._settle_batch(target, [hex32(r.commitment) for r in records])
        return target.key

    def _settle_batch(self, target: Target, commitments: Sequence[str]) -> None:
        with self.anchorer.claim(target.key):
            try:
                self.anchorer.settle(target, self.anchor_wait_s)
            except ContractRevert:
                self._discard_batch(target.key, commitments)
                raise

    def _discard(self, commitments: Sequence[str]) -> None:
        """Forget records the chain refused, so a failed request leaves nothing behind."""
        with session_scope(self.engine) as session:
            session.execute(delete(IssuedRecord).where(IssuedRecord.commitment.in_(commitments)))

    def _discard_batch(self, root: str, commitments: Sequence[str]) -> None:
        """Forget a batch the chain refused and its records (by key: no index on root)."""
        with self.engine.begin() as conn:
            for start in range(0, len(commitments), 500):
                chunk = commitments[start : start + 500]
                conn.execute(delete(RECORDS).where(RECORDS.c.commitment.in_(chunk)))
            conn.execute(delete(BATCHES).where(BATCHES.c.root == root))

    # -- revoking ----------------------------------------------------------------------

    def revoke(self, commitments: Sequence[str], reason: int) -> str:
        """Revoke records issued here: singles in one transaction, batch leaves one by one."""
        rows = [self._require(c) for c in commitments]
        if any(r.status != "anchored" for r in rows):
            raise IssueError("only anchored records can be revoked")
        singles = [bytes.fromhex(r.commitment[2:]) for r in rows if r.batch_root is None]
        receipts = []
        try:
            if len(singles) == 1:
                receipts.append(self.registry.revoke(singles[0], reason))
            elif singles:
                receipts.append(self.registry.revoke_many(singles, reason))
            for r in rows:
                if r.batch_root is not None:
                    proof = self.proof_of(r)
                    receipts.append(
                        self.registry.revoke_batch_leaf(
                            bytes.fromhex(r.batch_root[2:]),
                            bytes.fromhex(r.commitment[2:]),
                            proof,
                            reason,
                        )
                    )
        except ContractRevert as exc:
            raise IssueError(f"the registry refused: {exc.error}") from exc
        return receipts[-1]["transactionHash"].to_0x_hex()

    def close(self) -> None:
        self.batcher.close()
        self.sealer.close()
