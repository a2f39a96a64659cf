"""AttestationRegistry: gas budgets of every write (deterministic on Anvil)."""

from __future__ import annotations

import os

from tests.contracts.evm import now
from tests.contracts.registry.helpers import METRICS, MODEL, OTHER_MODEL, batch, h, proof_of, signed

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
