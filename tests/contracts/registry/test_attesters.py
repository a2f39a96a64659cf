"""AttestationRegistry: deployment and roles, attesters, key rotation, models."""

from __future__ import annotations

from ledger.attest.registry import ModelMetrics, Status
from ledger.chain.deploy import deploy
from tests.contracts.evm import event, now
from tests.contracts.registry.helpers import (
    METRICS,
    MODEL,
    OTHER_MODEL,
    REGISTRAR_ROLE,
    ZERO32,
    h,
    reverts,
)

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
