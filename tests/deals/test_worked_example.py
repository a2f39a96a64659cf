"""docs/deals-worked-example.md: the simulator reproduces the hand-computed figures exactly.

The figures are typed in from the document's arithmetic; nothing here reads the document.
"""

from __future__ import annotations

from ledger.deals.simulator import Scenario, simulate
from ledger.deals.spec import parse_spec

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
# period: (servicer, trustee, interest paid A/B/E, writedowns, writeups, principal, balances)
WATERFALL = [
    (
        1_000,
        100,
        (4_000, 1_500, 0),
        (0, 0, 20_000),
        (0, 0, 0),
        (281_750, 0, 0),
        (518_250, 150_000, 30_000),
    ),
    (
        698,
        69,
        (2_591, 1_500, 0),
        (0, 11_895, 30_000),
        (0, 11_895, 105),
        (252_663, 0, 0),
        (265_587, 150_000, 105),
    ),
    (
        415,
        41,
        (1_327, 1_500, 0),
        (0, 12_365, 105),
        (0, 12_365, 12_772),
        (236_828, 0, 0),
        (28_759, 150_000, 12_772),
    ),
    (191, 19, (143, 1_500, 0), (0, 0, 5_745), (0, 0, 7_482), (28_759, 150_000, 14_509), (0, 0, 0)),
    (0, 0, (0, 0, 0), (0, 0, 0), (0, 0, 3_447), (0, 0, 3_447), (0, 0, 0)),
]
# period: (reserve after, trapped, residual, OC bps, IC bps, in force, breached)
RESERVE_TRIGGERS = [
    (10_000, 0, 3_200, 10_598, 15_818, False, False),
    (10_000, 0, 1_705, 10_243, 14_167, False, True),
    (10_749, 749, 0, 11_315, 12_649, True, True),
    (10_753, 753, 0, CAP, 10_024, True, True),
    (10_753, 10_753, 0, CAP, CAP, True, False),
]


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
        assert (
            res.servicer_fee_paid,
            res.trustee_fee_paid,
            tuple(t.interest_paid for t in res.tranches),
            tuple(t.writedown for t in res.tranches),
            tuple(t.writeup for t in res.tranches),
            tuple(t.principal_paid for t in res.tranches),
            tuple(t.balance for t in res.tranches),
        ) == waterfall, f"waterfall, period {record.period}"
        assert (
            res.reserve_after,
            res.reserve_trapped,
            res.residual_to_equity,
            res.oc_ratio_bps,
            res.ic_ratio_bps,
            res.trigger_in_force,
            res.trigger_breached,
        ) == reserve, f"reserve and triggers, period {record.period}"
        assert res.conserves_cash


def test_totals_and_wind_down() -> None:
    sim = simulate(parse_spec(SPEC), SCENARIO)
    assert sim.wind_down_release == 10_753
    assert (sim.pool_defaults, sim.pool_recoveries, sim.pool_loss) == (80_110, 48_066, 32_044)
    a, b, equity = sim.tranches
    assert (a.interest, a.principal, a.residual, a.loss) == (8_061, 800_000, 0, 0)
    assert (b.interest, b.principal, b.residual, b.loss) == (6_000, 150_000, 0, 0)
    assert (equity.principal, equity.residual, equity.loss) == (17_956, 15_658, 32_044)
    assert equity.writedowns == 32_044
