"""Pool commands: create a pool from a deal spec and a loan tape, run its lifecycle,
subscribe, report periods, claim, and read pools, periods and investor reports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from ledger.cli.common import console, fail, runtime

if TYPE_CHECKING:
    from ledger.deals.service import DealService, PeriodInput

PoolArg = Annotated[str, typer.Argument(metavar="ID", help="pool address")]
InvestorOpt = Annotated[str, typer.Option(help="investor name (its custodial key signs)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object")]


@contextmanager
def deals() -> Iterator[DealService]:
    """The deal service on the configured chain; bad input and refusals exit with code 2."""
    from ledger.deals.service import DealError, DealService
    from ledger.deals.spec import DealSpecError
    from ledger.deals.tape import TapeError
    from ledger.tx import ContractRevert

    with runtime() as rt:
        try:
            yield DealService(rt)
        except (DealError, DealSpecError, TapeError) as exc:
            fail(str(exc).replace("\n", "; "))
        except ContractRevert as exc:
            fail(f"the contract refused: {exc.error}")


def _read_period(path: Path) -> PeriodInput:
    import yaml
    from pydantic import ValidationError

    from ledger.deals.service import PeriodInput

    try:
        data = yaml.safe_load(path.read_text())  # JSON is YAML too
    except OSError as exc:
        fail(f"{path}: cannot read ({exc.strerror})")
    except yaml.YAMLError as exc:
        fail(f"{path}: not valid YAML or JSON: {exc}")
    if not isinstance(data, dict):
        fail(f"{path}: expected a mapping of report fields")
    try:
        return PeriodInput.model_validate(data)
    except ValidationError as exc:
        fields = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        fail(f"{path}: {fields}")


def _print(body: dict[str, Any], title: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps(body))
        return
    table = Table("field", "value", title=title)
    for key, value in body.items():
        table.add_row(key, f"{value:,}" if isinstance(value, int) else str(value))
    console.print(table)


# --- create and read -----------------------------------------------------------------------------


def create_cmd(
    spec_path: Annotated[Path, typer.Argument(metavar="SPEC", help="deal spec, YAML or JSON")],
    tape_path: Annotated[Path, typer.Argument(metavar="TAPE", help="loan-tape CSV")],
    as_of: Annotated[
        str | None, typer.Option(help="tape cut-off, YYYY-MM-DD (default: closing)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a pool and its tranche tokens from a deal spec and a loan tape (structurer)."""
    from ledger.deals.spec import load_spec
    from ledger.deals.tape import read_tape

    cut_off = None
    if as_of is not None:
        try:
            cut_off = date.fromisoformat(as_of)
        except ValueError:
            fail(f"--as-of: not a YYYY-MM-DD date: {as_of!r}")
    with deals() as svc:
        spec = load_spec(spec_path)
        tape = read_tape(
            tape_path, svc.runtime.pseudonym_secret(), cut_off or spec.period.closing_date
        )
        with console.status(f"creating {spec.name} ({len(tape.loans):,} loans)"):
            created = svc.create_pool(spec, tape)
    body = {
        "address": created.address,
        "deal_id": created.deal_id,
        "tranches": ", ".join(
            f"{n} {t}" for n, t in zip(created.tranche_names, created.tokens, strict=True)
        ),
        "tape_root": "0x" + tape.root.hex(),
        "loans": len(tape.loans),
    }
    _print(body, f"pool {spec.name}", as_json)


def list_cmd(as_json: JsonOpt = False) -> None:
    """Every pool in the index."""
    with deals() as svc:
        svc.sync()
        rows = [(svc.stored_spec(p.address), p) for p in svc.pools()]
    if as_json:
        print(json.dumps([{"name": s.name if s else None, **p.model_dump()} for s, p in rows]))
        return
    table = Table("address", "name", "state", "periods", "pool balance", title="pools")
    for spec, pool in rows:
        name = spec.name if spec else "-"
        table.add_row(pool.address, name, pool.state, str(pool.periods), f"{pool.pool_balance:,}")
    console.print(table)


def show_cmd(pool: PoolArg, as_json: JsonOpt = False) -> None:
    """A pool's state, terms, tape and tranches (from the index)."""
    with deals() as svc:
        svc.sync()
        row = svc.pool_row(pool)
        tranches = svc.tranches(pool)
    if as_json:
        body = {
            "pool": row.model_dump(),
            "tranches": [{"name": n, **t.model_dump()} for n, t in tranches],
        }
        print(json.dumps(body))
        return
    summary = {
        k: v
        for k, v in row.model_dump().items()
        if k not in ("terms", "deal_id", "creator", "tx_hash")
    }
    _print(summary, f"pool {row.address}", False)
    table = Table("tranche", "token", "face", "balance", "factor bps", "shortfall", "written down")
    for name, t in tranches:
        table.add_row(
            name,
            t.token,
            f"{t.face:,}",
            f"{t.balance:,}",
            str(t.factor_bps),
            f"{t.interest_shortfall:,}",
            f"{t.writedowns:,}",
        )
    console.print(table)


def periods_cmd(pool: PoolArg) -> None:
    """Every reported period of a pool."""
    with deals() as svc:
        svc.sync()
        periods = svc.periods(pool)
    table = Table(
        "period", "end", "cash in", "defaults", "recoveries", "reserve", "residual", "trigger"
    )
    for p, _ in periods:
        table.add_row(
            str(p.period),
            str(date.fromtimestamp(p.period_end)),
            f"{p.cash_in:,}",
            f"{p.new_defaults:,}",
            f"{p.recoveries:,}",
            f"{p.reserve_after:,}",
            f"{p.residual_to_equity:,}",
            "breached" if p.trigger_breached else "pass",
        )
    console.print(table)


def investor_report_cmd(
    pool: PoolArg,
    period: Annotated[int, typer.Argument(min=1, help="period number (from 1)")],
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV instead of JSON")] = False,
) -> None:
    """The investor report of one period, as JSON or CSV."""
    from ledger.deals.reports import to_csv

    with deals() as svc:
        svc.sync()
        report = svc.investor_report(pool, period)
    if as_csv:
        print(to_csv([report]), end="")
    else:
        print(json.dumps(report))


# --- lifecycle --------------------------------------------------------------------------------


def _transition(action: str):
    def command(pool: PoolArg) -> None:
        with deals() as svc:
            written = svc.transition(pool, action)
        console.print(f"{action}: {pool} (tx {written.tx_hash}, block {written.block_number})")

    role = "servicer" if action == "mature" else "structurer"
    command.__doc__ = f"{action.capitalize()} the pool ({role})."
    return command


def _period(pool: str, report_path: Path, call: bool) -> None:
    period = _read_period(report_path)
    with deals() as svc:
        with console.status("running the waterfall on chain"):
            result = svc.report_period(pool, period, call=call).result
        names = svc.tranche_names(pool, len(result.tranches))
    table = Table(
        "tranche",
        "interest paid",
        "shortfall",
        "principal",
        "written down",
        "written up",
        "balance",
    )
    table.title = (
        f"period {result.state.period}: cash in {result.cash_in:,}, reserve {result.reserve_after:,}, "
        f"residual {result.residual_to_equity:,}, trigger {'breached' if result.trigger_breached else 'pass'}"
    )
    for name, t in zip(names, result.tranches, strict=True):
        table.add_row(
            name,
            f"{t.interest_paid:,}",
            f"{t.interest_shortfall:,}",
            f"{t.principal_paid:,}",
            f"{t.writedown:,}",
            f"{t.writeup:,}",
            f"{t.balance:,}",
        )
    console.print(table)


def report_period_cmd(
    pool: PoolArg,
    report: Annotated[Path, typer.Argument(metavar="REPORT", help="period report, JSON or YAML")],
) -> None:
    """Report a period and pay its collections in; the waterfall runs on chain (servicer)."""
    _period(pool, report, call=False)


def call_cmd(
    pool: PoolArg,
    report: Annotated[Path, typer.Argument(metavar="REPORT", help="final period, JSON or YAML")],
) -> None:
    """Clean-up call: a final period with the price in prepayments and pool balance 0."""
    _period(pool, report, call=True)


# --- investors' operations ---------------------------------------------------------------------


def subscribe_cmd(
    pool: PoolArg,
    tranche: Annotated[str, typer.Argument(help="tranche name or index (0 = most senior)")],
    amount: Annotated[int, typer.Argument(min=1, help="settlement-token units")],
    investor: InvestorOpt,
) -> None:
    """Subscribe to a tranche as an investor (its custodial key signs)."""
    with deals() as svc:
        written = svc.subscribe(pool, investor, tranche, amount)
    console.print(f"{investor} subscribed {amount:,} to {tranche} (tx {written.tx_hash})")


def claim_cmd(
    pool: PoolArg,
    tranche: Annotated[str, typer.Argument(help="tranche name or index")],
    investor: InvestorOpt,
) -> None:
    """Claim an investor's distributions from one tranche."""
    with deals() as svc:
        paid = svc.claim(pool, investor, tranche)
    console.print(f"{investor} claimed {paid:,} from {tranche}")


def register(app: typer.Typer) -> None:
    pool_app = typer.Typer(
        help="Securitization pools on chain: create, lifecycle, subscribe, periods, claims.",
        no_args_is_help=True,
    )
    pool_app.command("create")(create_cmd)
    pool_app.command("list")(list_cmd)
    pool_app.command("show")(show_cmd)
    pool_app.command("periods")(periods_cmd)
    for action in ("open", "close", "cancel", "wind-down", "mature"):
        pool_app.command(action)(_transition(action))
    pool_app.command("call")(call_cmd)
    pool_app.command("subscribe")(subscribe_cmd)
    pool_app.command("report-period")(report_period_cmd)
    pool_app.command("claim")(claim_cmd)
    pool_app.command("investor-report")(investor_report_cmd)
    app.add_typer(pool_app, name="pool")
