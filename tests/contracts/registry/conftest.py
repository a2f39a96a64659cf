"""The AttestationRegistry and its parties for the tests in this folder (see helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from web3.contract import Contract

from ledger.attest.registry import Registry
from ledger.chain.deploy import deploy
from tests.contracts.evm import now
from tests.contracts.registry.helpers import METRICS, MODEL, YEAR


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
