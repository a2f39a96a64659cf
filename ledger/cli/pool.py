"""Pool commands: create a pool from a deal spec and a loan tape, and read pools, periods
and investor reports. The operations (lifecycle, subscriptions, periods, claims) are in
``ledger.cli.pool_ops``.

Amounts a person types are whole token units (``1250.5`` USDC), as in the deal spec;
tables show whole units; ``--json`` prints the token's smallest unit, as the API does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from ledger.cli.common import JsonOpt, console, fail, parse_day, print_json, runtime

if TYPE_CHECKING:
    from ledger.deals.service import DealService

PoolArg = Annotated[str, typer.Argument(metavar="ID", help="pool address")]
# DealPool fields that are money (smallest units) and times (unix seconds).
MONEY = {
    "initial_pool_balance",
    "reserve_target",
    "initial_reserve",
    "tape_balance",
    "proceeds",
    "pool_balance",
    "reserve",
}
TIMES = {"closing_time", "last_period_end"}


@contextmanager
def deals() -> Iterator[DealService]:
    """The deal service on the configured chain; bad input and refusals exit with code 2."""
    from ledger.deals.period_file import PeriodFileError
    from ledger.deals.service import DealError, DealService
    from ledger.deals.spec import DealSpecError
    from ledger.deals.tape import TapeError
    from ledger.deals.units import UnitsError
    from ledger.tx import ContractRevert

    with runtime() as rt:
        try:
            yield DealService(rt)
        except (DealError, PeriodFileError, UnitsError) as exc:
            fail(f"{exc.field}: {exc.reason}")
        except (DealSpecError, TapeError) as exc:
            fail(str(exc).replace("\n", "; "))
        except ContractRevert as exc:
            fail(f"the contract refused: {exc.error}")


def field_table(body: dict[str, Any], title: str, decimals: int | None = None) -> Table:
    """A field/value table: money in whole units (given ``decimals``), times as dates."""
    from ledger.deals.units import day, money

    table = Table("field", "value", title=title, show_edge=False, pad_edge=False)
    for column in table.columns:  # addresses and roots are never cut
        column.no_wrap = True
    for key, value in body.items():
        if key in TIMES and isinstance(value, int):
            shown = day(value) if value else "-"
        elif key in MONEY and decimals is not None and isinstance(value, int):
            shown = money(value, decimals)
        elif isinstance(value, int) and not isinstance(value, bool):
            shown = f"{value:,}"
        else:
            shown = str(value)
        table.add_row(key, shown)
    return table


# --- create and read -----------------------------------------------------------------------------


def create_cmd(
    spec_path: Annotated[Path, typer.Argument(metavar="SPEC", help="deal spec, YAML or JSON")],
    tape_path: Annotated[Path, typer.Argument(metavar="TAPE", help="loan-tape CSV")],
    as_of: Annotated[
        str | None, typer.Option(help="tape cut-off, YYYY-MM-DD (default: closing)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a pool and its tranche tokens from a deal spec and a loan tape (structurer).
    Refused before anything is sent: sizes that do not add up to the pool, an empty
    tranche, a reserve that close could not fund."""
    from ledger.deals.spec import load_spec
    from ledger.deals.tape import read_tape

    cut_off = None if as_of is None else parse_day(as_of, "--as-of")
    with deals() as svc:
        spec = load_spec(spec_path)
        tape = read_tape(
            tape_path, svc.runtime.pseudonym_secret(), cut_off or spec.period.closing_date
        )
        with console.status(f"creating {spec.name} ({len(tape.loans):,} loans)"):
            created = svc.create_pool(spec, tape)
    tokens = dict(zip(created.tranche_names, created.tokens, strict=True))
    body = {
        "address": created.address,
        "deal_id": created.deal_id,
        "tranches": tokens,
        "tape_root": "0x" + tape.root.hex(),
        "loans": len(tape.loans),
        "block_number": created.block_number,
    }
    if as_json:
        print_json(body)
        return
    shown = {k: v for k, v in body.items() if k != "tranches"}
    shown.update({f"token {name}": token for name, token in tokens.items()})
    console.print(field_table(shown, f"pool {spec.name}"))


def list_cmd(as_json: JsonOpt = False) -> None:
    """Every pool in the index."""
    from ledger.deals.units import money

    with deals() as svc:
        svc.sync()
        rows = [(svc.stored_spec(p.address), p) for p in svc.pools()]
    if as_json:
        print_json([{"name": s.name if s else None, **p.model_dump()} for s, p in rows])
        return
    table = Table("address", "name", "state", "periods", "pool balance", title="pools")
    table.columns[0].no_wrap = True
    for spec, pool in rows:
        decimals = spec.settlement_token.decimals if spec else 0
        balance = money(pool.pool_balance, decimals) if spec else f"{pool.pool_balance:,} units"
        table.add_row(
            pool.address, spec.name if spec else "-", pool.state, str(pool.periods), balance
        )
    console.print(table)


def show_cmd(pool: PoolArg, as_json: JsonOpt = False) -> None:
    """A pool's state, parties, terms, tape and tranches (from the index)."""
    from ledger.deals.units import money

    with deals() as svc:
        svc.sync()
        row = svc.pool_row(pool)
        tranches = svc.tranches(pool)
        decimals = svc.token_decimals(row.address)
    if as_json:
        body = {
            "pool": row.model_dump(),
            "tranches": [{"name": n, **t.model_dump()} for n, t in tranches],
        }
        print_json(body)
        return
    summary = {
        k: v for k, v in row.model_dump().items() if k not in ("terms", "deal_id", "tx_hash")
    }
    summary.update({f"token {name}": t.token for name, t in tranches})
    steps = json.loads(row.cd_trigger)
    summary["cd_trigger"] = ", ".join(f"from {p}: {b} bps" for p, b in steps.items()) or "none"
    names = [name for name, _ in tranches]
    retained = json.loads(row.retained).items()
    summary["retained"] = (
        ", ".join(f"{names[int(i)]} {money(a, decimals)}" for i, a in retained) or "none"
    )
    console.print(field_table(summary, f"pool {row.address}", decimals))
    table = Table("tranche", "face", "balance", "factor bps", "shortfall", "written down")
    table.title = "tranches (whole token units)"
    for name, t in tranches:
        table.add_row(
            name,
            money(t.face, decimals),
            money(t.balance, decimals),
            f"{t.factor_bps:,}",
            money(t.interest_shortfall, decimals),
            money(t.writedowns, decimals),
        )
    console.print(table)


def periods_cmd(pool: PoolArg, as_json: JsonOpt = False) -> None:
    """Every reported period of a pool."""
    from ledger.cli.pool_triggers import trigger_table
    from ledger.deals.reports import trigger_tests
    from ledger.deals.units import day, money

    with deals() as svc:
        svc.sync()
        periods = svc.periods(pool)
        decimals = svc.token_decimals(pool)
        row = svc.pool_row(pool)
    tests = [
        (p.period, trigger_tests(row.oc_trigger_bps, row.ic_trigger_bps, p)) for p, _ in periods
    ]
    if as_json:
        body = [
            {
                **p.model_dump(exclude={"event_args"}),
                "tranches": [t.model_dump() for t in tranches],
                "triggers": t,
            }
            for (p, tranches), (_, t) in zip(periods, tests, strict=True)
        ]
        print_json(body)
        return
    table = Table("period", "end", "cash in", "defaults", "recoveries", "residual", "trigger")
    table.title = "periods (whole token units)"
    for p, _ in periods:
        table.add_row(
            str(p.period),
            day(p.period_end),
            money(p.cash_in, decimals),
            money(p.new_defaults, decimals),
            money(p.recoveries, decimals),
            money(p.residual_to_equity, decimals),
            "breached" if p.trigger_breached else "pass",
        )
    console.print(table)
    console.print(trigger_table(tests))


def triggers_cmd(pool: PoolArg, as_json: JsonOpt = False) -> None:
    """The pool's trigger thresholds and its rating trigger with the grade its feed holds
    now, as the next period report will read it (from the chain)."""
    from ledger.cli.pool_triggers import percent
    from ledger.ratings.feed import triggers_report

    with deals() as svc:
        client = svc.pool(pool)
        names = svc.tranche_names(client.address, len(client.terms().tranches))
        body = triggers_report(client, names)
    if as_json:
        print_json(body)
        return
    table = Table("test", "threshold", "now")
    table.title = f"triggers of {client.address}"
    for key, label, bound in (("oc_min_bps", "OC", ">="), ("ic_min_bps", "IC", ">=")):
        table.add_row(label, f"{bound} {percent(body[key])}" if body[key] else "no test", "")
    steps = body["cumulative_default"]
    cd = ", ".join(f"from {s['from_period']}: <= {percent(s['max_bps'])}" for s in steps)
    table.add_row("cum. default", cd or "no test", "")
    rating = body["rating"]
    if rating is not None:
        grade = rating["grade"] or "no valid rating"
        table.add_row(
            f"rating of {rating['name']}",
            f">= {rating['floor']} (agency {rating['agency']})",
            f"{grade}: {'pass' if rating['passes'] else 'FAIL, sequential and trapped'}",
        )
    console.print(table)


def investor_report_cmd(
    pool: PoolArg,
    period: Annotated[int, typer.Argument(min=1, help="period number (from 1)")],
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV instead of JSON")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON (the default)")] = False,
) -> None:
    """The investor report of one period, as JSON (the default) or CSV."""
    from ledger.deals.reports import to_csv

    if as_csv and as_json:
        fail("--csv and --json: choose one")
    with deals() as svc:
        svc.sync()
        report = svc.investor_report(pool, period)
    if as_csv:
        print(to_csv([report]), end="")
    else:
        print_json(report)


def register(app: typer.Typer) -> None:
    from ledger.cli import pool_ops

    pool_app = typer.Typer(
        help="Securitization pools on chain: create, lifecycle, subscribe, periods, claims. "
        "Amounts you type are whole token units (1250.5 USDC); --json prints smallest units.",
        no_args_is_help=True,
    )
    pool_app.command("create")(create_cmd)
    pool_app.command("list")(list_cmd)
    pool_app.command("show")(show_cmd)
    pool_app.command("periods")(periods_cmd)
    pool_app.command("triggers")(triggers_cmd)
    pool_app.command("investor-report")(investor_report_cmd)
    pool_ops.register(pool_app)
    app.add_typer(pool_app, name="pool")
