"""Reading the dev chain in the contract tests: the latest block's time, a receipt's events."""

from __future__ import annotations

from typing import Any

from web3 import Web3
from web3.logs import DISCARD


def now(w3: Web3) -> int:
    return w3.eth.get_block("latest")["timestamp"]


def events(client: Any, receipt: Any, name: str) -> list[dict]:
    """The args of every ``name`` event ``client``'s contract emitted in ``receipt``."""
    logs = getattr(client.contract.events, name)().process_receipt(receipt, errors=DISCARD)
    return [dict(log["args"]) for log in logs]


def event(client: Any, receipt: Any, name: str) -> dict:
    """The args of the one ``name`` event in ``receipt`` (fails unless exactly one)."""
    [args] = events(client, receipt, name)
    return args
