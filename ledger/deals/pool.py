"""Typed client for PoolFactory and SecuritizationPool: create a deal, run it, read it back.

Every method checks its arguments (raising ``PoolInputError`` naming the field), sends one
transaction through a ``Sender`` (a revert surfaces as ``ContractRevert`` with the decoded
custom error) or makes one call, and converts the result into the same Python values the
simulator uses (``ledger.deals.pool_abi``), so a period's on-chain result can be compared
with ``apply_period`` by plain equality. The values a pool is made of are in
``ledger.deals.pool_types``; a dev-chain environment is ``ledger.deals.sandbox.Sandbox``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import EventData, TxReceipt

from ledger.chain.client import ContractClient
from ledger.chain.compiler import artifact
from ledger.chain.deploy import contract_at, deploy
from ledger.deals.pool_abi import (
    init_params,
    report_tuple,
    result_from_event,
    state_from_tuple,
    stats_tuple,
    terms_from_tuple,
)
from ledger.deals.pool_types import (
    Parties,
    PeriodOutcome,
    PoolInputError,
    PoolSetup,
    PoolState,
    TapeCommitment,
    Unsubscribed,
    checked_address,
    checked_amount,
)
from ledger.deals.tape import TapeAggregates
from ledger.deals.waterfall import DealState, DealTerms, PeriodReport, RatingTrigger
from ledger.tx import Sender


def token_symbol(deal: str, tranche: str) -> str:
    """An ERC-20 symbol for a tranche: upper-case letters and digits, at most 11."""
    letters = re.sub(r"[^A-Za-z0-9]", "", f"{deal[:4]}{tranche}").upper()
    return letters[:11] or "TRANCHE"


class PoolFactoryClient(ContractClient):
    """``PoolFactory``: one pool (a clone) and its tranche tokens per deal."""

    @classmethod
    def deploy(cls, sender: Sender) -> PoolFactoryClient:
        """Deploy the pool implementation and a factory that clones it."""
        implementation, _ = deploy(sender, "SecuritizationPool")
        factory, _ = deploy(sender, "PoolFactory", implementation.address)
        return cls(factory, sender)

    @classmethod
    def at(cls, sender: Sender, factory: str) -> PoolFactoryClient:
        return cls(
            contract_at(sender.w3, "PoolFactory", checked_address("factory", factory)), sender
        )

    def create_pool(
        self,
        setup: PoolSetup,
        *,
        parties: Parties,
        settlement_token: str,
        registry: str,
        tape: TapeCommitment,
    ) -> PoolClient:
        """Create the pool of ``setup`` (in Structuring) with the opening loan tape."""
        params = init_params(setup, parties, settlement_token, registry, tape)
        tokens = [(f"{setup.name} {t}", token_symbol(setup.name, t)) for t in setup.tranche_names]
        fn = self.contract.functions.createPool(setup.deal_id, params, tokens)
        receipt = self._send(fn)
        [event] = self.contract.events.PoolCreated().process_receipt(receipt, errors=DISCARD)
        return PoolClient.at(self.sender, event["args"]["pool"])

    def pools(self) -> list[str]:
        count = self.contract.functions.poolCount().call()
        return [self.contract.functions.pools(i).call() for i in range(count)]


class PoolClient(ContractClient):
    """``SecuritizationPool``: one deal's lifecycle, subscriptions and periods."""

    @classmethod
    def at(cls, sender: Sender, pool: str) -> PoolClient:
        contract = contract_at(sender.w3, "SecuritizationPool", checked_address("pool", pool))
        return cls(contract, sender)

    # reads
    def state(self) -> PoolState:
        return PoolState(self.contract.functions.state().call())

    def terms(self) -> DealTerms:
        """The terms the waterfall runs on (after close, sizes are the subscribed faces)."""
        return terms_from_tuple(self.contract.functions.terms().call())

    def rating_trigger(self) -> RatingTrigger:
        """The rating trigger the pool reads at every period (a zero feed: none)."""
        feed, agency, tranche, floor_rank = self.contract.functions.ratingTrigger().call()
        return RatingTrigger(feed, agency, tranche, floor_rank)

    def deal_state(self) -> DealState:
        """The waterfall state after the last period (valid from close on)."""
        return state_from_tuple(self.contract.functions.dealState().call())

    def tape(self) -> TapeCommitment:
        root, count, balance, rate, score, term = self.contract.functions.tape().call()
        return TapeCommitment(root, TapeAggregates(count, balance, rate, score, term))

    def tokens(self) -> list[str]:
        count = self.contract.functions.trancheCount().call()
        return [self.contract.functions.trancheToken(i).call() for i in range(count)]

    def token(self, tranche: int) -> Contract:
        return contract_at(
            self.w3,
            "TrancheToken",
            self.contract.functions.trancheToken(self._tranche(tranche)).call(),
        )

    def settlement_token(self) -> Contract:
        address = self.contract.functions.settlementToken().call()
        return self.w3.eth.contract(address=address, abi=artifact("ITrancheToken").abi)

    def is_loan_in_tape(self, proof: list[bytes], leaf: bytes) -> bool:
        return self.contract.functions.isLoanInTape(proof, leaf).call()

    # structurer
    def open_subscription(self) -> TxReceipt:
        return self._send(self.contract.functions.openSubscription())

    def close(self, unsubscribed: list[Unsubscribed] | None = None) -> TxReceipt:
        """Close; ``unsubscribed`` (one per tranche) says what happens to a tranche not fully
        subscribed; without it the contract refuses to close unless every tranche is full."""
        treatments = [int(Unsubscribed(t)) for t in unsubscribed or []]
        return self._send(self.contract.functions.close(treatments))

    def cancel(self) -> TxReceipt:
        return self._send(self.contract.functions.cancel())

    def wind_down(self) -> TxReceipt:
        return self._send(self.contract.functions.windDown())

    # investors
    def subscribe(self, tranche: int, amount: int) -> TxReceipt:
        """Approve the pool for ``amount`` of the settlement token and subscribe it."""
        amount = checked_amount("amount", amount, minimum=1)
        self._send(self.settlement_token().functions.approve(self.address, amount))
        return self._send(self.contract.functions.subscribe(self._tranche(tranche), amount))

    def refund(self, tranche: int) -> TxReceipt:
        return self._send(self.contract.functions.refund(self._tranche(tranche)))

    def claim(self, tranche: int) -> int:
        """Claim the sender's distributions from ``tranche``'s token; returns the amount paid."""
        token = self.token(tranche)
        receipt = self._send(token.functions.claim())
        return sum(
            e["args"]["amount"]
            for e in token.events.Claimed().process_receipt(receipt, errors=DISCARD)
        )

    def claimable(self, tranche: int, holder: str) -> int:
        holder = checked_address("holder", holder)
        return self.token(tranche).functions.claimable(holder).call()

    # servicer
    def report_period(
        self, report: PeriodReport, stats: TapeAggregates | None = None
    ) -> PeriodOutcome:
        """Approve and pay in the period's cash, run the waterfall on chain, decode the result."""
        return self._period(self.contract.functions.reportPeriod, report, stats)

    def exercise_call(
        self, report: PeriodReport, stats: TapeAggregates | None = None
    ) -> PeriodOutcome:
        """Clean-up call: a final period whose prepayments carry the purchase price."""
        return self._period(self.contract.functions.exerciseCall, report, stats)

    def mature(self) -> TxReceipt:
        return self._send(self.contract.functions.mature())

    def _period(self, fn: Any, report: PeriodReport, stats: TapeAggregates | None) -> PeriodOutcome:
        args = (report_tuple(report), stats_tuple(stats, report.pool_balance))
        previous = self.deal_state()
        if report.cash_in:
            self._send(self.settlement_token().functions.approve(self.address, report.cash_in))
        receipt = self._send(fn(*args))
        [event] = self.contract.events.PeriodReported().process_receipt(receipt, errors=DISCARD)
        return PeriodOutcome(result_from_event(event["args"], previous), receipt)

    # events
    def period_events(self, from_block: int = 0) -> list[EventData]:
        return list(self.contract.events.PeriodReported().get_logs(from_block=from_block))

    def _tranche(self, tranche: int) -> int:
        if isinstance(tranche, bool) or not isinstance(tranche, int) or tranche < 0:
            raise PoolInputError(
                "tranche", f"must be a tranche index (0 = most senior), got {tranche!r}"
            )
        return tranche


@dataclass(frozen=True)
class Subscription:
    """One investor's order: ``amount`` settlement-token units into ``tranche``."""

    investor: Sender
    tranche: int
    amount: int


def launch(structurer: PoolClient, subscriptions: list[Subscription]) -> TxReceipt:
    """Open subscription, place every order (each investor approves and subscribes) and
    close; ``structurer`` sends as a STRUCTURER_ROLE holder. Returns the close receipt."""
    structurer.open_subscription()
    for order in subscriptions:
        structurer.as_sender(order.investor).subscribe(order.tranche, order.amount)
    return structurer.close()
