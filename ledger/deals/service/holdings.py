"""Investors' own operations: subscribe, refund, claim, transfer (custodial keys sign)."""

from __future__ import annotations

from ledger.deals.investors import TrancheTokenClient
from ledger.deals.service.base import ServiceBase
from ledger.deals.service.inputs import (
    Written,
    input_errors,
)
from ledger.tx import Sender


class HoldingOps(ServiceBase):
    """An investor's subscriptions, refunds, claims and transfers."""

    def subscribe(self, address: str, name: str, tranche: int | str, amount: int) -> Written:
        pool = self.pool(address).as_sender(self.investor_sender(name))
        index = self.tranche_index(address, tranche)
        with input_errors("amount"):
            self._ensure_funds(pool, pool.sender.address, amount)
            return Written.of(pool.subscribe(index, amount))

    def refund(self, address: str, name: str, tranche: int | str) -> Written:
        pool = self.pool(address).as_sender(self.investor_sender(name))
        return Written.of(pool.refund(self.tranche_index(address, tranche)))

    def claim(self, address: str, name: str, tranche: int | str) -> int:
        pool = self.pool(address).as_sender(self.investor_sender(name))
        return pool.claim(self.tranche_index(address, tranche))

    def claimable(self, address: str, holder: str) -> list[tuple[int, int]]:
        """``(tranche, claimable units)`` for every tranche, read from the chain."""
        pool = self.pool(address)
        return [(i, pool.claimable(i, holder)) for i in range(len(pool.tokens()))]

    def transfer(
        self, address: str, name: str, tranche: int | str, to: str, amount: int
    ) -> Written:
        token = self._token(address, tranche, self.investor_sender(name))
        with input_errors("amount"):
            return Written.of(token.transfer(self.resolve(to), amount))

    def _token(self, address: str, tranche: int | str, sender: Sender) -> TrancheTokenClient:
        index = self.tranche_index(address, tranche)
        return TrancheTokenClient.at(sender, self.pool(address).tokens()[index])
