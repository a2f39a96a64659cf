"""The waterfall's inputs (docs/waterfall.md §1): deal terms, the state kept between
periods and the servicer's period report, each validated with the field named.

Amounts are integers in the settlement token's smallest unit, rates basis points, times
unix seconds. ``ledger.deals.waterfall`` runs the rule on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

MAX_TRANCHES = 8
BPS = 10_000
SECONDS_PER_DAY = 86_400
RATIO_CAP = 2**32 - 1  # a coverage ratio with a zero denominator, and the largest one reported
MAX_AMOUNT = 2**128 - 1  # amounts and balances fit a uint128, so no product overflows a uint256
MAX_BPS = 100_000  # coupons, fees and thresholds: at most 1,000% (and ratios are capped anyway)
MAX_TRIGGER_STEPS = 16  # steps of the cumulative-default schedule
MAX_PERIOD = 100_000  # the largest period number a schedule step may start at


class WaterfallInputError(ValueError):
    """An input outside the domain of the waterfall; the message names the field."""


class DayCount(IntEnum):
    THIRTY_360 = 0
    ACT_360 = 1
    ACT_365 = 2


class PrincipalMode(IntEnum):
    SEQUENTIAL = 0
    PRO_RATA = 1


@dataclass(frozen=True)
class TriggerStep:
    """From period ``from_period`` on (1-based), cumulative defaults may reach ``max_bps``
    of the initial pool balance; ``max_bps == 0`` disables the test from that period."""

    from_period: int
    max_bps: int


@dataclass(frozen=True)
class RatingTrigger:
    """§8 the rating test: ``tranche``'s current grade by ``agency`` (the rating agency's
    attester id), read from the RatingFeed at ``feed`` at each period report, must rank at
    or above ``floor_rank`` (0 = AAA; BBB = 3 for "below BBB"). No valid rating fails it."""

    feed: str
    agency: int
    tranche: int
    floor_rank: int

    def passes(self, rank: int | None) -> bool:
        """The test on the rank the feed returns (None: no valid rating, the test fails)."""
        return rank is not None and rank <= self.floor_rank


# --- §1 Inputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrancheTerms:
    """One tranche; its position in ``DealTerms.tranches`` is its seniority (0 = most senior)."""

    size: int
    coupon_bps: int
    day_count: DayCount


@dataclass(frozen=True)
class DealTerms:
    """The immutable parameters of a pool; the last tranche is the equity (residual) tranche."""

    tranches: tuple[TrancheTerms, ...]
    period_months: int
    initial_pool_balance: int
    servicer_fee_bps: int
    trustee_fee_bps: int
    fee_day_count: DayCount
    principal_mode: PrincipalMode
    oc_trigger_bps: int  # minimum (pool balance + reserve) / notes balance; 0 disables it
    ic_trigger_bps: int  # minimum net interest / notes interest; 0 disables the test
    reserve_target: int
    cleanup_call_bps: int  # call allowed once pool balance <= this share of the initial pool
    # cumulative defaults / initial pool at most this (a step schedule; empty disables it)
    cd_trigger: tuple[TriggerStep, ...] = ()

    def __post_init__(self) -> None:
        require(2 <= len(self.tranches) <= MAX_TRANCHES, "tranches", "must number 2 to 8")
        for i, t in enumerate(self.tranches):
            check_amount(t.size, f"tranches[{i}].size")
            _bps(t.coupon_bps, f"tranches[{i}].coupon_bps")
            _day_count(t.day_count, f"tranches[{i}].day_count")
        require(1 <= self.period_months <= 12, "period_months", "must be 1 to 12")
        check_amount(self.initial_pool_balance, "initial_pool_balance")
        for name in ("servicer_fee_bps", "trustee_fee_bps", "oc_trigger_bps", "ic_trigger_bps"):
            _bps(getattr(self, name), name)
        _day_count(self.fee_day_count, "fee_day_count")
        require(self.principal_mode in tuple(PrincipalMode), "principal_mode", "must be 0 or 1")
        check_amount(self.reserve_target, "reserve_target")
        require(0 <= self.cleanup_call_bps <= BPS, "cleanup_call_bps", "must be 0 to 10000")
        require(len(self.cd_trigger) <= MAX_TRIGGER_STEPS, "cd_trigger", "at most 16 steps")
        first = 1  # the first step starts at period 1, each later one after the previous
        for k, step in enumerate(self.cd_trigger):
            where = f"cd_trigger[{k}]"
            ok = step.from_period == 1 if k == 0 else step.from_period >= first
            require(
                _is_int(step.from_period) and ok,
                f"{where}.from_period",
                f"must be {first}+" if k else "must be 1",
            )
            require(
                _is_int(step.max_bps) and 0 <= step.max_bps <= BPS,
                f"{where}.max_bps",
                "must be 0 to 10000 bps",
            )
            first = step.from_period + 1

    def cd_threshold_bps(self, period: int) -> int:
        """§8: the cumulative-default threshold of ``period`` (1-based); 0 = no test."""
        threshold = 0
        for step in self.cd_trigger:
            if step.from_period <= period:
                threshold = step.max_bps
        return threshold


@dataclass(frozen=True)
class DealState:
    """What the pool stores between periods (tuples are per tranche, most senior first)."""

    balances: tuple[int, ...]
    interest_shortfalls: tuple[int, ...]
    writedowns: tuple[int, ...]  # the principal deficiency ledger: debited, not yet credited
    servicer_fee_shortfall: int
    trustee_fee_shortfall: int
    reserve: int
    pool_balance: int
    last_period_end: int
    trigger_breached: bool  # the last period's tests (each period runs its own, §8)
    period: int  # periods applied so far
    cumulative_defaults: int = 0  # new defaults reported over all periods so far

    @classmethod
    def at_close(cls, terms: DealTerms, closing_time: int, reserve: int = 0) -> DealState:
        """The state when the deal closes: tranches at their sizes, nothing owed."""
        zeros = (0,) * len(terms.tranches)
        return cls(
            balances=tuple(t.size for t in terms.tranches),
            interest_shortfalls=zeros,
            writedowns=zeros,
            servicer_fee_shortfall=0,
            trustee_fee_shortfall=0,
            reserve=reserve,
            pool_balance=terms.initial_pool_balance,
            last_period_end=closing_time,
            trigger_breached=False,
            period=0,
        )


@dataclass(frozen=True)
class PeriodReport:
    """The servicer's report for one period; the cash it reports is paid in with it."""

    period_end: int
    interest: int
    scheduled_principal: int
    prepayments: int
    recoveries: int
    new_defaults: int  # principal of loans that defaulted this period
    delinquent_30: int  # pool balance 30-59 days past due (reported, not used by the rule)
    delinquent_60: int
    delinquent_90: int  # 90+ days past due
    pool_balance: int  # pool balance at period end, after collections and defaults
    tape_root: bytes = bytes(32)  # the new loan-tape Merkle root (stored, not used by the rule)

    @property
    def cash_in(self) -> int:
        return self.interest + self.scheduled_principal + self.prepayments + self.recoveries

    @property
    def principal_receipts(self) -> int:
        """§3: the cash of the principal account (recoveries are principal)."""
        return self.scheduled_principal + self.prepayments + self.recoveries


# The report's amounts, in the contract's order (between ``period_end`` and ``tape_root``).
REPORT_AMOUNTS = (
    "interest",
    "scheduled_principal",
    "prepayments",
    "recoveries",
    "new_defaults",
    "delinquent_30",
    "delinquent_60",
    "delinquent_90",
    "pool_balance",
)


# --- validation (the contract reverts with a custom error for each) --------------------------


def require(ok: bool, field: str, reason: str) -> None:
    if not ok:
        raise WaterfallInputError(f"{field}: {reason}")


def check_amount(value: int, field: str) -> None:
    require(isinstance(value, int) and not isinstance(value, bool), field, "must be an integer")
    require(0 <= value <= MAX_AMOUNT, field, "must be between 0 and 2**128 - 1")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bps(value: int, field: str) -> None:
    require(isinstance(value, int) and 0 <= value <= MAX_BPS, field, "must be 0 to 100000 bps")


def _day_count(value: int, field: str) -> None:
    require(value in tuple(DayCount), field, "must be 0 (30/360), 1 (ACT/360) or 2 (ACT/365)")


# --- §1 input checks (the contract reverts with a custom error for each) ----------------------


def check_inputs(terms: DealTerms, state: DealState, report: PeriodReport) -> None:
    n = len(terms.tranches)
    for name in ("balances", "interest_shortfalls", "writedowns"):
        values = getattr(state, name)
        require(len(values) == n, f"state.{name}", f"must have {n} entries, one per tranche")
        for i, value in enumerate(values):
            check_amount(value, f"state.{name}[{i}]")
    for name in (
        "servicer_fee_shortfall",
        "trustee_fee_shortfall",
        "reserve",
        "pool_balance",
        "cumulative_defaults",
    ):
        check_amount(getattr(state, name), f"state.{name}")
    for name in REPORT_AMOUNTS:
        check_amount(getattr(report, name), f"report.{name}")
    check_amount(report.cash_in, "report.cash_in")
    check_amount(state.cumulative_defaults + report.new_defaults, "cumulative_defaults")
    require(
        report.period_end > state.last_period_end,
        "report.period_end",
        "must be after the end of the previous period",
    )
    require(len(report.tape_root) == 32, "report.tape_root", "must be 32 bytes")
