"""The payment waterfall of one period, as a pure integer function.

This module is the reference for docs/waterfall.md and for the Solidity pool, which ports
it line by line: the steps below carry the numbers of the sections of that document and
come in the same order. Amounts are integers in the settlement token's smallest unit,
rates are basis points, times are unix seconds. Every division rounds down.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.deals.cover import Cover, CoverResult, CoverRun, check_cover
from ledger.deals.formulas import (
    accrual,
    accrue,
    cleanup_eligible,
    coverage_ratio,
    pay_pro_rata,
    pay_sequential,
)
from ledger.deals.terms import (
    BPS,
    MAX_AMOUNT,
    MAX_BPS,
    MAX_PERIOD,
    MAX_TRANCHES,
    MAX_TRIGGER_STEPS,
    RATIO_CAP,
    REPORT_AMOUNTS,
    SECONDS_PER_DAY,
    DayCount,
    DealState,
    DealTerms,
    PeriodReport,
    PrincipalMode,
    RatingTrigger,
    TrancheTerms,
    TriggerStep,
    WaterfallInputError,
    check_inputs,
)

# The inputs (ledger.deals.terms) and the formulas (ledger.deals.formulas) are re-exported
# here, where callers find them.
__all__ = [
    "BPS",
    "MAX_AMOUNT",
    "MAX_BPS",
    "MAX_PERIOD",
    "MAX_TRANCHES",
    "MAX_TRIGGER_STEPS",
    "RATIO_CAP",
    "REPORT_AMOUNTS",
    "SECONDS_PER_DAY",
    "DayCount",
    "DealState",
    "DealTerms",
    "PeriodReport",
    "PeriodResult",
    "PrincipalMode",
    "RatingTrigger",
    "TrancheResult",
    "TrancheTerms",
    "TriggerStep",
    "WaterfallInputError",
    "accrual",
    "accrue",
    "apply_period",
    "cleanup_eligible",
    "coverage_ratio",
    "pay_pro_rata",
    "pay_sequential",
]


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
    cover: CoverResult | None = None  # the guarantee's and the policy's figures (§14)
    rating_pass: bool = True  # the rating test (§8): a valid rating at or above the floor

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
        """§13: cash in (with draws and claims) == cash out (with what the facilities are
        paid) + change in cash retained (the reserve), exactly."""
        cover_in = self.cover.cash_in if self.cover else 0
        cover_out = self.cover.cash_out if self.cover else 0
        retained = self.reserve_after - self.reserve_before
        return self.cash_in + cover_in == self.cash_out + cover_out + retained


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


def apply_period(
    terms: DealTerms,
    state: DealState,
    report: PeriodReport,
    cover: Cover | None = None,
    rating_pass: bool = True,
) -> PeriodResult:
    """Run one period of the waterfall; pure, integer-only, ported line by line on chain.
    ``rating_pass`` is the rating test (§8) read at this report (``RatingTrigger.passes``);
    True for a deal without one."""
    check_inputs(terms, state, report)
    cv = CoverRun(cover or Cover(), state.period + 1)
    if cover is not None:
        check_cover(cover, len(terms.tranches))
    n = len(terms.tranches)
    last = n - 1
    tr = [_Tranche(b, d) for b, d in zip(state.balances, state.writedowns, strict=True)]

    # §2 Accrual periods.
    actual_days = (report.period_end - state.last_period_end) // SECONDS_PER_DAY

    # §3 Two accounts: revenue (interest collections and the whole reserve) and principal.
    revenue = report.interest + state.reserve
    principal_receipts = report.principal_receipts
    # §3a the insurance claim joins revenue; §3b the insurer's recoveries leave principal.
    claim, to_insurer = cv.claim_and_recover(report.new_defaults, report.recoveries)
    revenue += claim
    principal_receipts -= to_insurer

    # §4 Interest accrues on the balances at the start of the period, fees on the pool.
    fee_days, fee_basis = accrual(terms.fee_day_count, terms.period_months, actual_days)
    servicer_current = accrue(state.pool_balance, terms.servicer_fee_bps, fee_days, fee_basis)
    trustee_current = accrue(state.pool_balance, terms.trustee_fee_bps, fee_days, fee_basis)
    for i, tranche in enumerate(terms.tranches):
        days, basis = accrual(tranche.day_count, terms.period_months, actual_days)
        tr[i].current = accrue(tr[i].balance, tranche.coupon_bps, days, basis)
        tr[i].interest_due = tr[i].current + state.interest_shortfalls[i]
    # §4a premiums: the guarantee's on its note's balance, the policy's on the pool.
    g_current = 0
    if cover is not None and cover.guarantee is not None:
        k = cover.guarantee.terms.tranche
        days, basis = accrual(terms.tranches[k].day_count, terms.period_months, actual_days)
        g_current = accrue(tr[k].balance, cover.guarantee.terms.premium_bps, days, basis)
    i_rate = cover.insurance.terms.premium_bps if cover and cover.insurance else 0
    cv.accrue_premiums(g_current, accrue(state.pool_balance, i_rate, fee_days, fee_basis))

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
    # §7a after every note and before equity, they repay the guarantor (subrogation).
    recovered = report.recoveries - to_insurer
    for i, t in enumerate(tr):
        if i == last:
            subrogated = cv.subrogate_recoveries(recovered)
            recovered -= subrogated
            principal_receipts -= subrogated
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
    breached = not (oc_pass and ic_pass and cd_pass and rating_pass)

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
    cv.g_premium_paid = pay(cv.g_premium_due)  # 9.2a guarantee premium
    cv.i_premium_paid = pay(cv.i_premium_due)  # 9.2b insurance premium
    for i, t in enumerate(tr[:last]):  # 9.3 each note by seniority: interest, then cure
        t.interest_paid = pay(t.interest_due)
        cure(t)
        if cover is not None and cover.guarantee and i == cover.guarantee.terms.tranche:
            drawn_interest, drawn_cure = cv.draw(t.interest_due - t.interest_paid, t.deficiency)
            t.interest_paid += drawn_interest  # 9.3c the guarantee draw
            t.deficiency -= drawn_cure
            t.balance += drawn_cure
            t.writeup += drawn_cure
            t.cured += drawn_cure
    cv.g_from_revenue = pay(cv.reimbursement_due())  # 9.3d subrogation from excess spread
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
        cover=cv.result(),
        rating_pass=rating_pass,
    )
