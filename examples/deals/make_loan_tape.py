"""Write examples/deals/loan-tape.csv: a deterministic sample tape from data/samples/credit_data.csv.

The sample credit data has loan amounts and terms but no rates, dates or attested scores,
so those are derived from other columns by fixed rules below. They are illustrative,
not a model: the point is a realistic-looking tape that is the same on every run.
Amounts are USDC (6 decimals) in the smallest unit; the cut-off date is the deal's
closing date, 2026-01-01.

Usage: python examples/deals/make_loan_tape.py [--rows 1000]
"""

from __future__ import annotations

import argparse
import csv
from datetime import date
from pathlib import Path

from ledger.deals.tape import COLUMNS
from ledger.merkle import keccak

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "data" / "samples" / "credit_data.csv"
TARGET = Path(__file__).resolve().parent / "loan-tape.csv"
CUT_OFF = date(2026, 1, 1)
USDC = 10**6


def loan_row(row: dict[str, str]) -> dict[str, object] | None:
    try:
        n, amount, term = int(row["rownames"]), int(row["Amount"]), int(row["Time"])
        seniority, expenses = int(row["Seniority"]), int(row["Expenses"])
    except (KeyError, ValueError):
        return None  # incomplete source rows are left out
    originated = date(2025, 1 + (n * 7) % 12, 1 + n % 28)
    elapsed = (CUT_OFF.year - originated.year) * 12 + CUT_OFF.month - originated.month
    elapsed -= CUT_OFF.day < originated.day
    if amount <= 0 or term <= elapsed:
        return None  # matured before the cut-off
    bad, records = row["Status"] == "bad", row["Records"] == "yes"
    loan_id = f"LN-{n:05d}"
    return {
        "loan_id": loan_id,
        "original_principal": amount * USDC,
        "current_principal": amount * USDC * (term - elapsed) // term,  # straight-line
        "rate_bps": 700 + 300 * records + 200 * bad + 25 * (expenses % 5),
        "term_months": term,
        "origination_date": originated.isoformat(),
        "score_uid": "0x" + keccak(f"credence-sample-score:{loan_id}".encode()).hex(),
        "score": max(300, min(850, 640 + 4 * seniority - 120 * records - 80 * bad)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    with SOURCE.open(newline="") as fh:
        loans = [r for r in map(loan_row, csv.DictReader(fh)) if r is not None][: args.rows]
    with TARGET.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(loans)
    print(f"wrote {len(loans)} loans to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
