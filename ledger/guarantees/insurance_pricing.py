"""Pricing a credit-insurance policy from the loans' attested PDs (docs/waterfall.md §14.5).

The same inputs as a guarantee's (loans and their attested PDs, LGD, stress multiple,
CPR, margin) with the policy's deductible, limit, coinsurance share and last period in
place of the tranche. The simulator runs the pool at the expected and at the stressed
default rate; the policy's figures then follow the rule of §14.2 (3a, 3b) in closed form:

- ``D``: the pool's defaults reported in periods ``1 .. last_period``;
- ``claims = min(max(D - deductible, 0) * coinsurance_bps // 10000, limit)``;
- the insurer's loss is ``claims * lgd_bps // 10000`` (recoveries come back in the share
  its claims bear to the losses, so it keeps the LGD of what it paid);
- the premium is the expected loss over the pool's balance-years in force (the sum of the
  start-of-period pool balances times the period's months, over 12), in bps a year,
  rounded down, plus the margin: the convention of the policy's premium line (§4a);
- the capital required is the stressed claims: the claims are paid from the capital
  before any recovery comes back.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.deals.scenario import Scenario
from ledger.deals.simulator import Simulation, simulate
from ledger.deals.spec import DealSpec

BPS = 10_000


@dataclass(frozen=True)
class Layer:
    """The policy's terms and the loss parameters the layer is priced with."""

    deductible: int
    limit: int
    coinsurance_bps: int
    lgd_bps: int
    margin_bps: int


@dataclass(frozen=True)
class PoolRun:
    """What the simulator gives the insurance pricing: defaults and exposure in force."""

    defaults: int  # defaults reported in periods 1 .. last_period
    balance_months: int  # sum of start-of-period pool balances times the period's months
    periods: int


def claims(layer: Layer, defaults: int) -> int:
    """§3a on cumulative losses: the coinsured part past the deductible, up to the limit."""
    insured = max(defaults - layer.deductible, 0) * layer.coinsurance_bps // BPS
    return min(insured, layer.limit)


def premium_bps(layer: Layer, expected_loss: int, balance_months: int) -> int:
    """The expected loss a year on the pool balance in force, in bps (down), plus margin."""
    base = expected_loss * BPS * 12 // balance_months if balance_months else 0
    return base + layer.margin_bps


def pool_run(spec: DealSpec, pd_bps: int, cpr_bps: int, lgd_bps: int, last: int) -> PoolRun:
    """The deal simulated at ``pd_bps`` (no cover), read over periods ``1 .. last``."""
    scenario = Scenario(
        name=f"pd{pd_bps}", cdr=pd_bps / BPS, cpr=cpr_bps / BPS, severity=lgd_bps / BPS
    )
    sim: Simulation = simulate(spec, scenario)
    start = spec.to_terms().initial_pool_balance
    defaults = exposure = 0
    for record in sim.periods[:last]:
        defaults += record.report.new_defaults
        exposure += start * spec.period.months
        start = record.report.pool_balance
    return PoolRun(defaults, exposure, len(sim.periods))
