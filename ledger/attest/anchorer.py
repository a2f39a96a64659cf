"""Drive one batch root or single record to *anchored*, whatever happened to its transaction.

Used on the request path (right after a batch closes) and by the reconciler (after a
crash, a node restart or a reorg). Each target is settled by one thread of this process
at a time; across processes the contract refuses a second anchor of the same key
(``AlreadyAnchored``), so a re-send can never put a record on chain twice.

States in the database: a batch is ``sending`` until its transaction is final, then
``anchored`` (with the block number and hash), or ``failed`` if the chain refuses its
content for good; a batch record's state is its batch's (``record_state``), a single
record is its own target.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from hexbytes import HexBytes
from sqlalchemy import bindparam, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ledger.attest.anchoring import Confirmer, Mined, TxLost
from ledger.attest.batcher import hex32
from ledger.attest.records import SealedRecord
from ledger.attest.registry import Registry
from ledger.merkle import MerkleTree, bytes32_leaf
from ledger.store.db import session_scope
from ledger.store.tables import Batch, IssuedRecord
from ledger.tx import ContractRevert, TxError

try:  # built by the project's install (pyproject ext-modules)
    from ledger.attest._seal import batch_tree as _batch_tree
except ImportError:  # pragma: no cover - a source tree that was never built
    _batch_tree = None

log = logging.getLogger(__name__)
RECORDS = IssuedRecord.__table__  # type: ignore[attr-defined]
BATCHES = Batch.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Target:
    """What one anchoring transaction puts on chain: a batch root or a single commitment."""

    kind: str  # 'batch' | 'single'
    key: str  # 0x-hex root or commitment
    model_id: str
    expires_at: int
    count: int  # leaves of a batch; 0 for a single record

    @property
    def outbox_key(self) -> str:
        return f"{'anchor' if self.kind == 'batch' else 'attest'}:{self.key}"


@dataclass(frozen=True)
class PlannedBatch:
    """A batch before it is stored: its target, its tree's nodes and each leaf's index."""

    target: Target
    nodes: bytes
    leaves: list[int]  # node index of each record's leaf, in the records' order
    members: list[int] = field(default_factory=list)  # their positions in their request

    def row(self) -> dict[str, object]:
        """The batch's row, ``sending`` until its transaction is final."""
        t = self.target
        return {
            "root": t.key,
            "model_id": t.model_id,
            "expires_at": t.expires_at,
            "count": t.count,
            "status": "sending",
            "created_at": int(time.time()),
            "nodes": self.nodes,
        }


class Anchorer:
    def __init__(self, engine: Engine, registry: Registry, confirmations: int = 0) -> None:
        self.engine = engine
        self.registry = registry
        self.confirmer = Confirmer(registry.sender, confirmations)
        self._busy: set[str] = set()
        self._busy_lock = threading.Condition()
        # The newest block this process saw an anchor mined in. A new anchor above it is
        # recorded only after checking that block is still there: otherwise a node that
        # went back in time could hide its lost blocks behind the new one (see reconcile).
        self._newest: tuple[int, str] | None = None
        self._newest_lock = threading.Lock()
        self.sweep_needed = threading.Event()
        # Called after a target is marked anchored (the API nudges its indexer with it).
        self.on_anchored: Callable[[], None] | None = None

    # -- building ----------------------------------------------------------------------

    @staticmethod
    def plan_batch(records: Sequence[SealedRecord]) -> PlannedBatch:
        """The batch of ``records``: its tree, as stored, and where each leaf sits in it."""
        if _batch_tree is not None:  # one C call, equal to MerkleTree.build (tested)
            nodes, leaves = _batch_tree(b"".join(r.commitment for r in records))
        else:  # pragma: no cover - a source tree that was never built
            tree = MerkleTree.build([bytes32_leaf(r.commitment) for r in records])
            nodes, leaves = tree.packed(), tree.positions
        first = records[0].record
        target = Target(
            "batch", hex32(nodes[:32]), hex32(first.model_id), first.expires_at, len(records)
        )
        return PlannedBatch(target, nodes, leaves)

    def prepare_batch(self, records: Sequence[SealedRecord]) -> Target:
        """For records stored before their batch closed (small requests grouped over time):
        store the batch and point each record at its leaf, in one transaction."""
        plan = self.plan_batch(records)
        with session_scope(self.engine) as session:
            conn = session.connection()
            conn.execute(insert(BATCHES), [plan.row()])
            conn.execute(
                update(RECORDS)
                .where(RECORDS.c.commitment == bindparam("key"))
                .values(batch_root=plan.target.key, leaf=bindparam("leaf")),
                [
                    {"key": hex32(r.commitment), "leaf": leaf}
                    for r, leaf in zip(records, plan.leaves, strict=True)
                ],
            )
        return plan.target

    @staticmethod
    def single(row: IssuedRecord) -> Target:
        return Target("single", row.commitment, row.model_id, row.expires_at, 0)

    @staticmethod
    def batch(row: Batch) -> Target:
        return Target("batch", row.root, row.model_id, row.expires_at, row.count)

    # -- settling ----------------------------------------------------------------------

    @contextmanager
    def claim(self, key: str, *, blocking: bool = True) -> Iterator[bool]:
        """Settle ``key`` alone in this process: waits for another thread settling it (or,
        not ``blocking``, yields False at once)."""
        with self._busy_lock:
            while blocking and key in self._busy:
                self._busy_lock.wait()
            free = key not in self._busy
            self._busy.add(key)
        if not free:
            yield False
            return
        try:
            yield True
        finally:
            with self._busy_lock:
                self._busy.discard(key)
                self._busy_lock.notify_all()

    def busy(self) -> set[str]:
        with self._busy_lock:
            return set(self._busy)

    def settle(self, target: Target, timeout: float) -> None:
        """Send (or re-send a lost transaction) and wait until final; then mark anchored.

        Raises ``ContractRevert`` if the chain refuses the content, ``AnchorPending`` if
        not final within ``timeout``, connection errors if the node is unreachable: in the
        last two cases the target stays ``sending`` for the reconciler.
        """
        deadline = time.monotonic() + timeout
        outbox = self.registry.sender.idempotency
        tx_hash = outbox.get(target.outbox_key) if outbox else None
        resend, reverted = False, 0
        while True:
            if tx_hash is None or resend:
                try:
                    tx_hash = self._send(target, resend)
                except ContractRevert:
                    if self.on_chain(target):
                        self.mark_anchored(target, None)
                        return
                    raise
            try:
                mined = self.confirmer.wait(tx_hash, max(deadline - time.monotonic(), 0.0))
            except TxLost as exc:
                if self.on_chain(target):
                    self.mark_anchored(target, None)
                    return
                log.warning(
                    "%s %s: %s; re-sending it with a fresh nonce", target.kind, target.key, exc
                )
                resend = True
                continue
            if not mined.ok and not self.on_chain(target):
                reverted += 1
                if reverted >= 3:
                    raise TxError(f"anchoring transaction {mined.tx_hash} reverted")
                log.warning("%s %s: %s reverted; re-sending", target.kind, target.key, tx_hash)
                resend = True
                continue
            self.mark_anchored(target, mined if mined.ok else None)
            return

    def _send(self, target: Target, resend: bool) -> str:
        registry, key = self.registry, bytes.fromhex(target.key[2:])
        model, options = bytes.fromhex(target.model_id[2:]), {"wait": False, "resend": resend}
        if target.kind == "batch":
            sent = registry.anchor_batch(
                key,
                target.count,
                model,
                target.expires_at,
                idempotency_key=target.outbox_key,
                **options,
            )
        else:
            sent = registry.attest(
                key, model, target.expires_at, idempotency_key=target.outbox_key, **options
            )
        tx_hash = HexBytes(sent).to_0x_hex()
        self._write(target, tx_hash=tx_hash)
        return tx_hash

    def on_chain(self, target: Target) -> bool:
        """Whether this attester's record or root ``target.key`` is on chain now."""
        return (
            self.registry.record(self._attester_id(), bytes.fromhex(target.key[2:])).issued_at != 0
        )

    def _attester_id(self) -> int:
        if not hasattr(self, "_attester"):
            self._attester = self.registry.attester_of(self.registry.sender.address)
        return self._attester

    # -- database transitions ----------------------------------------------------------

    def mark_anchored(self, target: Target, mined: Mined | None) -> None:
        """Final on chain: ``mined`` names the block, or None when another transaction
        (a concurrent or an earlier, presumed lost one) put it there."""
        block = {"block_number": None, "block_hash": None}
        if mined is not None:
            block = {"block_number": mined.block_number, "block_hash": mined.block_hash}
            self._check_newest(mined)
        self._write(target, status="anchored", **block)
        if self.on_anchored is not None:
            self.on_anchored()

    def _check_newest(self, mined: Mined) -> None:
        with self._newest_lock:
            newest = self._newest
            moved = newest is not None and newest[0] < mined.block_number
            if moved and self.confirmer.block_hash(newest[0]) != newest[1]:  # type: ignore[index]
                log.warning("block %d was replaced: every anchored block is re-checked", newest[0])
                self.sweep_needed.set()
            if newest is None or newest[0] <= mined.block_number:
                self._newest = (mined.block_number, mined.block_hash)

    def mark_failed(self, target: Target, reason: str) -> None:
        log.error(
            "%s %s: refused by the chain (%s); marked failed", target.kind, target.key, reason
        )
        self._write(target, status="failed")

    def reopen(self, targets: Sequence[Target], why: str) -> None:
        """Anchored rows whose block the chain no longer has go back to sending."""
        for target in targets:
            log.warning("%s %s: anchored -> sending (%s)", target.kind, target.key, why)
            status = "sending" if target.kind == "batch" else "pending"
            self._write(target, status=status, block_number=None, block_hash=None)

    def _write(self, target: Target, **values: object) -> None:
        """Move a target to new values. A batch's records follow it without being written
        (``ledger.attest.record_state``): anchoring rewrites no record row."""
        table = BATCHES if target.kind == "batch" else RECORDS
        key = BATCHES.c.root if target.kind == "batch" else RECORDS.c.commitment
        if target.kind == "single" and values.get("status") == "sending":
            values["status"] = "pending"
        with session_scope(self.engine) as session:
            session.connection().execute(update(table).where(key == target.key).values(**values))

    def load(self, kind: str, key: str) -> Target | None:
        with Session(self.engine) as session:
            if kind == "batch":
                row = session.get(Batch, key)
                return self.batch(row) if row else None
            record = session.get(IssuedRecord, key)
            return self.single(record) if record else None
