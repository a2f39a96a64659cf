"""The payment waterfall of one period, as a pure integer function.

This module is the reference for docs/waterfall.md and for the Solidity pool, which ports
it line by line: the steps below carry the numbers of the sections of that document and
come in the same order. Amounts are integers in the settlement token's smallest unit,
rates are basis points, times are unix seconds. Every division rounds down.
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


class WaterfallInputError(ValueError):
    """An input outside the domain of the waterfall; the message names the field."""


class DayCount(IntEnum):
    THIRTY_360 = 0
    ACT_360 = 1
    ACT_365 = 2


class PrincipalMode(IntEnum):
    SEQUENTIAL = 0
    PRO_RATA = 1


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

    def __post_init__(self) -> None:
        _require(2 <= len(self.tranches) <= MAX_TRANCHES, "tranches", "must number 2 to 8")
        for i, t in enumerate(self.tranches):
            _amount(t.size, f"tranches[{i}].size")
            _bps(t.coupon_bps, f"tranches[{i}].coupon_bps")
            _day_count(t.day_count, f"tranches[{i}].day_count")
        _require(1 <= self.period_months <= 12, "period_months", "must be 1 to 12")
        _amount(self.initial_pool_balance, "initial_pool_balance")
        for name in ("servicer_fee_bps", "trustee_fee_bps", "oc_trigger_bps", "ic_trigger_bps"):
            _bps(getattr(self, name), name)
        _day_count(self.fee_day_count, "fee_day_count")
        _require(self.principal_mode in tuple(PrincipalMode), "principal_mode", "must be 0 or 1")
        _amount(self.reserve_target, "reserve_target")
        _require(0 <= self.cleanup_call_bps <= BPS, "cleanup_call_bps", "must be 0 to 10000")


@dataclass(frozen=True)
class DealState:
    """What the pool stores between periods (tuples are per tranche, most senior first)."""

    balances: tuple[int, ...]
    interest_shortfalls: tuple[int, ...]
    writedowns: tuple[int, ...]  # written down and not yet written back up
    servicer_fee_shortfall: int
    trustee_fee_shortfall: int
    reserve: int
    pool_balance: int
    last_period_end: int
    trigger_breached: bool
    period: int  # periods applied so far

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


@dataclass(frozen=True)
class TrancheResult:
    interest_due: int  # current interest plus the shortfall carried in
    interest_paid: int
    interest_shortfall: int  # carried to the next period
    principal_paid: int
    writedown: int
    writeup: int
    balance: int  # after this period


@dataclass(frozen=True)
class PeriodResult:
    tranches: tuple[TrancheResult, ...]
    accrual_days: int  # actual days in the period (ACT conventions)
    servicer_fee_due: int
    servicer_fee_paid: int
    trustee_fee_due: int
    trustee_fee_paid: int
    principal_due: int
    reserve_before: int
    reserve_target: int  # the target in force this period (0 once the notes are repaid)
    reserve_trapped: int  # excess spread retained because a trigger was in force
    reserve_after: int
    residual_to_equity: int
    trigger_in_force: bool  # the state this period ran under (from the previous period)
    oc_ratio_bps: int
    ic_ratio_bps: int
    oc_pass: bool
    ic_pass: bool
    trigger_breached: bool  # this period's tests; in force from the next period
    cleanup_eligible: bool
    cash_in: int
    state: DealState  # the state after this period

    @property
    def fees_paid(self) -> int:
        return self.servicer_fee_paid + self.trustee_fee_paid

    @property
    def cash_out(self) -> int:
        """Cash that leaves the pool: fees, interest, principal and the equity residual."""
        paid = sum(t.interest_paid + t.principal_paid for t in self.tranches)
        return self.fees_paid + paid + self.residual_to_equity

    @property
    def conserves_cash(self) -> bool:
        """§12: cash in == cash out + change in cash retained (the reserve), exactly."""
        return self.cash_in == self.cash_out + (self.reserve_after - self.reserve_before)


def apply_period(terms: DealTerms, state: DealState, report: PeriodReport) -> PeriodResult:
    """Run one period of the waterfall; pure, integer-only, ported line by line on chain."""
    _check_inputs(terms, state, report)
    n = len(terms.tranches)
    balances = list(state.balances)
    writedowns = list(state.writedowns)

    # §2 Accrual periods.
    actual_days = (report.period_end - state.last_period_end) // SECONDS_PER_DAY

    # §3 Available funds: this period's cash plus the whole reserve.
    available = report.cash_in + state.reserve

    # §4 Fees, on the pool balance at the start of the period.
    fee_days, fee_basis = accrual(terms.fee_day_count, terms.period_months, actual_days)
    servicer_current = accrue(state.pool_balance, terms.servicer_fee_bps, fee_days, fee_basis)
    servicer_due = servicer_current + state.servicer_fee_shortfall
    servicer_paid = min(servicer_due, available)
    available -= servicer_paid
    trustee_current = accrue(state.pool_balance, terms.trustee_fee_bps, fee_days, fee_basis)
    trustee_due = trustee_current + state.trustee_fee_shortfall
    trustee_paid = min(trustee_due, available)
    available -= trustee_paid

    # §5 Interest by seniority, on the balances at the start of the period.
    current_interest = [0] * n
    interest_due = [0] * n
    interest_paid = [0] * n
    for i, tranche in enumerate(terms.tranches):
        days, basis = accrual(tranche.day_count, terms.period_months, actual_days)
        current_interest[i] = accrue(balances[i], tranche.coupon_bps, days, basis)
        interest_due[i] = current_interest[i] + state.interest_shortfalls[i]
        interest_paid[i] = min(interest_due[i], available)
        available -= interest_paid[i]

    # §6 Reserve top-up; the target falls to 0 once the notes are repaid.
    notes_before = sum(balances[: n - 1])
    target = terms.reserve_target if notes_before > 0 else 0
    reserve = min(target, available)
    available -= reserve

    # §7 Losses: new defaults written down from the most junior tranche up.
    writedown = [0] * n
    loss = report.new_defaults
    for i in reversed(range(n)):
        writedown[i] = min(loss, balances[i])
        loss -= writedown[i]
        balances[i] -= writedown[i]
        writedowns[i] += writedown[i]

    # §8 Recoveries: written back up from the most senior written-down tranche down.
    writeup = [0] * n
    recovered = report.recoveries
    for i in range(n):
        writeup[i] = min(recovered, writedowns[i])
        recovered -= writeup[i]
        balances[i] += writeup[i]
        writedowns[i] -= writeup[i]

    # §9 Principal: sequential if the deal says so or a trigger is in force, else pro rata.
    principal_due = report.scheduled_principal + report.prepayments + report.recoveries
    principal_amount = min(principal_due, available, sum(balances))
    sequential = terms.principal_mode == PrincipalMode.SEQUENTIAL or state.trigger_breached
    if sequential:
        principal_paid = pay_sequential(principal_amount, balances)
    else:
        principal_paid = pay_pro_rata(principal_amount, balances)
    available -= principal_amount
    for i in range(n):
        balances[i] -= principal_paid[i]

    # §10 Residual: to equity, or trapped in the reserve while a trigger is in force.
    trapped = available if state.trigger_breached else 0
    residual = available - trapped
    reserve += trapped

    # §11 Triggers, on the figures after distribution; they govern the next period.
    oc_ratio = coverage_ratio(report.pool_balance + reserve, sum(balances[: n - 1]))
    fees_current = servicer_current + trustee_current
    net_interest = report.interest - min(report.interest, fees_current)
    ic_ratio = coverage_ratio(net_interest, sum(current_interest[: n - 1]))
    oc_pass = oc_ratio >= terms.oc_trigger_bps
    ic_pass = ic_ratio >= terms.ic_trigger_bps
    breached = not (oc_pass and ic_pass)

    # §12 Clean-up call eligibility.
    cleanup = cleanup_eligible(terms, report.pool_balance)

    # §13 Results and the next state.
    tranches = tuple(
        TrancheResult(
            interest_due=interest_due[i],
            interest_paid=interest_paid[i],
            interest_shortfall=interest_due[i] - interest_paid[i],
            principal_paid=principal_paid[i],
            writedown=writedown[i],
            writeup=writeup[i],
            balance=balances[i],
        )
        for i in range(n)
    )
    next_state = DealState(
        balances=tuple(balances),
        interest_shortfalls=tuple(t.interest_shortfall for t in tranches),
        writedowns=tuple(writedowns),
        servicer_fee_shortfall=servicer_due - servicer_paid,
        trustee_fee_shortfall=trustee_due - trustee_paid,
        reserve=reserve,
        pool_balance=report.pool_balance,
        last_period_end=report.period_end,
        trigger_breached=breached,
        period=state.period + 1,
    )
    return PeriodResult(
        tranches=tranches,
        accrual_days=actual_days,
        servicer_fee_due=servicer_due,
        servicer_fee_paid=servicer_paid,
        trustee_fee_due=trustee_due,
        trustee_fee_paid=trustee_paid,
        principal_due=principal_due,
        reserve_before=state.reserve,
        reserve_target=target,
        reserve_trapped=trapped,
        reserve_after=reserve,
        residual_to_equity=residual,
        trigger_in_force=state.trigger_breached,
        oc_ratio_bps=oc_ratio,
        ic_ratio_bps=ic_ratio,
        oc_pass=oc_pass,
        ic_pass=ic_pass,
        trigger_breached=breached,
        cleanup_eligible=cleanup,
        cash_in=report.cash_in,
        state=next_state,
    )


# --- helpers, each a formula of the specification ---------------------------------------------


def accrual(day_count: DayCount, period_months: int, actual_days: int) -> tuple[int, int]:
    """§2: (days, year basis) of a period under ``day_count``."""
    if day_count == DayCount.THIRTY_360:
        return 30 * period_months, 360
    if day_count == DayCount.ACT_360:
        return actual_days, 360
    return actual_days, 365


def accrue(amount: int, rate_bps: int, days: int, basis: int) -> int:
    """amount × rate × days / (10000 × basis), one division, rounded down."""
    return amount * rate_bps * days // (BPS * basis)


def pay_sequential(amount: int, balances: list[int]) -> list[int]:
    """§9a: pay ``amount`` most senior first, each tranche up to its balance."""
    paid = [0] * len(balances)
    for i, balance in enumerate(balances):
        paid[i] = min(amount, balance)
        amount -= paid[i]
    return paid


def pay_pro_rata(amount: int, balances: list[int]) -> list[int]:
    """§9b: floor shares by balance, then the rounding remainder sequentially."""
    total = sum(balances)
    if total == 0:
        return [0] * len(balances)
    shares = [amount * balance // total for balance in balances]
    remaining = [balance - share for balance, share in zip(balances, shares, strict=True)]
    dust = pay_sequential(amount - sum(shares), remaining)
    return [share + extra for share, extra in zip(shares, dust, strict=True)]


def cleanup_eligible(terms: DealTerms, pool_balance: int) -> bool:
    """§12: the pool factor is at or under the clean-up call threshold."""
    return pool_balance * BPS <= terms.cleanup_call_bps * terms.initial_pool_balance


def coverage_ratio(numerator: int, denominator: int) -> int:
    """§11: numerator / denominator in basis points, rounded down, capped at RATIO_CAP."""
    if denominator == 0:
        return RATIO_CAP
    return min(numerator * BPS // denominator, RATIO_CAP)


# --- §1 input checks (the contract reverts with a custom error for each) ----------------------


def _check_inputs(terms: DealTerms, state: DealState, report: PeriodReport) -> None:
    n = len(terms.tranches)
    for name in ("balances", "interest_shortfalls", "writedowns"):
        values = getattr(state, name)
        _require(len(values) == n, f"state.{name}", f"must have {n} entries, one per tranche")
        for i, value in enumerate(values):
            _amount(value, f"state.{name}[{i}]")
    for name in ("servicer_fee_shortfall", "trustee_fee_shortfall", "reserve", "pool_balance"):
        _amount(getattr(state, name), f"state.{name}")
    for name in REPORT_AMOUNTS:
        _amount(getattr(report, name), f"report.{name}")
    _amount(report.cash_in, "report.cash_in")
    _require(
        report.period_end > state.last_period_end,
        "report.period_end",
        "must be after the end of the previous period",
    )
    _require(len(report.tape_root) == 32, "report.tape_root", "must be 32 bytes")


def _require(ok: bool, field: str, reason: str) -> None:
    if not ok:
        raise WaterfallInputError(f"{field}: {reason}")


def _amount(value: int, field: str) -> None:
    _require(isinstance(value, int) and not isinstance(value, bool), field, "must be an integer")
    _require(0 <= value <= MAX_AMOUNT, field, "must be between 0 and 2**128 - 1")


def _bps(value: int, field: str) -> None:
    _require(isinstance(value, int) and 0 <= value <= MAX_BPS, field, "must be 0 to 100000 bps")


def _day_count(value: int, field: str) -> None:
    _require(value in tuple(DayCount), field, "must be 0 (30/360), 1 (ACT/360) or 2 (ACT/365)")
