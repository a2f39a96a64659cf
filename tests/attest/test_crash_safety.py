"""Exactly-once issuance per request key, and anchors the chain lost coming back, on a real node."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from ledger.attest.anchoring import AnchorPending, Confirmer, TxLost
from ledger.attest.reconcile import Reconciler
from ledger.attest.service import AttestationService
from ledger.runtime import Runtime
from ledger.store.tables import Batch, IssuedRecord
from tests.attest.samples import register_model, score_records


@pytest.fixture(scope="module")
def service(runtime: Runtime) -> Iterator[AttestationService]:
    svc = runtime.attestation_service()
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def model_id(service: AttestationService) -> str:
    return register_model(service)


def stored(service: AttestationService, key: str) -> int:
    with Session(service.engine) as session:
        query = select(func.count()).select_from(IssuedRecord)
        return session.exec(query.where(IssuedRecord.request_key == key)).one()


def test_a_retry_under_the_same_key_answers_the_first_records(service, model_id):
    first = service.issue(score_records(service, model_id, 4), request_key="retry-1")
    again = service.issue(score_records(service, model_id, 4), request_key="retry-1")
    assert [s.commitment for s in again] == [s.commitment for s in first]
    assert stored(service, "retry-1") == 4


def test_concurrent_attempts_under_one_key_store_one_set(service, model_id):
    answers: list[list[bytes]] = []

    def attempt() -> None:
        sealed = service.issue(score_records(service, model_id, 3), request_key="race-1")
        answers.append([s.commitment for s in sealed])

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 4 and all(a == answers[0] for a in answers)
    assert stored(service, "race-1") == 3


def test_an_anchor_the_chain_lost_is_reanchored_with_the_same_content(runtime, service, model_id):
    w3 = runtime.w3
    snap = w3.provider.make_request("evm_snapshot", [])["result"]
    sealed = service.issue(score_records(service, model_id, 5), request_key="lost-1")
    row = service.get("0x" + sealed[0].commitment.hex())
    assert row is not None and service.status(row) == "valid"
    root = row.batch_root
    w3.provider.make_request("evm_revert", [snap])  # the node forgets the anchoring block
    assert service.status(row) == "pending"  # one status, the chain's, not the database's

    done = Reconciler(service, settle_timeout_s=30).run_once(startup=True)

    assert done.reopened >= 1 and done.settled >= 1 and done.failed == 0
    after = service.get(row.commitment)
    assert after is not None and after.batch_root == root and after.proof == row.proof
    assert after.status == "anchored" and service.status(after) == "valid"
    with Session(service.engine) as session:
        batch = session.get(Batch, root)
    assert batch is not None and batch.status == "anchored" and batch.block_hash is not None
    # Re-sent and mined again (the node's nonce went back, so the hash may be the same).
    assert batch.block_hash != row.block_hash
    assert stored(service, "lost-1") == 5


def test_a_request_the_chain_refuses_leaves_nothing_stored(service, model_id):
    old = score_records(service, model_id, 2)
    expired = [replace(r, issued_at=1_000, expires_at=2_000) for r in old]
    with pytest.raises(ValueError, match="ExpiryNotInFuture"):
        service.issue(expired, request_key="refused-1")
    assert stored(service, "refused-1") == 0


def test_anchored_waits_for_the_configured_confirmations(runtime, service, model_id):
    confirming = AttestationService(
        runtime.engine,
        runtime.registry("attester"),
        pseudonym_secret=b"k" * 32,
        max_wait_s=0.05,
        confirmations=3,
        anchor_wait_s=1,  # the request's batch stops waiting: the reconciler finishes it
    )
    try:
        with pytest.raises(AnchorPending):
            confirming.issue(
                score_records(service, model_id, 2), request_key="confirm-1", timeout=2
            )
        row = confirming.rows(commitments(confirming, "confirm-1"))[0]
        assert row.status == "pending" and service.status(row) == "valid"  # mined, not final

        runtime.w3.provider.make_request("anvil_mine", [3])
        done = Reconciler(confirming, settle_timeout_s=10).run_once()
        assert done.settled == 1
        final = confirming.get(row.commitment)
        assert final is not None and final.status == "anchored" and final.block_number
    finally:
        confirming.close()


def commitments(svc: AttestationService, key: str) -> list[str]:
    return ["0x" + s.commitment.hex() for s in svc.accepted(key)]


def test_a_transaction_dropped_from_the_pool_is_reported_lost_not_awaited(runtime, service):
    w3, sender = runtime.w3, service.registry.sender
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        tx_hash = sender.send(to=sender.address, value=1, wait=False, gas=21_000)
        assert w3.provider.make_request("anvil_dropTransaction", [tx_hash.to_0x_hex()])
        # Lost, not awaited: a wait on the dead hash would end in AnchorPending instead.
        with pytest.raises(TxLost):
            Confirmer(sender, 0).wait(tx_hash.to_0x_hex(), timeout=15)
    finally:
        w3.provider.make_request("evm_setAutomine", [True])
        sender.resync_nonce()
