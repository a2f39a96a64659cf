"""Investor commands (compliance agent): admit or update, freeze, unfreeze, remove, list."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from ledger.cli.common import console, parse_day, print_json
from ledger.cli.pool import deals

Ident = Annotated[str, typer.Argument(metavar="INVESTOR", help="investor name or address")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object")]


def _written(action: str, investor: str, written: Any, as_json: bool) -> None:
    if as_json:
        print_json({"action": action, "investor": investor, **asdict(written)})
    else:
        console.print(f"{action}: {investor} (tx {written.tx_hash})")


def add_cmd(
    name: Annotated[str, typer.Argument(help="investor name: a-z, 0-9, '-', '_'")],
    kyc_expiry: Annotated[str, typer.Option(help="KYC valid until, YYYY-MM-DD")],
    jurisdiction: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 code, e.g. GB")],
    address: Annotated[
        str | None, typer.Option(help="the investor's own address (default: custodial key)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Admit an investor to the registry, or update its KYC expiry and jurisdiction."""
    day = parse_day(kyc_expiry, "--kyc-expiry")
    expiry = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    with deals() as svc:
        added = svc.add_investor(name, expiry, jurisdiction, address)
    if as_json:
        account = added.account
        print_json(
            {
                "name": name,
                "address": account.address,
                "custodial": account.custodial,
                "kyc_expiry": day.isoformat(),
                "jurisdiction": jurisdiction,
                "api_key": added.api_key,
                **asdict(added.written),
            }
        )
        return
    kind = "custodial key" if added.account.custodial else "own key"
    console.print(f"{name}: {added.account.address} ({kind}), KYC until {day}, {jurisdiction}")
    if added.api_key:
        console.print(f"API key (shown once): {added.api_key}")


def freeze_cmd(
    investor: Ident,
    reason: Annotated[int, typer.Option(min=0, max=65_535, help="reason code")] = 1,
    as_json: JsonOpt = False,
) -> None:
    """Freeze an investor for every tranche token using the registry."""
    with deals() as svc:
        written = svc.freeze(investor, reason)
    _written("frozen", investor, written, as_json)


def unfreeze_cmd(investor: Ident, as_json: JsonOpt = False) -> None:
    """Lift an investor's freeze."""
    with deals() as svc:
        written = svc.unfreeze(investor)
    _written("unfrozen", investor, written, as_json)


def remove_cmd(investor: Ident, as_json: JsonOpt = False) -> None:
    """Delist an investor (a freeze stays in force)."""
    with deals() as svc:
        written = svc.remove_investor(investor)
    _written("removed", investor, written, as_json)


def list_cmd(as_json: JsonOpt = False) -> None:
    """The registry's records, as indexed."""
    with deals() as svc:
        svc.sync()
        rows = svc.investors()
    if as_json:
        print_json([{"name": name, **r.model_dump()} for name, r in rows])
        return
    table = Table("name", "address", "listed", "KYC until", "country", "frozen", show_edge=False)
    for column in table.columns[1:4]:  # addresses and dates are never cut
        column.no_wrap = True
    for name, r in rows:
        until = datetime.fromtimestamp(r.kyc_expiry, UTC).date() if r.kyc_expiry else "-"
        frozen = f"yes ({r.freeze_reason})" if r.frozen else "no"
        table.add_row(name or "-", r.address, str(r.listed), str(until), r.jurisdiction, frozen)
    console.print(table)


def register(app: typer.Typer) -> None:
    investor_app = typer.Typer(
        help="Investor registry (compliance agent): admit, freeze, remove.", no_args_is_help=True
    )
    investor_app.command("add")(add_cmd)
    investor_app.command("freeze")(freeze_cmd)
    investor_app.command("unfreeze")(unfreeze_cmd)
    investor_app.command("remove")(remove_cmd)
    investor_app.command("list")(list_cmd)
    app.add_typer(investor_app, name="investor")
