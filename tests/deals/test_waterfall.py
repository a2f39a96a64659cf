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
    TriggerStep,
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
    # §6 the 5,000 loss debits equity; §9.6 the 2,500 of revenue left cures half of it
    assert [t.writedown for t in res.tranches] == [0, 0, 5_000]
    assert [t.cured for t in res.tranches] == [0, 0, 2_500]
    assert res.state.writedowns == (0, 0, 2_500)
    # a deficiency is left, so principal is sequential despite the pro-rata deal: the
    # 30,000 of receipts and the 2,500 cured all go to A; nothing is left for equity
    assert res.sequential and not res.trigger_breached
    assert [t.principal_paid for t in res.tranches] == [32_500, 0, 0]
    assert [t.balance for t in res.tranches] == [767_500, 150_000, 47_500]
    assert res.residual_to_equity == 0
    # §8 OC = (965,000 + 30,000 + 0) / 950,000 = 10473.6 -> 10473 bps >= 10300
    assert (res.oc_ratio_bps, res.oc_pass) == (10_473, True)
    assert res.conserves_cash
    # next period, no defaults: fee 965, A 3,837, B 1,500; 9,000 - 6,302 = 2,698 of
    # revenue cures equity's 2,500 and 198 is the residual; with no deficiency left the
    # 22,500 of principal is pro rata over 767,500 / 150,000 / 50,000 = 967,500:
    # 17,848.8 / 3,488.4 / 1,162.8 -> 17,848 / 3,488 / 1,162 and 2 units to A
    nxt = apply_period(
        terms,
        res.state,
        report(60 * DAY, interest=9_000, scheduled_principal=20_000, pool_balance=945_000),
    )
    assert [t.cured for t in nxt.tranches] == [0, 0, 2_500]
    assert not nxt.sequential
    assert [t.principal_paid for t in nxt.tranches] == [17_850, 3_488, 1_162]
    assert nxt.residual_to_equity == 198 and nxt.conserves_cash


def test_losses_are_cured_before_junior_interest() -> None:
    terms = simple_terms(oc_trigger_bps=0, principal_mode=PrincipalMode.SEQUENTIAL)
    state = DealState.at_close(terms, 0)
    # 240,000 of defaults: equity 50,000 and B 150,000 to 0, A 800,000 -> 760,000.
    # Revenue 9,000 - fee 1,000 - A's interest 4,000 = 4,000 cures A (9.3) before B's
    # interest, which is left unpaid; nothing reaches equity.
    res = apply_period(
        terms,
        state,
        report(30 * DAY, interest=9_000, new_defaults=240_000, pool_balance=760_000),
    )
    assert [t.writedown for t in res.tranches] == [40_000, 150_000, 50_000]
    assert [t.cured for t in res.tranches] == [4_000, 0, 0]
    assert [t.interest_paid for t in res.tranches] == [4_000, 0, 0]
    assert [t.interest_shortfall for t in res.tranches] == [0, 1_500, 0]
    assert [t.principal_paid for t in res.tranches] == [4_000, 0, 0]
    assert res.state.writedowns == (36_000, 150_000, 50_000)
    assert res.residual_to_equity == 0 and res.conserves_cash


def test_a_breached_test_governs_its_own_period_and_traps() -> None:
    # cumulative defaults at most 5% of the pool in period 1, 10% from period 2 on
    steps = (TriggerStep(1, 500), TriggerStep(2, 1_000))
    terms = simple_terms(oc_trigger_bps=0, cd_trigger=steps)
    state = DealState.at_close(terms, 0)
    # 60,000 of defaults = 6% > 5%: breached in this very period. Equity 50,000 and B
    # 10,000 are written down; revenue 100,000 - 1,000 - 4,000 - 1,500 = 93,500 cures B
    # (10,000) and equity (50,000); the other 33,500 is trapped, none goes to equity.
    first = apply_period(
        terms,
        state,
        report(
            30 * DAY,
            interest=100_000,
            scheduled_principal=20_000,
            new_defaults=60_000,
            pool_balance=920_000,
        ),
    )
    assert (first.cd_ratio_bps, first.cd_threshold_bps, first.cd_pass) == (600, 500, False)
    assert first.trigger_breached and first.sequential
    assert [t.cured for t in first.tranches] == [0, 10_000, 50_000]
    assert [t.principal_paid for t in first.tranches] == [80_000, 0, 0]
    assert (first.reserve_trapped, first.reserve_after, first.residual_to_equity) == (
        33_500,
        33_500,
        0,
    )
    assert first.conserves_cash
    # period 2 allows 10%: the test passes, the trapped reserve joins revenue and, after
    # fee 920, A's 3,600 and B's 1,500, the 27,480 left goes to equity; principal pro rata
    second = apply_period(terms, first.state, report(60 * DAY, interest=0, pool_balance=920_000))
    assert (second.cd_ratio_bps, second.cd_threshold_bps, second.cd_pass) == (600, 1_000, True)
    assert not second.trigger_breached and not second.sequential
    assert (second.reserve_after, second.residual_to_equity) == (0, 27_480)


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
        assert sum(paid) <= res.principal_due + sum(t.cured for t in res.tranches)
        forced = res.trigger_breached or any(res.state.writedowns)
        assert res.sequential == (terms.principal_mode == PrincipalMode.SEQUENTIAL or forced)
        if res.sequential:  # a junior is paid only once every senior is repaid
            for i, p in enumerate(paid):
                if p > 0:
                    assert all(t.balance == 0 for t in res.tranches[:i])
        if res.trigger_breached:
            assert res.residual_to_equity == 0
        else:
            assert res.reserve_trapped == 0


@settings(max_examples=300, deadline=None)
@given(deals())
def test_no_equity_payment_while_a_note_carries_a_deficiency(deal) -> None:
    terms, state, reports = deal
    for res in run(terms, state, reports):
        equity = res.tranches[-1]
        to_equity = equity.interest_paid + equity.principal_paid + res.residual_to_equity
        if any(res.state.writedowns[:-1]):
            assert to_equity == 0
        if res.residual_to_equity or res.reserve_trapped:  # revenue outlasted every cure
            assert not any(res.state.writedowns)


@settings(max_examples=300, deadline=None)
@given(deals())
def test_cures_come_from_revenue_only(deal) -> None:
    terms, state, reports = deal
    for report_, res in zip(reports, run(terms, state, reports), strict=True):
        revenue = report_.interest + res.reserve_before
        spent = res.fees_paid + sum(t.interest_paid for t in res.tranches)
        cured = sum(t.cured for t in res.tranches)
        assert cured + spent <= revenue
        # every unit of principal receipts goes to principal while a balance can take it
        balances = sum(t.balance + t.principal_paid for t in res.tranches)
        assert sum(t.principal_paid for t in res.tranches) == min(
            res.principal_due + cured, balances
        )
