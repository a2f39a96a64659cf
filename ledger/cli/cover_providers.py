"""Cover providers (compliance agent): `credence cover provider add NAME --kind K` admits a
guarantor or insurer in the investor registry and prints its API key once;
`credence cover provider list` shows the service's two default providers and the admitted
ones; `rotate NAME` prints a new key once (the old one is refused from then on) and
`remove NAME` removes the provider (``ledger.guarantees.providers``)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ledger.cli.common import console, fail, parse_day, print_json
from ledger.cli.pool import JsonOpt, deals

if TYPE_CHECKING:
    from ledger.guarantees.providers import Provider

NameArg = Annotated[str, typer.Argument(help="an admitted provider's name")]


def add_cmd(
    name: Annotated[str, typer.Argument(help="provider name: a-z, 0-9, '-', '_'")],
    kind: Annotated[str, typer.Option(help="guarantee or insurance")],
    kyc_expiry: Annotated[str, typer.Option(help="KYC valid until, YYYY-MM-DD")],
    jurisdiction: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 code, e.g. GB")],
    address: Annotated[
        str | None,
        typer.Option(
            help="the provider's own address, it signs itself (default: the service "
            "creates and holds its key)"
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Admit a guarantor (--kind guarantee) or insurer (--kind insurance), or renew its KYC;
    a new provider's API key, bound to it, is printed once."""
    from ledger.guarantees.providers import ProviderBook

    if kind not in ("guarantee", "insurance"):
        fail(f"--kind: must be guarantee or insurance, not {kind!r}")
    day = parse_day(kyc_expiry, "--kyc-expiry")
    expiry = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    with deals() as svc:
        added = ProviderBook(svc.runtime, svc).add(name, kind, expiry, jurisdiction, address)
    p = added.provider
    if as_json:
        print_json(
            {
                "name": p.name,
                "kind": p.kind,
                "address": p.address,
                "custodial": p.custodial,
                "kyc_expiry": day.isoformat(),
                "jurisdiction": jurisdiction,
                "api_key": added.api_key,
                **asdict(added.written),
            }
        )
        return
    held = "the service holds its key" if p.custodial else "signs itself"
    console.print(f"{p.name}: {p.kind} provider {p.address} ({held}), KYC until {day}")
    if added.api_key:
        console.print(f"API key (shown once): {added.api_key}")


def list_cmd(as_json: JsonOpt = False) -> None:
    """The default providers (the service's guarantor and insurer keys) and admitted ones."""
    from ledger.guarantees.providers import ProviderBook

    with deals() as svc:
        providers = ProviderBook(svc.runtime, svc).all()
    if as_json:
        print_json([asdict(p) for p in providers])
        return
    table = Table("name", "kind", "address", "key", "status", show_edge=False)
    table.columns[2].no_wrap = True
    for p in providers:
        key = "default" if p.default else ("service" if p.custodial else "own")
        table.add_row(p.name, p.kind, p.address, key, _status(p))
    console.print(table)


def _status(p: Provider) -> str:
    """Removed or in force, with the day of the last change (UTC)."""
    if p.removed_at is not None:
        return f"removed {_day(p.removed_at)}"
    return f"key rotated {_day(p.key_rotated_at)}" if p.key_rotated_at else "in force"


def _day(when: int) -> str:
    return datetime.fromtimestamp(when, UTC).date().isoformat()


def rotate_cmd(name: NameArg, as_json: JsonOpt = False) -> None:
    """Issue a new API key for an admitted provider, printed once; its old key is refused
    from now on."""
    from ledger.guarantees.providers import ProviderBook

    with deals() as svc:
        rotated = ProviderBook(svc.runtime, svc).rotate(name)
    p = rotated.provider
    if as_json:
        print_json(
            {
                "name": p.name,
                "kind": p.kind,
                "api_key": rotated.api_key,
                "key_rotated_at": p.key_rotated_at,
            }
        )
        return
    console.print(f"{p.name}: new API key (shown once; the old one is refused from now on)")
    console.print(rotated.api_key)


def remove_cmd(name: NameArg, as_json: JsonOpt = False) -> None:
    """Remove an admitted provider: its investor-registry entry and its API key. Its
    facilities stay as the chain has them; it acts no more, and its name is not reused."""
    from ledger.guarantees.providers import ProviderBook

    with deals() as svc:
        removed = ProviderBook(svc.runtime, svc).remove(name)
    p, written = removed.provider, removed.written
    if as_json:
        print_json(
            {
                "name": p.name,
                "kind": p.kind,
                "address": p.address,
                "removed_at": p.removed_at,
                "tx_hash": written.tx_hash if written else None,
                "block_number": written.block_number if written else None,
            }
        )
        return
    delisted = f"delisted in tx {written.tx_hash}" if written else "it was no longer listed"
    console.print(f"{p.name} ({p.kind} provider {p.address}) removed: {delisted}")


def register(cover_app: typer.Typer) -> None:
    provider_app = typer.Typer(
        help="Guarantors and insurers: admit, list (compliance agent); rotate a key, remove.",
        no_args_is_help=True,
    )
    provider_app.command("add")(add_cmd)
    provider_app.command("list")(list_cmd)
    provider_app.command("rotate")(rotate_cmd)
    provider_app.command("remove")(remove_cmd)
    cover_app.add_typer(provider_app, name="provider")
