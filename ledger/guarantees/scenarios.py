"""The simulator's scenario table for a guarantor and an insurer (issue step 4): over a
set of scenarios, what each earned in premiums, paid in draws or claims, got back in
subrogation or recoveries, and the resulting loss of its position, per scenario; the
list of losses is the loss distribution of the position over those scenarios."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ledger.deals.cover import Cover
from ledger.deals.scenario import Scenario
from ledger.deals.simulator import Simulation, simulate
from ledger.deals.spec import DealSpec


@dataclass(frozen=True)
class PositionRow:
    """One provider under one scenario; amounts in the settlement token's smallest unit."""

    scenario: str
    provider: str  # "guarantor" or "insurer"
    premiums: int
    paid: int  # draws (guarantor) or claims paid (insurer)
    recovered: int  # subrogation (guarantor) or recoveries (insurer)
    unpaid_claims: int  # demands its collateral could not meet

    @property
    def net(self) -> int:
        """Premiums plus what came back, less what it paid: its profit (negative: loss)."""
        return self.premiums + self.recovered - self.paid

    @property
    def loss(self) -> int:
        """What it paid and did not get back (premiums excluded)."""
        return self.paid - self.recovered


def positions(sim: Simulation) -> list[PositionRow]:
    """The guarantor's and the insurer's totals over one simulated deal."""
    label = sim.scenario.name
    g_rows = [p.result.cover.guarantee for p in sim.periods if p.result.cover]
    i_rows = [p.result.cover.insurance for p in sim.periods if p.result.cover]
    rows = []
    guarantee = [g for g in g_rows if g is not None]
    if guarantee:
        rows.append(
            PositionRow(
                label,
                "guarantor",
                premiums=sum(g.premium_paid for g in guarantee),
                paid=sum(g.draw for g in guarantee),
                recovered=sum(g.from_recoveries + g.from_revenue for g in guarantee),
                unpaid_claims=guarantee[-1].state.unpaid_claims,
            )
        )
    insurance = [i for i in i_rows if i is not None]
    if insurance:
        rows.append(
            PositionRow(
                label,
                "insurer",
                premiums=sum(i.premium_paid for i in insurance),
                paid=sum(i.claim_paid for i in insurance),
                recovered=sum(i.recovered for i in insurance),
                unpaid_claims=insurance[-1].state.unpaid_claims,
            )
        )
    return rows


def scenario_table(
    spec: DealSpec, cover: Cover, scenarios: Sequence[Scenario]
) -> list[PositionRow]:
    """Every scenario run with ``cover`` bound at close: one row per provider and scenario."""
    return [row for scenario in scenarios for row in positions(simulate(spec, scenario, cover))]
