"""Cover commands (docs/waterfall.md §14): propose a guarantee's price from the loans'
attested PDs, and recompute a recorded price from its inputs alone. The position commands
(deploy, post, bind, release, show) are in ``ledger.cli.cover_ops``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from ledger.cli.common import console, fail, print_json, read_input

if TYPE_CHECKING:
    from ledger.deals.spec import DealSpec
    from ledger.guarantees.priced import DeployedCheck
    from ledger.guarantees.pricing import Price, PricingInputs

cover_app = typer.Typer(
    help="Guarantees and credit insurance: price a guarantee or a policy, verify a "
    "recorded price; "
    "deploy, post, bind, release and show a facility.",
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


def _read_inputs(path: Path, wrapped: bool, loans_given: bool = True) -> PricingInputs:
    """The pricing inputs of a file: the record's ``inputs`` object (``wrapped``: a whole
    record) in the shape ``ledger.guarantees.pricing.record`` writes; without
    ``loans_given`` the loans and the tape root come from a tape later."""
    from ledger.guarantees.pricing import inputs_from_record

    text = read_input(path)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{path}: not JSON ({exc.msg}, line {exc.lineno})")
    if not isinstance(raw, dict) or (wrapped and not isinstance(raw.get("inputs"), dict)):
        fail(f"{path}: expected a JSON object{' with an inputs object' if wrapped else ''}")
    if not loans_given:
        raw = {"tape_root": "0x" + "00" * 32, "model_ids": [], "loans": [], **raw}
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


def _attested(
    inputs: PricingInputs, spec: DealSpec, tape: Path | None
) -> tuple[PricingInputs, Price]:
    """The inputs (the tape's loans, when given) and their price, each loan's PD checked
    against its attested score record on the configured chain's registry."""
    from ledger.attest.verify import ChainUnavailable
    from ledger.cli.common import runtime
    from ledger.guarantees.pricing import PricingError, check_params
    from ledger.guarantees.proposals import propose

    try:
        check_params(inputs, spec)  # before a node is opened
    except PricingError as exc:
        fail(str(exc))
    with runtime() as rt:
        try:
            proposal = propose(rt, spec, inputs, tape=tape)
        except PricingError as exc:
            fail(str(exc))
        except ChainUnavailable as exc:
            fail(f"chain: {exc}")
    return proposal.inputs, proposal.result


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
    tape: Annotated[
        Path | None,
        typer.Option(help="loan tape CSV with a pd_bps column: the loans, checked on chain"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="write the record here", dir_okay=False)
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose a guarantee's premium and collateral, or an insurance policy's premium and
    capital ("kind": "insurance" with its deductible, limit, coinsurance_bps and
    last_period in --inputs); the record's hash is what the
    facility commits (``pricingHash``). Each loan's pd_bps is checked against its attested
    score record on the registry: with --tape, the tape's loans (their records issued here);
    otherwise the loans of --inputs, each with its pd_bps disclosure."""
    from ledger.guarantees.pricing import record, record_hash

    parsed = _read_inputs(inputs, wrapped=False, loans_given=tape is None)
    parsed, result = _attested(parsed, _spec(spec), tape)
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
    attested: Annotated[
        bool, typer.Option(help="also check each loan's PD on the chain's registry")
    ] = False,
    facility: Annotated[
        str | None,
        typer.Option(help="a deployed facility: check its on-chain hash and terms too"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Recompute a recorded price from its inputs alone; exit 1 when the result or the
    hash differs from what was recorded. With --attested each loan's PD disclosure is
    checked on the registry the record names (exit 2 when one is not as recorded). With
    --facility the facility's pricingHash and the terms and collateral it was deployed
    with (read from the chain) are checked against the record (docs/waterfall.md §14.6)."""
    from ledger.guarantees.pricing import record, record_hash

    parsed = _read_inputs(record_path, wrapped=True)
    raw = record_path.read_text(encoding="utf-8")
    recorded: Any = json.loads(raw).get("result")
    if attested:
        parsed, result = _attested(parsed, _spec(spec), None)
    else:
        result = _price(parsed, _spec(spec))
    text = record(parsed, result)
    digest = "0x" + record_hash(text).hex()
    same_result = recorded == json.loads(text)["result"]
    same_hash = pricing_hash is None or pricing_hash.lower() == digest
    deployed = _deployed(facility, raw) if facility is not None else None
    if as_json:
        body = {"pricing_hash": digest, "result_matches": same_result}
        body |= {"hash_matches": same_hash if pricing_hash else None}
        print_json(body | ({"facility": deployed.to_dict()} if deployed else {}))
    else:
        _show("recomputed price", result, digest)
        console.print(f"recorded result: {'matches' if same_result else 'DIFFERS'}")
        if pricing_hash is not None:
            console.print(f"facility hash: {'matches' if same_hash else 'DIFFERS'}")
        if deployed is not None:
            _show_deployed(deployed)
    if not (same_result and same_hash and (deployed is None or deployed.holds)):
        raise typer.Exit(1)


def _deployed(address: str, text: str) -> DeployedCheck:
    """The facility at ``address`` as deployed (chain reads) against the record ``text``."""
    from ledger.cli.cover_ops import cover
    from ledger.deals.service import DealError
    from ledger.guarantees.priced import check_deployed, read_record
    from ledger.guarantees.service import terms_of

    try:
        priced = read_record(text)
    except DealError as exc:
        fail(f"--record: {exc.reason}")
    with cover() as svc:
        p = svc.show(address)
    terms = terms_of(p.kind, p.terms)
    return check_deployed(priced, p.address, terms, p.collateral_required, p.pricing_hash)


def _show_deployed(check: DeployedCheck) -> None:
    console.print(
        f"facility {check.address}: pricingHash "
        f"{'matches' if check.hash_matches else 'DIFFERS'} the record's"
    )
    if not check.differences:
        console.print("deployed terms: as priced")
        return
    table = Table("term", "priced", "deployed", "rule", title="deployed terms that differ")
    for d in check.differences:
        table.add_row(
            d.field,
            f"{d.priced:,}" if isinstance(d.priced, int) else d.priced,
            f"{d.value:,}" if isinstance(d.value, int) else d.value,
            d.rule,
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    from ledger.cli import cover_ops, cover_positions, cover_providers

    cover_app.command("price")(price_cmd)
    cover_app.command("verify")(verify_cmd)
    cover_ops.register(cover_app)
    cover_positions.register(cover_app)
    cover_providers.register(cover_app)
    app.add_typer(cover_app, name="cover")
