"""Sending transactions: local nonces, fees, signing, receipts, retries, idempotency.

One ``Sender`` per signing key. Nonces are allocated locally under a lock so many
threads can send at once without asking the node for each one. Before a signed
transaction leaves the process it is recorded under its idempotency key, so a retried
request finds the first transaction instead of sending a second one.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.exceptions import (
    ContractCustomError,
    ContractLogicError,
    TimeExhausted,
    TransactionNotFound,
    Web3RPCError,
)
from web3.types import TxData, TxReceipt

TRANSIENT = (requests.ConnectionError, requests.Timeout, ConnectionError, TimeoutError)


class TxError(RuntimeError):
    """A transaction was rejected or reverted."""


class ContractRevert(TxError):
    """The contract reverted; ``error`` is the decoded custom error, e.g. ``NotAttester()``."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class NonceConflict(TxError):
    """The node refused the nonce (another process sent with the same key)."""


class IdempotencyStore(Protocol):
    def get(self, key: str) -> str | None: ...
    def put(self, key: str, tx_hash: str) -> None: ...


class MemoryIdempotencyStore:
    def __init__(self) -> None:
        self._items: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        return self._items.get(key)

    def put(self, key: str, tx_hash: str) -> None:
        with self._lock:
            self._items[key] = tx_hash


@dataclass
class RequestScope:
    """The transactions one idempotent request sends: each gets a key made of the request's
    and of what it sends (sender, target, data, value, and how many times this request sent
    that same call), so a retry after a crash or a lost receipt finds them, whichever of its
    conditional sends ran the first time."""

    prefix: str
    seen: Counter[str] = field(default_factory=Counter)

    def key_for(self, call: str) -> str:
        self.seen[call] += 1
        return f"{self.prefix}:{call}:{self.seen[call]}"


_scope: ContextVar[RequestScope | None] = ContextVar("request_scope", default=None)


@contextmanager
def request_transactions(prefix: str) -> Iterator[None]:
    """Sends in this block that name no idempotency key of their own get one from the
    request (``prefix`` must name the request and its body)."""
    token = _scope.set(RequestScope(prefix))
    try:
        yield
    finally:
        _scope.reset(token)


class ErrorDecoder:
    """Maps 4-byte selectors of custom errors (from contract ABIs) to readable names."""

    def __init__(self, abis: list[list[dict[str, Any]]] | None = None) -> None:
        self._by_selector: dict[bytes, tuple[str, list[str]]] = {}
        for abi in abis or []:
            self.add(abi)

    def add(self, abi: list[dict[str, Any]]) -> None:
        from eth_abi import decode  # noqa: F401  (import check only)

        for item in abi:
            if item.get("type") != "error":
                continue
            types = [i["type"] for i in item["inputs"]]
            sig = f"{item['name']}({','.join(types)})"
            self._by_selector[keccak(text=sig)[:4]] = (item["name"], types)

    def decode(self, data: str | bytes) -> str:
        from eth_abi import decode

        raw = HexBytes(data)
        entry = self._by_selector.get(bytes(raw[:4]))
        if entry is None:
            return f"revert(0x{raw.hex()})" if raw else "revert()"
        name, types = entry
        try:
            args = decode(types, bytes(raw[4:]))
        except Exception:
            return f"{name}(?)"
        shown = ", ".join(f"0x{a.hex()}" if isinstance(a, bytes) else str(a) for a in args)
        return f"{name}({shown})"


def _revert_data(exc: Exception) -> str | None:
    if isinstance(exc, ContractCustomError):
        return exc.data if isinstance(exc.data, str) else None
    if isinstance(exc, ContractLogicError) and isinstance(exc.data, str):
        return exc.data
    return None


@dataclass
class Sender:
    """Signs and sends transactions for one account."""

    w3: Web3
    account: LocalAccount
    idempotency: IdempotencyStore | None = None
    errors: ErrorDecoder | None = None
    receipt_timeout: float = 120.0
    retries: int = 5

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._next_nonce: int | None = None
        self._chain_id = self.w3.eth.chain_id

    @property
    def address(self) -> str:
        return self.account.address

    def _allocate_nonce(self) -> int:
        with self._lock:
            if self._next_nonce is None:
                self._next_nonce = self.w3.eth.get_transaction_count(self.address, "pending")
            nonce = self._next_nonce
            self._next_nonce += 1
            return nonce

    def resync_nonce(self) -> None:
        with self._lock:
            self._next_nonce = None

    def fees(self) -> dict[str, int]:
        block = self.w3.eth.get_block("latest")
        base = block.get("baseFeePerGas")
        if base is None:
            return {"gasPrice": self.w3.eth.gas_price}
        tip = self._retry(lambda: self.w3.eth.max_priority_fee)
        return {"maxFeePerGas": 2 * base + tip, "maxPriorityFeePerGas": tip}

    def _retry(self, call: Callable[[], Any]) -> Any:
        delay = 0.1
        for attempt in range(self.retries):
            try:
                return call()
            except TRANSIENT:
                if attempt == self.retries - 1:
                    raise
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _build(self, fn: ContractFunction | None, tx: dict[str, Any]) -> dict[str, Any]:
        tx = {"from": self.address, "chainId": self._chain_id, **tx}
        explicit_gas = "gas" in tx
        try:
            if fn is not None:
                tx = fn.build_transaction(tx)  # estimates gas: reverts surface here
            elif "gas" not in tx:
                tx["gas"] = self.w3.eth.estimate_gas(tx)
        except (ContractCustomError, ContractLogicError) as exc:
            data = _revert_data(exc)
            raise ContractRevert(
                self.errors.decode(data) if data and self.errors else str(exc)
            ) from exc
        if not explicit_gas:  # headroom against state drift between the estimate and mining
            tx["gas"] = int(tx["gas"] * 1.2) + 10_000
        if "gasPrice" not in tx and "maxFeePerGas" not in tx:
            tx.update(self.fees())
        return tx

    def send(
        self,
        fn: ContractFunction | ContractConstructor | None = None,
        *,
        idempotency_key: str | None = None,
        wait: bool = True,
        resend: bool = False,
        **tx: Any,
    ) -> TxReceipt | HexBytes:
        """Send a contract call (or a plain transaction given as keyword fields).

        With ``wait`` the receipt is returned and a revert raises ``ContractRevert``;
        otherwise the transaction hash is returned once the node has accepted it.
        ``resend`` replaces a transaction the node lost under the same idempotency key:
        the nonce is read from the node again and the new hash overwrites the old one.
        """
        scope = _scope.get()
        if idempotency_key is None and scope is not None and self.idempotency:
            idempotency_key = scope.key_for(self._call_digest(fn, tx))
        if resend:
            self.resync_nonce()
        elif (
            idempotency_key
            and self.idempotency
            and (known := self.idempotency.get(idempotency_key))
        ):
            if not wait:
                return HexBytes(known)
            if self.lookup(HexBytes(known)) != (None, None):
                return self.wait(HexBytes(known))
            self.resync_nonce()  # recorded, then lost before or after broadcast: send it now
        built = self._build(fn, tx)
        for attempt in range(3):
            built["nonce"] = self._allocate_nonce()
            signed = self.account.sign_transaction(built)
            tx_hash = HexBytes(signed.hash)
            if idempotency_key and self.idempotency:
                self.idempotency.put(idempotency_key, tx_hash.to_0x_hex())
            try:
                self._broadcast(signed.raw_transaction, tx_hash)
                break
            except NonceConflict:
                # Another process sent with this key: resynchronise and sign again.
                if attempt == 2:
                    raise
        return self.wait(tx_hash) if wait else tx_hash

    def _call_digest(self, fn: ContractFunction | ContractConstructor | None, tx: dict) -> str:
        """What a transaction does, without asking the node (an estimate could revert on a
        retry whose first transaction already changed the state)."""
        if isinstance(fn, ContractConstructor):
            to, data = None, fn._encode_data_in_transaction()
        elif fn is not None:
            to, data = fn.address, fn._encode_transaction_data()
        else:
            to, data = tx.get("to"), tx.get("data", b"")
        what = f"{self.address}|{to}|{HexBytes(data).to_0x_hex()}|{tx.get('value', 0)}"
        return keccak(text=what).hex()[:32]

    def _broadcast(self, raw: bytes, tx_hash: HexBytes) -> None:
        attempts = 0

        def send() -> None:
            nonlocal attempts
            attempts += 1
            self.w3.eth.send_raw_transaction(raw)

        try:
            self._retry(send)
        except (ValueError, Web3RPCError) as exc:
            # Only a retry (after a lost response) may find that the node already has our
            # transaction. On a first attempt, a known hash means another process signed
            # the very same bytes with this stale nonce: that is a conflict, not success.
            if attempts > 1 and ("already known" in str(exc) or self._known(tx_hash)):
                return
            self.resync_nonce()
            if "nonce" in str(exc).lower() or "already known" in str(exc):
                raise NonceConflict(str(exc)) from exc
            raise TxError(f"node rejected transaction: {exc}") from exc

    def _known(self, tx_hash: HexBytes) -> bool:
        try:
            self.w3.eth.get_transaction(tx_hash)
            return True
        except Exception:
            return False

    def lookup(self, tx_hash: HexBytes) -> tuple[TxReceipt | None, TxData | None]:
        """The receipt (None until mined) and the transaction (None if the node has never
        heard of it or forgot it). Connection errors propagate: an unreachable node says
        nothing about a transaction."""
        try:
            return self.w3.eth.get_transaction_receipt(tx_hash), None
        except TransactionNotFound:
            pass
        try:
            return None, self.w3.eth.get_transaction(tx_hash)
        except TransactionNotFound:
            return None, None

    def wait(self, tx_hash: HexBytes) -> TxReceipt:
        try:
            receipt = self._retry(
                lambda: self.w3.eth.wait_for_transaction_receipt(
                    tx_hash, timeout=self.receipt_timeout, poll_latency=0.05
                )
            )
        except TimeExhausted as exc:
            raise TxError(
                f"no receipt for {tx_hash.to_0x_hex()} after {self.receipt_timeout}s"
            ) from exc
        if receipt["status"] != 1:
            raise self._mined_revert(tx_hash, receipt)
        return receipt

    def _mined_revert(self, tx_hash: HexBytes, receipt: TxReceipt) -> ContractRevert:
        """A transaction that passed its estimate and reverted when mined: another one
        changed the state in between (two requests suspending one attester at once). The
        call replayed on the state after its block gives the custom error in most cases."""
        reverted = f"transaction {tx_hash.to_0x_hex()} reverted when mined"
        try:
            tx = self.w3.eth.get_transaction(tx_hash)
            if tx.get("to") is None:
                return ContractRevert(reverted)
            call = {k: tx[k] for k in ("from", "to", "value", "gas")} | {"data": tx["input"]}
            self.w3.eth.call(call, receipt["blockNumber"])  # type: ignore[arg-type]
        except (ContractCustomError, ContractLogicError) as exc:
            data = _revert_data(exc)
            if data and self.errors:
                return ContractRevert(self.errors.decode(data))
        except Exception:  # the replay is a courtesy: the revert stands without a reason
            pass
        return ContractRevert(reverted)
