"""Hypothesis strategies for deals: random terms, states and period reports.

Shared by the waterfall property tests and the chain differential tests.
"""

from __future__ import annotations

from hypothesis import strategies as st

from ledger.deals.waterfall import (
    DayCount,
    DealState,
    DealTerms,
    PeriodReport,
    PrincipalMode,
    TrancheTerms,
    TriggerStep,
)

DAY = 86_400
amounts = st.integers(min_value=0, max_value=10**13)  # up to 10 million in a 6-decimal token
small_amounts = st.integers(min_value=0, max_value=10**11)
# a cumulative-default schedule: none, one threshold, or steps from period 1 on
cd_schedules = st.lists(
    st.tuples(st.integers(1, 3), st.sampled_from([0, 100, 500, 2_000])), max_size=3
).map(
    lambda steps: tuple(
        TriggerStep(sum(gap for gap, _ in steps[: k + 1]) - steps[0][0] + 1, bps)
        for k, (_, bps) in enumerate(steps)
    )
)


@st.composite
def deal_terms(draw: st.DrawFn) -> DealTerms:
    n = draw(st.integers(min_value=2, max_value=8))
    tranches = tuple(
        TrancheTerms(
            size=draw(st.integers(min_value=1, max_value=10**12)),
            coupon_bps=draw(st.integers(min_value=0, max_value=2_000)),
            day_count=draw(st.sampled_from(DayCount)),
        )
        for i in range(n)
    )
    total = sum(t.size for t in tranches)
    return DealTerms(
        tranches=tranches,
        period_months=draw(st.sampled_from([1, 3, 6])),
        initial_pool_balance=total,  # a pool refuses sizes that do not add up to it
        servicer_fee_bps=draw(st.integers(min_value=0, max_value=200)),
        trustee_fee_bps=draw(st.integers(min_value=0, max_value=50)),
        fee_day_count=draw(st.sampled_from(DayCount)),
        principal_mode=draw(st.sampled_from(PrincipalMode)),
        oc_trigger_bps=draw(st.sampled_from([0, 10_000, 10_500, 12_000])),
        ic_trigger_bps=draw(st.sampled_from([0, 10_000, 15_000])),
        reserve_target=draw(st.integers(min_value=0, max_value=min(total, 10**10))),
        cleanup_call_bps=draw(st.integers(min_value=0, max_value=2_000)),
        cd_trigger=draw(cd_schedules),
    )


@st.composite
def period_reports(
    draw: st.DrawFn, start: int, periods: int, pool_balance: int | None = None
) -> list[PeriodReport]:
    """``periods`` reports with increasing period ends after ``start``. Given the pool's
    balance at close, the reports are consistent with it as a pool requires (principal and
    defaults out of the balance, delinquencies within it); otherwise any figures."""
    reports = []
    end = start
    for _ in range(periods):
        end += draw(st.integers(min_value=1, max_value=190)) * DAY
        if pool_balance is None:
            principal = (draw(amounts), draw(amounts))
            defaults, balance = draw(amounts), draw(st.integers(0, 10**13))
            delinquent = (draw(small_amounts), draw(small_amounts), draw(small_amounts))
        else:
            scheduled = draw(st.integers(0, pool_balance))
            prepaid = draw(st.integers(0, pool_balance - scheduled))
            principal = (scheduled, prepaid)
            defaults = draw(st.integers(0, pool_balance - scheduled - prepaid))
            balance = pool_balance = pool_balance - scheduled - prepaid - defaults
            d30 = draw(st.integers(0, balance))
            d60 = draw(st.integers(0, balance - d30))
            delinquent = (d30, d60, draw(st.integers(0, balance - d30 - d60)))
        reports.append(
            PeriodReport(
                period_end=end,
                interest=draw(small_amounts),
                scheduled_principal=principal[0],
                prepayments=principal[1],
                recoveries=draw(small_amounts),
                new_defaults=defaults,
                delinquent_30=delinquent[0],
                delinquent_60=delinquent[1],
                delinquent_90=delinquent[2],
                pool_balance=balance,
                tape_root=draw(st.binary(min_size=32, max_size=32)),
            )
        )
    return reports


@st.composite
def deals(draw: st.DrawFn, max_periods: int = 6) -> tuple[DealTerms, DealState, list[PeriodReport]]:
    """A deal at close (with a random initial reserve) and a run of period reports."""
    terms = draw(deal_terms())
    closing = draw(st.integers(min_value=1_600_000_000, max_value=1_900_000_000))
    state = DealState.at_close(terms, closing, reserve=draw(small_amounts))
    periods = draw(st.integers(min_value=1, max_value=max_periods))
    return terms, state, draw(period_reports(closing, periods))
