"""The demo's cover step (docs/waterfall.md §14): the scoring institution attests each loan's
PD, a structurer pools the attested tape, a guarantor prices a guarantee on the mezzanine
notes from the PDs checked against the registry (a tape with one PD changed is refused),
deploys it and posts collateral, an insurer deploys a policy on the pool's defaults, a
second guarantor is admitted and refused on the first one's facility, the structurer binds
both, the first period runs with its insurance claim on chain, and a stressed second period
draws on the guarantee."""

from __future__ import annotations

import csv
import secrets
from dataclasses import replace
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ledger import PROJECT_ROOT
from ledger.deals.period_file import period_yaml, read_period_file
from ledger.deals.service import DealService
from ledger.deals.servicing import PeriodBuild, ServicedLoan, build_period, read_servicer_file
from ledger.deals.spec import DealSpec, add_months, load_spec
from ledger.deals.tape import read_tape
from ledger.deals.units import money
from ledger.guarantees import positions
from ledger.guarantees.facility import cover_result
from ledger.guarantees.pricing import PricingError, PricingInputs
from ledger.guarantees.providers import ProviderBook
from ledger.guarantees.service import CoverForbidden, CoverService
from ledger.runtime import Runtime

DEALS = PROJECT_ROOT / "examples" / "deals"
PD_TAPE = PROJECT_ROOT / "examples" / "ratings" / "loan-tape.csv"  # the deal tape + pd_bps
KYC_UNTIL = 4_102_444_800  # 2100-01-01


def attest_tape(rt: Runtime, folder: Path, limit: int | None = None) -> Path:
    """The institution attests each loan's score with its PD (one Merkle batch); the tape
    (its first ``limit`` loans) then names those records in its score_uid column."""
    with PD_TAPE.open(newline="") as fh:
        rows = list(csv.DictReader(fh))[:limit]
    svc = rt.attestation_service()
    model = "0x" + secrets.token_bytes(32).hex()
    rt.registry("attester").register_model(bytes.fromhex(model[2:]), "credence://pd", (1,) * 5)
    now = int(rt.w3.eth.get_block("latest")["timestamp"])
    records = [
        svc.new_record(
            subject_id=f"borrower-{row['loan_id']}",
            score=int(row["score"]),
            grade="B",
            model_id=model,
            issued_at=now,
            expires_at=now + 365 * 86_400,
            pd_bps=int(row["pd_bps"]),
        )
        for row in rows
    ]
    try:
        sealed = svc.issue(records, mode="batch")
    finally:
        svc.close()
    for row, item in zip(rows, sealed, strict=True):
        row["score_uid"] = "0x" + item.commitment.hex()
    path = folder / "attested-tape.csv"
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def cover_flow(rt: Runtime, console: Console, folder: Path) -> None:
    deals = DealService(rt)
    cover = CoverService(rt, deals)
    spec = load_spec(DEALS / "three-tranche-sequential.yaml")
    spec = spec.model_copy(update={"name": spec.name + " covered"})
    d = spec.settlement_token.decimals
    tape_path = attest_tape(rt, folder)
    key = rt.pseudonym_secret()
    tape = read_tape(tape_path, key, spec.period.closing_date)
    pool = deals.create_pool(spec, tape).address
    deals.transition(pool, "open")
    sizes = [t.size for t in spec.to_terms().tranches]
    for name, tranche in (("alice", 0), ("bob", 1), ("bob", 2)):
        deals.subscribe(pool, name, tranche, sizes[tranche])
    deals.close(pool)
    console.print(
        f"{len(tape.loans):,} loans' PDs attested in one batch; pool {pool} over the attested "
        f"tape (root 0x{tape.root.hex()[:16]}…), closed"
    )

    # the guarantor prices B from the PDs checked against the registry
    params = PricingInputs("0x" + "00" * 32, (), (), 1, 6_000, 30_000, 1_000, 25)
    proposal = cover.propose(spec, params, tape=tape_path)
    priced, text = proposal.result, proposal.record
    (folder / "guarantee-pricing.json").write_text(text)
    console.print(
        f"guarantee on B priced from {len(proposal.inputs.loans):,} attested PDs (pool PD "
        f"{priced.pool_pd_bps} bps, LGD 60%, stress 3x): premium {priced.premium_bps} bps a "
        f"year, collateral {money(priced.collateral, d)} USDC, pricing hash "
        f"{proposal.pricing_hash[:18]}…"
    )
    _show_refusal(cover, tape_path, folder, spec, params, console)

    for role in ("guarantor", "insurer"):  # the agent admits both providers
        deals.add_investor(role, KYC_UNTIL, "GB", address=cover.provider_address(role))
    # limit and collateral: the stressed loss; the record's hash is committed on chain
    g_terms = {"tranche": 1, "limit": priced.collateral, "premium_bps": priced.premium_bps}
    g_terms["last_period"] = 36
    g = cover.deploy("guarantor", "guarantee", pool, g_terms, pricing_record=text)
    g_required = g.required
    # the insurer prices its policy from the same attested PDs; capital: the stressed claims
    i_terms = {"deductible": 2_000 * 10**d, "limit": 50_000 * 10**d, "coinsurance_bps": 8_000}
    i_terms["last_period"] = 12
    i_params = replace(params, kind="insurance", **i_terms)
    i_priced = cover.propose(spec, i_params, tape=tape_path)
    i_terms["premium_bps"] = i_priced.result.premium_bps
    i = cover.deploy("insurer", "insurance", pool, i_terms, pricing_record=i_priced.record)
    console.print(
        f"insurance priced from the same PDs: premium {i_priced.result.premium_bps} bps a year "
        f"on the pool, capital {money(i.required, d)} USDC (stressed claims), pricing hash "
        f"{i_priced.pricing_hash[:18]}…"
    )
    cover.post("guarantor", g.address, g_required // 2)
    cover.post("guarantor", g.address, g_required - g_required // 2)  # a top-up
    cover.post("insurer", i.address, i.required)
    _second_guarantor(rt, deals, cover, g.address, console)
    for facility in (g, i):
        cover.bind(facility.address)
    console.print(
        f"guarantee {g.address} (limit {money(g_terms['limit'], d)}, collateral "
        f"{money(g_required, d)}) and insurance {i.address} (deductible 2,000, 80% of losses, "
        f"capital {money(i.required, d)}) posted and bound; `credence cover show ADDRESS` "
        "reads either"
    )

    rows = read_servicer_file(DEALS / "servicer-2026-02.csv", key)
    first = spec.period.first_payment_date
    build = _run_period(deals, pool, rows, first, "period 1 with cover", d, console)
    # a stressed month: loans worth about an eighth of the pool default, past equity, the
    # reserve and the policy's capital, so the guarantee on B draws
    stressed = _stressed_rows(build, spec.units(spec.pool_balance) // 8)
    _run_period(deals, pool, stressed, add_months(first, 1), "period 2, stressed", d, console)

    rt.indexer().poll_once()  # the index follows each bound facility's events
    indexed = positions.facilities(rt.engine, pool)
    console.print(
        f"indexed from events alone: {len(indexed)} facilities, "
        + ", ".join(f"{f.kind} paid {money(f.paid, d)} over {f.periods} period(s)" for f in indexed)
        + "; `credence cover facilities --pool POOL` and `cover periods ADDRESS` list them"
    )


def _second_guarantor(
    rt: Runtime, deals: DealService, cover: CoverService, facility: str, console: Console
) -> None:
    """The agent admits a second guarantor with its own key and API key; it may not top up
    the first guarantor's facility; an admin rotates its key, then removes it."""
    added = ProviderBook(rt, deals).add("northwind", "guarantee", KYC_UNTIL, "GB")
    try:
        cover.post("northwind", facility, 1)
        raise AssertionError("a guarantor topped up another provider's facility")
    except CoverForbidden:
        pass
    console.print(
        f"a second guarantor, northwind ({added.provider.address}), admitted with a key of its "
        "own (`credence cover provider add`); topping up the first guarantor's facility is "
        "refused"
    )
    book = ProviderBook(rt, deals)
    book.rotate("northwind")
    book.remove("northwind")
    console.print(
        "northwind's API key rotated (the old one refused from then on), then northwind "
        "removed: delisted from the investor registry, its key refused "
        "(`credence cover provider rotate|remove`)"
    )


def _show_refusal(
    cover: CoverService,
    tape_path: Path,
    folder: Path,
    spec: DealSpec,
    params: PricingInputs,
    console: Console,
) -> None:
    """One PD changed in the tape: the pricing names the row, the loan and both values."""
    lines = tape_path.read_text().splitlines()
    cells = lines[3].split(",")
    cells[-1] = str(int(cells[-1]) - 50)
    bad = folder / "changed-tape.csv"
    bad.write_text("\n".join([*lines[:3], ",".join(cells), *lines[4:]]) + "\n")
    try:
        cover.propose(spec, params, tape=bad)
    except PricingError as exc:
        said = exc.reason.split(": ", 1)[-1]
        console.print(f"a tape with one PD lowered is refused: [yellow]{exc.field}: {said}[/]")


def _run_period(
    deals: DealService,
    pool: str,
    rows: list[ServicedLoan],
    end: date,
    title: str,
    d: int,
    console: Console,
) -> PeriodBuild:
    """Report one period from servicer rows and show what each facility paid in it."""
    build = build_period(rows, end)
    outcome = deals.report_period(pool, read_period_file(period_yaml(build, d), d))
    figures = cover_result(deals.pool(pool), outcome.receipt)
    assert figures is not None and figures.guarantee and figures.insurance
    table = Table("facility", "premium paid", "draw / claim paid", "collateral after")
    table.title = f"{title}: defaults {money(build.report.new_defaults, d)} USDC"
    gr, ir = figures.guarantee, figures.insurance
    for name, paid, out, left in (
        ("guarantee on B", gr.premium_paid, gr.draw, gr.state.collateral),
        ("pool insurance", ir.premium_paid, ir.claim_paid, ir.state.capital),
    ):
        table.add_row(name, money(paid, d), money(out, d), money(left, d))
    console.print(table)
    return build


def _stressed_rows(before: PeriodBuild, defaults: int) -> list[ServicedLoan]:
    """The next month's servicer rows: loans in tape order default until ``defaults`` is
    reached, the rest pay a month's interest (rounded down) and no principal."""
    assert before.tape is not None
    rows, left = [], defaults
    for loan in before.tape.loans:
        opening = loan.current_principal
        gone = left > 0
        left -= opening if gone else 0
        rows.append(
            ServicedLoan(
                loan=replace(loan, current_principal=0 if gone else opening),
                opening=opening,
                interest=0 if gone else opening * loan.rate_bps // 120_000,
                scheduled=0,
                prepaid=0,
                recoveries=0,
                defaulted=opening if gone else 0,
                days_past_due=0,
            )
        )
    return rows
