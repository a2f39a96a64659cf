"""The demo's cover step: a guarantor prices a guarantee on the example deal's B notes
from the loan tape's PDs (docs/waterfall.md §14, `ledger.guarantees.pricing`)."""

from __future__ import annotations

from rich.console import Console

from ledger import PROJECT_ROOT
from ledger.deals.simulator import EXAMPLE_SPEC
from ledger.deals.spec import load_spec
from ledger.deals.tape import read_tape
from ledger.deals.units import money
from ledger.guarantees.pricing import LoanPd, PricingInputs, price, record, record_hash
from ledger.ratings.inputs import read_rating_tape

TAPE = PROJECT_ROOT / "examples" / "ratings" / "loan-tape.csv"


def price_guarantee(key: bytes, console: Console) -> None:
    spec = load_spec(EXAMPLE_SPEC)
    tape = read_tape(TAPE, key, spec.period.closing_date)
    pds = read_rating_tape(TAPE).pd_bps  # the tape's pd_bps column, row for row
    loans = tuple(
        LoanPd("0x" + loan.loan.hex(), loan.current_principal, int(pd), "0x" + loan.score_uid.hex())
        for loan, pd in zip(tape.loans, pds, strict=True)
    )
    inputs = PricingInputs(
        tape_root="0x" + tape.root.hex(),
        model_ids=(),
        loans=loans,
        tranche=1,
        lgd_bps=6_000,
        stress_bps=30_000,
        cpr_bps=1_000,
        margin_bps=25,
    )
    result = price(inputs, spec)
    digest = record_hash(record(inputs, result)).hex()
    d = spec.settlement_token.decimals
    console.print(
        f"guarantee on {spec.tranche_names[1]}: pool PD {result.pool_pd_bps} bps, expected loss "
        f"{money(result.expected_loss, d)}, stressed (3x, LGD 60%) "
        f"{money(result.stressed_loss, d)} USDC over {result.periods} periods -> premium "
        f"{result.premium_bps} bps a year, collateral {money(result.collateral, d)} USDC; "
        f"pricing hash 0x{digest[:16]}… (`credence cover verify` recomputes it)"
    )
