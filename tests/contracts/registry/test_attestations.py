"""AttestationRegistry: single attestations, signed ones (EIP-712, ERC-1271) and batches."""

from __future__ import annotations

import pytest
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from ledger.attest.registry import ATTEST_TYPES, Status
from ledger.chain.deploy import deploy
from tests.contracts.evm import event, now
from tests.contracts.registry.helpers import (
    MODEL,
    OTHER_MODEL,
    ZERO32,
    batch,
    h,
    proof_of,
    reverts,
    signed,
)

# -- single attestations -------------------------------------------------------------------


def test_attest_stores_one_record_and_emits(attester, expiry, w3):
    receipt = attester.attest(h("r1"), MODEL, expiry)
    issued = now(w3)
    assert event(attester, receipt, "Attested") == {
        "commitment": h("r1"),
        "attesterId": 1,
        "modelId": MODEL,
        "issuedAt": issued,
        "expiresAt": expiry,
    }
    record = attester.record(1, h("r1"))
    assert (record.attester_id, record.model_index, record.issued_at, record.expires_at) == (
        1,
        1,
        issued,
        expiry,
    )
    assert (record.revoked_at, record.revocation_reason, record.count) == (0, 0, 0)
    assert attester.status_of(1, h("r1")) is Status.Valid


def test_attest_reverts(admin, attester, outsider, dev_accounts, expiry, w3):
    attester.attest(h("dup"), MODEL, expiry)
    with reverts(f"AlreadyAnchored(1, 0x{h('dup').hex()})"):
        attester.attest(h("dup"), MODEL, expiry)
    with reverts(f"NotAttester({dev_accounts[4].address})"):
        outsider.attest(h("x"), MODEL, expiry)
    with reverts(f"UnknownModel(0x{OTHER_MODEL.hex()})"):
        attester.attest(h("x"), OTHER_MODEL, expiry)
    with reverts("ZeroHash(commitment)"):
        attester.attest(ZERO32, MODEL, expiry)
    past = now(w3) - 1
    with reverts(f"ExpiryNotInFuture({past})"):
        attester.attest(h("x"), MODEL, past)
    admin.suspend_attester(1, 1)
    with reverts("SuspendedAttester(1)"):
        attester.attest(h("x"), MODEL, expiry)


def test_client_names_bad_bytes32_fields(attester, expiry):
    with pytest.raises(ValueError, match="commitment: expected 32 bytes, got 31 bytes"):
        attester.attest(b"\x01" * 31, MODEL, expiry)
    with pytest.raises(ValueError, match=r"proof\[1\]: expected 32 bytes"):
        attester.verify_batch_leaf(1, h("root"), h("c"), [h("p"), b"short"])


# -- attestations signed off chain (EIP-712) -----------------------------------------------


def test_python_signature_digest_matches_contract(attester, expiry, w3):
    deadline = now(w3) + 3600
    signable = encode_typed_data(
        domain_data={
            "name": "Credence AttestationRegistry",
            "version": "1",
            "chainId": w3.eth.chain_id,
            "verifyingContract": attester.address,
        },
        message_types=ATTEST_TYPES,
        message_data={
            "commitment": h("c"),
            "modelId": MODEL,
            "expiresAt": expiry,
            "nonce": 5,
            "deadline": deadline,
        },
    )
    digest = keccak(b"\x19" + signable.version + signable.header + signable.body)
    assert attester.attest_digest(h("c"), MODEL, expiry, 5, deadline) == digest
    _, name, version, chain_id, verifying_contract, *_ = (
        attester.contract.functions.eip712Domain().call()
    )
    assert (name, version, chain_id, verifying_contract) == (
        "Credence AttestationRegistry",
        "1",
        w3.eth.chain_id,
        attester.address,
    )


def test_relayer_submits_signed_attestation(attester, relayer, dev_accounts, expiry, w3):
    key = dev_accounts[1]
    args = signed(attester, key, h("sig"), expiry, now(w3) + 3600)
    receipt = relayer.attest_by_sig(*args)
    assert event(relayer, receipt, "Attested")["attesterId"] == 1
    assert event(relayer, receipt, "NonceConsumed") == {"signer": key.address, "nonce": 0}
    assert relayer.nonce(key.address) == 1
    assert relayer.status_of(1, h("sig")) is Status.Valid
    # The same signature again: its nonce is spent, so it no longer matches.
    with reverts(f"InvalidSignature({key.address})"):
        relayer.attest_by_sig(*args)


def test_signed_attestation_reverts(admin, attester, relayer, dev_accounts, expiry, w3):
    key, stranger = dev_accounts[1], dev_accounts[4]
    deadline = now(w3) + 3600
    # Signed by someone else on the attester's behalf.
    forged = signed(attester, stranger, h("a"), expiry, deadline, signer=key.address)
    with reverts(f"InvalidSignature({key.address})"):
        relayer.attest_by_sig(*forged)
    # A field changed after signing.
    good = signed(attester, key, h("a"), expiry, deadline)
    with reverts(f"InvalidSignature({key.address})"):
        relayer.attest_by_sig(h("b"), *good[1:])
    # Not a signature at all.
    with reverts(f"InvalidSignature({key.address})"):
        relayer.attest_by_sig(*good[:5], b"\x00" * 3)
    # A future nonce.
    with reverts(f"InvalidSignature({key.address})"):
        relayer.attest_by_sig(*signed(attester, key, h("a"), expiry, deadline, nonce=1))
    # Past its deadline.
    late = now(w3) - 1
    with reverts(f"SignatureExpired({late})"):
        relayer.attest_by_sig(*signed(attester, key, h("a"), expiry, late))
    # Signed by a key that is no attester.
    with reverts(f"NotAttester({stranger.address})"):
        relayer.attest_by_sig(*signed(attester, stranger, h("a"), expiry, deadline))
    admin.suspend_attester(1, 1)
    with reverts("SuspendedAttester(1)"):
        relayer.attest_by_sig(*good)
    assert relayer.nonce(key.address) == 0  # failed attempts consume nothing


def test_erc1271_wallet_attester(admin, attester, relayer, make_sender, dev_accounts, expiry, w3):
    owner = dev_accounts[6]
    wallet, _ = deploy(make_sender(dev_accounts[0]), "MockERC1271Wallet", owner.address)
    admin.register_attester(wallet.address, "Multisig Scoring", "ipfs://wallet")
    deadline = now(w3) + 3600
    args = signed(relayer, owner, h("w"), expiry, deadline, signer=wallet.address)
    receipt = relayer.attest_by_sig(*args)
    assert event(relayer, receipt, "Attested")["attesterId"] == 2
    assert relayer.nonce(wallet.address) == 1
    # The wallet refuses signatures by anyone but its owner.
    bad = signed(relayer, dev_accounts[4], h("w2"), expiry, deadline, signer=wallet.address)
    with reverts(f"InvalidSignature({wallet.address})"):
        relayer.attest_by_sig(*bad)


# -- batches -------------------------------------------------------------------------------


def test_anchor_batch_and_verify_every_leaf(attester, expiry, w3):
    tree, commitments = batch([f"loan-{i}" for i in range(7)])
    receipt = attester.anchor_batch(tree.root, 7, MODEL, expiry)
    assert event(attester, receipt, "BatchAnchored") == {
        "root": tree.root,
        "attesterId": 1,
        "modelId": MODEL,
        "count": 7,
        "issuedAt": now(w3),
        "expiresAt": expiry,
    }
    assert attester.record(1, tree.root).count == 7
    for c in commitments:
        proof = proof_of(tree, c)
        assert attester.verify_batch_leaf(1, tree.root, c, proof)
        assert attester.status_of_batch_record(1, tree.root, c, proof) is Status.Valid
    # Wrong commitment, wrong proof, unknown root: not in the batch.
    proof = proof_of(tree, commitments[0])
    assert not attester.verify_batch_leaf(1, tree.root, h("outsider"), proof)
    assert not attester.verify_batch_leaf(1, tree.root, commitments[1], proof)
    assert not attester.verify_batch_leaf(1, h("no such root"), commitments[0], proof)
    assert attester.status_of_batch_record(1, tree.root, commitments[1], proof) is Status.Unknown
    assert attester.status_of_batch_record(1, h("nope"), commitments[0], proof) is Status.Unknown
    # statusOf is for single records only; a batch root is not one.
    assert attester.status_of(1, tree.root) is Status.Unknown


def test_batch_leaf_is_the_standard_bytes32_leaf(attester, expiry):
    """Two leaves, hashed here by hand, so the contract is checked independently of the tree."""
    a, b = h("a"), h("b")
    leaf_a, leaf_b = (keccak(keccak(c)) for c in (a, b))
    root = keccak(min(leaf_a, leaf_b) + max(leaf_a, leaf_b))
    attester.anchor_batch(root, 2, MODEL, expiry)
    assert attester.verify_batch_leaf(1, root, a, [leaf_b])
    assert attester.verify_batch_leaf(1, root, b, [leaf_a])
    assert not attester.verify_batch_leaf(1, root, a, [leaf_a])


def test_anchor_batch_reverts(admin, attester, outsider, dev_accounts, expiry):
    tree, _ = batch(["a", "b"])
    with reverts("EmptyBatch"):
        attester.anchor_batch(tree.root, 0, MODEL, expiry)
    with reverts("ZeroHash(root)"):
        attester.anchor_batch(ZERO32, 2, MODEL, expiry)
    attester.anchor_batch(tree.root, 2, MODEL, expiry)
    with reverts(f"AlreadyAnchored(1, 0x{tree.root.hex()})"):
        attester.anchor_batch(tree.root, 2, MODEL, expiry)
    with reverts(f"NotAttester({dev_accounts[4].address})"):
        outsider.anchor_batch(h("r"), 2, MODEL, expiry)
    admin.suspend_attester(1, 1)
    with reverts("SuspendedAttester(1)"):
        attester.anchor_batch(h("r"), 2, MODEL, expiry)
