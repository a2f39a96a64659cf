"""Sending (nonces, idempotency, reverts) and the encrypted keystore, on a real Anvil."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from eth_account import Account
from web3 import Web3

from ledger.chain.deploy import deploy
from ledger.keys import Keystore, KeystoreError
from ledger.tx import ContractRevert, MemoryIdempotencyStore, Sender, request_transactions


@pytest.fixture
def funded(w3: Web3, dev_accounts) -> Sender:
    """A fresh account funded from a dev account, with its own sender."""
    account = Account.create()
    w3.provider.make_request("anvil_setBalance", [account.address, hex(10**21)])
    return Sender(w3, account, idempotency=MemoryIdempotencyStore())


def test_concurrent_sends_get_distinct_nonces(funded: Sender, w3: Web3):
    to = Account.create().address
    with ThreadPoolExecutor(8) as pool:
        receipts = list(pool.map(lambda _: funded.send(to=to, value=1), range(24)))
    assert len({r["transactionHash"] for r in receipts}) == 24
    assert w3.eth.get_transaction_count(funded.address) == 24
    assert w3.eth.get_balance(to) == 24


def test_same_idempotency_key_never_sends_twice(funded: Sender, w3: Web3):
    to = Account.create().address
    first = funded.send(to=to, value=5, idempotency_key="pay-once")
    second = funded.send(to=to, value=5, idempotency_key="pay-once")
    assert first["transactionHash"] == second["transactionHash"]
    assert w3.eth.get_balance(to) == 5


def test_a_key_recorded_but_never_broadcast_sends_on_the_retry(funded: Sender, w3: Web3):
    # A crash between recording the key and broadcasting: the node never saw the hash.
    to = Account.create().address
    funded.idempotency.put("pay-lost", "0x" + "ab" * 32)
    receipt = funded.send(to=to, value=5, idempotency_key="pay-lost")
    assert funded.idempotency.get("pay-lost") == receipt["transactionHash"].to_0x_hex()
    assert w3.eth.get_balance(to) == 5


def test_a_request_scope_keys_each_distinct_send_once(funded: Sender, w3: Web3):
    # A retried request replays its sends, conditional ones included: each distinct call
    # (and each repeat of one call) is found, only what the first run never sent is sent.
    to, other = Account.create().address, Account.create().address
    with request_transactions("request:one"):
        first = [funded.send(to=to, value=1), funded.send(to=to, value=1)]
    with request_transactions("request:one"):
        again = [funded.send(to=other, value=2), funded.send(to=to, value=1)]
        again.append(funded.send(to=to, value=1))
    assert again[1] == first[0] and again[2] == first[1]
    assert (w3.eth.get_balance(to), w3.eth.get_balance(other)) == (2, 2)
    with request_transactions("request:two"):
        funded.send(to=to, value=1)
    assert w3.eth.get_balance(to) == 3


def test_a_nonce_taken_by_another_process_is_recovered(funded: Sender, w3: Web3):
    to = Account.create().address
    funded.send(to=to, value=1)
    other = Sender(w3, funded.account)  # a second process with the same key
    other.send(to=to, value=1)
    funded.send(to=to, value=1)  # its cached nonce is stale: it must resync and succeed
    assert w3.eth.get_balance(to) == 3


def test_reverts_surface_as_decoded_custom_errors(
    funded: Sender, error_decoder, dev_accounts, make_sender
):
    registry, _ = deploy(
        make_sender(dev_accounts[0]), "AttestationRegistry", dev_accounts[0].address
    )
    funded.errors = error_decoder
    with pytest.raises(ContractRevert) as info:
        funded.send(registry.functions.attest(b"\x01" * 32, b"\x02" * 32, 2**39))
    assert info.value.error.startswith("NotAttester(")


def test_keystore_encrypts_at_rest_and_reloads(tmp_path: Path):
    store = Keystore(tmp_path, "correct horse", scrypt_n=2**10)
    signer = store.signer("attester")
    blob = json.loads((tmp_path / "attester.json").read_text())
    assert blob["crypto"]["kdf"] == "scrypt"
    assert signer.key.hex()[2:] not in (tmp_path / "attester.json").read_text()
    assert Keystore(tmp_path, "correct horse").signer("attester").address == signer.address
    assert oct((tmp_path / "attester.json").stat().st_mode)[-3:] == "600"


def test_keystore_wrong_passphrase_and_bad_role(tmp_path: Path):
    Keystore(tmp_path, "right", scrypt_n=2**10).signer("admin")
    with pytest.raises(KeystoreError, match="cannot decrypt"):
        Keystore(tmp_path, "wrong").signer("admin")
    with pytest.raises(KeystoreError, match="role"):
        Keystore(tmp_path, "right").signer("../etc/passwd")


def test_a_stale_nonce_that_rebuilds_another_process_transaction_is_not_taken_as_sent(
    funded: Sender, w3: Web3
):
    """Same key, same nonce, same payload and fees: the same bytes and hash. The second
    sender must not take the first one's transaction for its own."""
    to = Account.create().address
    fees = {"maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9, "gas": 21_000}
    funded.send(to=to, value=1, **fees)
    other = Sender(w3, funded.account)
    other.send(to=to, value=1, **fees)  # nonce 1
    funded.send(to=to, value=1, **fees)  # stale nonce 1: identical bytes, must resync
    assert w3.eth.get_balance(to) == 3


def test_a_revert_when_mined_is_a_decoded_contract_revert(funded: Sender, w3: Web3, error_decoder):
    """Two requests registering one key: both estimates pass, the second reverts when mined.
    That was a bare TxError (an API 500); it is the custom error the replayed call gives."""
    registry, _ = deploy(funded, "AttestationRegistry", funded.address)
    funded.errors = error_decoder
    key = Account.create().address
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        register = registry.functions.registerAttester(key, "twice", "ipfs://a")
        hashes = [funded.send(register, wait=False) for _ in range(2)]
        w3.provider.make_request("evm_mine", [])
    finally:
        w3.provider.make_request("evm_setAutomine", [True])
    assert funded.wait(hashes[0])["status"] == 1
    with pytest.raises(ContractRevert) as info:
        funded.wait(hashes[1])
    assert info.value.error.startswith("KeyAlreadyUsed(")
