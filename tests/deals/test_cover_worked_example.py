"""docs/guarantees-worked-example.md: the hand figures, reproduced by the simulator and
by a pool on chain with a guarantee facility and an insurance policy bound."""

from __future__ import annotations

from dataclasses import replace

from deals.chain import open_pool, rolled_back
from deals.strategies import DAY
from deals.test_cover import report, three_tranches
from ledger.deals.cover import (
    Cover,
    Guarantee,
    GuaranteeState,
    GuaranteeTerms,
    Insurance,
    InsuranceState,
    InsuranceTerms,
    next_cover,
)
from ledger.deals.pool_types import PoolSetup
from ledger.deals.sandbox import Sandbox
from ledger.deals.simulator import run_deal
from ledger.deals.spec import parse_spec
from ledger.deals.waterfall import DealState, PeriodResult, apply_period
from ledger.guarantees.facility import FacilityClient, bind, cover_result, read_cover

CLOSING = 1_388_534_400  # 2014-01-01 00:00 UTC
COVER = Cover(
    Guarantee(GuaranteeTerms(1, 100_000, 100, 12), GuaranteeState(collateral=60_000)),
    Insurance(InsuranceTerms(50_000, 100_000, 8_000, 60, 12), InsuranceState(capital=400_000)),
)
REPORTS = (
    report(CLOSING + 30 * DAY, interest=5_000, new_defaults=250_000, pool_balance=750_000),
    report(CLOSING + 60 * DAY, interest=4_000, recoveries=120_000, pool_balance=750_000),
)


def run_reference() -> list[PeriodResult]:
    terms, cover = three_tranches(), COVER
    state = DealState.at_close(terms, CLOSING)
    results = []
    for r in REPORTS:
        res = apply_period(terms, state, r, cover)
        results.append(res)
        state, cover = res.state, next_cover(cover, res.cover)
    return results


def test_the_hand_figures() -> None:
    first, second = run_reference()
    g, i = first.cover.guarantee, first.cover.insurance
    assert (i.claim, i.claim_paid, g.premium_paid, i.premium_paid) == (100_000, 100_000, 166, 500)
    assert [t.cured for t in first.tranches] == [0, 98_834 + 51_166, 0]
    assert (g.draw, g.draw_cure, g.state.collateral) == (51_166, 51_166, 8_834)
    assert [t.principal_paid for t in first.tranches] == [150_000, 0, 0]
    assert first.state.balances == (550_000, 200_000, 0)
    assert first.state.writedowns == (0, 0, 100_000)
    g, i = second.cover.guarantee, second.cover.insurance
    assert (i.recovered, g.from_recoveries, second.tranches[2].writeup) == (48_000, 51_166, 20_834)
    assert (g.draw_interest, g.state.collateral, g.from_revenue) == (1_291, 7_543, 0)
    assert [t.interest_paid for t in second.tranches] == [2_750, 2_000, 0]
    assert g.state.drawn - g.state.reimbursed == 1_291 and g.state.unpaid_claims == 0
    assert (i.state.claims_paid, i.state.recovered) == (100_000, 48_000)
    assert [t.principal_paid for t in second.tranches] == [20_834, 0, 0]
    assert second.state.writedowns == (0, 0, 79_166)
    assert first.conserves_cash and second.conserves_cash
    assert [r.cash_in + r.cover.cash_in for r in (first, second)] == [156_166, 125_291]


SPEC = {
    "name": "Worked cover",
    "settlement_token": {"symbol": "USD", "decimals": 0},
    "period": {"months": 1, "closing_date": "2014-01-01", "first_payment_date": "2014-01-31"},
    "pool_balance": 1_000_000,
    "tranches": [
        {"name": "A", "size": 700_000, "coupon_bps": 600, "day_count": "30/360", "seniority": 1},
        {"name": "B", "size": 200_000, "coupon_bps": 1_200, "day_count": "30/360", "seniority": 2},
        {"name": "E", "size": 100_000, "coupon_bps": 0, "day_count": "30/360", "seniority": 3},
    ],
    "fees": {"servicer_bps": 0, "trustee_bps": 0, "day_count": "30/360"},
    "principal_mode": "sequential",
    "triggers": {"oc_min_bps": 0, "ic_min_bps": 0},
    "reserve": {"target": 0, "initial": 0},
    "cleanup_call_bps": 0,
}


def test_the_simulator_reproduces_it() -> None:
    spec = parse_spec(SPEC)
    assert spec.to_terms() == three_tranches() and spec.closing_time == CLOSING
    sim = run_deal(spec, REPORTS, cover=COVER)
    assert [p.result for p in sim.periods] == run_reference()


def test_the_chain_reproduces_it(sandbox: Sandbox) -> None:
    reference = run_reference()
    terms = three_tranches()
    with rolled_back(sandbox):
        pool = open_pool(sandbox, PoolSetup("Worked", ("A", "B", "E"), terms, CLOSING))
        for k, part in enumerate((COVER.guarantee, COVER.insurance)):
            provider = sandbox.investors[k]
            f = FacilityClient.deploy(provider, pool, sandbox.registry.address, part.terms, 0)
            posted = 60_000 if k == 0 else 400_000
            sandbox.mint(provider.address, posted)
            f.post(posted)
            bind(pool.as_sender(sandbox.structurer), f)
        assert read_cover(pool) == COVER
        sandbox.mint(sandbox.servicer.address, sum(r.cash_in for r in REPORTS))
        providers = [sandbox.investors[0].address, sandbox.investors[1].address]
        before = [sandbox.balance(p) for p in providers]
        for r, expected in zip(REPORTS, reference, strict=True):
            outcome = pool.report_period(r)
            assert replace(outcome.result, cover=cover_result(pool, outcome.receipt)) == expected
        # the providers' accounts: premiums, subrogation and recoveries, paid by the pool
        g = [res.cover.guarantee for res in reference]
        i = [res.cover.insurance for res in reference]
        g_paid = sum(x.premium_paid + x.from_recoveries + x.from_revenue for x in g)
        i_paid = sum(x.premium_paid + x.recovered for x in i)
        after = [sandbox.balance(p) for p in providers]
        if providers[0] == providers[1]:
            assert after[0] - before[0] == g_paid + i_paid
        else:
            assert (after[0] - before[0], after[1] - before[1]) == (g_paid, i_paid)
        assert (g_paid, i_paid) == (166 + 51_166 + 166, 500 + 48_000 + 375)
