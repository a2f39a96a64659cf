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
            # equity is held (size >= 1): a residual must always have someone to go to
            size=draw(st.integers(min_value=1 if i == n - 1 else 0, max_value=10**12)),
            coupon_bps=draw(st.integers(min_value=0, max_value=2_000)),
            day_count=draw(st.sampled_from(DayCount)),
        )
        for i in range(n)
    )
    total = sum(t.size for t in tranches)
    return DealTerms(
        tranches=tranches,
        period_months=draw(st.sampled_from([1, 3, 6])),
        initial_pool_balance=draw(st.integers(min_value=total, max_value=total + 10**11)),
        servicer_fee_bps=draw(st.integers(min_value=0, max_value=200)),
        trustee_fee_bps=draw(st.integers(min_value=0, max_value=50)),
        fee_day_count=draw(st.sampled_from(DayCount)),
        principal_mode=draw(st.sampled_from(PrincipalMode)),
        oc_trigger_bps=draw(st.sampled_from([0, 10_000, 10_500, 12_000])),
        ic_trigger_bps=draw(st.sampled_from([0, 10_000, 15_000])),
        reserve_target=draw(st.integers(min_value=0, max_value=10**10)),
        cleanup_call_bps=draw(st.integers(min_value=0, max_value=2_000)),
        cd_trigger=draw(cd_schedules),
    )


@st.composite
def period_reports(draw: st.DrawFn, start: int, periods: int) -> list[PeriodReport]:
    """``periods`` reports with increasing period ends after ``start``."""
    reports = []
    end = start
    for _ in range(periods):
        end += draw(st.integers(min_value=1, max_value=190)) * DAY
        reports.append(
            PeriodReport(
                period_end=end,
                interest=draw(small_amounts),
                scheduled_principal=draw(amounts),
                prepayments=draw(amounts),
                recoveries=draw(small_amounts),
                new_defaults=draw(amounts),
                delinquent_30=draw(small_amounts),
                delinquent_60=draw(small_amounts),
                delinquent_90=draw(small_amounts),
                pool_balance=draw(st.integers(min_value=0, max_value=10**13)),
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
