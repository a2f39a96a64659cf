"""Issue score attestations: seal records, group them into batches, anchor, store proofs.

Records submitted together or in quick succession are grouped by (model, expiry) into
batches that close when full (``max_size``) or old (``max_wait``); each batch is one
``anchorBatch`` transaction whatever its size. Every step is written to the database
before the next one starts, so a crash leaves records pending (re-queued by
``recover``) and a batch whose transaction may be out is re-checked against the chain
rather than sent twice.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ledger.attest.disclosure import Batch as DisclosedBatch
from ledger.attest.disclosure import RecordFile
from ledger.attest.records import ScoreRecord, SealedRecord, pseudonym
from ledger.attest.registry import Registry, Status
from ledger.attest.sealing import ParallelSealer
from ledger.merkle import MerkleTree, bytes32_leaf
from ledger.store.db import session_scope
from ledger.store.tables import Batch, IssuedRecord
from ledger.tx import ContractRevert


def hex32(value: bytes) -> str:
    return "0x" + value.hex()


RECORDS = IssuedRecord.__table__  # type: ignore[attr-defined]
AnchorFn = Callable[[Sequence[SealedRecord]], str]  # records -> anchored batch root


class IssueError(ValueError):
    """A request to issue records is invalid (the message names the field)."""


@dataclass
class PendingGroup:
    records: list[SealedRecord] = field(default_factory=list)
    futures: list[Future[str]] = field(default_factory=list)
    opened_at: float = field(default_factory=time.monotonic)


class Batcher:
    """Collects sealed records and anchors them in batches by size or by time."""

    def __init__(self, anchor: AnchorFn, max_size: int, max_wait_s: float) -> None:
        self._anchor = anchor
        self.max_size = max_size
        self.max_wait_s = max_wait_s
        self._groups: dict[tuple[str, int], PendingGroup] = defaultdict(PendingGroup)
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="batcher", daemon=True)
        self._thread.start()

    def submit(self, records: Sequence[SealedRecord]) -> list[Future[str]]:
        """Queue records; each future resolves to its batch root once anchored."""
        futures: list[Future[str]] = []
        full: list[PendingGroup] = []
        with self._lock:
            for record in records:
                key = (hex32(record.record.model_id), record.record.expires_at)
                group = self._groups[key]
                fut: Future[str] = Future()
                group.records.append(record)
                group.futures.append(fut)
                futures.append(fut)
                if len(group.records) >= self.max_size:
                    full.append(self._groups.pop(key))
            self._lock.notify()
        for group in full:
            self._flush(group)
        return futures

    def _due(self) -> list[PendingGroup]:
        now = time.monotonic()
        keys = [k for k, g in self._groups.items() if now - g.opened_at >= self.max_wait_s]
        return [self._groups.pop(k) for k in keys]

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                self._lock.wait(timeout=min(self.max_wait_s, 0.05))
                due = self._due()
            for group in due:
                self._flush(group)

    def _flush(self, group: PendingGroup) -> None:
        try:
            root = self._anchor(group.records)
        except Exception as exc:
            for fut in group.futures:
                fut.set_exception(exc)
            return
        for fut in group.futures:
            fut.set_result(root)

    def close(self) -> None:
        """Flush everything still queued, then stop the thread."""
        with self._lock:
            groups = list(self._groups.values())
            self._groups.clear()
        for group in groups:
            self._flush(group)
        self._stop.set()
        with self._lock:
            self._lock.notify()
        self._thread.join(timeout=5)


class AttestationService:
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
    ) -> None:
        self.engine = engine
        self.sealer = ParallelSealer(seal_workers)
        self.registry = registry
        self._pseudonym_secret = pseudonym_secret
        self._known_models: set[str] = set()
        self.attester_id = registry.attester_of(registry.sender.address)
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
            subject=pseudonym(self._pseudonym_secret, subject_id),
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
        timeout: float = 300.0,
    ) -> list[SealedRecord]:
        """Seal and store ``records``, then anchor them (one transaction each in single mode)."""
        if not records:
            raise IssueError("records: at least one record is required")
        if mode not in ("batch", "single"):
            raise IssueError("mode: must be 'batch' or 'single'")
        attester = self.registry.attester(self.attester_id)
        if attester is None or attester.suspended:
            raise IssueError("attester: suspended or not registered; it cannot issue now")
        sealed = self.sealer.seal_many(records)
        self._store_pending(sealed, mode, request_key)
        if mode == "single":
            for item in sealed:
                self._anchor_single(item)
            return sealed
        futures = self.batcher.submit(sealed)
        if wait:
            try:
                for fut in futures:
                    fut.result(timeout=timeout)
            except ContractRevert as exc:
                raise IssueError(f"the registry refused the batch: {exc.error}") from exc
        return sealed

    def _store_pending(self, sealed: Sequence[SealedRecord], mode: str, key: str | None) -> None:
        now = int(time.time())
        rows = [
            {
                "commitment": hex32(s.commitment),
                "subject": s.record.subject,
                "model_id": hex32(s.record.model_id),
                "expires_at": s.record.expires_at,
                "sealed": s.to_json(),
                "mode": mode,
                "status": "pending",
                "request_key": key,
                "created_at": now,
            }
            for s in sealed
        ]
        # Core executemany: the ORM's per-row bookkeeping costs more than the write itself.
        with self.engine.begin() as conn:
            conn.execute(insert(RECORDS), rows)

    def _anchor_single(self, sealed: SealedRecord) -> None:
        commitment = hex32(sealed.commitment)
        try:
            receipt = self.registry.attest(
                sealed.commitment,
                sealed.record.model_id,
                sealed.record.expires_at,
                idempotency_key=f"attest:{commitment}",
            )
        except ContractRevert as exc:
            self._discard([commitment])
            raise IssueError(f"the registry refused: {exc.error}") from exc
        with session_scope(self.engine) as session:
            row = session.get(IssuedRecord, commitment)
            assert row is not None
            row.status, row.proof, row.tx_hash = (
                "anchored",
                "[]",
                receipt["transactionHash"].to_0x_hex(),
            )

    def _anchor_batch(self, records: Sequence[SealedRecord]) -> str:
        leaves = [bytes32_leaf(r.commitment) for r in records]
        tree = MerkleTree.build(leaves)
        root = hex32(tree.root)
        first = records[0].record
        with session_scope(self.engine) as session:
            session.add(
                Batch(
                    root=root,
                    model_id=hex32(first.model_id),
                    expires_at=first.expires_at,
                    count=len(records),
                    created_at=int(time.time()),
                )
            )
            session.connection().execute(
                update(RECORDS)
                .where(RECORDS.c.commitment == bindparam("key"))
                .values(batch_root=root, proof=bindparam("proof")),
                [
                    {"key": hex32(r.commitment), "proof": json.dumps([hex32(p) for p in proof])}
                    for r, proof in zip(records, tree.proofs(), strict=True)
                ],
            )
        try:
            receipt = self.registry.anchor_batch(
                tree.root,
                len(records),
                first.model_id,
                first.expires_at,
                idempotency_key=f"anchor:{root}",
            )
        except ContractRevert:
            self._discard([hex32(r.commitment) for r in records], root)
            raise
        self._mark_anchored(root, receipt["transactionHash"].to_0x_hex())
        return root

    def _discard(self, commitments: Sequence[str], root: str | None = None) -> None:
        """Forget records the chain refused, so a failed request leaves nothing behind."""
        with session_scope(self.engine) as session:
            session.execute(delete(IssuedRecord).where(IssuedRecord.commitment.in_(commitments)))
            if root is not None:
                session.execute(delete(Batch).where(Batch.root == root))

    def _mark_anchored(self, root: str, tx_hash: str) -> None:
        with session_scope(self.engine) as session:
            batch = session.get(Batch, root)
            assert batch is not None
            batch.status, batch.tx_hash = "anchored", tx_hash
            session.execute(
                update(IssuedRecord)
                .where(IssuedRecord.batch_root == root)
                .values(status="anchored", tx_hash=tx_hash)
            )

    # -- reading -----------------------------------------------------------------------

    def get(self, commitment: str) -> IssuedRecord | None:
        with Session(self.engine) as session:
            return session.get(IssuedRecord, commitment.lower())

    def _require(self, commitment: str) -> IssuedRecord:
        row = self.get(commitment)
        if row is None:
            raise KeyError(f"no record with commitment {commitment} was issued here")
        return row

    def roots_of(self, sealed: Sequence[SealedRecord]) -> list[str | None]:
        """The batch root of each record (None for single attestations)."""
        keys = [hex32(s.commitment) for s in sealed]
        with Session(self.engine) as session:
            rows = session.exec(
                select(IssuedRecord.commitment, IssuedRecord.batch_root).where(
                    IssuedRecord.commitment.in_(keys)
                )
            ).all()
        roots = dict(rows)
        return [roots.get(k) for k in keys]

    def chain_status(self, row: IssuedRecord) -> Status:
        commitment = bytes.fromhex(row.commitment[2:])
        if row.batch_root is None:
            return self.registry.status_of(self.attester_id, commitment)
        proof = [bytes.fromhex(p[2:]) for p in json.loads(row.proof or "[]")]
        return self.registry.status_of_batch_record(
            self.attester_id, bytes.fromhex(row.batch_root[2:]), commitment, proof
        )

    def record_file(self, commitment: str) -> RecordFile:
        """The sealed record with where it is anchored: the copy handed to its subject."""
        row = self._require(commitment)
        batch = None
        if row.batch_root is not None:
            proof = tuple(bytes.fromhex(p[2:]) for p in json.loads(row.proof or "[]"))
            batch = DisclosedBatch(bytes.fromhex(row.batch_root[2:]), proof)
        chain_id = self.registry.contract.w3.eth.chain_id
        address = self.registry.address.lower()
        return RecordFile(chain_id, address, SealedRecord.from_json(row.sealed), batch)

    def disclosure(self, commitment: str, fields: Sequence[str]) -> dict:
        """What the record's holder shows a lender: chosen fields, salts, proofs, batch proof."""
        return self.record_file(commitment).disclose(fields).to_dict()

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
                    proof = [bytes.fromhex(p[2:]) for p in json.loads(r.proof or "[]")]
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

    # -- recovery ----------------------------------------------------------------------

    def recover(self) -> int:
        """After a crash: settle batches whose transaction may be out, re-queue the rest."""
        with Session(self.engine) as session:
            open_batches = session.exec(select(Batch).where(Batch.status == "sending")).all()
            orphans = session.exec(
                select(IssuedRecord).where(
                    IssuedRecord.status == "pending", IssuedRecord.batch_root.is_(None)
                )
            ).all()
        for batch in open_batches:
            if self.registry.record(self.attester_id, bytes.fromhex(batch.root[2:])).issued_at:
                self._mark_anchored(batch.root, batch.tx_hash or "")
            else:
                self._requeue_batch(batch)
        sealed = [SealedRecord.from_json(r.sealed) for r in orphans if r.mode == "batch"]
        if sealed:
            self.batcher.submit(sealed)
        for row in orphans:
            if row.mode == "single":
                self._anchor_single(SealedRecord.from_json(row.sealed))
        return len(open_batches) + len(orphans)

    def _requeue_batch(self, batch: Batch) -> None:
        with session_scope(self.engine) as session:
            rows = session.exec(
                select(IssuedRecord).where(IssuedRecord.batch_root == batch.root)
            ).all()
            for row in rows:
                row.batch_root, row.proof = None, None
            session.delete(session.get(Batch, batch.root))
        self.batcher.submit([SealedRecord.from_json(r.sealed) for r in rows])

    def close(self) -> None:
        self.batcher.close()
        self.sealer.close()
