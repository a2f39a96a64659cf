"""Differential tests: the Solidity pool and the Python waterfall agree to the last unit.

Random deals and random period reports run through ``apply_period`` and through a pool on
a real Anvil node give identical balances, distributions, write-downs, reserve and trigger
states; so do whole simulated deals (collateral model, clean-up call, wind-down). Each
example runs on an EVM snapshot of one deployed sandbox and is rolled back afterwards.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from deals.chain import open_pool, rolled_back
from deals.rating_chain import RatingDesk
from deals.strategies import deal_terms, period_reports, small_amounts
from ledger.deals.pool import PoolClient
from ledger.deals.pool_types import PoolSetup
from ledger.deals.sandbox import Sandbox
from ledger.deals.simulator import Scenario, simulate
from ledger.deals.spec import parse_spec
from ledger.deals.waterfall import DealState, DealTerms, PeriodResult, apply_period
from ledger.ratings.scale import Scale

GRADES = Scale().grades

# Period ends must not be in the future on chain: closings before 2018 with at most six
# reports of at most 190 days stay in the past.
closings = st.integers(min_value=1_300_000_000, max_value=1_500_000_000)
EXAMPLES = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_same_period(pool: PoolClient, chain: PeriodResult, python: PeriodResult) -> None:
    assert chain == python
    assert pool.deal_state() == python.state
    stable = pool.settlement_token()
    assert stable.functions.balanceOf(pool.address).call() == python.reserve_after
    assert python.conserves_cash
    # no cash to a tranche nobody holds; no cash to equity while a note has a deficiency
    last = len(python.tranches) - 1
    for i, t in enumerate(python.tranches):
        paid = t.interest_paid + t.principal_paid + (python.residual_to_equity if i == last else 0)
        if pool.token(i).functions.totalSupply().call() == 0:
            assert paid == 0
        if i == last and any(python.state.writedowns[:last]):
            assert paid == 0


@given(
    terms=deal_terms(),
    closing=closings,
    reserve=small_amounts,
    data=st.data(),
)
@EXAMPLES
def test_random_deals_and_reports_agree_with_the_reference(
    sandbox: Sandbox,
    desk: RatingDesk,
    terms: DealTerms,
    closing: int,
    reserve: int,
    data: st.DataObject,
) -> None:
    proceeds = sum(t.size for t in terms.tranches)
    assume(proceeds > 0 and reserve <= proceeds)
    periods = data.draw(st.integers(1, 4))
    reports = data.draw(period_reports(closing, periods, terms.initial_pool_balance))
    # A rating trigger on a note, and the grade the feed holds at each report (None: none
    # valid, a revoked rating); or no trigger at all.
    rated = data.draw(st.booleans())
    tranche = data.draw(st.integers(0, len(terms.tranches) - 2))
    floor = data.draw(st.sampled_from(GRADES[:-1]))
    path = data.draw(st.lists(st.sampled_from([*GRADES, None]), min_size=periods, max_size=periods))
    setup = PoolSetup(
        "Random", tuple(f"T{i}" for i in range(len(terms.tranches))), terms, closing, reserve
    )
    if rated:
        setup = replace(setup, rating=desk.trigger(tranche, floor))
    with rolled_back(sandbox):
        desk.current.clear()
        pool = open_pool(sandbox, setup)
        sandbox.mint(sandbox.servicer.address, sum(r.cash_in for r in reports))
        state = DealState.at_close(terms, closing, reserve)
        assert pool.deal_state() == state
        for report, grade in zip(reports, path, strict=True):
            rating_pass = True
            if rated:
                desk.hold(pool.address, tranche, grade)
                rating_pass = setup.rating.passes(None if grade is None else GRADES.index(grade))
            python = apply_period(terms, state, report, rating_pass=rating_pass)
            assert_same_period(pool, pool.report_period(report).result, python)
            state = python.state
            event("cured from revenue" if any(t.cured for t in python.tranches) else "no cure")
            event("breached this period" if python.trigger_breached else "tests pass")
            event("rating test failed" if not python.rating_pass else "rating holds")


deal_specs = st.fixed_dictionaries(
    {
        "sizes": st.lists(st.integers(1, 1_000_000), min_size=2, max_size=4),
        "coupons": st.lists(st.integers(0, 1_500), min_size=5, max_size=5),
        "day_counts": st.lists(
            st.sampled_from(["30/360", "ACT/360", "ACT/365"]), min_size=6, max_size=6
        ),
        "months": st.sampled_from([1, 3]),
        "mode": st.sampled_from(["sequential", "pro_rata"]),
        "oc": st.sampled_from([0, 10_200, 11_000]),
        "ic": st.sampled_from([0, 12_500, 20_000]),
        "reserve": st.integers(0, 50_000),
        "cleanup": st.sampled_from([0, 1_000, 2_000]),
        "rate": st.integers(300, 2_400),
        "term": st.integers(3, 12),
    }
)
scenarios = st.builds(
    Scenario,
    cdr=st.floats(0, 0.3),
    cpr=st.floats(0, 0.4),
    severity=st.floats(0, 1),
    recovery_lag=st.integers(0, 3),
    exercise_cleanup=st.booleans(),
)


def spec_from(d: dict) -> dict:
    sizes = d["sizes"]
    tranches = [
        {
            "name": f"T{i}",
            "size": size,
            "coupon_bps": d["coupons"][i] if i < len(sizes) - 1 else 0,
            "day_count": d["day_counts"][i],
            "seniority": i + 1,
        }
        for i, size in enumerate(sizes)
    ]
    return {
        "name": "Simulated",
        "settlement_token": {"symbol": "USDC", "decimals": 6},
        "period": {
            "months": d["months"],
            "closing_date": "2012-01-01",
            "first_payment_date": f"2012-{1 + d['months']:02d}-01",
        },
        "pool_balance": sum(sizes),
        "tranches": tranches,
        "fees": {"servicer_bps": 50, "trustee_bps": 5, "day_count": d["day_counts"][-1]},
        "principal_mode": d["mode"],
        "triggers": {"oc_min_bps": d["oc"], "ic_min_bps": d["ic"]},
        "reserve": {
            "target": min(d["reserve"], sum(sizes)),
            "initial": min(d["reserve"], sum(sizes)),
        },
        "cleanup_call_bps": d["cleanup"],
        "collateral": {"rate_bps": d["rate"], "remaining_term_months": d["term"]},
    }


@given(
    deal=deal_specs,
    scenario=scenarios,
    path=st.none() | st.lists(st.sampled_from([*GRADES, None]), min_size=1, max_size=6),
)
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_simulated_deals_run_identically_on_chain(
    sandbox: Sandbox,
    desk: RatingDesk,
    deal: dict,
    scenario: Scenario,
    path: list[str | None] | None,
) -> None:
    """With a rating path, the deal has a trigger on its first note (below BBB) and the
    feed holds the path's grade at each report (the last one repeating)."""
    body = spec_from(deal)
    if path is not None:
        first = body["tranches"][0]["name"]
        body["rating_trigger"] = {
            "tranche": first,
            "below": "BBB",
            "agency": desk.agency,
            "feed": desk.feed.address,
        }
        scenario = scenario.model_copy(update={"ratings": path})
    spec = parse_spec(body)
    sim = simulate(spec, scenario)
    with rolled_back(sandbox):
        desk.current.clear()
        pool = open_pool(sandbox, PoolSetup.from_spec(spec))
        sandbox.mint(sandbox.servicer.address, sum(r.report.cash_in for r in sim.periods))
        for record in sim.periods:
            if path is not None:
                desk.hold(pool.address, 0, path[min(record.period, len(path)) - 1])
            called = record.period == sim.cleanup_period
            send = pool.exercise_call if called else pool.report_period
            assert_same_period(pool, send(record.report).result, record.result)
        assert pool.deal_state().reserve == sim.wind_down_release
