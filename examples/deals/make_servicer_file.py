"""Write examples/deals/servicer-2026-02.csv: the servicer's loan-level file for the first
period (January 2026, paid 2026-02-01) of the sample deal over loan-tape.csv.

Deterministic and illustrative, not a model: each loan pays a month's interest at its
rate (30/360, rounded down) and its straight-line principal; every 40th loan prepays in
full, every 97th defaults (its whole balance), every 23rd is 30-59, every 61st 60-89 and
every 89th 90+ days past due (those pay nothing this month). Amounts are USDC in the
smallest unit, like the tape. The file format is specified in docs/loan-tape.md.

Usage: python examples/deals/make_servicer_file.py
"""

from __future__ import annotations

import csv
from pathlib import Path

from ledger.deals.servicing import PERIOD_COLUMNS, SERVICER_COLUMNS

HERE = Path(__file__).resolve().parent
TAPE = HERE / "loan-tape.csv"
TARGET = HERE / "servicer-2026-02.csv"


def serviced(n: int, loan: dict[str, str]) -> dict[str, object]:
    opening = int(loan["current_principal"])
    row: dict[str, object] = {**loan, **dict.fromkeys(PERIOD_COLUMNS, 0)}
    row["opening_principal"] = opening
    if n % 97 == 0:
        row.update(defaulted_principal=opening, current_principal=0, days_past_due=120)
        return row
    for every, days in ((89, 95), (61, 65), (23, 35)):
        if n % every == 0:
            row["days_past_due"] = days  # delinquent: nothing paid this month
            return row
    interest = opening * int(loan["rate_bps"]) // 120_000  # a month at 30/360
    scheduled = min(opening, int(loan["original_principal"]) // int(loan["term_months"]))
    prepaid = opening - scheduled if n % 40 == 0 else 0
    row.update(
        interest_paid=interest,
        scheduled_principal_paid=scheduled,
        prepaid_principal=prepaid,
        current_principal=opening - scheduled - prepaid,
    )
    return row


def main() -> None:
    with TAPE.open(newline="") as fh:
        rows = [serviced(n, loan) for n, loan in enumerate(csv.DictReader(fh), start=1)]
    with TARGET.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=SERVICER_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} loans to {TARGET.name}")


if __name__ == "__main__":
    main()
