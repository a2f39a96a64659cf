"""Shared fixtures: a real Anvil node per test session, funded dev accounts, deployment."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from ledger.chain.compiler import compile_contracts
from ledger.chain.node import LocalNode, free_port
from ledger.runtime import Runtime
from ledger.settings import Settings
from ledger.tx import ErrorDecoder, Sender

Account.enable_unaudited_hdwallet_features()
DEV_MNEMONIC = "test test test test test test test test test test test junk"


@pytest.fixture(scope="session")
def anvil() -> Iterator[LocalNode]:
    with LocalNode(kind="anvil", port=free_port()) as node:
        yield node


@pytest.fixture(scope="session")
def w3(anvil: LocalNode) -> Web3:
    return Web3(Web3.HTTPProvider(anvil.url, request_kwargs={"timeout": 30}))


@pytest.fixture(scope="session")
def dev_accounts() -> list[LocalAccount]:
    """The node's ten pre-funded accounts (standard development mnemonic)."""
    return [
        Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(10)
    ]


@pytest.fixture(scope="session")
def error_decoder() -> ErrorDecoder:
    return ErrorDecoder([a.abi for a in compile_contracts().values()])


@pytest.fixture(scope="session")
def senders() -> dict[str, Sender]:
    """Every Sender the tests made, by address (the snapshot fixture resyncs their nonces)."""
    return {}


@pytest.fixture(scope="session")
def make_sender(w3: Web3, error_decoder: ErrorDecoder, senders: dict[str, Sender]):
    """``make_sender(account)``: a Sender for ``account`` on the session node."""

    def make(account: LocalAccount) -> Sender:
        if account.address not in senders:
            senders[account.address] = Sender(w3, account, errors=error_decoder)
        return senders[account.address]

    return make


@pytest.fixture
def snapshot(w3: Web3, senders: dict[str, Sender]) -> Iterator[None]:
    """Run a test on a snapshot of the chain and roll back afterwards."""
    snap = w3.provider.make_request("evm_snapshot", [])["result"]
    yield
    w3.provider.make_request("evm_revert", [snap])
    for sender in senders.values():  # nonces used inside the snapshot are free again
        sender.resync_nonce()


POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A fresh PostgreSQL database for the module on the machine's server."""
    name = f"credence_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):  # CI machines have the server: its absence is a failure
            raise
        pytest.skip(f"no PostgreSQL server on 127.0.0.1:5432 ({exc})")
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="module")
def module_runtime(anvil: LocalNode, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A Credence runtime on the session Anvil: a fresh deployment and SQLite per module."""

    data_dir = tmp_path_factory.mktemp("runtime")
    settings = Settings(data_dir=data_dir, rpc_url=anvil.url, batch_max_wait_s=0.05)
    with Runtime.open(settings) as rt:
        yield rt


@pytest.fixture(scope="module")
def runtime(module_runtime: Any) -> Any:
    """The module's runtime under the name the api and attest tests use."""
    return module_runtime
