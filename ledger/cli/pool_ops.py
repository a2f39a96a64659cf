"""Pool operations: the lifecycle (open, close, cancel, wind-down, mature), period reports
and the clean-up call, and an investor's subscribe, refund and claim.

Amounts a person types are whole token units (``1250.5`` USDC); ``--json`` prints the
token's smallest unit, as the API does."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ledger.cli.common import console, fail, print_json, read_input
from ledger.cli.pool import JsonOpt, PoolArg, deals, field_table

InvestorOpt = Annotated[str, typer.Option(help="investor name (its custodial key signs)")]
TrancheArg = Annotated[str, typer.Argument(help="tranche name or index (0 = most senior)")]
AmountArg = Annotated[
    str, typer.Argument(help="whole token units, up to the token's decimals (1250.5)")
]


def _written(action: str, pool: str, written: Any, as_json: bool, **extra: Any) -> None:
    body = {"action": action, "pool": pool, **extra, **asdict(written)}
    if as_json:
        print_json(body)
    else:
        console.print(field_table(body, action))


# --- lifecycle --------------------------------------------------------------------------------


def _transition(action: str):
    def command(pool: PoolArg, as_json: JsonOpt = False) -> None:
        with deals() as svc:
            written = svc.transition(pool, action)
        _written(action, pool, written, as_json)

    role = "servicer" if action == "mature" else "structurer"
    command.__doc__ = f"{action.capitalize()} the pool ({role})."
    return command


def close_cmd(
    pool: PoolArg,
    retain: Annotated[
        list[str] | None,
        typer.Option(help="tranche whose unsubscribed part the originator keeps (repeatable)"),
    ] = None,
    resize: Annotated[
        list[str] | None,
        typer.Option(help="tranche whose face becomes what was subscribed (repeatable)"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Close the pool (structurer). A tranche not fully subscribed is refused unless you
    say --retain TRANCHE (minted to the originator, which must be on the registry: risk
    retention) or --resize TRANCHE (its face shrinks to what was subscribed). The equity
    tranche can never be left without a holder."""
    chosen = {t: "retain" for t in retain or []}
    for tranche in resize or []:
        if tranche in chosen:
            fail(f"--resize {tranche}: already --retain")
        chosen[tranche] = "resize"
    with deals() as svc:
        written = svc.close(pool, chosen)
    _written("close", pool, written, as_json, unsubscribed=chosen)


# --- periods ----------------------------------------------------------------------------------


def _period(pool: str, report_path: Path, call: bool, as_json: bool) -> None:
    from ledger.cli.pool_triggers import trigger_table
    from ledger.deals.period_file import read_period_file
    from ledger.deals.reports import trigger_tests
    from ledger.deals.units import money

    text = read_input(report_path)
    with deals() as svc:
        decimals = svc.token_decimals(pool)
        period = read_period_file(text, decimals)
        with console.status("running the waterfall on chain"):
            outcome = svc.report_period(pool, period, call=call)
        names = svc.tranche_names(pool, len(outcome.result.tranches))
        terms = svc.pool(pool).terms()
    result = outcome.result
    tests = trigger_tests(terms.oc_trigger_bps, terms.ic_trigger_bps, result)
    if as_json:
        body = {
            "period": result.state.period,
            "tx_hash": outcome.receipt["transactionHash"].to_0x_hex(),
            "block_number": outcome.receipt["blockNumber"],
            **{k: v for k, v in asdict(result).items() if k not in ("tranches", "state")},
            "tranches": [
                {"name": n, **asdict(t)} for n, t in zip(names, result.tranches, strict=True)
            ],
            "triggers": tests,
        }
        print_json(body)
        return
    columns = ("tranche", "interest", "shortfall", "principal", "written down", "balance")
    table = Table(*columns)
    table.title = (
        f"period {result.state.period}: cash in {money(result.cash_in, decimals)}, "
        f"reserve {money(result.reserve_after, decimals)}, residual "
        f"{money(result.residual_to_equity, decimals)}, trigger "
        f"{'breached' if result.trigger_breached else 'pass'} (whole token units)"
    )
    for name, t in zip(names, result.tranches, strict=True):
        table.add_row(
            name,
            money(t.interest_paid, decimals),
            money(t.interest_shortfall, decimals),
            money(t.principal_paid, decimals),
            money(t.writedown, decimals),
            money(t.balance, decimals),
        )
    console.print(table)
    console.print(trigger_table([(result.state.period, tests)]))


ReportArg = Annotated[
    Path,
    typer.Argument(
        metavar="REPORT",
        help="period report, YAML or JSON, amounts in whole token units "
        "(credence deal period writes one)",
    ),
]


def report_period_cmd(pool: PoolArg, report: ReportArg, as_json: JsonOpt = False) -> None:
    """Report a period and pay its collections in; the waterfall runs on chain (servicer).
    Refused before anything is sent: a period ending after the chain's time, principal or
    defaults beyond the pool, a pool balance other than the old less both (docs/loan-tape.md)."""
    _period(pool, report, call=False, as_json=as_json)


def call_cmd(pool: PoolArg, report: ReportArg, as_json: JsonOpt = False) -> None:
    """Clean-up call: a final period with the price in prepayments and pool balance 0."""
    _period(pool, report, call=True, as_json=as_json)


# --- investors' operations ---------------------------------------------------------------------


def subscribe_cmd(
    pool: PoolArg,
    tranche: TrancheArg,
    amount: AmountArg,
    investor: InvestorOpt,
    as_json: JsonOpt = False,
) -> None:
    """Subscribe whole token units to a tranche as an investor (its custodial key signs)."""
    from ledger.deals.units import to_units

    with deals() as svc:
        units = to_units("amount", amount, svc.token_decimals(pool))
        if units == 0:
            fail("amount: must be more than 0")
        written = svc.subscribe(pool, investor, tranche, units)
    extra = {"investor": investor, "tranche": tranche, "amount": amount}
    _written("subscribe", pool, written, as_json, **extra, **({"units": units} if as_json else {}))


def refund_cmd(
    pool: PoolArg, tranche: TrancheArg, investor: InvestorOpt, as_json: JsonOpt = False
) -> None:
    """After a cancel, burn an investor's tranche tokens and pay its subscription back."""
    with deals() as svc:
        written = svc.refund(pool, investor, tranche)
    _written("refund", pool, written, as_json, investor=investor, tranche=tranche)


def claim_cmd(
    pool: PoolArg, tranche: TrancheArg, investor: InvestorOpt, as_json: JsonOpt = False
) -> None:
    """Claim an investor's distributions from one tranche."""
    from ledger.deals.units import money

    with deals() as svc:
        paid = svc.claim(pool, investor, tranche)
        decimals = svc.token_decimals(pool)
    if as_json:
        print_json({"pool": pool, "investor": investor, "tranche": tranche, "claimed": paid})
    else:
        console.print(f"{investor} claimed {money(paid, decimals)} from {tranche}")


def register(pool_app: typer.Typer) -> None:
    for action in ("open", "cancel", "wind-down", "mature"):
        pool_app.command(action)(_transition(action))
    pool_app.command("close")(close_cmd)
    pool_app.command("report-period")(report_period_cmd)
    pool_app.command("call")(call_cmd)
    pool_app.command("subscribe")(subscribe_cmd)
    pool_app.command("refund")(refund_cmd)
    pool_app.command("claim")(claim_cmd)
