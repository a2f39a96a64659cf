"""Deal commands: simulate a deal under scenarios, print investor reports, summarise a tape."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from ledger.cli.common import console, fail, parse_day

if TYPE_CHECKING:
    from ledger.deals.simulator import Simulation
    from ledger.deals.spec import DealSpec

deal_app = typer.Typer(
    help="Securitization deals: simulate, report, loan tapes.", no_args_is_help=True
)

SCENARIO_HELP = (
    "key=value list (cdr, cpr, severity as fractions or with %; recovery_lag in periods; "
    "basis annual|period; vectors with |), or a YAML/JSON file; repeat to compare"
)


@contextmanager
def _clean_errors() -> Iterator[None]:
    """Bad input in any deals module becomes one line on stderr and exit code 2."""
    from ledger.deals.simulator import ScenarioError
    from ledger.deals.spec import DealSpecError
    from ledger.deals.tape import TapeError
    from ledger.deals.waterfall import WaterfallInputError

    try:
        yield
    except (DealSpecError, ScenarioError, TapeError, WaterfallInputError) as exc:
        fail(str(exc))


def _simulations(spec_path: Path, scenarios: list[str]) -> tuple[DealSpec, list[Simulation]]:
    from ledger.deals.simulator import Scenario, distinct_labels, parse_scenario, simulate
    from ledger.deals.spec import load_spec

    spec = load_spec(spec_path)
    parsed = [s for text in scenarios for s in parse_scenario(text)] or [Scenario()]
    return spec, [simulate(spec, s) for s in distinct_labels(parsed)]


def simulation_json(sim: Simulation) -> dict[str, Any]:
    """One scenario's outcome; amounts in the token's smallest unit."""
    return {
        "scenario": sim.scenario.model_dump(),
        "periods": len(sim.periods),
        "cleanup_period": sim.cleanup_period,
        "pool_defaults": sim.pool_defaults,
        "pool_recoveries": sim.pool_recoveries,
        "pool_loss": sim.pool_loss,
        "wind_down_release": sim.wind_down_release,
        "trigger_breached_periods": sum(r.result.trigger_breached for r in sim.periods),
        "tranches": [
            {
                "name": t.name,
                "size": t.size,
                "interest": t.interest,
                "principal": t.principal,
                "residual": t.residual,
                "cash": t.cash,
                "writedowns": t.writedowns,
                "loss": t.loss,
                "wal_years": t.wal_years,
                "yield": t.yield_,
            }
            for t in sim.tranches
        ],
    }


def simulate_cmd(
    spec_path: Annotated[Path, typer.Argument(metavar="SPEC", help="deal spec, YAML or JSON")],
    scenario: Annotated[list[str] | None, typer.Option(help=SCENARIO_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    charts: Annotated[Path | None, typer.Option(help="write PNG charts to this directory")] = None,
) -> None:
    """Run the waterfall over the deal's life under each scenario."""
    with _clean_errors():
        spec, sims = _simulations(spec_path, scenario or [])
    if charts is not None:
        _write_charts(sims, charts)
    if as_json:
        token = spec.settlement_token
        body = {
            "deal": spec.name,
            "token": {"symbol": token.symbol, "decimals": token.decimals},
            "scenarios": [simulation_json(s) for s in sims],
        }
        print(json.dumps(body))
        return
    for sim in sims:
        console.print(_table(sim))


def _table(sim: Simulation) -> Table:
    unit = 10**sim.spec.settlement_token.decimals
    s = sim.scenario
    title = (
        f"{sim.spec.name}: {s.name} (CDR {_pct(s.cdr)}, CPR {_pct(s.cpr)}, "
        f"severity {_pct(s.severity)}, lag {s.recovery_lag}, {s.basis}); "
        f"{len(sim.periods)} periods, pool loss {sim.pool_loss / unit:,.0f} {sim.spec.settlement_token.symbol}"
        + (f", clean-up call in period {sim.cleanup_period}" if sim.cleanup_period else "")
    )
    table = Table("class", "size", "interest", "principal", "residual", "loss", "WAL y", "yield")
    table.title = title
    for t in sim.tranches:
        table.add_row(
            t.name,
            f"{t.size / unit:,.0f}",
            f"{t.interest / unit:,.0f}",
            f"{t.principal / unit:,.0f}",
            f"{t.residual / unit:,.0f}",
            f"{100 * t.loss / t.size:.1f}%" if t.size else "-",
            f"{t.wal_years:.2f}" if t.wal_years is not None else "-",
            f"{100 * t.yield_:.1f}%" if t.yield_ is not None else "-",
        )
    return table


def _pct(rate: float | list[float]) -> str:
    if isinstance(rate, list):
        return "vector"
    return f"{100 * rate:g}%"


def _write_charts(sims: list[Simulation], directory: Path) -> None:
    from ledger.deals import charts

    for sim in sims:
        stem = sim.scenario.name.replace(" ", "-")
        charts.tranche_balances(sim, directory / f"{stem}-balances.png")
        charts.cash_flows(sim, directory / f"{stem}-cash-flows.png")
    charts.losses_by_scenario(sims, directory / "losses-by-scenario.png")


def report_cmd(
    spec_path: Annotated[Path, typer.Argument(metavar="SPEC", help="deal spec, YAML or JSON")],
    scenario: Annotated[str, typer.Option(help=SCENARIO_HELP)] = "",
    period: Annotated[int | None, typer.Option(min=1, help="only this period")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
    as_json: Annotated[bool, typer.Option("--json", help="JSON (the default)")] = False,
) -> None:
    """Investor reports of a simulated deal, every period or one, as JSON or CSV."""
    from ledger.deals.reports import simulation_reports, to_csv

    if fmt not in ("json", "csv"):
        fail(f"--format: must be json or csv, got {fmt!r}")
    if as_json and fmt == "csv":
        fail("--json and --format csv: choose one")
    with _clean_errors():
        _, sims = _simulations(spec_path, [scenario])
    reports = simulation_reports(sims[0])
    if period is not None:
        if period > len(reports):
            fail(f"--period: the deal has {len(reports)} periods under this scenario")
        reports = [reports[period - 1]]
    if fmt == "csv":
        print(to_csv(reports), end="")
    else:
        print(json.dumps(reports if period is None else reports[0]))


def tape_cmd(
    csv_path: Annotated[Path, typer.Argument(metavar="TAPE", help="loan-tape CSV")],
    as_of: Annotated[str, typer.Option(help="cut-off date, YYYY-MM-DD")],
    key_file: Annotated[
        Path | None,
        typer.Option(help="HMAC key for loan pseudonyms (default: the data directory's)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Merkle root and aggregates of a loan tape (what the pool stores)."""
    from ledger.deals.tape import read_tape

    cut_off = parse_day(as_of, "--as-of")
    key = _pseudonym_key(key_file)
    with _clean_errors():
        tape = read_tape(csv_path, key, cut_off)
    agg = tape.aggregates
    body = {"root": "0x" + tape.root.hex(), "as_of": cut_off.isoformat(), **agg.__dict__}
    if as_json:
        print(json.dumps(body))
        return
    table = Table("field", "value", title=f"loan tape {csv_path.name}")
    for k, v in body.items():
        table.add_row(k, f"{v:,}" if isinstance(v, int) else str(v))
    console.print(table)


def period_cmd(
    servicer_file: Annotated[
        Path, typer.Argument(metavar="FILE", help="servicer's loan-level CSV (docs/loan-tape.md)")
    ],
    period_end: Annotated[str, typer.Option(help="the period's payment date, YYYY-MM-DD")],
    out: Annotated[
        Path | None, typer.Option(help="write the period report here (YAML, whole units)")
    ] = None,
    decimals: Annotated[
        int, typer.Option(min=0, max=18, help="the settlement token's decimals (USDC: 6)")
    ] = 6,
    key_file: Annotated[
        Path | None,
        typer.Option(help="HMAC key for loan pseudonyms (default: the data directory's)"),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="print the API's request body (smallest units)")
    ] = False,
) -> None:
    """Build a period report from a servicer's loan-level file: collections, new defaults,
    delinquency buckets (30-59, 60-89, 90+ days) and the new tape's root and aggregates.
    The file's amounts are the token's smallest unit; the report written is in whole units,
    ready for `credence pool report-period`."""
    from ledger.deals.period_file import period_json, period_yaml
    from ledger.deals.servicing import build_period, read_servicer_file
    from ledger.deals.units import day, money

    end = parse_day(period_end, "--period-end")
    key = _pseudonym_key(key_file)
    with _clean_errors():
        build = build_period(read_servicer_file(servicer_file, key), end)
    text = period_yaml(build, decimals)
    if out is not None:
        try:
            out.write_text(text)
        except OSError as exc:
            fail(f"--out: cannot write {out.name} ({exc.strerror})")
    if as_json:
        print(json.dumps(period_json(build)))
        return
    r = build.report
    table = Table("figure", "value", title=f"period ending {day(r.period_end)} (whole units)")
    for column in table.columns:
        column.no_wrap = True
    rows = {
        "loans serviced": f"{build.loans:,} ({build.defaulted_loans:,} defaulted, "
        f"{build.repaid_loans:,} repaid)",
        "opening balance": money(build.opening_balance, decimals),
        "interest": money(r.interest, decimals),
        "scheduled principal": money(r.scheduled_principal, decimals),
        "prepayments": money(r.prepayments, decimals),
        "recoveries": money(r.recoveries, decimals),
        "new defaults": money(r.new_defaults, decimals),
        "delinquent 30-59 / 60-89 / 90+": " / ".join(
            money(v, decimals) for v in (r.delinquent_30, r.delinquent_60, r.delinquent_90)
        ),
        "pool balance": money(r.pool_balance, decimals),
        "new tape": f"{build.stats.count:,} loans, root 0x{r.tape_root.hex()}",
    }
    for name, value in rows.items():
        table.add_row(name, value)
    console.print(table)
    if out is not None:
        console.print(f"written: {out}")


def _pseudonym_key(key_file: Path | None) -> bytes:
    if key_file is None:
        from ledger.runtime import pseudonym_secret
        from ledger.settings import get_settings

        return pseudonym_secret(get_settings().data_dir)
    try:
        key = key_file.read_bytes()
    except OSError as exc:
        fail(f"--key-file: cannot read {key_file} ({exc.strerror})")
    if len(key) < 16:
        fail("--key-file: the key must be at least 16 bytes")
    return key


def register(app: typer.Typer) -> None:
    deal_app = typer.Typer(
        help="Securitization deals: simulate, report, loan tapes.", no_args_is_help=True
    )
    deal_app.command("simulate")(simulate_cmd)
    deal_app.command("report")(report_cmd)
    deal_app.command("tape")(tape_cmd)
    deal_app.command("period")(period_cmd)
    app.add_typer(deal_app, name="deal")
