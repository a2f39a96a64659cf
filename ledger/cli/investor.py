"""Investor commands (compliance agent): admit or update, freeze, unfreeze, remove, list."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from ledger.cli.common import console, parse_day
from ledger.cli.pool import deals

Ident = Annotated[str, typer.Argument(metavar="INVESTOR", help="investor name or address")]


def add_cmd(
    name: Annotated[str, typer.Argument(help="investor name: a-z, 0-9, '-', '_'")],
    kyc_expiry: Annotated[str, typer.Option(help="KYC valid until, YYYY-MM-DD")],
    jurisdiction: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 code, e.g. GB")],
    address: Annotated[
        str | None, typer.Option(help="the investor's own address (default: custodial key)")
    ] = None,
) -> None:
    """Admit an investor to the registry, or update its KYC expiry and jurisdiction."""
    day = parse_day(kyc_expiry, "--kyc-expiry")
    expiry = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    with deals() as svc:
        added = svc.add_investor(name, expiry, jurisdiction, address)
    kind = "custodial key" if added.account.custodial else "own key"
    console.print(f"{name}: {added.account.address} ({kind}), KYC until {day}, {jurisdiction}")
    if added.api_key:
        console.print(f"API key (shown once): {added.api_key}")


def freeze_cmd(
    investor: Ident,
    reason: Annotated[int, typer.Option(min=0, max=65_535, help="reason code")] = 1,
) -> None:
    """Freeze an investor for every tranche token using the registry."""
    with deals() as svc:
        written = svc.freeze(investor, reason)
    console.print(f"frozen: {investor} (tx {written.tx_hash})")


def unfreeze_cmd(investor: Ident) -> None:
    with deals() as svc:
        written = svc.unfreeze(investor)
    console.print(f"unfrozen: {investor} (tx {written.tx_hash})")


def remove_cmd(investor: Ident) -> None:
    """Delist an investor (a freeze stays in force)."""
    with deals() as svc:
        written = svc.remove_investor(investor)
    console.print(f"removed: {investor} (tx {written.tx_hash})")


def list_cmd() -> None:
    """The registry's records, as indexed."""
    with deals() as svc:
        svc.sync()
        rows = svc.investors()
    table = Table("name", "address", "listed", "KYC until", "jurisdiction", "frozen")
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
