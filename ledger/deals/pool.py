"""Typed client for PoolFactory and SecuritizationPool: create a deal, run it, read it back.

Every method checks its arguments (raising ``PoolInputError`` naming the field), sends one
transaction through a ``Sender`` (a revert surfaces as ``ContractRevert`` with the decoded
custom error) or makes one call, and converts the result into the same Python values the
simulator uses: ``DealTerms``, ``DealState``, ``PeriodResult`` from ``ledger.deals.waterfall``.
So a period's on-chain result can be compared with ``apply_period`` by plain equality, and
``result_from_event`` rebuilds every balance from the ``PeriodReported`` event alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from enum import IntEnum
from typing import Any, Self

from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import EventData, TxReceipt

from ledger.chain.compiler import artifact
from ledger.chain.deploy import contract_at, deploy
from ledger.deals.investors import InvestorRegistryClient
from ledger.deals.spec import DealSpec
from ledger.deals.tape import TapeAggregates
from ledger.deals.waterfall import (
    MAX_AMOUNT,
    REPORT_AMOUNTS,
    DayCount,
    DealState,
    DealTerms,
    PeriodReport,
    PeriodResult,
    PrincipalMode,
    RatingTrigger,
    TrancheResult,
    TrancheTerms,
    TriggerStep,
)
from ledger.errors import FieldError, checked_uint
from ledger.errors import checked_address as _checked_address
from ledger.tx import Sender


class PoolInputError(FieldError):
    """An argument was rejected before anything was sent; the message names the field."""


NO_RATING_TRIGGER = RatingTrigger("0x" + "00" * 20, 0, 0, 0)


class Unsubscribed(IntEnum):
    """``ISecuritizationPool.Unsubscribed``: what close does with a tranche not fully subscribed."""

    REFUSE = 0
    RETAIN = 1  # the remainder is minted to the originator (risk retention)
    RESIZE = 2  # the face becomes what was subscribed

    @classmethod
    def named(cls, field: str, name: str) -> Unsubscribed:
        try:
            return cls[name.upper()]
        except KeyError:
            choices = ", ".join(m.name.lower() for m in cls)
            raise PoolInputError(field, f"must be one of {choices}, got {name!r}") from None


class PoolState(IntEnum):
    """``ISecuritizationPool.State``."""

    STRUCTURING = 0
    SUBSCRIPTION = 1
    ACTIVE = 2
    AMORTISING = 3
    MATURED = 4
    CALLED = 5
    WOUND_DOWN = 6
    CANCELLED = 7


@dataclass(frozen=True)
class Parties:
    """Who holds which role in a pool and where its money goes."""

    admin: str  # DEFAULT_ADMIN_ROLE: grants and revokes roles
    structurer: str  # opens subscription, closes or cancels, winds down
    servicer: str  # reports periods and pays the cash in; exercises the clean-up call
    originator: str  # receives the proceeds at close
    servicer_fee_recipient: str
    trustee_fee_recipient: str


@dataclass(frozen=True)
class TapeCommitment:
    """The loan tape as the pool stores it: the Merkle root and the aggregates."""

    root: bytes
    aggregates: TapeAggregates


@dataclass(frozen=True)
class PoolSetup:
    """What a pool is created with: the waterfall terms, the closing time, the reserve
    funded at close out of the proceeds, and names for the deal and its tranches."""

    name: str
    tranche_names: tuple[str, ...]
    terms: DealTerms
    closing_time: int
    initial_reserve: int = 0
    rating: RatingTrigger = NO_RATING_TRIGGER  # §8 the rating test (a zero feed: none)

    @classmethod
    def from_spec(
        cls, spec: DealSpec, feed: str | None = None, agency: int | None = None
    ) -> PoolSetup:
        """The setup of ``spec``; ``feed`` and ``agency`` fill in its rating trigger's
        defaults (the deployment's RatingFeed, the service's rating agency)."""
        try:
            rating = spec.rating_terms(feed, agency)
        except ValueError as exc:
            raise PoolInputError("spec.rating_trigger", str(exc).partition(": ")[2]) from None
        return cls(
            name=spec.name,
            tranche_names=tuple(spec.tranche_names),
            terms=spec.to_terms(),
            closing_time=spec.closing_time,
            initial_reserve=spec.units(spec.reserve.initial),
            rating=rating,
        )

    @property
    def deal_id(self) -> bytes:
        """A stable identifier of the deal: the hash of its setup."""
        return keccak(text=repr(self))


@dataclass(frozen=True)
class PeriodOutcome:
    """A reported period: the waterfall's result and the transaction that ran it."""

    result: PeriodResult
    receipt: TxReceipt

    @property
    def gas_used(self) -> int:
        return int(self.receipt["gasUsed"])


def checked_address(field: str, value: str) -> str:
    return _checked_address(field, value, PoolInputError)


def checked_amount(field: str, value: int, minimum: int = 0) -> int:
    return checked_uint(field, value, MAX_AMOUNT, minimum, PoolInputError)


def token_symbol(deal: str, tranche: str) -> str:
    """An ERC-20 symbol for a tranche: upper-case letters and digits, at most 11."""
    letters = re.sub(r"[^A-Za-z0-9]", "", f"{deal[:4]}{tranche}").upper()
    return letters[:11] or "TRANCHE"


# --- conversion between Python values and the contract's tuples --------------------------------


def terms_tuple(terms: DealTerms) -> tuple:
    tranches = [(t.size, t.coupon_bps, int(t.day_count)) for t in terms.tranches]
    return (
        tranches,
        terms.period_months,
        terms.initial_pool_balance,
        terms.servicer_fee_bps,
        terms.trustee_fee_bps,
        int(terms.fee_day_count),
        int(terms.principal_mode),
        terms.oc_trigger_bps,
        terms.ic_trigger_bps,
        terms.reserve_target,
        terms.cleanup_call_bps,
        [(s.from_period, s.max_bps) for s in terms.cd_trigger],
    )


def terms_from_tuple(raw: Any) -> DealTerms:
    (tranches, months, initial, servicer, trustee, fee_dc, mode, oc, ic, target, cleanup, cd) = raw
    return DealTerms(
        tranches=tuple(TrancheTerms(s, c, DayCount(d)) for s, c, d in tranches),
        period_months=months,
        initial_pool_balance=initial,
        servicer_fee_bps=servicer,
        trustee_fee_bps=trustee,
        fee_day_count=DayCount(fee_dc),
        principal_mode=PrincipalMode(mode),
        oc_trigger_bps=oc,
        ic_trigger_bps=ic,
        reserve_target=target,
        cleanup_call_bps=cleanup,
        cd_trigger=tuple(TriggerStep(p, bps) for p, bps in cd),
    )


def state_from_tuple(raw: Any) -> DealState:
    balances, shortfalls, writedowns, servicer, trustee, reserve, pool, last, *rest = raw
    trigger, period, cumulative = rest
    return DealState(
        balances=tuple(balances),
        interest_shortfalls=tuple(shortfalls),
        writedowns=tuple(writedowns),
        servicer_fee_shortfall=servicer,
        trustee_fee_shortfall=trustee,
        reserve=reserve,
        pool_balance=pool,
        last_period_end=last,
        trigger_breached=bool(trigger),
        period=period,
        cumulative_defaults=cumulative,
    )


REPORT_FIELDS = ("period_end", *REPORT_AMOUNTS)
# ``PeriodResult``'s own values (not its tranches or the state after it) and a tranche's.
RESULT_SCALARS = tuple(
    f.name for f in fields(PeriodResult) if f.name not in ("tranches", "state", "cover")
)
TRANCHE_RESULT_FIELDS = tuple(f.name for f in fields(TrancheResult))


def event_fields(struct: Any, names: Iterable[str]) -> dict[str, Any]:
    """``struct``'s values by snake_case ``names``: the contract's structs name their fields
    as the Python dataclasses do, in camelCase (``delinquent_30`` is ``delinquent30``)."""
    return {name: struct[_camel(name)] for name in names}


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def report_tuple(report: PeriodReport) -> tuple:
    values = [checked_amount(f"report.{name}", getattr(report, name)) for name in REPORT_FIELDS]
    if len(report.tape_root) != 32:
        raise PoolInputError("report.tape_root", "must be 32 bytes")
    return (*values, report.tape_root)


def stats_tuple(stats: TapeAggregates | None, pool_balance: int) -> tuple:
    """The new tape's aggregates; without them only the balance (the report's) is known."""
    if stats is None:
        return (0, 0, 0, 0)
    if stats.balance != pool_balance:
        raise PoolInputError(
            "stats.balance", f"must equal report.pool_balance ({pool_balance}), got {stats.balance}"
        )
    return (stats.count, stats.wa_rate_bps, stats.wa_score, stats.wa_remaining_term_months)


def result_from_event(args: Any, previous: DealState) -> PeriodResult:
    """Rebuild a period's ``PeriodResult`` (and the state after it) from ``PeriodReported``
    and the state before it: the event carries everything else."""
    res, report = args["result"], args["report"]
    tranches = tuple(
        TrancheResult(**event_fields(t, TRANCHE_RESULT_FIELDS)) for t in res["tranches"]
    )
    writedowns = tuple(
        before + t.writedown - t.writeup
        for before, t in zip(previous.writedowns, tranches, strict=True)
    )
    state = DealState(
        balances=tuple(t.balance for t in tranches),
        interest_shortfalls=tuple(t.interest_shortfall for t in tranches),
        writedowns=writedowns,
        servicer_fee_shortfall=res["servicerFeeDue"] - res["servicerFeePaid"],
        trustee_fee_shortfall=res["trusteeFeeDue"] - res["trusteeFeePaid"],
        reserve=res["reserveAfter"],
        pool_balance=report["poolBalance"],
        last_period_end=report["periodEnd"],
        trigger_breached=bool(res["triggerBreached"]),
        period=args["period"],
        cumulative_defaults=res["cumulativeDefaults"],
    )
    return PeriodResult(tranches=tranches, **event_fields(res, RESULT_SCALARS), state=state)


def init_params(
    setup: PoolSetup, parties: Parties, settlement_token: str, registry: str, tape: TapeCommitment
) -> tuple:
    """``ISecuritizationPool.InitParams`` for ``setup``, every field checked."""
    terms = setup.terms
    if tape.aggregates.balance != terms.initial_pool_balance:
        raise PoolInputError(
            "tape.aggregates.balance",
            f"must equal the initial pool balance ({terms.initial_pool_balance} units), "
            f"got {tape.aggregates.balance}",
        )
    if len(tape.root) != 32:
        raise PoolInputError("tape.root", "must be 32 bytes")
    agg = tape.aggregates
    return (
        checked_address("parties.admin", parties.admin),
        checked_address("parties.structurer", parties.structurer),
        checked_address("parties.servicer", parties.servicer),
        checked_address("parties.originator", parties.originator),
        checked_address("parties.servicer_fee_recipient", parties.servicer_fee_recipient),
        checked_address("parties.trustee_fee_recipient", parties.trustee_fee_recipient),
        checked_address("settlement_token", settlement_token),
        checked_address("registry", registry),
        setup.closing_time,
        checked_amount("initial_reserve", setup.initial_reserve),
        terms_tuple(terms),
        (
            tape.root,
            agg.count,
            agg.balance,
            agg.wa_rate_bps,
            agg.wa_score,
            agg.wa_remaining_term_months,
        ),
        rating_tuple(setup.rating),
    )


def rating_tuple(rt: RatingTrigger) -> tuple:
    if int(rt.feed, 16) == 0:
        return (Web3.to_checksum_address(rt.feed), 0, 0, 0)
    return (
        checked_address("rating.feed", rt.feed),
        checked_uint("rating.agency", rt.agency, 2**32 - 1, 0, PoolInputError),
        checked_uint("rating.tranche", rt.tranche, 255, 0, PoolInputError),
        checked_uint("rating.floor_rank", rt.floor_rank, 255, 0, PoolInputError),
    )


# --- clients ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Client:
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

    def _send(self, fn: Any) -> TxReceipt:
        return self.sender.send(fn)


class PoolFactoryClient(_Client):
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


class PoolClient(_Client):
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


@dataclass
class Sandbox:
    """A dev-chain deal environment for tests, benchmarks and demos: a settlement token
    (``MockStablecoin``, open mint), an investor registry with allowlisted investors, a pool
    factory, and who plays which part. Never for a chain where balances are worth anything."""

    w3: Web3
    stable: Contract
    registry: InvestorRegistryClient
    factory: PoolFactoryClient
    structurer: Sender  # also the admin and the registry's compliance officer
    servicer: Sender
    parties: Parties
    investors: list[Sender]
    outsider: Sender  # never allowlisted
    senders: list[Sender]

    @classmethod
    def deploy(cls, senders: list[Sender], kyc_years: int = 10) -> Sandbox:
        """From at least 7 funded senders: 0 admin and structurer, 1 servicer, 2 originator,
        3-4 fee recipients, 5 .. n-2 allowlisted investors, the last an outsider."""
        if len(senders) < 7:
            raise PoolInputError("senders", f"need at least 7, got {len(senders)}")
        admin, w3 = senders[0], senders[0].w3
        registry = InvestorRegistryClient.deploy(admin, admin.address)
        registry.grant_role("COMPLIANCE_ROLE", admin.address)
        expiry = w3.eth.get_block("latest")["timestamp"] + kyc_years * 365 * 86_400
        for investor in senders[5:-1]:
            registry.set_investor(investor.address, expiry, "GB")
        stable, _ = deploy(admin, "MockStablecoin")
        parties = Parties(
            admin=admin.address,
            structurer=admin.address,
            servicer=senders[1].address,
            originator=senders[2].address,
            servicer_fee_recipient=senders[3].address,
            trustee_fee_recipient=senders[4].address,
        )
        return cls(
            w3=w3,
            stable=stable,
            registry=registry,
            factory=PoolFactoryClient.deploy(admin),
            structurer=admin,
            servicer=senders[1],
            parties=parties,
            investors=senders[5:-1],
            outsider=senders[-1],
            senders=senders,
        )

    def mint(self, to: str, amount: int) -> None:
        self.structurer.send(self.stable.functions.mint(to, amount))

    def balance(self, who: str) -> int:
        return self.stable.functions.balanceOf(who).call()

    def create(self, setup: PoolSetup, tape: TapeCommitment) -> PoolClient:
        """A new pool of ``setup``, as seen by the structurer."""
        pool = self.factory.create_pool(
            setup,
            parties=self.parties,
            settlement_token=self.stable.address,
            registry=self.registry.address,
            tape=tape,
        )
        return pool.as_sender(self.structurer)

    def snapshot(self) -> str:
        return self.w3.provider.make_request("evm_snapshot", [])["result"]

    def rollback(self, snap: str) -> None:
        """Revert to ``snap``; the senders forget the nonces the rollback undid."""
        self.w3.provider.make_request("evm_revert", [snap])
        for sender in self.senders:
            sender.resync_nonce()
