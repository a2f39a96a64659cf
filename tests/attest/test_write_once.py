"""A request's full batches are stored with their records in one transaction: each record
written once, its proof derived from its batch's tree nodes; the crash guarantees hold
for that state too (on a real node)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from ledger.attest.anchoring import AnchorPending
from ledger.attest.reconcile import Reconciler
from ledger.attest.record_state import follow
from ledger.attest.service import AttestationService
from ledger.merkle import MerkleTree, bytes32_leaf, verify
from ledger.runtime import Runtime
from ledger.store.tables import Batch, IssuedRecord
from tests.attest.samples import register_model, score_records

BATCH = 4


@pytest.fixture(scope="module")
def service(runtime: Runtime) -> Iterator[AttestationService]:
    svc = AttestationService(
        runtime.engine,
        runtime.registry("attester"),
        pseudonym_secret=b"w" * 32,
        max_batch_size=BATCH,
        max_wait_s=0.05,
    )
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def model_id(service: AttestationService) -> str:
    return register_model(service)


def stored(service: AttestationService, key: str) -> list[IssuedRecord]:
    with Session(service.engine) as session:
        query = select(IssuedRecord).where(IssuedRecord.request_key == key)
        return follow(session, session.exec(query.order_by(IssuedRecord.request_index)).all())


def own_status(service: AttestationService, key: str) -> set[str]:
    """The status column of the rows themselves (a batch's records keep ``pending``)."""
    with Session(service.engine) as session:
        query = select(IssuedRecord.status).where(IssuedRecord.request_key == key)
        return set(session.exec(query).all())


def batch(service: AttestationService, root: str) -> Batch:
    with Session(service.engine) as session:
        row = session.get(Batch, root)
    assert row is not None
    return row


def test_full_batches_are_stored_with_their_records_and_never_rewritten(service, model_id):
    statements: list[tuple[str, int]] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        rows = len(parameters) if executemany else 1
        statements.append((" ".join(statement.split()), rows))

    event.listen(service.engine, "before_cursor_execute", seen)
    try:
        sealed = service.issue(
            score_records(service, model_id, 2 * BATCH + 1), request_key="once-1"
        )
    finally:
        event.remove(service.engine, "before_cursor_execute", seen)

    rows = stored(service, "once-1")
    assert [r.commitment for r in rows] == ["0x" + s.commitment.hex() for s in sealed]
    assert all(r.status == "anchored" and r.batch_root and r.leaf is not None for r in rows)
    assert all(r.proof is None for r in rows)  # proofs are not stored per record any more
    assert len({r.batch_root for r in rows}) == 3  # two full batches and the rest's
    # Inserted once; only the one record left over (grouped later with others, by time)
    # is pointed at its batch afterwards. Anchoring writes the batch rows only: a record
    # takes its status, transaction and block from its batch.
    inserts = [n for s, n in statements if s.startswith("INSERT INTO issuedrecord")]
    assert inserts == [2 * BATCH + 1]
    placed = [n for s, n in statements if s.startswith("UPDATE issuedrecord SET batch_root")]
    assert placed == [1]
    updates = [s for s, _ in statements if s.startswith("UPDATE issuedrecord")]
    assert len(updates) == 1  # the rest's placement; no status update of any record
    assert own_status(service, "once-1") == {"pending"}
    anchored = [s for s, _ in statements if s.startswith("UPDATE batch SET status")]
    assert len(anchored) == 3
    assert all(r.tx_hash == batch(service, r.batch_root).tx_hash is not None for r in rows)


def test_derived_proofs_are_the_trees_and_the_chain_accepts_them(service, model_id):
    sealed = service.issue(score_records(service, model_id, BATCH), request_key="once-2")
    rows = stored(service, "once-2")
    root = rows[0].batch_root
    assert root and batch(service, root).nodes is not None
    tree = MerkleTree.build([bytes32_leaf(s.commitment) for s in sealed])
    assert "0x" + tree.root.hex() == root
    for s, row in zip(sealed, rows, strict=True):
        proof = service.proof_of(row)
        assert proof == tree.proof(bytes32_leaf(s.commitment))
        assert verify(tree.root, bytes32_leaf(s.commitment), proof)
        assert service.status(row) == "valid"  # the registry checks the proof on chain
        assert service.record_file(row.commitment).batch.proof == tuple(proof)


def test_a_crash_after_storing_a_full_batch_is_finished_by_the_reconciler(
    runtime, service, model_id, monkeypatch
):
    """The process stored the records with their batch, then lost the node before sending
    (as if it had died there): the batch stays sending; the reconciler anchors it, and the
    retry under the same key answers with the same records."""
    original = service.anchorer._send

    def node_away(*args, **kwargs):
        raise ConnectionError("node unreachable")

    monkeypatch.setattr(service.anchorer, "_send", node_away)
    first = score_records(service, model_id, BATCH)
    with pytest.raises(AnchorPending):
        service.issue(first, request_key="once-3")
    rows = stored(service, "once-3")
    assert len(rows) == BATCH and all(r.status == "pending" for r in rows)
    assert batch(service, rows[0].batch_root).status == "sending"
    assert batch(service, rows[0].batch_root).tx_hash is None

    monkeypatch.setattr(service.anchorer, "_send", original)
    done = Reconciler(service, settle_timeout_s=30).run_once()
    assert done.settled >= 1 and done.failed == 0
    after = stored(service, "once-3")
    assert all(r.status == "anchored" and service.status(r) == "valid" for r in after)
    assert after[0].tx_hash == batch(service, rows[0].batch_root).tx_hash is not None
    again = service.issue(score_records(service, model_id, BATCH), request_key="once-3")
    assert [s.commitment for s in again] == [s.commitment for s in service.accepted("once-3")]
    assert ["0x" + s.commitment.hex() for s in again] == [r.commitment for r in rows]
    assert len(stored(service, "once-3")) == BATCH


def test_a_full_batch_the_chain_refuses_leaves_nothing_stored(service, model_id):
    """Its records are deleted by their keys (no index on batch_root), its batch row too."""
    expired = [
        replace(r, issued_at=1_000, expires_at=2_000)
        for r in score_records(service, model_id, 2 * BATCH)
    ]
    with pytest.raises(ValueError, match="ExpiryNotInFuture"):
        service.issue(expired, request_key="once-refused")
    assert stored(service, "once-refused") == []
    with Session(service.engine) as session:
        assert session.exec(select(Batch).where(Batch.expires_at == 2_000)).all() == []
