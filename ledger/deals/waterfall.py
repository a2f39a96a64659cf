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
        _require(len(self.cd_trigger) <= MAX_TRIGGER_STEPS, "cd_trigger", "at most 16 steps")
        first = 1  # the first step starts at period 1, each later one after the previous
        for k, step in enumerate(self.cd_trigger):
            where = f"cd_trigger[{k}]"
            ok = step.from_period == 1 if k == 0 else step.from_period >= first
            _require(
                _is_int(step.from_period) and ok,
                f"{where}.from_period",
                f"must be {first}+" if k else "must be 1",
            )
            _require(
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


@dataclass(frozen=True)
class TrancheResult:
    interest_due: int  # current interest plus the shortfall carried in
    interest_paid: int
    interest_shortfall: int  # carried to the next period
    principal_paid: int
    writedown: int  # debited to the deficiency ledger (§6)
    writeup: int  # credited: by recoveries (§7) and from revenue (§9), the cure
    cured: int  # of ``writeup``, the part cured from revenue and paid as principal
    balance: int  # after this period


@dataclass(frozen=True)
class PeriodResult:
    tranches: tuple[TrancheResult, ...]
    accrual_days: int  # actual days in the period (ACT conventions)
    servicer_fee_due: int
    servicer_fee_paid: int
    trustee_fee_due: int
    trustee_fee_paid: int
    principal_due: int  # the principal receipts: scheduled, prepayments and recoveries
    reserve_before: int
    reserve_target: int  # the target in force this period (0 once the notes are repaid)
    reserve_trapped: int  # excess spread retained because a trigger is breached
    reserve_after: int
    residual_to_equity: int
    oc_ratio_bps: int
    ic_ratio_bps: int
    cd_ratio_bps: int  # cumulative defaults / initial pool balance
    cd_threshold_bps: int  # the schedule's threshold this period (0: no test)
    cumulative_defaults: int
    oc_pass: bool
    ic_pass: bool
    cd_pass: bool
    trigger_breached: bool  # this period's tests failed: sequential and trapping this period
    sequential: bool  # principal was paid sequentially (§10)
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
        """§13: cash in == cash out + change in cash retained (the reserve), exactly."""
        return self.cash_in == self.cash_out + (self.reserve_after - self.reserve_before)


@dataclass
class _Tranche:
    """One tranche's figures while a period runs (the revenue lines fill them in)."""

    balance: int
    deficiency: int
    current: int = 0  # this period's interest, on the start-of-period balance
    interest_due: int = 0
    interest_paid: int = 0
    writedown: int = 0
    writeup: int = 0
    cured: int = 0
    principal_paid: int = 0


def apply_period(terms: DealTerms, state: DealState, report: PeriodReport) -> PeriodResult:
    """Run one period of the waterfall; pure, integer-only, ported line by line on chain."""
    _check_inputs(terms, state, report)
    n = len(terms.tranches)
    last = n - 1
    tr = [_Tranche(b, d) for b, d in zip(state.balances, state.writedowns, strict=True)]

    # §2 Accrual periods.
    actual_days = (report.period_end - state.last_period_end) // SECONDS_PER_DAY

    # §3 Two accounts: revenue (interest collections and the whole reserve) and principal.
    revenue = report.interest + state.reserve
    principal_receipts = report.principal_receipts

    # §4 Interest accrues on the balances at the start of the period, fees on the pool.
    fee_days, fee_basis = accrual(terms.fee_day_count, terms.period_months, actual_days)
    servicer_current = accrue(state.pool_balance, terms.servicer_fee_bps, fee_days, fee_basis)
    trustee_current = accrue(state.pool_balance, terms.trustee_fee_bps, fee_days, fee_basis)
    for i, tranche in enumerate(terms.tranches):
        days, basis = accrual(tranche.day_count, terms.period_months, actual_days)
        tr[i].current = accrue(tr[i].balance, tranche.coupon_bps, days, basis)
        tr[i].interest_due = tr[i].current + state.interest_shortfalls[i]

    # §5 Coverage figures before this period's losses: the notes' principal outstanding.
    notes_outstanding = sum(t.balance + t.deficiency for t in tr[:last])
    notes_before = sum(t.balance for t in tr[:last])

    # §6 Losses: new defaults debit the deficiency ledger from the most junior tranche up.
    loss = report.new_defaults
    for t in reversed(tr):
        t.writedown = min(loss, t.balance)
        loss -= t.writedown
        t.balance -= t.writedown
        t.deficiency += t.writedown

    # §7 Recoveries credit it from the most senior tranche down (their cash is principal).
    recovered = report.recoveries
    for t in tr:
        t.writeup = min(recovered, t.deficiency)
        recovered -= t.writeup
        t.balance += t.writeup
        t.deficiency -= t.writeup

    # §8 Triggers, on this period's own figures before distribution; they govern it.
    cumulative = state.cumulative_defaults + report.new_defaults
    oc_ratio = coverage_ratio(
        report.pool_balance + principal_receipts + state.reserve, notes_outstanding
    )
    fees_current = servicer_current + trustee_current
    net_interest = report.interest - min(report.interest, fees_current)
    ic_ratio = coverage_ratio(net_interest, sum(t.current for t in tr[:last]))
    cd_ratio = coverage_ratio(cumulative, terms.initial_pool_balance)
    cd_threshold = terms.cd_threshold_bps(state.period + 1)
    oc_pass = oc_ratio >= terms.oc_trigger_bps
    ic_pass = ic_ratio >= terms.ic_trigger_bps
    cd_pass = cd_threshold == 0 or cumulative * BPS <= cd_threshold * terms.initial_pool_balance
    breached = not (oc_pass and ic_pass and cd_pass)

    # §9 Revenue priority of payments; each line pays what it can of what is left.
    def pay(due: int) -> int:
        nonlocal revenue
        paid = min(due, revenue)
        revenue -= paid
        return paid

    def cure(t: _Tranche) -> None:  # credit the deficiency; the cash joins principal (§10)
        t.cured = pay(t.deficiency)
        t.deficiency -= t.cured
        t.balance += t.cured
        t.writeup += t.cured

    servicer_due = servicer_current + state.servicer_fee_shortfall
    servicer_paid = pay(servicer_due)  # 9.1
    trustee_due = trustee_current + state.trustee_fee_shortfall
    trustee_paid = pay(trustee_due)  # 9.2
    for t in tr[:last]:  # 9.3 each note in order of seniority: its interest, then its cure
        t.interest_paid = pay(t.interest_due)
        cure(t)
    target = terms.reserve_target if notes_before > 0 else 0
    reserve = pay(target)  # 9.4 the reserve up to its target
    tr[last].interest_paid = pay(tr[last].interest_due)  # 9.5 equity interest
    cure(tr[last])  # 9.6 equity's own deficiency

    # §10 Principal priority: receipts plus cures. 10.1 What the balances cannot take
    # credits the deficiency ledger from the most senior down, as recoveries do (§7).
    cured = sum(t.cured for t in tr)
    credit = max(principal_receipts + cured - sum(t.balance for t in tr), 0)
    for t in tr:
        extra = min(credit, t.deficiency)
        credit -= extra
        t.deficiency -= extra
        t.balance += extra
        t.writeup += extra
    # 10.2 Sequential if the deal says so, a trigger is breached or a deficiency is left;
    # otherwise pro rata.
    balances = [t.balance for t in tr]
    principal_amount = min(principal_receipts + cured, sum(balances))
    sequential = (
        terms.principal_mode == PrincipalMode.SEQUENTIAL
        or breached
        or any(t.deficiency for t in tr)
    )
    pay_principal = pay_sequential if sequential else pay_pro_rata
    for t, paid in zip(tr, pay_principal(principal_amount, balances), strict=True):
        t.principal_paid = paid
        t.balance -= paid

    # §11 Residual: what is left of both accounts, to equity, or to the reserve if breached.
    left = revenue + principal_receipts + cured - principal_amount
    trapped = left if breached else 0
    residual = left - trapped
    reserve += trapped

    # §12 Clean-up call eligibility.
    cleanup = cleanup_eligible(terms, report.pool_balance)

    # §13 Results and the next state.
    tranches = tuple(
        TrancheResult(
            interest_due=t.interest_due,
            interest_paid=t.interest_paid,
            interest_shortfall=t.interest_due - t.interest_paid,
            principal_paid=t.principal_paid,
            writedown=t.writedown,
            writeup=t.writeup,
            cured=t.cured,
            balance=t.balance,
        )
        for t in tr
    )
    next_state = DealState(
        balances=tuple(t.balance for t in tr),
        interest_shortfalls=tuple(t.interest_shortfall for t in tranches),
        writedowns=tuple(t.deficiency for t in tr),
        servicer_fee_shortfall=servicer_due - servicer_paid,
        trustee_fee_shortfall=trustee_due - trustee_paid,
        reserve=reserve,
        pool_balance=report.pool_balance,
        last_period_end=report.period_end,
        trigger_breached=breached,
        period=state.period + 1,
        cumulative_defaults=cumulative,
    )
    return PeriodResult(
        tranches=tranches,
        accrual_days=actual_days,
        servicer_fee_due=servicer_due,
        servicer_fee_paid=servicer_paid,
        trustee_fee_due=trustee_due,
        trustee_fee_paid=trustee_paid,
        principal_due=principal_receipts,
        reserve_before=state.reserve,
        reserve_target=target,
        reserve_trapped=trapped,
        reserve_after=reserve,
        residual_to_equity=residual,
        oc_ratio_bps=oc_ratio,
        ic_ratio_bps=ic_ratio,
        cd_ratio_bps=cd_ratio,
        cd_threshold_bps=cd_threshold,
        cumulative_defaults=cumulative,
        oc_pass=oc_pass,
        ic_pass=ic_pass,
        cd_pass=cd_pass,
        trigger_breached=breached,
        sequential=sequential,
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
    """§8: numerator / denominator in basis points, rounded down, capped at RATIO_CAP."""
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
    for name in (
        "servicer_fee_shortfall",
        "trustee_fee_shortfall",
        "reserve",
        "pool_balance",
        "cumulative_defaults",
    ):
        _amount(getattr(state, name), f"state.{name}")
    for name in REPORT_AMOUNTS:
        _amount(getattr(report, name), f"report.{name}")
    _amount(report.cash_in, "report.cash_in")
    _amount(state.cumulative_defaults + report.new_defaults, "cumulative_defaults")
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


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bps(value: int, field: str) -> None:
    _require(isinstance(value, int) and 0 <= value <= MAX_BPS, field, "must be 0 to 100000 bps")


def _day_count(value: int, field: str) -> None:
    _require(value in tuple(DayCount), field, "must be 0 (30/360), 1 (ACT/360) or 2 (ACT/365)")
