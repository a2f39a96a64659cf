"""AttestationRegistry: revocation, ownership of copies, status precedence and expiry."""

from __future__ import annotations

from web3.logs import DISCARD

from ledger.attest.registry import LeafRevocation, Status
from tests.contracts.evm import event, now
from tests.contracts.registry.helpers import MODEL, batch, h, mine_at, proof_of, reverts

# -- revocation ----------------------------------------------------------------------------


def test_revoke_single_record(attester, expiry, w3):
    attester.attest(h("r"), MODEL, expiry)
    receipt = attester.revoke(h("r"), 3)
    revoked_at = now(w3)
    assert event(attester, receipt, "Revoked") == {
        "key": h("r"),
        "attesterId": 1,
        "reason": 3,
        "revokedAt": revoked_at,
    }
    record = attester.record(1, h("r"))
    assert (record.revoked_at, record.revocation_reason) == (revoked_at, 3)
    assert attester.status_of(1, h("r")) is Status.Revoked
    with reverts(f"AlreadyRevoked(0x{h('r').hex()})"):
        attester.revoke(h("r"), 3)


def test_revoke_checks_record_and_issuer(attester, second, as_, dev_accounts, expiry):
    attester.attest(h("r"), MODEL, expiry)
    with reverts(f"UnknownRecord(2, 0x{h('r').hex()})"):  # the second attester has no such record
        second.revoke(h("r"), 1)
    with reverts(f"NotAttester({dev_accounts[4].address})"):
        as_(dev_accounts[4]).revoke(h("r"), 1)
    with reverts(f"UnknownRecord(1, 0x{h('none').hex()})"):
        attester.revoke(h("none"), 1)


def test_suspended_attester_can_still_revoke(admin, attester, expiry):
    attester.attest(h("r"), MODEL, expiry)
    admin.suspend_attester(1, 1)
    attester.revoke(h("r"), 2)
    assert attester.status_of(1, h("r")) is Status.Revoked


def test_revoke_many_is_all_or_nothing(attester, expiry):
    keys = [h(f"r{i}") for i in range(3)]
    for key in keys:
        attester.attest(key, MODEL, expiry)
    with reverts(f"UnknownRecord(1, 0x{h('missing').hex()})"):
        attester.revoke_many([*keys, h("missing")], 4)
    assert all(attester.status_of(1, k) is Status.Valid for k in keys)
    receipt = attester.revoke_many(keys, 4)
    logs = attester.contract.events.Revoked().process_receipt(receipt, errors=DISCARD)
    assert [log["args"]["key"] for log in logs] == keys
    assert all(attester.status_of(1, k) is Status.Revoked for k in keys)


def test_revoking_a_batch_root_revokes_every_leaf(attester, expiry):
    tree, commitments = batch(["a", "b", "c"])
    attester.anchor_batch(tree.root, 3, MODEL, expiry)
    attester.revoke(tree.root, 9)
    for c in commitments:
        assert attester.status_of_batch_record(1, tree.root, c, proof_of(tree, c)) is Status.Revoked
    with reverts(f"AlreadyRevoked(0x{tree.root.hex()})"):
        attester.revoke_batch_leaf(tree.root, commitments[0], proof_of(tree, commitments[0]), 1)


def test_revoke_one_leaf_of_a_batch(attester, expiry, w3):
    tree, (a, b, _) = batch(["a", "b", "c"])
    attester.anchor_batch(tree.root, 3, MODEL, expiry)
    receipt = attester.revoke_batch_leaf(tree.root, b, proof_of(tree, b), 5)
    revoked_at = now(w3)
    assert event(attester, receipt, "BatchLeafRevoked") == {
        "root": tree.root,
        "commitment": b,
        "attesterId": 1,
        "reason": 5,
        "revokedAt": revoked_at,
    }
    assert attester.leaf_revocation(1, tree.root, b) == LeafRevocation(revoked_at, 5)
    assert attester.leaf_revocation(1, tree.root, a) is None
    assert attester.status_of_batch_record(1, tree.root, b, proof_of(tree, b)) is Status.Revoked
    assert attester.status_of_batch_record(1, tree.root, a, proof_of(tree, a)) is Status.Valid
    assert attester.record(1, tree.root).revoked_at == 0
    with reverts(f"AlreadyRevoked(0x{b.hex()})"):
        attester.revoke_batch_leaf(tree.root, b, proof_of(tree, b), 5)


def test_revoke_batch_leaf_reverts(attester, second, dev_accounts, expiry):
    tree, (a, _) = batch(["a", "b"])
    attester.anchor_batch(tree.root, 2, MODEL, expiry)
    with reverts(f"InvalidProof(0x{tree.root.hex()}, 0x{h('x').hex()})"):
        attester.revoke_batch_leaf(tree.root, h("x"), proof_of(tree, a), 1)
    with reverts(f"UnknownRecord(2, 0x{tree.root.hex()})"):
        second.revoke_batch_leaf(tree.root, a, proof_of(tree, a), 1)
    with reverts(f"UnknownRecord(1, 0x{h('none').hex()})"):
        attester.revoke_batch_leaf(h("none"), a, [], 1)
    attester.attest(h("single"), MODEL, expiry)
    with reverts(f"NotABatch(0x{h('single').hex()})"):
        attester.revoke_batch_leaf(h("single"), h("single"), [], 1)


def test_leaf_revocation_does_not_reach_other_batches(attester, second, expiry):
    """Another attester anchoring the same commitment cannot revoke it in our batch."""
    ours, (a, _) = batch(["a", "b"])
    attester.anchor_batch(ours.root, 2, MODEL, expiry)
    theirs, _ = batch(["a", "z"])
    second.anchor_batch(theirs.root, 2, MODEL, expiry)
    second.revoke_batch_leaf(theirs.root, a, proof_of(theirs, a), 1)
    assert second.status_of_batch_record(2, theirs.root, a, proof_of(theirs, a)) is Status.Revoked
    assert attester.status_of_batch_record(1, ours.root, a, proof_of(ours, a)) is Status.Valid


# -- ownership: a copy by another attester is another record ------------------------------


def test_copied_single_commitment_leaves_the_original_untouched(attester, second, expiry, w3):
    attester.attest(h("r"), MODEL, expiry)
    original = attester.record(1, h("r"))
    receipt = second.attest(h("r"), MODEL, expiry + 1)  # not AlreadyAnchored: it is B's record
    assert event(second, receipt, "Attested")["attesterId"] == 2
    assert attester.record(1, h("r")) == original
    assert second.record(2, h("r")).expires_at == expiry + 1
    # Revoking the original works and the copy stays the copy's (and the other way round).
    attester.revoke(h("r"), 7)
    assert attester.status_of(1, h("r")) is Status.Revoked
    assert attester.status_of(2, h("r")) is Status.Valid
    second.revoke(h("r"), 1)
    assert attester.record(1, h("r")).revocation_reason == 7
    assert attester.status_of(3, h("r")) is Status.Unknown  # nobody else anchored it


def test_copied_batch_leaves_the_original_untouched(attester, second, expiry):
    tree, (a, b) = batch(["a", "b"])
    attester.anchor_batch(tree.root, 2, MODEL, expiry)
    second.anchor_batch(tree.root, 2, MODEL, expiry)  # the whole batch, copied
    second.revoke_batch_leaf(tree.root, a, proof_of(tree, a), 1)
    second.revoke(tree.root, 2)
    assert attester.status_of_batch_record(1, tree.root, a, proof_of(tree, a)) is Status.Valid
    assert attester.leaf_revocation(1, tree.root, a) is None
    assert attester.record(1, tree.root).revoked_at == 0
    attester.revoke_batch_leaf(tree.root, b, proof_of(tree, b), 3)
    assert attester.status_of_batch_record(1, tree.root, b, proof_of(tree, b)) is Status.Revoked
    assert attester.leaf_revocation(2, tree.root, b) is None
    assert second.status_of_batch_record(2, tree.root, b, proof_of(tree, b)) is Status.Revoked


def test_suspending_the_copier_does_not_touch_the_original(admin, attester, second, expiry):
    attester.attest(h("r"), MODEL, expiry)
    second.attest(h("r"), MODEL, expiry)
    admin.suspend_attester(2, 1)
    assert attester.status_of(1, h("r")) is Status.Valid
    assert attester.status_of(2, h("r")) is Status.AttesterSuspended


# -- status: expiry, suspension, precedence ------------------------------------------------


def test_record_expires_exactly_at_expires_at(attester, w3):
    expires = now(w3) + 1000
    attester.attest(h("r"), MODEL, expires)
    mine_at(w3, expires - 1)
    assert attester.status_of(1, h("r")) is Status.Valid
    mine_at(w3, expires)
    assert attester.status_of(1, h("r")) is Status.Expired


def test_status_precedence(admin, attester, w3):
    """Revoked beats Expired, which beats AttesterSuspended, which beats Valid."""
    expires = now(w3) + 1000
    tree, (a, b) = batch(["a", "b"])
    for key in (h("revoked"), h("plain")):
        attester.attest(key, MODEL, expires)
    attester.anchor_batch(tree.root, 2, MODEL, expires)
    attester.revoke(h("revoked"), 1)
    attester.revoke_batch_leaf(tree.root, a, proof_of(tree, a), 1)
    admin.suspend_attester(1, 1)
    assert attester.status_of(1, h("revoked")) is Status.Revoked
    assert attester.status_of(1, h("plain")) is Status.AttesterSuspended
    assert attester.status_of_batch_record(1, tree.root, b, proof_of(tree, b)) is (
        Status.AttesterSuspended
    )
    mine_at(w3, expires)
    assert attester.status_of(1, h("revoked")) is Status.Revoked
    assert attester.status_of(1, h("plain")) is Status.Expired
    assert attester.status_of_batch_record(1, tree.root, a, proof_of(tree, a)) is Status.Revoked
    assert attester.status_of_batch_record(1, tree.root, b, proof_of(tree, b)) is Status.Expired
    assert attester.status_of(1, h("never")) is Status.Unknown


def test_suspension_hides_records_until_reinstated(admin, attester, expiry):
    tree, (a, _) = batch(["a", "b"])
    attester.attest(h("r"), MODEL, expiry)
    attester.anchor_batch(tree.root, 2, MODEL, expiry)
    admin.suspend_attester(1, 1)
    assert attester.status_of(1, h("r")) is Status.AttesterSuspended
    assert attester.status_of_batch_record(1, tree.root, a, proof_of(tree, a)) is (
        Status.AttesterSuspended
    )
    admin.reinstate_attester(1)
    assert attester.status_of(1, h("r")) is Status.Valid
    assert attester.status_of_batch_record(1, tree.root, a, proof_of(tree, a)) is Status.Valid
    attester.attest(h("after reinstatement"), MODEL, expiry)


def test_status_names_in_snake_case():
    assert [s.name_snake for s in Status] == [
        "unknown",
        "valid",
        "revoked",
        "expired",
        "attester_suspended",
    ]
