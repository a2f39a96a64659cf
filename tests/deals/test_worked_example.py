"""docs/deals-worked-example.md: the simulator and the chain reproduce the hand figures.

The figures are typed in from the document's arithmetic; nothing here reads the document.
"""

from __future__ import annotations

from ledger.deals.pool_types import PoolSetup
from ledger.deals.sandbox import Sandbox
from ledger.deals.simulator import Scenario, simulate
from ledger.deals.spec import parse_spec
from ledger.deals.waterfall import PeriodResult

from .chain import open_pool, rolled_back

SPEC = {
    "name": "Worked Example 1",
    "settlement_token": {"symbol": "DEMO", "decimals": 0},
    "period": {"months": 1, "closing_date": "2026-01-01", "first_payment_date": "2026-02-01"},
    "pool_balance": 1_000_000,
    "tranches": [
        {"name": "A", "size": 800_000, "coupon_bps": 600, "day_count": "30/360", "seniority": 1},
        {"name": "B", "size": 150_000, "coupon_bps": 1200, "day_count": "30/360", "seniority": 2},
        {"name": "Equity", "size": 50_000, "coupon_bps": 0, "day_count": "30/360", "seniority": 3},
    ],
    "fees": {"servicer_bps": 120, "trustee_bps": 12, "day_count": "30/360"},
    "principal_mode": "sequential",
    "triggers": {"oc_min_bps": 10300, "ic_min_bps": 15000},
    "reserve": {"target": 10_000, "initial": 10_000},
    "cleanup_call_bps": 1000,
    "collateral": {"rate_bps": 1200, "remaining_term_months": 4, "amortization": "linear"},
}
SCENARIO = Scenario(
    name="worked", basis="period", cdr=[0.02, 0.06, 0.03], cpr=0.05, severity=0.40, recovery_lag=1
)
CAP = 2**32 - 1

# period: (interest, scheduled, prepayments, recoveries, defaults, pool end, (d30, d60, d90))
COLLATERAL = [
    (9_800, 245_000, 36_750, 0, 20_000, 698_250, (5_745, 12_470, 41_895)),
    (6_563, 218_785, 21_878, 12_000, 41_895, 415_692, (0, 5_745, 12_470)),
    (4_032, 201_611, 10_080, 25_137, 12_470, 191_531, (0, 0, 5_745)),
    (1_857, 185_786, 0, 7_482, 5_745, 0, (0, 0, 0)),
    (0, 0, 0, 3_447, 0, 0, (0, 0, 0)),
]
# period: (servicer, trustee, interest paid A/B/E, writedowns, writeups, cured, principal,
# balances, deficiency ledger after)
WATERFALL = [
    (
        1_000,
        100,
        (4_000, 1_500, 0),
        (0, 0, 20_000),
        (0, 0, 3_200),
        (0, 0, 3_200),
        (284_950, 0, 0),
        (515_050, 150_000, 33_200),
        (0, 0, 16_800),
    ),
    (
        698,
        69,
        (2_575, 1_500, 0),
        (0, 8_695, 33_200),
        (0, 8_695, 3_305 + 1_721),
        (0, 0, 1_721),
        (254_384, 0, 0),
        (260_666, 150_000, 5_026),
        (0, 0, 44_974),
    ),
    (
        415,
        41,
        (1_303, 1_500, 0),
        (0, 7_444, 5_026),
        (0, 7_444, 17_693 + 773),
        (0, 0, 773),
        (237_601, 0, 0),
        (23_065, 150_000, 18_466),
        (0, 0, 31_534),
    ),
    (
        191,
        19,
        (115, 1_500, 0),
        (0, 0, 5_745),
        (0, 0, 7_482 + 32),
        (0, 0, 32),
        (23_065, 150_000, 20_235),
        (0, 0, 0),
        (0, 0, 29_765),
    ),
    (
        0,
        0,
        (0, 0, 0),
        (0, 0, 0),
        (0, 0, 3_447 + 10_000),
        (0, 0, 10_000),
        (0, 0, 13_447),
        (0, 0, 0),
        (0, 0, 16_318),
    ),
]
# period: (reserve after, trapped, residual, OC bps, IC bps, breached, sequential)
RESERVE_TRIGGERS = [
    (10_000, 0, 0, 10_421, 15_818, False, True),
    (10_000, 0, 0, 10_200, 14_223, True, True),
    (10_000, 0, 0, 10_674, 12_757, True, True),
    (10_000, 0, 0, 11_745, 10_198, True, True),
    (0, 0, 0, CAP, CAP, False, True),
]
STRESS = Scenario(
    name="stress", basis="period", cdr=[0.08, 0.0], cpr=0.05, severity=0.40, recovery_lag=1
)
# the stressed period: collateral, then as WATERFALL, then as RESERVE_TRIGGERS
STRESS_PERIOD = (
    (9_200, 230_000, 34_500, 0, 80_000, 655_500),
    (
        1_000,
        100,
        (4_000, 1_500, 0),
        (0, 30_000, 50_000),
        (0, 12_600, 0),
        (0, 12_600, 0),
        (277_100, 0, 0),
        (522_900, 132_600, 0),
        (0, 17_400, 50_000),
    ),
    (0, 0, 0, 9_789, 14_727, True, True),
)


def waterfall_figures(res: PeriodResult) -> tuple:
    return (
        res.servicer_fee_paid,
        res.trustee_fee_paid,
        tuple(t.interest_paid for t in res.tranches),
        tuple(t.writedown for t in res.tranches),
        tuple(t.writeup for t in res.tranches),
        tuple(t.cured for t in res.tranches),
        tuple(t.principal_paid for t in res.tranches),
        tuple(t.balance for t in res.tranches),
        res.state.writedowns,
    )


def reserve_figures(res: PeriodResult) -> tuple:
    return (
        res.reserve_after,
        res.reserve_trapped,
        res.residual_to_equity,
        res.oc_ratio_bps,
        res.ic_ratio_bps,
        res.trigger_breached,
        res.sequential,
    )


def test_simulator_reproduces_the_hand_figures() -> None:
    sim = simulate(parse_spec(SPEC), SCENARIO)
    assert len(sim.periods) == 5
    for record, collateral, waterfall, reserve in zip(
        sim.periods, COLLATERAL, WATERFALL, RESERVE_TRIGGERS, strict=True
    ):
        rep, res = record.report, record.result
        assert (
            rep.interest,
            rep.scheduled_principal,
            rep.prepayments,
            rep.recoveries,
            rep.new_defaults,
            rep.pool_balance,
            (rep.delinquent_30, rep.delinquent_60, rep.delinquent_90),
        ) == collateral, f"collateral, period {record.period}"
        assert waterfall_figures(res) == waterfall, f"waterfall, period {record.period}"
        assert reserve_figures(res) == reserve, f"reserve and triggers, period {record.period}"
        assert res.conserves_cash


def test_totals_and_wind_down() -> None:
    sim = simulate(parse_spec(SPEC), SCENARIO)
    assert sim.wind_down_release == 0
    assert (sim.pool_defaults, sim.pool_recoveries, sim.pool_loss) == (80_110, 48_066, 32_044)
    a, b, equity = sim.tranches
    assert (a.interest, a.principal, a.residual, a.loss) == (7_993, 800_000, 0, 0)
    assert (b.interest, b.principal, b.residual, b.loss) == (6_000, 150_000, 0, 0)
    assert (equity.principal, equity.residual, equity.loss) == (33_682, 0, 16_318)
    assert equity.writedowns == 16_318
    cured = sum(t.cured for r in sim.periods for t in r.result.tranches)
    assert cured == 15_726 and cured + equity.loss == sim.pool_loss


def test_the_stressed_period_by_hand() -> None:
    record = simulate(parse_spec(SPEC), STRESS).periods[0]
    rep, res = record.report, record.result
    collateral, waterfall, reserve = STRESS_PERIOD
    assert (
        rep.interest,
        rep.scheduled_principal,
        rep.prepayments,
        rep.recoveries,
        rep.new_defaults,
        rep.pool_balance,
    ) == collateral
    assert waterfall_figures(res) == waterfall
    assert reserve_figures(res) == reserve
    assert res.conserves_cash


def test_the_chain_reproduces_the_hand_figures(sandbox: Sandbox) -> None:
    """Both runs of the document on a pool on a real node: the same figures to the unit."""
    spec = parse_spec(SPEC)
    for scenario, periods in ((SCENARIO, 5), (STRESS, 1)):
        sim = simulate(spec, scenario)
        with rolled_back(sandbox):
            pool = open_pool(sandbox, PoolSetup.from_spec(spec))
            sandbox.mint(sandbox.servicer.address, sum(r.report.cash_in for r in sim.periods))
            for record in sim.periods[:periods]:
                chain = pool.report_period(record.report).result
                assert chain == record.result
        expected = WATERFALL if scenario is SCENARIO else [STRESS_PERIOD[1]]
        assert [waterfall_figures(r.result) for r in sim.periods[:periods]] == expected
