"""The guarantee facility and the insurance policy in the rule (docs/waterfall.md §14):
properties over random deals, covers and periods, and small cases worked by hand."""

from __future__ import annotations

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from deals.cover_strategies import covers
from deals.strategies import DAY, deals
from deals.test_waterfall import report, simple_terms
from ledger.deals.cover import (
    Cover,
    Guarantee,
    GuaranteeState,
    GuaranteeTerms,
    Insurance,
    InsuranceState,
    InsuranceTerms,
    insured,
    next_cover,
)
from ledger.deals.waterfall import (
    DayCount,
    DealState,
    DealTerms,
    PrincipalMode,
    TrancheTerms,
    WaterfallInputError,
    apply_period,
)


@given(deal=deals(max_periods=6), data=st.data())
@settings(max_examples=300, deadline=None)
def test_cover_invariants_hold_every_period(deal, data: st.DataObject) -> None:
    terms, state, reports = deal
    cover = data.draw(covers(terms))
    first = cover
    for period in reports:
        res = apply_period(terms, state, period, cover)
        assert res.conserves_cash  # cash in + draws + claims == out + premiums + subrogation
        c = res.cover
        if c is None:  # nothing bound: the plain rule
            assert cover == Cover()
            state = res.state
            continue
        if (g := c.guarantee) is not None:
            gs, g0 = g.state, first.guarantee.state
            limit = first.guarantee.terms.limit
            assert g.draw <= g.demand and g.draw == g.draw_interest + g.draw_cure
            assert gs.drawn <= limit and gs.drawn <= g0.collateral  # never above either
            assert gs.collateral + gs.drawn == g0.collateral  # the facility's account
            assert gs.reimbursed <= gs.drawn  # subrogation never above what was paid
            assert g.premium_paid <= g.premium_due
            event("guarantee drawn" if g.draw else "no draw")
            event("unpaid guarantee claim" if g.unpaid_claim else "claims met")
        if (i := c.insurance) is not None:
            it, s = first.insurance.terms, i.state
            assert (
                s.claims_paid <= it.limit
                and s.capital + s.claims_paid == first.insurance.state.capital
            )
            # never below the deductible: everything paid is a share of losses past it
            assert s.claims_paid + s.unpaid_claims <= insured(it, s.losses)
            assert s.recovered <= s.claims_paid
            event("insurance claim paid" if i.claim_paid else "no claim")
        cover = next_cover(cover, c)
        state = res.state


@given(deal=deals(max_periods=4))
@settings(max_examples=100, deadline=None)
def test_no_cover_is_the_plain_rule(deal) -> None:
    terms, state, reports = deal
    for period in reports:
        plain = apply_period(terms, state, period)
        empty = apply_period(terms, state, period, Cover())
        assert plain.cover is None and empty.cover is None
        assert plain == empty
        state = plain.state


def three_tranches() -> DealTerms:
    """A 70/20/10 sequential deal with no fees or triggers (the worked example's)."""
    return simple_terms(
        tranches=(
            TrancheTerms(700_000, 600, DayCount.THIRTY_360),
            TrancheTerms(200_000, 1_200, DayCount.THIRTY_360),
            TrancheTerms(100_000, 0, DayCount.THIRTY_360),
        ),
        servicer_fee_bps=0,
        principal_mode=PrincipalMode.SEQUENTIAL,
        oc_trigger_bps=0,
        cleanup_call_bps=0,
    )


def test_a_stressed_period_by_hand() -> None:
    """Defaults 250,000 wipe equity (100,000) and 150,000 of B. Insurance: deductible
    50,000, 80% coinsurance -> claim (250,000 - 50,000) * 0.8 = 160,000 into revenue.
    Revenue 5,000 + 160,000: premiums 9.2a (200,000 * 1% / 12 = 166) and 9.2b
    (1,000,000 * 0.6% / 12 = 500); A interest 3,500; B interest 2,000 and its cure
    158,834 of 150,000 -> all 150,000; equity's cure 8,834. No draw is needed."""
    terms = three_tranches()
    cover = Cover(
        Guarantee(GuaranteeTerms(1, 100_000, 100, 12), GuaranteeState(collateral=60_000)),
        Insurance(InsuranceTerms(50_000, 300_000, 8_000, 60, 12), InsuranceState(capital=400_000)),
    )
    state = DealState.at_close(terms, 0)
    res = apply_period(
        terms,
        state,
        report(30 * DAY, interest=5_000, new_defaults=250_000, pool_balance=750_000),
        cover,
    )
    g, i = res.cover.guarantee, res.cover.insurance
    assert (i.claim, i.claim_paid, i.premium_paid) == (160_000, 160_000, 500)
    assert g.premium_paid == 166 and g.draw == 0
    assert [t.interest_paid for t in res.tranches] == [3_500, 2_000, 0]
    assert [t.cured for t in res.tranches] == [0, 150_000, 8_834]
    assert res.conserves_cash

    # Without the policy B is left short: the guarantee draws its interest and deficiency.
    bare = Cover(cover.guarantee, None)
    res = apply_period(
        terms,
        state,
        report(30 * DAY, interest=5_000, new_defaults=250_000, pool_balance=750_000),
        bare,
    )
    g = res.cover.guarantee
    # revenue 5,000: premium 166, A 3,500, B interest 1,334 of 2,000 -> short 666; need
    # 150,666, capped by the limit at 100,000; the collateral meets 60,000 of it.
    assert (g.draw_interest, g.demand) == (666, 100_000)
    assert g.draw == 60_000 and g.draw_cure == 60_000 - 666
    assert g.unpaid_claim == 40_000 and g.state.unpaid_claims == 40_000
    assert res.tranches[1].interest_paid == 2_000
    assert res.state.writedowns[1] == 150_000 - (60_000 - 666)
    assert res.conserves_cash
    # A later recovery that restores no deficiency first repays the guarantor (§7a).
    nxt = apply_period(
        terms,
        res.state,
        report(60 * DAY, recoveries=10_000, pool_balance=0),
        next_cover(bare, res.cover),
    )
    assert nxt.cover.guarantee.from_recoveries == 0  # B still has a deficiency: it comes first


def test_bad_cover_is_refused_with_the_field_named() -> None:
    terms = three_tranches()
    cover = Cover(Guarantee(GuaranteeTerms(2, 1, 0, 1), GuaranteeState(collateral=0)))
    with pytest.raises(WaterfallInputError, match=r"guarantee\.tranche"):
        apply_period(terms, DealState.at_close(terms, 0), report(DAY, pool_balance=0), cover)
    policy = Insurance(InsuranceTerms(0, 1, 10_001, 0, 1), InsuranceState(capital=0))
    with pytest.raises(WaterfallInputError, match=r"insurance\.coinsurance_bps"):
        apply_period(
            terms, DealState.at_close(terms, 0), report(DAY, pool_balance=0), Cover(None, policy)
        )


def test_subrogation_ranks_after_the_notes_and_before_equity() -> None:
    """No interest comes in; equity (100,000) is written off and B's 50,000 loss and its
    2,000 interest are drawn (A's 3,500 is not covered). A recovery of 80,000 then repays
    the guarantor 52,000 (7a) before equity is written up 28,000."""
    terms = three_tranches()
    cover = Cover(Guarantee(GuaranteeTerms(1, 10**9, 0, 12), GuaranteeState(collateral=10**9)))
    state = DealState.at_close(terms, 0)
    first = apply_period(
        terms, state, report(30 * DAY, new_defaults=150_000, pool_balance=850_000), cover
    )
    g = first.cover.guarantee
    assert (g.draw_interest, g.draw_cure) == (2_000, 50_000)
    second = apply_period(
        terms,
        first.state,
        report(60 * DAY, recoveries=80_000, pool_balance=850_000),
        next_cover(cover, first.cover),
    )
    g2 = second.cover.guarantee
    assert g2.from_recoveries == 52_000 and second.tranches[2].writeup == 28_000
    assert second.conserves_cash
