"""The base of the typed contract clients: a deployed contract and who sends to it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Self

from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from ledger.tx import Sender


@dataclass(frozen=True)
class ContractClient:
    """A deployed contract and the sender its transactions go out with."""

    contract: Contract
    sender: Sender

    @property
    def address(self) -> str:
        return self.contract.address

    @property
    def w3(self) -> Web3:
        return self.sender.w3

    def as_sender(self, sender: Sender) -> Self:
        """The same contract, sending as another account."""
        return replace(self, sender=sender)

    def _send(self, fn: Any, idempotency_key: str | None = None) -> TxReceipt:
        """Send ``fn``; with ``idempotency_key`` it goes out at most once."""
        return self.sender.send(fn, idempotency_key=idempotency_key)
