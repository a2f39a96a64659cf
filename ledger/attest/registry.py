"""Typed client for the AttestationRegistry contract, and EIP-712 signing for attestBySig.

A thin wrapper: one method per contract function, writes return receipts (a revert
raises ``ContractRevert`` carrying the decoded custom error), views return Python values.
Business rules live in the contract and in ``ledger.attest.service``, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from web3.contract import Contract
from web3.types import TxReceipt

from ledger.attest.status import Status
from ledger.tx import Sender

DOMAIN_NAME = "Credence AttestationRegistry"
DOMAIN_VERSION = "1"
ATTEST_TYPES = {
    "Attest": [
        {"name": "commitment", "type": "bytes32"},
        {"name": "modelId", "type": "bytes32"},
        {"name": "expiresAt", "type": "uint40"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}
ZERO_ADDRESS = "0x" + "00" * 20


class ModelMetrics(NamedTuple):
    """Validation metrics of a model; a tuple, so it passes straight into the ABI."""

    auc_bps: int
    ks_bps: int
    gini_bps: int
    psi_bps: int
    sample_size: int


@dataclass(frozen=True)
class Attester:
    key: str
    suspended: bool
    suspended_at: int
    registered_at: int


@dataclass(frozen=True)
class Model:
    index: int
    attester_id: int
    registered_at: int
    metrics: ModelMetrics


@dataclass(frozen=True)
class Record:
    """A single record (``count == 0``) or a batch root; all zero when unknown."""

    attester_id: int
    model_index: int
    issued_at: int
    expires_at: int
    revoked_at: int
    revocation_reason: int
    count: int


@dataclass(frozen=True)
class LeafRevocation:
    revoked_at: int
    reason: int


def bytes32(field: str, value: bytes) -> bytes:
    """``value`` if it is exactly 32 bytes, else a ValueError naming ``field``."""
    if not isinstance(value, bytes | bytearray) or len(value) != 32:
        shown = (
            f"{len(value)} bytes" if isinstance(value, bytes | bytearray) else type(value).__name__
        )
        raise ValueError(f"{field}: expected 32 bytes, got {shown}")
    return bytes(value)


def _bytes32_list(field: str, values: Sequence[bytes]) -> list[bytes]:
    return [bytes32(f"{field}[{i}]", v) for i, v in enumerate(values)]


def sign_attestation(
    account: LocalAccount,
    registry_address: str,
    chain_id: int,
    commitment: bytes,
    model_id: bytes,
    expires_at: int,
    nonce: int,
    deadline: int,
) -> bytes:
    """The EIP-712 signature of an ``Attest`` struct, for ``attestBySig``.

    For an ERC-1271 wallet attester, ``account`` is the wallet's owner and the wallet
    must accept the owner's signature over the same digest.
    """
    signable = encode_typed_data(
        domain_data={
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain_id,
            "verifyingContract": registry_address,
        },
        message_types=ATTEST_TYPES,
        message_data={
            "commitment": bytes32("commitment", commitment),
            "modelId": bytes32("model_id", model_id),
            "expiresAt": expires_at,
            "nonce": nonce,
            "deadline": deadline,
        },
    )
    return bytes(account.sign_message(signable).signature)


class Registry:
    """One AttestationRegistry, sending as ``sender``."""

    def __init__(self, contract: Contract, sender: Sender) -> None:
        self.contract = contract
        self.sender = sender

    @property
    def address(self) -> str:
        return self.contract.address

    def _send(self, call: Any, idempotency_key: str | None, **send: Any) -> Any:
        """The receipt; with ``wait=False`` the hash (``send`` goes to ``Sender.send``)."""
        return self.sender.send(call, idempotency_key=idempotency_key, **send)

    # -- attesters (registrar) ---------------------------------------------------------

    def register_attester(
        self, key: str, name: str, metadata_uri: str, *, idempotency_key: str | None = None
    ) -> TxReceipt:
        call = self.contract.functions.registerAttester(key, name, metadata_uri)
        return self._send(call, idempotency_key)

    def suspend_attester(
        self, attester_id: int, reason: int, *, idempotency_key: str | None = None
    ) -> TxReceipt:
        return self._send(
            self.contract.functions.suspendAttester(attester_id, reason), idempotency_key
        )

    def reinstate_attester(
        self, attester_id: int, *, idempotency_key: str | None = None
    ) -> TxReceipt:
        return self._send(self.contract.functions.reinstateAttester(attester_id), idempotency_key)

    def rotate_attester_key(
        self, attester_id: int, new_key: str, *, idempotency_key: str | None = None
    ) -> TxReceipt:
        call = self.contract.functions.rotateAttesterKey(attester_id, new_key)
        return self._send(call, idempotency_key)

    # -- models and records (attester) -------------------------------------------------

    def register_model(
        self,
        model_id: bytes,
        metadata_uri: str,
        metrics: ModelMetrics | tuple[int, int, int, int, int],
        *,
        idempotency_key: str | None = None,
    ) -> TxReceipt:
        call = self.contract.functions.registerModel(
            bytes32("model_id", model_id), metadata_uri, tuple(metrics)
        )
        return self._send(call, idempotency_key)

    def attest(
        self,
        commitment: bytes,
        model_id: bytes,
        expires_at: int,
        *,
        idempotency_key: str | None = None,
        **send: Any,
    ) -> Any:
        call = self.contract.functions.attest(
            bytes32("commitment", commitment), bytes32("model_id", model_id), expires_at
        )
        return self._send(call, idempotency_key, **send)

    def attest_by_sig(
        self,
        commitment: bytes,
        model_id: bytes,
        expires_at: int,
        signer: str,
        deadline: int,
        signature: bytes,
        *,
        idempotency_key: str | None = None,
    ) -> TxReceipt:
        """Relay an attestation signed by ``signer`` (this client's sender pays the gas)."""
        call = self.contract.functions.attestBySig(
            bytes32("commitment", commitment),
            bytes32("model_id", model_id),
            expires_at,
            signer,
            deadline,
            signature,
        )
        return self._send(call, idempotency_key)

    def anchor_batch(
        self,
        root: bytes,
        count: int,
        model_id: bytes,
        expires_at: int,
        *,
        idempotency_key: str | None = None,
        **send: Any,
    ) -> Any:
        call = self.contract.functions.anchorBatch(
            bytes32("root", root), count, bytes32("model_id", model_id), expires_at
        )
        return self._send(call, idempotency_key, **send)

    def revoke(self, key: bytes, reason: int, *, idempotency_key: str | None = None) -> TxReceipt:
        """Revoke the sender's own record or batch under ``key``."""
        return self._send(
            self.contract.functions.revoke(bytes32("key", key), reason), idempotency_key
        )

    def revoke_many(
        self, keys: Sequence[bytes], reason: int, *, idempotency_key: str | None = None
    ) -> TxReceipt:
        call = self.contract.functions.revokeMany(_bytes32_list("keys", keys), reason)
        return self._send(call, idempotency_key)

    def revoke_batch_leaf(
        self,
        root: bytes,
        commitment: bytes,
        proof: Sequence[bytes],
        reason: int,
        *,
        idempotency_key: str | None = None,
    ) -> TxReceipt:
        call = self.contract.functions.revokeBatchLeaf(
            bytes32("root", root),
            bytes32("commitment", commitment),
            _bytes32_list("proof", proof),
            reason,
        )
        return self._send(call, idempotency_key)

    # -- views -------------------------------------------------------------------------

    def attester_of(self, key: str) -> int:
        """The attester id whose current key is ``key``, or 0."""
        return self.contract.functions.attesterOf(key).call()

    def attester(self, attester_id: int) -> Attester | None:
        key, suspended, suspended_at, registered_at = self.contract.functions.getAttester(
            attester_id
        ).call()
        if key == ZERO_ADDRESS:
            return None
        return Attester(key, suspended, suspended_at, registered_at)

    def model(self, model_id: bytes) -> Model | None:
        index, attester_id, registered_at, metrics = self.contract.functions.getModel(
            bytes32("model_id", model_id)
        ).call()
        if index == 0:
            return None
        return Model(index, attester_id, registered_at, ModelMetrics(*metrics))

    def record(self, attester_id: int, key: bytes) -> Record:
        """The record or batch root ``attester_id`` anchored under ``key`` (all zero if none)."""
        call = self.contract.functions.getRecord(attester_id, bytes32("key", key))
        return Record(*call.call())

    def leaf_revocation(
        self, attester_id: int, root: bytes, commitment: bytes
    ) -> LeafRevocation | None:
        """The revocation of ``commitment`` inside ``attester_id``'s batch ``root``, if any."""
        revoked_at, reason = self.contract.functions.getBatchLeafRevocation(
            attester_id, bytes32("root", root), bytes32("commitment", commitment)
        ).call()
        return LeafRevocation(revoked_at, reason) if revoked_at else None

    def status_of(self, attester_id: int, commitment: bytes) -> Status:
        call = self.contract.functions.statusOf(attester_id, bytes32("commitment", commitment))
        return Status(call.call())

    def status_of_batch_record(
        self, attester_id: int, root: bytes, commitment: bytes, proof: Sequence[bytes]
    ) -> Status:
        call = self.contract.functions.statusOfBatchRecord(
            attester_id,
            bytes32("root", root),
            bytes32("commitment", commitment),
            _bytes32_list("proof", proof),
        )
        return Status(call.call())

    def verify_batch_leaf(
        self, attester_id: int, root: bytes, commitment: bytes, proof: Sequence[bytes]
    ) -> bool:
        return self.contract.functions.verifyBatchLeaf(
            attester_id,
            bytes32("root", root),
            bytes32("commitment", commitment),
            _bytes32_list("proof", proof),
        ).call()

    def nonce(self, signer: str) -> int:
        """The next unused EIP-712 nonce of ``signer``."""
        return self.contract.functions.nonces(signer).call()

    def attest_digest(
        self, commitment: bytes, model_id: bytes, expires_at: int, nonce: int, deadline: int
    ) -> bytes:
        return bytes(
            self.contract.functions.attestDigest(
                bytes32("commitment", commitment),
                bytes32("model_id", model_id),
                expires_at,
                nonce,
                deadline,
            ).call()
        )
