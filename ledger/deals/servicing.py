"""The servicer's path: a period report built from a loan-level servicer file.

The file (``docs/loan-tape.md``) is the loan tape at the period's end, one row per loan
that was in the pool at its start (or recovered on this period), with the period's cash
per loan beside it. Each row is checked on its own (the opening balance less principal
and the default is the closing balance), then summed: collections, new defaults,
delinquency buckets (30-59, 60-89, 90+ days past due, by closing balance) and the new tape
(the loans still owed something) with its root and aggregates, as the pool stores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from ledger.deals.tape import (
    COLUMNS,
    Loan,
    LoanTape,
    TapeAggregates,
    TapeError,
    loan_from_row,
    read_loan_rows,
)
from ledger.deals.waterfall import PeriodReport

PERIOD_COLUMNS = (
    "opening_principal",
    "interest_paid",
    "scheduled_principal_paid",
    "prepaid_principal",
    "recoveries",
    "defaulted_principal",
    "days_past_due",
)
SERVICER_COLUMNS = (*COLUMNS, *PERIOD_COLUMNS)
MAX_UNITS = 2**128 - 1
BUCKETS = (30, 60, 90)  # days past due where the 30, 60 and 90+ buckets start


@dataclass(frozen=True)
class ServicedLoan:
    loan: Loan
    opening: int
    interest: int
    scheduled: int
    prepaid: int
    recoveries: int
    defaulted: int
    days_past_due: int


@dataclass(frozen=True)
class PeriodBuild:
    """A period report and the new tape behind it (None when no loan is left)."""

    report: PeriodReport
    tape: LoanTape | None
    stats: TapeAggregates
    opening_balance: int
    loans: int
    defaulted_loans: int
    repaid_loans: int


def read_servicer_file(path: Path, key: bytes) -> list[ServicedLoan]:
    """Read and check a servicer file; TapeError names the row and column."""
    return read_loan_rows(
        path, SERVICER_COLUMNS, lambda row, line: _serviced(row, line, key), lambda s: s.loan
    )


def _serviced(row: dict[str, str], line: int, key: bytes) -> ServicedLoan:
    def amount(column: str, high: int = MAX_UNITS) -> int:
        raw = (row.get(column) or "").strip()
        try:
            value = int(raw)
        except ValueError:
            raise TapeError(f"row {line}, column {column}: not an integer: {raw!r}") from None
        if not 0 <= value <= high:
            raise TapeError(f"row {line}, column {column}: {value} is outside 0..{high}")
        return value

    loan = loan_from_row(row, line, key)
    s = ServicedLoan(
        loan=loan,
        opening=amount("opening_principal"),
        interest=amount("interest_paid"),
        scheduled=amount("scheduled_principal_paid"),
        prepaid=amount("prepaid_principal"),
        recoveries=amount("recoveries"),
        defaulted=amount("defaulted_principal"),
        days_past_due=amount("days_past_due", 100_000),
    )
    out = s.scheduled + s.prepaid + s.defaulted
    if out > s.opening:
        raise TapeError(
            f"row {line}, column opening_principal: {s.opening} is less than the principal "
            f"paid and defaulted ({out})"
        )
    if s.opening - out != loan.current_principal:
        raise TapeError(
            f"row {line}, column current_principal: opening {s.opening} less scheduled "
            f"{s.scheduled}, prepaid {s.prepaid} and defaulted {s.defaulted} is "
            f"{s.opening - out}, not {loan.current_principal}"
        )
    if s.defaulted and loan.current_principal:
        raise TapeError(
            f"row {line}, column defaulted_principal: a default writes the whole balance off, "
            f"but {loan.current_principal} is still owed"
        )
    return s


def build_period(rows: list[ServicedLoan], period_end: date) -> PeriodBuild:
    """The period report and new tape from checked servicer rows."""
    delinquent = [0, 0, 0]
    for r in rows:
        if r.loan.current_principal and r.days_past_due >= BUCKETS[0]:
            bucket = sum(r.days_past_due >= start for start in BUCKETS) - 1
            delinquent[bucket] += r.loan.current_principal
    outstanding = tuple(r.loan for r in rows if r.loan.current_principal)
    tape = LoanTape(outstanding, period_end) if outstanding else None
    stats = tape.aggregates if tape else TapeAggregates(0, 0, 0, 0, 0)
    report = PeriodReport(
        period_end=int(datetime(*period_end.timetuple()[:3], tzinfo=UTC).timestamp()),
        interest=sum(r.interest for r in rows),
        scheduled_principal=sum(r.scheduled for r in rows),
        prepayments=sum(r.prepaid for r in rows),
        recoveries=sum(r.recoveries for r in rows),
        new_defaults=sum(r.defaulted for r in rows),
        delinquent_30=delinquent[0],
        delinquent_60=delinquent[1],
        delinquent_90=delinquent[2],
        pool_balance=stats.balance,
        tape_root=tape.root if tape else bytes(32),
    )
    return PeriodBuild(
        report=report,
        tape=tape,
        stats=stats,
        opening_balance=sum(r.opening for r in rows),
        loans=len(rows),
        defaulted_loans=sum(1 for r in rows if r.defaulted),
        repaid_loans=sum(
            1 for r in rows if r.opening and not r.loan.current_principal and not r.defaulted
        ),
    )
