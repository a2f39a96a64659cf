"""Shared by the AttestationRegistry tests: constants, helpers, and (in conftest.py) the
registry and its parties on a real Anvil node.

Accounts: 0 admin/registrar, 1 attester, 2 second attester, 3 relayer, 4 outsider,
5 spare key (rotation), 6 owner of an ERC-1271 wallet attester.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from eth_utils import keccak
from web3 import Web3

from ledger.attest.registry import ModelMetrics, Registry, sign_attestation
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


def mine_at(w3: Web3, timestamp: int) -> None:
    """Mine the next block at exactly ``timestamp`` (views then see that time)."""
    w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])
    w3.provider.make_request("evm_mine", [])


@contextmanager
def reverts(error: str) -> Iterator[None]:
    """Expect a ContractRevert whose decoded error is ``error`` (full text, or just its name)."""
    with pytest.raises(ContractRevert) as info:
        yield
    got = info.value.error.lower()  # addresses are decoded in lower case
    assert (got if "(" in error else got.split("(")[0]) == error.lower(), got


def batch(labels: list[str]) -> tuple[MerkleTree, list[bytes]]:
    commitments = [h(label) for label in labels]
    return MerkleTree.build([bytes32_leaf(c) for c in commitments]), commitments


def proof_of(tree: MerkleTree, commitment: bytes) -> list[bytes]:
    return tree.proof(bytes32_leaf(commitment))


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
