"""The servicer's path: a loan-level servicer file becomes a period report whose figures
add up (collections, defaults, delinquency buckets, the new tape), and a file that does
not add up is refused naming its row and column; the period report file round-trips in
whole units."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from ledger.deals.period_file import PeriodFileError, period_yaml, read_period_file
from ledger.deals.servicing import (
    PERIOD_COLUMNS,
    SERVICER_COLUMNS,
    build_period,
    read_servicer_file,
)
from ledger.deals.tape import TapeError, read_tape

KEY = b"k" * 32
EXAMPLES = Path(__file__).resolve().parents[2] / "examples/deals"
END = date(2026, 2, 1)


def row(loan_id: str, opening: int, **kw) -> dict:
    base = {
        "loan_id": loan_id,
        "original_principal": 1_000_000,
        "current_principal": opening,
        "rate_bps": 1200,
        "term_months": 12,
        "origination_date": "2025-06-01",
        "score_uid": "0x" + "ab" * 32,
        "score": 700,
        **dict.fromkeys(PERIOD_COLUMNS, 0),
        "opening_principal": opening,
    }
    return base | kw


def write(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=SERVICER_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_period_is_the_sum_of_its_loans(tmp_path: Path):
    rows = [
        row(
            "paying",
            500_000,
            current_principal=450_000,
            interest_paid=5_000,
            scheduled_principal_paid=50_000,
        ),
        row(
            "prepaid", 300_000, current_principal=0, interest_paid=3_000, prepaid_principal=300_000
        ),
        row(
            "defaulted",
            200_000,
            current_principal=0,
            defaulted_principal=200_000,
            days_past_due=120,
        ),
        row("late-35", 100_000, days_past_due=35),
        row("late-70", 90_000, days_past_due=70),
        row("late-95", 80_000, days_past_due=95),
        row("recovered", 0, current_principal=0, recoveries=7_000),
    ]
    build = build_period(read_servicer_file(write(tmp_path / "s.csv", rows), KEY), END)
    r = build.report
    assert (r.interest, r.scheduled_principal, r.prepayments, r.recoveries) == (
        8_000,
        50_000,
        300_000,
        7_000,
    )
    assert r.new_defaults == 200_000
    assert (r.delinquent_30, r.delinquent_60, r.delinquent_90) == (100_000, 90_000, 80_000)
    assert r.pool_balance == build.opening_balance - 50_000 - 300_000 - 200_000 == 720_000
    assert (build.loans, build.defaulted_loans, build.repaid_loans) == (7, 1, 1)
    # the new tape is the loans still owed something, as a tape read from a file would be
    tape_rows = [{k: v for k, v in x.items() if k in SERVICER_COLUMNS[:8]} for x in rows]
    remaining = [x for x in tape_rows if x["current_principal"]]
    tape_path = tmp_path / "tape.csv"
    with tape_path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=SERVICER_COLUMNS[:8])
        writer.writeheader()
        writer.writerows(remaining)
    assert build.tape is not None and build.tape.root == read_tape(tape_path, KEY, END).root
    assert build.stats.count == 4 and build.stats.balance == 720_000


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"current_principal": 1}, "row 2, column current_principal: opening 10 less"),
        ({"scheduled_principal_paid": 11, "current_principal": 0}, "column opening_principal"),
        ({"defaulted_principal": 5, "current_principal": 5}, "column defaulted_principal"),
        ({"interest_paid": -1}, "row 2, column interest_paid: -1 is outside"),
        ({"days_past_due": "x"}, "row 2, column days_past_due: not an integer"),
    ],
)
def test_a_row_that_does_not_add_up_is_refused(tmp_path: Path, change: dict, message: str):
    path = write(tmp_path / "s.csv", [row("one", 10, **change)])
    with pytest.raises(TapeError, match=message):
        read_servicer_file(path, KEY)


def test_the_example_file_gives_a_report_file_that_reads_back_exactly():
    rows = read_servicer_file(EXAMPLES / "servicer-2026-02.csv", KEY)
    build = build_period(rows, END)
    tape = read_tape(EXAMPLES / "loan-tape.csv", KEY, date(2026, 1, 1))
    assert build.opening_balance == tape.aggregates.balance
    body = read_period_file(period_yaml(build, 6), 6)
    assert body.to_report() == build.report
    assert body.to_stats() == build.stats


def test_a_report_file_with_too_many_decimals_or_a_bad_field_names_it():
    with pytest.raises(PeriodFileError) as exc:
        read_period_file("period_end: 2026-02-01\ninterest: 1.0000001\n", 6)
    assert exc.value.field == "interest"
    with pytest.raises(PeriodFileError) as exc:
        read_period_file("period_end: someday\n", 6)
    assert exc.value.field.startswith("period_end")
