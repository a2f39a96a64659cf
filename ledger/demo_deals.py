"""The demo's securitization step: a structurer pools the sample loan tape, investors
subscribe, an unfilled tranche stops the close until it is resized, the servicer's
loan-level file becomes a checked period report (an inconsistent one is refused), the
waterfall runs on chain and an investor claims. Amounts shown in whole USDC."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ledger import PROJECT_ROOT
from ledger.deals.period_file import period_yaml, read_period_file
from ledger.deals.service import DealError, DealService
from ledger.deals.servicing import build_period, read_servicer_file
from ledger.deals.spec import load_spec
from ledger.deals.tape import read_tape
from ledger.deals.units import day, money
from ledger.runtime import Runtime

EXAMPLES = PROJECT_ROOT / "examples" / "deals"
KYC_UNTIL = 4_102_444_800  # 2100-01-01


def deal_flow(rt: Runtime, console: Console) -> None:
    svc = DealService(rt)
    spec = load_spec(EXAMPLES / "three-tranche-sequential.yaml")
    key = rt.pseudonym_secret()
    tape = read_tape(EXAMPLES / "loan-tape.csv", key, spec.period.closing_date)
    for name in ("alice", "bob"):
        svc.add_investor(name, KYC_UNTIL, "GB")
    pool = svc.create_pool(spec, tape).address
    d = spec.settlement_token.decimals
    console.print(
        f"pool {spec.name}: {pool}, {len(tape.loans):,} loans, tape root 0x{tape.root.hex()[:16]}…"
    )
    svc.transition(pool, "open")
    sizes = {t.name: spec.units(t.size) for t in spec.tranches}
    svc.subscribe(pool, "alice", "A", sizes["A"])
    svc.subscribe(pool, "bob", "B", sizes["B"] - 540 * 10**d)
    svc.subscribe(pool, "bob", "Equity", sizes["Equity"])
    try:
        svc.close(pool)
    except DealError as exc:
        console.print(f"close refused: [yellow]{exc.field}: {exc.reason}[/]")
    svc.close(pool, {"B": "resize"})
    console.print("closed with B resized to what was subscribed")

    rows = read_servicer_file(EXAMPLES / "servicer-2026-02.csv", key)
    build = build_period(rows, spec.period.first_payment_date)
    period = read_period_file(period_yaml(build, d), d)
    wrong = period.model_copy(update={"pool_balance": period.pool_balance + 10**d})
    try:
        svc.report_period(pool, wrong)
    except DealError as exc:
        console.print(f"report refused: [yellow]{exc.field}: {exc.reason}[/]")
    result = svc.report_period(pool, period).result
    r = build.report
    table = Table("tranche", "interest", "principal", "written down", "balance")
    table.title = (
        f"period 1 to {day(r.period_end)} from {build.loans:,} serviced loans: "
        f"cash in {money(result.cash_in, d)}, defaults {money(r.new_defaults, d)}"
    )
    for name, t in zip(spec.tranche_names, result.tranches, strict=True):
        table.add_row(
            name,
            money(t.interest_paid, d),
            money(t.principal_paid, d),
            money(t.writedown, d),
            money(t.balance, d),
        )
    console.print(table)
    console.print(f"alice claims {money(svc.claim(pool, 'alice', 'A'), d)} USDC from A")
