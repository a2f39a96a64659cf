"""Cover positions: deploy a guarantee facility or an insurance policy as its provider,
post and top up collateral, bind it (the pool's structurer), release it, and show it as the
chain has it (``ledger.guarantees.service``).

The default providers' keystore keys sign (``guarantor`` for guarantees, ``insurer`` for
policies); ``--as NAME`` acts as an admitted provider (``cover provider add``), or as
``structurer`` for a release. Amounts a person types are
whole token units; ``--json`` prints the token's smallest unit, as the API does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ledger.cli.common import console, fail, print_json, read_input
from ledger.cli.pool import JsonOpt, deals, field_table

if TYPE_CHECKING:
    from ledger.guarantees.service import CoverService

FacilityArg = Annotated[str, typer.Argument(metavar="FACILITY", help="facility address")]
AsOpt = Annotated[
    str | None,
    typer.Option(
        "--as", help="the provider acting: an admitted name (default: guarantor or insurer)"
    ),
]
MONEY = ("limit", "deductible", "required", "collateral_required", "collateral", "capital")


@contextmanager
def cover() -> Iterator[CoverService]:
    """The cover service; bad input and refusals exit with code 2 (``deals``)."""
    from ledger.guarantees.service import CoverService

    with deals() as svc:
        yield CoverService(svc.runtime, svc)


def _decimals(svc: CoverService, pool: str) -> int:
    return svc.deals.token_decimals(pool)


def _units(svc: CoverService, pool: str, field: str, value: str | None) -> int | None:
    from ledger.deals.units import to_units

    return None if value is None else to_units(field, value, _decimals(svc, pool))


def _role(kind: str, chosen: str | None, structurer: bool = False) -> str:
    """The provider acting: ``chosen`` (checked by the service), else the kind's default."""
    from ledger.guarantees.service import PROVIDER_ROLES

    if chosen == "structurer" and not structurer:
        fail("--as: the structurer only releases")
    return chosen or PROVIDER_ROLES[kind]


def _show(body: dict[str, Any], title: str, decimals: int, as_json: bool) -> None:
    if as_json:
        print_json(body)
        return
    flat = {k: v for k, v in body.items() if k not in ("terms", "state", "position")}
    position = body.get("position", body)
    for part in ("terms", "state"):
        for name, value in position.get(part, {}).items():
            flat[f"{part}.{name}"] = value
    table = field_table(flat, title)
    console.print(table)
    shown = {k: v for k, v in flat.items() if k.split(".")[-1] in MONEY}
    if shown:
        from ledger.deals.units import money

        console.print(", ".join(f"{k} {money(v, decimals)}" for k, v in shown.items()))


def _position(svc: CoverService, address: str, written: Any, action: str) -> dict[str, Any]:
    return {
        "action": action,
        "tx_hash": written.tx_hash,
        "block_number": written.block_number,
        "position": svc.show(address).to_dict(),
    }


def _read_record(path: Path | None) -> str | None:
    if path is None:
        return None
    return read_input(path, "--pricing-record")


def deploy_cmd(
    kind: Annotated[str, typer.Argument(help="guarantee or insurance")],
    pool: Annotated[str, typer.Option("--pool", help="the pool covered")],
    limit: Annotated[str, typer.Option(help="the most ever drawn or paid, whole units")],
    premium_bps: Annotated[int, typer.Option(help="premium, bps a year")],
    last_period: Annotated[int, typer.Option(help="covers periods 1 .. this")],
    tranche: Annotated[str | None, typer.Option(help="guarantee: the covered note")] = None,
    deductible: Annotated[str | None, typer.Option(help="insurance: whole units")] = None,
    coinsurance_bps: Annotated[int | None, typer.Option(help="insurance: insurer's share")] = None,
    required: Annotated[
        str | None, typer.Option(help="collateral to keep posted, whole units")
    ] = None,
    pricing_record: Annotated[
        Path | None, typer.Option(help="the pricing record (`cover price --out`)")
    ] = None,
    as_role: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Deploy a guarantee facility or an insurance policy for a pool, the provider's key
    (admitted in the investor registry) being its provider; without --required the
    collateral required is the pricing record's."""
    if kind not in ("guarantee", "insurance"):
        fail(f"KIND: must be guarantee or insurance, not {kind!r}")
    record = _read_record(pricing_record)
    role = _role(kind, as_role)
    with cover() as svc:
        terms: dict[str, Any] = {
            "limit": _units(svc, pool, "--limit", limit),
            "premium_bps": premium_bps,
            "last_period": last_period,
        }
        if kind == "guarantee":
            if tranche is None or deductible is not None or coinsurance_bps is not None:
                fail("a guarantee takes --tranche, not --deductible or --coinsurance-bps")
            terms["tranche"] = svc.deals.tranche_index(pool, tranche)
        else:
            if tranche is not None or deductible is None or coinsurance_bps is None:
                fail("insurance takes --deductible and --coinsurance-bps, not --tranche")
            terms["deductible"] = _units(svc, pool, "--deductible", deductible)
            terms["coinsurance_bps"] = coinsurance_bps
        done = svc.deploy(
            role,
            kind,
            pool,
            terms,
            required=_units(svc, pool, "--required", required),
            pricing_record=record,
        )
        decimals = _decimals(svc, pool)
    _show(vars(done), f"{kind} deployed", decimals, as_json)


def post_cmd(
    facility: FacilityArg,
    amount: Annotated[str, typer.Argument(help="whole token units to post")],
    as_role: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Post or top up collateral on the provider's own facility."""
    with cover() as svc:
        f = svc.facility(facility)
        pool = f.contract.functions.pool().call()
        units = _units(svc, pool, "AMOUNT", amount) or 0
        if units == 0:
            fail("AMOUNT: must be more than 0")
        written = svc.post(_role(f.kind, as_role), facility, units)
        body, decimals = _position(svc, facility, written, "post"), _decimals(svc, pool)
    _show(body, "collateral posted", decimals, as_json)


def bind_cmd(
    facility: FacilityArg,
    pricing_record: Annotated[
        Path | None,
        typer.Option(help="bind only if the facility commits this record, on its priced terms"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Bind a funded facility to its pool (the pool's structurer signs)."""
    record = _read_record(pricing_record)
    with cover() as svc:
        written = svc.bind(facility, pricing_record=record)
        body = _position(svc, facility, written, "bind")
        decimals = _decimals(svc, body["position"]["pool"])
    _show(body, "bound", decimals, as_json)


def release_cmd(facility: FacilityArg, as_role: AsOpt = None, as_json: JsonOpt = False) -> None:
    """Release a facility once the pool, the term or the covered note allows it; the
    collateral goes back to the provider (--as structurer to send it as the structurer)."""
    with cover() as svc:
        f = svc.facility(facility)
        role = _role(f.kind, as_role, structurer=True)
        written = svc.release(role, facility)
        body = _position(svc, facility, written, "release")
        decimals = _decimals(svc, body["position"]["pool"])
    _show(body, "released", decimals, as_json)


def show_cmd(facility: FacilityArg, as_json: JsonOpt = False) -> None:
    """A facility as the chain has it now: terms, collateral, draws or claims, status."""
    with cover() as svc:
        position = svc.show(facility).to_dict()
        decimals = _decimals(svc, position["pool"])
    _show(position, f"{position['kind']} {facility}", decimals, as_json)


def register(cover_app: typer.Typer) -> None:
    cover_app.command("deploy")(deploy_cmd)
    cover_app.command("post")(post_cmd)
    cover_app.command("bind")(bind_cmd)
    cover_app.command("release")(release_cmd)
    cover_app.command("show")(show_cmd)
