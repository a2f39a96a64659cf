"""The waterfall rule: hand-checked cases and Hypothesis properties of its invariants."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings

from ledger.deals.waterfall import (
    REPORT_AMOUNTS,
    DayCount,
    DealState,
    DealTerms,
    PeriodReport,
    PeriodResult,
    PrincipalMode,
    TrancheTerms,
    WaterfallInputError,
    accrual,
    accrue,
    apply_period,
    pay_pro_rata,
)

from .strategies import deals

DAY = 86_400


def run(terms: DealTerms, state: DealState, reports: list[PeriodReport]) -> list[PeriodResult]:
    results = []
    for report in reports:
        result = apply_period(terms, state, report)
        results.append(result)
        state = result.state
    return results


def simple_terms(**changes: object) -> DealTerms:
    terms = DealTerms(
        tranches=(
            TrancheTerms(800_000, 600, DayCount.THIRTY_360),
            TrancheTerms(150_000, 1_200, DayCount.THIRTY_360),
            TrancheTerms(50_000, 0, DayCount.THIRTY_360),
        ),
        period_months=1,
        initial_pool_balance=1_000_000,
        servicer_fee_bps=120,
        trustee_fee_bps=0,
        fee_day_count=DayCount.THIRTY_360,
        principal_mode=PrincipalMode.PRO_RATA,
        oc_trigger_bps=10_300,
        ic_trigger_bps=0,
        reserve_target=0,
        cleanup_call_bps=1_000,
    )
    return replace(terms, **changes)


def report(end: int, **fields: int) -> PeriodReport:
    base = dict.fromkeys((name for name in REPORT_AMOUNTS if name != "pool_balance"), 0)
    base.update(fields)
    return PeriodReport(period_end=end, **base)


# --- hand-checked pieces ---------------------------------------------------------------------


def test_day_counts() -> None:
    assert accrual(DayCount.THIRTY_360, 3, 92) == (90, 360)
    assert accrual(DayCount.ACT_360, 3, 92) == (92, 360)
    assert accrual(DayCount.ACT_365, 3, 92) == (92, 365)
    # 1,000,000 at 5% for 31 days ACT/365 = 4246.57... -> 4246
    assert accrue(1_000_000, 500, 31, 365) == 4246


def test_pro_rata_pays_rounding_remainder_most_senior_first() -> None:
    # shares of 10 over (1, 1, 1): 3, 3, 3 and one unit of remainder to tranche 0
    assert pay_pro_rata(10, [1, 1, 1]) == [1, 1, 1]
    assert pay_pro_rata(10, [10, 10, 10]) == [4, 3, 3]
    assert pay_pro_rata(0, [0, 0]) == [0, 0]


def test_one_period_by_hand() -> None:
    terms = simple_terms()
    state = DealState.at_close(terms, 0)
    r = report(
        30 * DAY,
        interest=9_000,
        scheduled_principal=20_000,
        prepayments=10_000,
        new_defaults=5_000,
        pool_balance=965_000,
    )
    res = apply_period(terms, state, r)
    # fee: 1,000,000 x 1.2% x 30/360 = 1000; interest A 4000, B 1500
    assert (res.servicer_fee_paid, res.tranches[0].interest_paid) == (1_000, 4_000)
    assert res.tranches[1].interest_paid == 1_500
    # loss 5,000 on equity first: 800k / 150k / 45k. 30,000 pro rata over 995,000:
    # 24,120.6 / 4,522.6 / 1,356.8 -> 24,120 / 4,522 / 1,356, and the 2 units of rounding
    # remainder to the most senior: 24,122
    assert [t.principal_paid for t in res.tranches] == [24_122, 4_522, 1_356]
    # residual 9,000 - 1,000 - 4,000 - 1,500 = 2,500
    assert [t.balance for t in res.tranches] == [775_878, 145_478, 43_644]
    assert res.residual_to_equity == 2_500
    # OC = 965,000 / (775,878 + 145,478) = 10473.6 -> 10473 bps >= 10300
    assert (res.oc_ratio_bps, res.trigger_breached) == (10_473, False)
    assert res.conserves_cash


def test_trigger_switches_to_sequential_traps_and_cures() -> None:
    terms = simple_terms()
    state = DealState.at_close(terms, 0)
    # loss 90,000: equity to 0, B to 110,000; 30,000 pro rata over 910,000: 26,373.6 and
    # 3,626.4 -> 26,373 + 1 unit of remainder = 26,374 and 3,626.
    # OC = 880,000 / (773,626 + 106,374) = 100% < 103% -> breached from the next period
    first = apply_period(
        terms,
        state,
        report(
            30 * DAY,
            interest=9_000,
            scheduled_principal=30_000,
            new_defaults=90_000,
            pool_balance=880_000,
        ),
    )
    assert [t.principal_paid for t in first.tranches] == [26_374, 3_626, 0]
    assert (first.oc_ratio_bps, first.trigger_in_force, first.trigger_breached) == (
        10_000,
        False,
        True,
    )
    assert first.residual_to_equity == 2_500
    second = apply_period(
        terms,
        first.state,
        report(60 * DAY, interest=9_000, scheduled_principal=30_000, pool_balance=850_000),
    )
    assert second.trigger_in_force
    # sequential: all principal to the senior; 39,000 - fee 880 - interest 3,868 - 1,063
    # - principal 30,000 = 3,189 of excess spread trapped, nothing to equity
    assert [t.principal_paid for t in second.tranches] == [30_000, 0, 0]
    assert (second.residual_to_equity, second.reserve_trapped, second.reserve_after) == (
        0,
        3_189,
        3_189,
    )
    # OC = (850,000 + 3,189) / (743,626 + 106,374) = 10037 bps: still breached
    assert (second.oc_ratio_bps, second.trigger_breached) == (10_037, True)
    # 30,000 + 10,000 + 3,189 - fee 850 - interest 3,718 - 1,063 - principal 10,000 = 27,558
    # trapped; OC = (840,000 + 27,558) / (733,626 + 106,374) = 10328 bps -> cured
    third = apply_period(
        terms,
        second.state,
        report(90 * DAY, interest=30_000, scheduled_principal=10_000, pool_balance=840_000),
    )
    assert (third.reserve_after, third.oc_ratio_bps, third.trigger_breached) == (
        27_558,
        10_328,
        False,
    )
    fourth = apply_period(
        terms,
        third.state,
        report(120 * DAY, interest=9_000, scheduled_principal=10_000, pool_balance=830_000),
    )
    assert not fourth.trigger_in_force
    # pro rata again (8,733.6 + 1 unit of remainder, 1,266.3), and the trapped reserve is
    # released (target 0): 46,558 - 840 - 3,668 - 1,063 - 10,000 = 30,987 to equity
    assert [t.principal_paid for t in fourth.tranches] == [8_734, 1_266, 0]
    assert (fourth.reserve_after, fourth.residual_to_equity) == (0, 30_987)


def test_shortfalls_carry_without_interest() -> None:
    terms = simple_terms(servicer_fee_bps=0)
    state = DealState.at_close(terms, 0)
    res = apply_period(terms, state, report(30 * DAY, interest=3_000, pool_balance=1_000_000))
    assert [t.interest_shortfall for t in res.tranches] == [1_000, 1_500, 0]
    nxt = apply_period(terms, res.state, report(60 * DAY, interest=20_000, pool_balance=1_000_000))
    assert [t.interest_due for t in nxt.tranches] == [5_000, 3_000, 0]
    assert [t.interest_shortfall for t in nxt.tranches] == [0, 0, 0]


def test_reserve_released_once_notes_are_repaid() -> None:
    terms = simple_terms(reserve_target=7_000, servicer_fee_bps=0)
    state = replace(DealState.at_close(terms, 0), balances=(0, 0, 50_000), reserve=7_000)
    res = apply_period(terms, state, report(30 * DAY, pool_balance=50_000))
    assert res.reserve_target == 0 and res.reserve_after == 0
    assert res.tranches[2].principal_paid == 0 and res.residual_to_equity == 7_000


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"interest": -1}, "report.interest"),
        ({"pool_balance": 2**128}, "report.pool_balance"),
        ({"period_end": 0}, "report.period_end"),
        ({"tape_root": b"\x01"}, "report.tape_root"),
    ],
)
def test_bad_report_names_the_field(change: dict, field: str) -> None:
    terms = simple_terms()
    state = DealState.at_close(terms, 0)
    bad = replace(report(30 * DAY, pool_balance=1), **change)
    with pytest.raises(WaterfallInputError, match=field.replace(".", r"\.")):
        apply_period(terms, state, bad)


def test_bad_terms_name_the_field() -> None:
    with pytest.raises(WaterfallInputError, match="tranches: must number 2 to 8"):
        simple_terms(tranches=(TrancheTerms(1, 0, DayCount.ACT_360),))
    with pytest.raises(WaterfallInputError, match=r"tranches\[1\]\.coupon_bps"):
        simple_terms(
            tranches=(TrancheTerms(1, 0, DayCount.ACT_360), TrancheTerms(1, -5, DayCount.ACT_360))
        )


# --- properties ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(deals())
def test_cash_is_conserved_every_period(deal) -> None:
    terms, state, reports = deal
    for res in run(terms, state, reports):
        assert res.conserves_cash
        assert res.cash_in + res.reserve_before == res.cash_out + res.reserve_after


@settings(max_examples=300, deadline=None)
@given(deals())
def test_balances_never_negative_and_move_only_by_principal_losses_and_recoveries(deal) -> None:
    terms, state, reports = deal
    before = state.balances
    for res in run(terms, state, reports):
        for b, t in zip(before, res.tranches, strict=True):
            assert t.balance >= 0 and t.interest_shortfall >= 0
            assert t.balance == b - t.principal_paid - t.writedown + t.writeup
            assert t.interest_paid <= t.interest_due
        before = res.state.balances
        assert res.reserve_after >= 0 and res.residual_to_equity >= 0


@settings(max_examples=300, deadline=None)
@given(deals())
def test_losses_never_reach_a_senior_while_a_junior_has_balance(deal) -> None:
    terms, state, reports = deal
    for res in run(terms, state, reports):
        tranches = res.tranches
        for i, t in enumerate(tranches):
            if t.writedown > 0:  # juniors were at 0 when it was written down (§7)
                assert all(j.balance + j.principal_paid - j.writeup == 0 for j in tranches[i + 1 :])
        writedowns = res.state.writedowns
        for i, wd in enumerate(writedowns):
            if wd > 0:  # an outstanding senior write-down means every junior is still at 0
                assert all(b == 0 for b in res.state.balances[i + 1 :])


@settings(max_examples=300, deadline=None)
@given(deals())
def test_principal_follows_mode_and_trigger(deal) -> None:
    terms, state, reports = deal
    for res in run(terms, state, reports):
        paid = [t.principal_paid for t in res.tranches]
        assert sum(paid) <= res.principal_due
        sequential = terms.principal_mode == PrincipalMode.SEQUENTIAL or res.trigger_in_force
        if sequential:  # a junior is paid only once every senior is repaid
            for i, p in enumerate(paid):
                if p > 0:
                    assert all(t.balance == 0 for t in res.tranches[:i])
        if res.trigger_in_force:
            assert res.residual_to_equity == 0
        else:
            assert res.reserve_trapped == 0
