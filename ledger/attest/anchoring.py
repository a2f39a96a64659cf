"""Waiting for an anchoring transaction: mined, confirmed, or gone.

``Sender.wait`` trusts a hash for as long as its timeout; after a node crash or a reorg the
hash may point at nothing, and waiting on it only delays the re-send. Here a transaction
is *lost* once the node, reachable, has neither a receipt for it nor the transaction
itself (or holds it behind a nonce gap it will never fill), twice in a row; a mined one
is *anchored* once ``confirmations`` blocks sit on top of its block and that block's hash
is still the one the receipt named.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from hexbytes import HexBytes
from web3.exceptions import BlockNotFound

from ledger.tx import Sender, TxError


class TxLost(TxError):
    """The node no longer knows the transaction (state lost, reorged out, or dropped)."""


class AnchorPending(TxError):
    """The anchoring transaction is out but not yet final; the reconciler will finish it."""


@dataclass(frozen=True)
class Mined:
    tx_hash: str
    block_number: int
    block_hash: str
    ok: bool  # False: the transaction reverted on chain


class Confirmer:
    """Waits for one transaction of ``sender`` to be final, or reports it lost."""

    def __init__(
        self, sender: Sender, confirmations: int, *, poll_s: float = 0.05, check_s: float = 1.0
    ) -> None:
        self.sender = sender
        self.confirmations = confirmations
        self.poll_s = poll_s
        self.check_s = check_s  # how often a missing receipt is checked for a lost tx

    def block_hash(self, number: int) -> str | None:
        """The canonical hash at ``number``; None if the chain is shorter (RPC errors raise)."""
        try:
            block = self.sender.w3.eth.get_block(number)
        except BlockNotFound:
            return None
        return HexBytes(block["hash"]).to_0x_hex()

    def wait(self, tx_hash: str, timeout: float) -> Mined:
        """Block until ``tx_hash`` is final; ``TxLost`` if it is gone, ``AnchorPending``
        when ``timeout`` passes first."""
        deadline = time.monotonic() + timeout
        next_check = time.monotonic() + self.check_s
        misses = 0
        while True:
            receipt, tx = self.sender.lookup(HexBytes(tx_hash))
            if receipt is not None:
                mined = Mined(
                    tx_hash,
                    receipt["blockNumber"],
                    HexBytes(receipt["blockHash"]).to_0x_hex(),
                    receipt["status"] == 1,
                )
                if self._final(mined, deadline):
                    return mined
                raise TxLost(f"transaction {tx_hash} left the chain before its confirmations")
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + self.check_s
                misses = misses + 1 if tx is None or self._stuck(tx) else 0
                if misses >= 2:
                    raise TxLost(f"the node no longer knows transaction {tx_hash}")
            if time.monotonic() >= deadline:
                raise AnchorPending(f"transaction {tx_hash} not final after {timeout:.0f}s")
            time.sleep(self.poll_s)

    def _stuck(self, tx: dict) -> bool:
        """Pending behind a nonce the node will never see (its state went back in time)."""
        # The node's pending count stops at the first gap: a transaction at or past it waits
        # for a nonce that was lost with the node's state.
        eth = self.sender.w3.eth
        return int(tx["nonce"]) >= eth.get_transaction_count(self.sender.address, "pending")

    def _final(self, mined: Mined, deadline: float) -> bool:
        """Wait for the confirmations; False if the block was replaced meanwhile."""
        eth = self.sender.w3.eth
        while eth.block_number < mined.block_number + self.confirmations:
            if time.monotonic() >= deadline:
                raise AnchorPending(f"transaction {mined.tx_hash} awaits its confirmations")
            time.sleep(self.poll_s)
        return self.block_hash(mined.block_number) == mined.block_hash
