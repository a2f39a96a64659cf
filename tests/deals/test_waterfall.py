"""The waterfall rule: hand-checked cases and Hypothesis properties of its invariants."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings

from ledger.deals.waterfall import (
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
    base = dict.fromkeys(
        (
            "interest",
            "scheduled_principal",
            "prepayments",
            "recoveries",
            "new_defaults",
            "delinquent_30",
            "delinquent_60",
            "delinquent_90",
        ),
        0,
    )
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
    # 30,000 pro rata over 800k/150k/50k = 24,000 / 4,500 / 1,500
    assert [t.principal_paid for t in res.tranches] == [24_000, 4_500, 1_500]
    # loss 5,000 on equity; residual 9,000 - 1,000 - 4,000 - 1,500 = 2,500
    assert [t.balance for t in res.tranches] == [776_000, 145_500, 43_500]
    assert res.residual_to_equity == 2_500
    # OC = 965,000 / 921,500 = 10472.06 -> 10472 bps >= 10300
    assert (res.oc_ratio_bps, res.trigger_breached) == (10_472, False)
    assert res.conserves_cash


def test_trigger_switches_to_sequential_traps_and_cures() -> None:
    terms = simple_terms()
    state = DealState.at_close(terms, 0)
    # a large loss: OC = 880,000 / 921,500 < 103% -> breached from the next period
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
    assert (first.trigger_in_force, first.trigger_breached) == (False, True)
    assert first.residual_to_equity > 0
    second = apply_period(
        terms,
        first.state,
        report(60 * DAY, interest=9_000, scheduled_principal=30_000, pool_balance=850_000),
    )
    assert second.trigger_in_force
    # sequential: all principal to the senior, excess spread trapped, nothing to equity
    assert [t.principal_paid for t in second.tranches] == [30_000, 0, 0]
    assert second.residual_to_equity == 0
    assert second.reserve_trapped > 0 and second.reserve_after == second.reserve_trapped
    # OC = (850,000 + 3,200 trapped) / (746,000 + 104,000) = 10037 bps: still breached
    assert (second.oc_ratio_bps, second.trigger_breached) == (10_037, True)
    # 30,000 + 10,000 + 3,200 - fee 850 - interest 3,730 - 1,040 - principal 10,000 = 27,580
    # trapped; OC = (840,000 + 27,580) / (736,000 + 104,000) = 10328 bps -> cured
    third = apply_period(
        terms,
        second.state,
        report(90 * DAY, interest=30_000, scheduled_principal=10_000, pool_balance=840_000),
    )
    assert (third.reserve_after, third.oc_ratio_bps, third.trigger_breached) == (
        27_580,
        10_328,
        False,
    )
    fourth = apply_period(
        terms,
        third.state,
        report(120 * DAY, interest=9_000, scheduled_principal=10_000, pool_balance=830_000),
    )
    assert not fourth.trigger_in_force
    # pro rata again, and the trapped reserve is released (target 0) to the residual
    assert [t.principal_paid for t in fourth.tranches] == [8_762, 1_238, 0]
    assert (fourth.reserve_after, fourth.residual_to_equity) == (0, 31_020)


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
            if t.writedown > 0:  # juniors were at 0 when it was written down (before §9)
                assert all(j.balance - j.writeup == 0 for j in tranches[i + 1 :])
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
                    assert all(t.balance == 0 or t.writeup > 0 for t in res.tranches[:i])
        if res.trigger_in_force:
            assert res.residual_to_equity == 0
        else:
            assert res.reserve_trapped == 0
