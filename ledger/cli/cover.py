"""Cover commands (docs/waterfall.md §14): propose a guarantee's price from the loans'
attested PDs, and recompute a recorded price from its inputs alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from ledger.cli.common import console, fail, print_json

if TYPE_CHECKING:
    from ledger.deals.spec import DealSpec
    from ledger.guarantees.pricing import Price, PricingInputs

cover_app = typer.Typer(
    help="Guarantees and credit insurance: price a guarantee, verify a recorded price.",
    no_args_is_help=True,
)

SpecOpt = Annotated[Path, typer.Option("--spec", help="the deal's spec (YAML)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object")]


def _spec(path: Path) -> DealSpec:
    from ledger.deals.spec import DealSpecError, load_spec

    try:
        return load_spec(path)
    except DealSpecError as exc:
        fail(str(exc))


def _read_inputs(path: Path, wrapped: bool) -> PricingInputs:
    """The pricing inputs of a file: the record's ``inputs`` object (``wrapped``: a whole
    record) in the shape ``ledger.guarantees.pricing.record`` writes."""
    from ledger.guarantees.pricing import inputs_from_record

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"{path}: cannot read ({exc.strerror})")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{path}: not JSON ({exc.msg}, line {exc.lineno})")
    if not isinstance(raw, dict) or (wrapped and not isinstance(raw.get("inputs"), dict)):
        fail(f"{path}: expected a JSON object{' with an inputs object' if wrapped else ''}")
    try:
        return inputs_from_record(json.dumps(raw if wrapped else {"inputs": raw}))
    except (KeyError, TypeError, AttributeError) as exc:
        fail(f"{path}: inputs: missing or unexpected field ({exc})")


def _price(inputs: PricingInputs, spec: DealSpec) -> Price:
    from ledger.guarantees.pricing import PricingError, price

    try:
        return price(inputs, spec)
    except PricingError as exc:
        fail(str(exc))


def _show(title: str, result: Price, digest: str) -> None:
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in vars(result).items():
        table.add_row(name, f"{value:,}")
    table.add_row("pricing hash", digest[:18] + "…")
    console.print(table)


def price_cmd(
    spec: SpecOpt,
    inputs: Annotated[Path, typer.Option("--inputs", help="pricing inputs (JSON)")],
    out: Annotated[Path | None, typer.Option("--out", help="write the record here")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose a guarantee's premium and collateral; the record's hash is what the
    facility commits (``pricingHash``)."""
    from ledger.guarantees.pricing import record, record_hash

    parsed = _read_inputs(inputs, wrapped=False)
    result = _price(parsed, _spec(spec))
    text = record(parsed, result)
    digest = "0x" + record_hash(text).hex()
    if out is not None:
        out.write_text(text, encoding="utf-8")
    if as_json:
        print_json({"pricing_hash": digest, **json.loads(text)})
    else:
        _show("proposed price", result, digest)


def verify_cmd(
    spec: SpecOpt,
    record_path: Annotated[Path, typer.Option("--record", help="a recorded pricing (JSON)")],
    pricing_hash: Annotated[
        str | None, typer.Option("--hash", help="the facility's pricingHash, 0x-hex")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Recompute a recorded price from its inputs alone; exit 1 when the result or the
    hash differs from what was recorded."""
    from ledger.guarantees.pricing import record, record_hash

    parsed = _read_inputs(record_path, wrapped=True)
    recorded: Any = json.loads(record_path.read_text(encoding="utf-8")).get("result")
    result = _price(parsed, _spec(spec))
    text = record(parsed, result)
    digest = "0x" + record_hash(text).hex()
    same_result = recorded == json.loads(text)["result"]
    same_hash = pricing_hash is None or pricing_hash.lower() == digest
    if as_json:
        body = {"pricing_hash": digest, "result_matches": same_result}
        print_json({**body, "hash_matches": same_hash if pricing_hash else None})
    else:
        _show("recomputed price", result, digest)
        console.print(f"recorded result: {'matches' if same_result else 'DIFFERS'}")
        if pricing_hash is not None:
            console.print(f"facility hash: {'matches' if same_hash else 'DIFFERS'}")
    if not (same_result and same_hash):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    from ledger.cli import cover_positions

    cover_app.command("price")(price_cmd)
    cover_app.command("verify")(verify_cmd)
    cover_positions.register(cover_app)
    app.add_typer(cover_app, name="cover")
