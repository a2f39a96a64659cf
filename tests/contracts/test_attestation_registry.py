"""AttestationRegistry against a real Anvil node, through the typed client.

Accounts: 0 admin/registrar, 1 attester, 2 second attester, 3 relayer, 4 outsider,
5 spare key (rotation), 6 owner of an ERC-1271 wallet attester.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from eth_account.messages import encode_typed_data
from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from ledger.attest.registry import (
    ATTEST_TYPES,
    LeafRevocation,
    ModelMetrics,
    Registry,
    Status,
    sign_attestation,
)
from ledger.chain.deploy import deploy
from ledger.merkle import MerkleTree, bytes32_leaf
from ledger.tx import ContractRevert

YEAR = 365 * 24 * 3600
REGISTRAR_ROLE = keccak(text="REGISTRAR_ROLE")
METRICS = ModelMetrics(auc_bps=7812, ks_bps=4120, gini_bps=5624, psi_bps=310, sample_size=48_213)
MODEL = keccak(b"model artifact v1")
OTHER_MODEL = keccak(b"model artifact v2")
ZERO32 = bytes(32)


def h(label: str) -> bytes:
    """A deterministic 32-byte value (stands in for a record commitment)."""
    return keccak(text=label)


def now(w3: Web3) -> int:
    return w3.eth.get_block("latest")["timestamp"]


def mine_at(w3: Web3, timestamp: int) -> None:
    """Mine the next block at exactly ``timestamp`` (views then see that time)."""
    w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])
    w3.provider.make_request("evm_mine", [])


def event(registry: Registry, receipt, name: str) -> dict:
    [log] = getattr(registry.contract.events, name)().process_receipt(receipt, errors=DISCARD)
    return dict(log["args"])


@contextmanager
def reverts(error: str) -> Iterator[None]:
    """Expect a ContractRevert whose decoded error is ``error`` (full text, or just its name)."""
    with pytest.raises(ContractRevert) as info:
        yield
    got = info.value.error.lower()  # addresses are decoded in lower case
    assert (got if "(" in error else got.split("(")[0]) == error.lower(), got


@pytest.fixture(scope="module")
def contract(dev_accounts, make_sender) -> Contract:
    admin = make_sender(dev_accounts[0])
    contract, _ = deploy(admin, "AttestationRegistry", admin.address)
    return contract


@pytest.fixture
def as_(contract, make_sender, dev_accounts, snapshot) -> Iterator:
    """``as_(account)``: the registry client sending as ``account``; chain rolled back after."""
    yield lambda account: Registry(contract, make_sender(account))
    for account in dev_accounts:
        make_sender(account).resync_nonce()  # the rollback undoes mined nonces


@pytest.fixture
def admin(as_, dev_accounts) -> Registry:
    return as_(dev_accounts[0])


@pytest.fixture
def attester(admin, as_, dev_accounts) -> Registry:
    """Attester 1 (key: account 1) with MODEL registered."""
    admin.register_attester(dev_accounts[1].address, "Acme Scoring", "ipfs://acme")
    registry = as_(dev_accounts[1])
    registry.register_model(MODEL, "ipfs://model-v1", METRICS)
    return registry


@pytest.fixture
def second(admin, attester, as_, dev_accounts) -> Registry:
    """Attester 2 (key: account 2); may use MODEL too."""
    admin.register_attester(dev_accounts[2].address, "Beta Credit", "ipfs://beta")
    return as_(dev_accounts[2])


@pytest.fixture
def relayer(as_, dev_accounts) -> Registry:
    return as_(dev_accounts[3])


@pytest.fixture
def outsider(as_, dev_accounts) -> Registry:
    return as_(dev_accounts[4])


@pytest.fixture
def expiry(w3) -> int:
    return now(w3) + YEAR


def batch(labels: list[str]) -> tuple[MerkleTree, list[bytes]]:
    commitments = [h(label) for label in labels]
    return MerkleTree.build([bytes32_leaf(c) for c in commitments]), commitments


def proof_of(tree: MerkleTree, commitment: bytes) -> list[bytes]:
    return tree.proof(bytes32_leaf(commitment))


# -- deployment and roles ------------------------------------------------------------------


def test_constructor_grants_admin_and_registrar(contract, dev_accounts):
    admin = dev_accounts[0].address
    assert contract.functions.hasRole(ZERO32, admin).call()
    assert contract.functions.hasRole(REGISTRAR_ROLE, admin).call()
    assert contract.functions.REGISTRAR_ROLE().call() == REGISTRAR_ROLE


def test_constructor_rejects_zero_admin(make_sender, dev_accounts):
    with reverts("ZeroAddress(admin)"):
        deploy(make_sender(dev_accounts[0]), "AttestationRegistry", "0x" + "00" * 20)


# -- attesters -----------------------------------------------------------------------------


def test_register_attester_assigns_ids_from_one(admin, dev_accounts, w3):
    receipt = admin.register_attester(dev_accounts[1].address, "Acme Scoring", "ipfs://acme")
    assert event(admin, receipt, "AttesterRegistered") == {
        "attesterId": 1,
        "key": dev_accounts[1].address,
        "name": "Acme Scoring",
        "metadataURI": "ipfs://acme",
        "registeredAt": now(w3),
    }
    admin.register_attester(dev_accounts[2].address, "Beta Credit", "ipfs://beta")
    assert admin.attester_of(dev_accounts[1].address) == 1
    assert admin.attester_of(dev_accounts[2].address) == 2
    assert admin.attester_of(dev_accounts[4].address) == 0
    info = admin.attester(2)
    assert (info.key, info.suspended, info.suspended_at) == (dev_accounts[2].address, False, 0)
    assert info.registered_at == now(w3)
    assert admin.attester(3) is None


def test_only_registrar_registers_attesters(outsider, dev_accounts):
    with reverts("AccessControlUnauthorizedAccount"):
        outsider.register_attester(dev_accounts[4].address, "Mallory", "")


def test_attester_key_cannot_be_reused_or_zero(admin, attester, dev_accounts):
    with reverts(f"KeyAlreadyUsed({dev_accounts[1].address})"):
        admin.register_attester(dev_accounts[1].address, "Again", "")
    with reverts("ZeroAddress(key)"):
        admin.register_attester("0x" + "00" * 20, "Nobody", "")


def test_suspend_and_reinstate(admin, attester, w3):
    receipt = admin.suspend_attester(1, 7)
    suspended_at = now(w3)
    assert event(admin, receipt, "AttesterSuspended") == {
        "attesterId": 1,
        "reason": 7,
        "suspendedAt": suspended_at,
    }
    info = admin.attester(1)
    assert (info.suspended, info.suspended_at) == (True, suspended_at)
    with reverts("SuspendedAttester(1)"):
        admin.suspend_attester(1, 8)

    receipt = admin.reinstate_attester(1)
    assert event(admin, receipt, "AttesterReinstated") == {
        "attesterId": 1,
        "reinstatedAt": now(w3),
    }
    assert (admin.attester(1).suspended, admin.attester(1).suspended_at) == (False, 0)
    with reverts("AttesterNotSuspended(1)"):
        admin.reinstate_attester(1)


def test_suspension_checks_the_attester_and_the_caller(admin, attester, outsider):
    with reverts("UnknownAttester(9)"):
        admin.suspend_attester(9, 1)
    with reverts("UnknownAttester(9)"):
        admin.reinstate_attester(9)
    with reverts("AccessControlUnauthorizedAccount"):
        outsider.suspend_attester(1, 1)
    admin.suspend_attester(1, 1)
    with reverts("AccessControlUnauthorizedAccount"):
        attester.reinstate_attester(1)


# -- key rotation --------------------------------------------------------------------------


def test_registrar_rotates_key_and_records_stay_attributed(
    admin, attester, as_, dev_accounts, expiry
):
    old, new = dev_accounts[1], dev_accounts[5]
    attester.attest(h("before"), MODEL, expiry)
    receipt = admin.rotate_attester_key(1, new.address)
    assert event(admin, receipt, "AttesterKeyRotated") == {
        "attesterId": 1,
        "oldKey": old.address,
        "newKey": new.address,
    }
    assert admin.attester_of(old.address) == 0
    assert admin.attester_of(new.address) == 1
    assert admin.attester(1).key == new.address
    assert admin.record(1, h("before")).attester_id == 1
    assert admin.status_of(1, h("before")) is Status.Valid

    with reverts(f"NotAttester({old.address})"):
        attester.attest(h("after, old key"), MODEL, expiry)
    rotated = as_(new)
    rotated.attest(h("after"), MODEL, expiry)
    assert rotated.record(1, h("after")).attester_id == 1
    # The new key controls records issued under the old one; the old key no longer does.
    with reverts(f"NotAttester({old.address})"):
        attester.revoke(h("before"), 1)
    rotated.revoke(h("before"), 1)
    # A retired key can never be registered again.
    with reverts(f"KeyAlreadyUsed({old.address})"):
        admin.register_attester(old.address, "Reuse", "")


def test_attester_rotates_its_own_key(attester, dev_accounts):
    attester.rotate_attester_key(1, dev_accounts[5].address)
    assert attester.attester_of(dev_accounts[5].address) == 1


def test_rotation_checks_caller_and_new_key(admin, attester, second, outsider, dev_accounts):
    with reverts(f"NotRegistrarOrKey({dev_accounts[4].address})"):
        outsider.rotate_attester_key(1, dev_accounts[5].address)
    with reverts(f"NotRegistrarOrKey({dev_accounts[2].address})"):
        second.rotate_attester_key(1, dev_accounts[5].address)
    with reverts(f"KeyAlreadyUsed({dev_accounts[2].address})"):
        admin.rotate_attester_key(1, dev_accounts[2].address)
    with reverts("ZeroAddress(newKey)"):
        admin.rotate_attester_key(1, "0x" + "00" * 20)
    with reverts("UnknownAttester(9)"):
        admin.rotate_attester_key(9, dev_accounts[5].address)


def test_suspended_attester_cannot_rotate_its_own_key(admin, attester, dev_accounts):
    admin.suspend_attester(1, 1)
    with reverts(f"NotRegistrarOrKey({dev_accounts[1].address})"):
        attester.rotate_attester_key(1, dev_accounts[5].address)
    admin.rotate_attester_key(1, dev_accounts[5].address)  # the registrar still can


# -- models --------------------------------------------------------------------------------


def test_register_model(attester, w3):
    receipt = attester.register_model(OTHER_MODEL, "ipfs://model-v2", METRICS)
    args = event(attester, receipt, "ModelRegistered")
    assert ModelMetrics(*args["metrics"].values()) == METRICS
    assert {k: v for k, v in args.items() if k != "metrics"} == {
        "modelId": OTHER_MODEL,
        "modelIndex": 2,
        "attesterId": 1,
        "metadataURI": "ipfs://model-v2",
        "registeredAt": now(w3),
    }
    model = attester.model(OTHER_MODEL)
    assert (model.index, model.attester_id, model.metrics) == (2, 1, METRICS)
    assert attester.model(h("unregistered")) is None


def test_register_model_reverts(admin, attester, outsider, dev_accounts):
    with reverts(f"ModelAlreadyRegistered(0x{MODEL.hex()})"):
        attester.register_model(MODEL, "again", METRICS)
    with reverts("ZeroHash(modelId)"):
        attester.register_model(ZERO32, "zero", METRICS)
    with reverts(f"NotAttester({dev_accounts[4].address})"):
        outsider.register_model(OTHER_MODEL, "", METRICS)
    admin.suspend_attester(1, 1)
    with reverts("SuspendedAttester(1)"):
        attester.register_model(OTHER_MODEL, "", METRICS)


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


def signed(registry: Registry, account, commitment, expiry, deadline, *, signer=None, nonce=None):
    """Arguments for attest_by_sig, signed by ``account`` for ``signer`` (default: itself)."""
    signer = signer or account.address
    nonce = registry.nonce(signer) if nonce is None else nonce
    signature = sign_attestation(
        account,
        registry.address,
        registry.sender.w3.eth.chain_id,
        commitment,
        MODEL,
        expiry,
        nonce,
        deadline,
    )
    return (commitment, MODEL, expiry, signer, deadline, signature)


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


# -- gas -----------------------------------------------------------------------------------


def gas(receipt) -> int:
    return receipt["gasUsed"]


def test_gas_budgets(attester, expiry):
    """Budgets from the design; anchorBatch costs the same for 10 leaves and 100,000."""
    single = gas(attester.attest(os.urandom(32), MODEL, expiry))
    small = gas(attester.anchor_batch(os.urandom(32), 10, MODEL, expiry))
    large = gas(attester.anchor_batch(os.urandom(32), 100_000, MODEL, expiry))
    commitment = os.urandom(32)
    attester.attest(commitment, MODEL, expiry)
    revoke = gas(attester.revoke(commitment, 3))
    print(f"attest {single:,}  anchorBatch(10) {small:,}  (100,000) {large:,}  revoke {revoke:,}")
    assert single <= 60_000, single
    assert small <= 80_000 and large <= 80_000, (small, large)
    assert abs(large - small) <= 64, (small, large)  # only calldata bytes of `count` differ
    assert revoke <= 35_000, revoke


def test_gas_of_every_write(admin, attester, relayer, dev_accounts, expiry, w3):
    """Measures every write function (run with -s to see the table kept in the docs)."""
    tree, (a, _) = batch(["a", "b"])
    key = dev_accounts[1]
    measured = {
        "registerAttester": admin.register_attester(
            dev_accounts[2].address, "Beta Credit", "ipfs://beta"
        ),
        "registerModel": attester.register_model(OTHER_MODEL, "ipfs://model-v2", METRICS),
        "attest": attester.attest(os.urandom(32), MODEL, expiry),
        "attestBySig": relayer.attest_by_sig(
            *signed(attester, key, os.urandom(32), expiry, now(w3) + 3600)
        ),
        "anchorBatch": attester.anchor_batch(tree.root, 2, MODEL, expiry),
        "revokeBatchLeaf": attester.revoke_batch_leaf(tree.root, a, proof_of(tree, a), 1),
    }
    for i in range(5):
        attester.attest(h(f"many-{i}"), MODEL, expiry)
    measured["revoke"] = attester.revoke(h("many-0"), 1)
    measured["revokeMany (4 keys)"] = attester.revoke_many([h(f"many-{i}") for i in range(1, 5)], 1)
    measured["suspendAttester"] = admin.suspend_attester(1, 1)
    measured["reinstateAttester"] = admin.reinstate_attester(1)
    measured["rotateAttesterKey"] = admin.rotate_attester_key(1, dev_accounts[5].address)
    for name, receipt in measured.items():
        print(f"{name:24} {gas(receipt):>8,}")
    assert all(gas(r) < 200_000 for r in measured.values())
