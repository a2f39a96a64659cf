"""The simulator's scenario table for a guarantor and an insurer."""

from __future__ import annotations

from ledger.deals.cover import (
    Cover,
    Guarantee,
    GuaranteeState,
    GuaranteeTerms,
    Insurance,
    InsuranceState,
    InsuranceTerms,
)
from ledger.deals.scenario import parse_scenario
from ledger.deals.simulator import EXAMPLE_SPEC, simulate
from ledger.deals.spec import load_spec
from ledger.guarantees.scenarios import scenario_table

USDC = 10**6


def test_losses_grow_with_defaults_and_rows_add_up_to_the_periods() -> None:
    spec = load_spec(EXAMPLE_SPEC)
    cover = Cover(
        Guarantee(GuaranteeTerms(1, 60_000 * USDC, 100, 60), GuaranteeState(40_000 * USDC)),
        Insurance(
            InsuranceTerms(30_000 * USDC, 50_000 * USDC, 7_000, 40, 60),
            InsuranceState(50_000 * USDC),
        ),
    )
    scenarios = [
        parse_scenario(f"name=cdr{cdr},cdr={cdr},cpr=0.05,severity=0.6")[0]
        for cdr in (0.0, 0.1, 0.3)
    ]
    rows = scenario_table(spec, cover, scenarios)
    assert [r.provider for r in rows] == ["guarantor", "insurer"] * 3
    insurer = [r for r in rows if r.provider == "insurer"]
    guarantor = [r for r in rows if r.provider == "guarantor"]
    assert insurer[0].paid == 0 and guarantor[0].paid == 0  # no defaults, no claim or draw
    assert insurer[0].premiums > 0 and guarantor[0].premiums > 0
    # more defaults, more paid; the loss (paid, not recovered) is the distribution's point
    assert insurer[0].paid <= insurer[1].paid <= insurer[2].paid
    assert all(0 <= r.recovered <= r.paid and r.loss == r.paid - r.recovered for r in rows)
    assert insurer[2].paid > 0 and insurer[2].paid <= 50_000 * USDC
    assert guarantor[2].paid <= 40_000 * USDC  # never more than its collateral
    # every row is the sum of its periods
    sim = simulate(spec, scenarios[2], cover)
    claims = sum(p.result.cover.insurance.claim_paid for p in sim.periods)
    assert claims == insurer[2].paid
    assert all(p.result.conserves_cash for p in sim.periods)
