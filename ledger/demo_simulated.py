"""The demo's steps that need no chain: a stressed period of the worked example on the
simulator, and the example deal rated by the published method, then a rating trigger."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from ledger import PROJECT_ROOT


def stressed_deal(console: Console) -> None:
    """The worked example's stressed period (docs/deals-worked-example.md), simulated."""
    from ledger.deals.simulator import parse_scenario, simulate
    from ledger.deals.spec import load_spec

    spec = load_spec(PROJECT_ROOT / "examples/deals/worked-example.yaml")
    (scenario,) = parse_scenario(
        "name=stress,basis=period,cdr=8%|0%,cpr=5%,severity=40%,recovery_lag=1"
    )
    first = simulate(spec, scenario).periods[0].result
    table = Table("class", "written down", "cured", "principal", "deficiency after")
    for name, t, left in zip(
        spec.tranche_names, first.tranches, first.state.writedowns, strict=True
    ):
        table.add_row(
            name, f"{t.writedown:,}", f"{t.cured:,}", f"{t.principal_paid:,}", f"{left:,}"
        )
    table.title = (
        f"period 1: OC {first.oc_ratio_bps / 100:.2f}%, IC {first.ic_ratio_bps / 100:.2f}%, "
        f"{'breached' if first.trigger_breached else 'pass'} this period; "
        f"residual to equity {first.residual_to_equity:,}"
    )
    console.print(table)


def rate_example_deal(console: Console) -> Any:
    """The example deal's tranches rated by the published, seeded method."""
    from ledger.deals.simulator import EXAMPLE_SPEC
    from ledger.ratings.methodology import Methodology
    from ledger.ratings.outcome import rate_files

    method = Methodology(paths=300, sensitivities_bps=[])
    tape = PROJECT_ROOT / "examples" / "ratings" / "loan-tape.csv"
    outcome = rate_files(EXAMPLE_SPEC, tape, method)
    grades = ", ".join(
        f"{t.name} {t.grade} (P(loss) {t.loss_probability_bps} bps, EL {t.expected_loss_bps} bps)"
        for t in outcome.run.tranches
    )
    console.print(
        f"{outcome.run.paths} paths at seed {method.seed}, methodology {method.hash[:18]}…: "
        f"{grades}; anyone with the tape and the methodology file gets the same figures"
    )
    return outcome.spec


def rating_trigger_path(spec: Any, console: Console) -> None:
    """A pro rata copy of the deal with a rating trigger on B, downgraded in
    period 2 and upgraded back in period 3 (the simulator; on chain in the tests)."""
    from ledger.deals.simulator import Scenario, simulate
    from ledger.deals.spec import RatingTriggerSpec
    from ledger.deals.units import money

    rated = spec.model_copy(
        update={
            "principal_mode": "pro_rata",
            "rating_trigger": RatingTriggerSpec(tranche="B", below="BBB"),
        }
    )
    sim = simulate(rated, Scenario(cdr=0.02, cpr=0.10, ratings=["A", "BB", "A"]))
    d = spec.settlement_token.decimals
    for record, grade in zip(sim.periods[:3], ["A", "BB", "A"], strict=True):
        r = record.result
        console.print(
            f"period {record.period}: B rated {grade}, rating test "
            f"{'pass' if r.rating_pass else 'FAIL'}, principal "
            f"{'sequential' if r.sequential else 'pro rata'}, "
            f"trapped {money(r.reserve_trapped, d)} USDC"
        )
