"""Cover reads from the index: `credence cover facilities [--pool P]` (terms, collateral,
totals) and `credence cover periods ADDRESS` (draws, claims, recoveries, unpaid claims by
period, with the transaction). Tables show whole token units; ``--json`` smallest units."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ledger.cli.common import console, fail, print_json
from ledger.cli.pool import JsonOpt, deals

PoolOpt = Annotated[str | None, typer.Option("--pool", help="only this pool's facilities")]
FacilityArg = Annotated[str, typer.Argument(metavar="ADDRESS", help="facility or policy address")]


def _address(value: str, field: str) -> str:
    from web3 import Web3

    if not Web3.is_address(value):
        fail(f"{field}: not an address: {value!r}")
    return Web3.to_checksum_address(value)


def _short(value: str) -> str:
    return value[:10] + "…" if value else ""


def facilities_cmd(pool: PoolOpt = None, as_json: JsonOpt = False) -> None:
    """Guarantee facilities and insurance policies the index follows (of one pool); terms
    and limits are in ``--json``."""
    from ledger.deals.units import money
    from ledger.guarantees import positions

    pool = _address(pool, "pool") if pool else None
    with deals() as svc:
        svc.sync()
        rows = positions.facilities(svc.runtime.engine, pool)
        moves = {r.address: positions.collateral_moves(svc.runtime.engine, r.address) for r in rows}
        decimals = {r.pool: svc.token_decimals(r.pool) for r in rows}
    if as_json:
        body = []
        for r in rows:
            listed = [m.model_dump(exclude={"id"}) for m in moves[r.address]]
            body.append({**r.model_dump(), "collateral_moves": listed})
        print_json(body)
        return
    for address in dict.fromkeys(r.pool for r in rows):  # one table per pool
        d = decimals[address]
        table = Table()
        for name in ("facility", "covers", "collateral", "paid in", "recovered", "unpaid"):
            table.add_column(
                name, no_wrap=True, justify="left" if name in ("facility", "covers") else "right"
            )
        table.title = f"cover of pool {address} (whole token units)"
        for r in (r for r in rows if r.pool == address):
            covers = f"note {r.tranche}" if r.tranche is not None else "defaults"
            table.add_row(
                _short(r.address), f"{r.kind}: {covers}",
                money(r.collateral, d), money(r.paid, d), money(r.recovered, d),
                money(r.unpaid_claims, d),
            )  # fmt: skip
        console.print(table)
    if not rows:
        console.print("no guarantee facility or insurance policy indexed")


def periods_cmd(facility: FacilityArg, as_json: JsonOpt = False) -> None:
    """One facility's periods: premium, demand, paid in, recovered, unpaid claim."""
    from ledger.deals.units import money
    from ledger.guarantees import positions

    address = _address(facility, "address")
    with deals() as svc:
        svc.sync()
        row = positions.facility(svc.runtime.engine, address)
        figures = [
            positions.period_figures(s) for s in positions.settlements(svc.runtime.engine, address)
        ]
        d = svc.token_decimals(row.pool)
    if as_json:
        print_json(figures)
        return
    table = Table("period", "premium", "demand", "paid in", "recovered", "unpaid",
                  "collateral", "transaction")  # fmt: skip
    table.title = f"{row.kind} {row.address} (whole token units)"
    for p in figures:
        table.add_row(
            str(p["period"]), money(p["premium_paid"], d), money(p["demand"], d),
            money(p["paid"], d), money(p["recovered"], d), money(p["unpaid_claim"], d),
            money(p["collateral_after"], d), _short(p["tx_hash"]),
        )  # fmt: skip
    console.print(table)


def register(cover_app: typer.Typer) -> None:
    cover_app.command("facilities")(facilities_cmd)
    cover_app.command("periods")(periods_cmd)
