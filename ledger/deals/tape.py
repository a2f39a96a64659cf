"""Loan tape: a CSV of loans -> OpenZeppelin StandardMerkleTree leaves, root and aggregates.

CSV columns (specified in docs/loan-tape.md; one loan a row; amounts are integers in the
settlement token's smallest unit):
``loan_id, original_principal, current_principal, rate_bps, term_months, origination_date
(YYYY-MM-DD), score_uid (0x + 64 hex: the attestation uid of the borrower's score), score``.

A raw loan id never leaves this module: each loan is named by its keyed pseudonym
``HMAC-SHA256(key, loan_id)`` (``ledger.attest.records.pseudonym``; the key is at least 16
bytes). A leaf is ``standard_leaf(LEAF_TYPES, loan.values())``, so
anyone holding the tape can prove a loan in the pool with the standard tools and
re-derive the aggregates the pool stores (``aggregate``), which round down.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from ledger.attest.records import RecordError, pseudonym
from ledger.inputfiles import read_dict_rows
from ledger.merkle import MerkleTree, standard_leaf

LEAF_TYPES = (
    "bytes32",
    "uint256",
    "uint256",
    "uint256",
    "uint256",
    "uint256",
    "bytes32",
    "uint256",
)
LEAF_FIELDS = (
    "loan",
    "original_principal",
    "current_principal",
    "rate_bps",
    "term_months",
    "origination_time",
    "score_uid",
    "score",
)
COLUMNS = (
    "loan_id",
    "original_principal",
    "current_principal",
    "rate_bps",
    "term_months",
    "origination_date",
    "score_uid",
    "score",
)


Row = TypeVar("Row")


class TapeError(ValueError):
    """The tape is unreadable or a row is invalid; the message names the row and column."""


def loan_pseudonym(key: bytes, loan_id: str) -> bytes:
    """The 32-byte keyed pseudonym of a loan id: the same HMAC-SHA256 as score subjects."""
    try:
        return bytes.fromhex(pseudonym(key, loan_id)[2:])
    except RecordError as exc:
        raise TapeError(f"pseudonym key: {exc}") from None


@dataclass(frozen=True)
class Loan:
    loan: bytes  # pseudonym
    original_principal: int
    current_principal: int
    rate_bps: int
    term_months: int
    origination_date: date
    score_uid: bytes
    score: int

    @property
    def origination_time(self) -> int:
        day = self.origination_date
        return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())

    def values(self) -> tuple:
        """The leaf values, in LEAF_FIELDS order."""
        return tuple(getattr(self, name) for name in LEAF_FIELDS)

    def leaf(self) -> bytes:
        return standard_leaf(LEAF_TYPES, self.values())

    def remaining_term(self, as_of: date) -> int:
        """Months left at ``as_of``: the term less the whole months since origination."""
        start = self.origination_date
        elapsed = (as_of.year - start.year) * 12 + as_of.month - start.month
        elapsed -= as_of.day < start.day
        return max(self.term_months - max(elapsed, 0), 0)


@dataclass(frozen=True)
class TapeAggregates:
    """What the pool stores beside the root; weighted by current principal, rounded down."""

    count: int
    balance: int
    wa_rate_bps: int
    wa_score: int
    wa_remaining_term_months: int


def aggregate(loans: list[Loan], as_of: date) -> TapeAggregates:
    balance = sum(loan.current_principal for loan in loans)

    def weighted(values: list[int]) -> int:
        if balance == 0:
            return 0
        total = sum(v * loan.current_principal for v, loan in zip(values, loans, strict=True))
        return total // balance

    return TapeAggregates(
        count=len(loans),
        balance=balance,
        wa_rate_bps=weighted([loan.rate_bps for loan in loans]),
        wa_score=weighted([loan.score for loan in loans]),
        wa_remaining_term_months=weighted([loan.remaining_term(as_of) for loan in loans]),
    )


@dataclass(frozen=True)
class LoanTape:
    loans: tuple[Loan, ...]
    as_of: date  # the cut-off date the remaining terms are counted to

    @cached_property
    def tree(self) -> MerkleTree:
        return MerkleTree.build([loan.leaf() for loan in self.loans])

    @property
    def root(self) -> bytes:
        return self.tree.root

    @cached_property
    def aggregates(self) -> TapeAggregates:
        return aggregate(list(self.loans), self.as_of)

    def proof(self, index: int) -> list[bytes]:
        """The Merkle proof of the ``index``-th loan of the tape (in CSV order)."""
        return self.tree.proof_at(index)


def read_tape(path: Path, key: bytes, as_of: date) -> LoanTape:
    """Read and check a loan-tape CSV; raises TapeError naming the row and column."""
    loans = read_loan_rows(path, COLUMNS, lambda row, line: loan_from_row(row, line, key))
    return LoanTape(tuple(loans), as_of)


def read_loan_rows(
    path: Path,
    columns: Sequence[str],
    parse: Callable[[dict[str, str], int], Row],
    loan: Callable[[Row], Loan] = lambda row: row,  # a tape's rows are loans
) -> list[Row]:
    """The rows of a loan CSV (a tape, a servicer file) parsed by ``parse(row, line)``;
    every column present, at least one row, each loan id once (``loan`` finds the row's
    loan); TapeError names the file, or the row and column."""
    rows = [parse(row, line) for line, row in read_dict_rows(path, columns, TapeError)]
    if not rows:
        raise TapeError(f"{path}: no loans")
    seen: set[bytes] = set()
    for line, row in enumerate(rows, start=2):
        pseudonym = loan(row).loan
        if pseudonym in seen:
            raise TapeError(f"row {line}, column loan_id: duplicate loan id")
        seen.add(pseudonym)
    return rows


def loan_from_row(row: dict[str, str], line: int, key: bytes) -> Loan:
    """One CSV row (``line`` is its line number, for errors) as a loan; TapeError if invalid."""

    def text(column: str) -> str:
        value = (row.get(column) or "").strip()
        if not value:
            raise TapeError(f"row {line}, column {column}: empty")
        return value

    def integer(column: str, low: int, high: int) -> int:
        raw = text(column)
        try:
            value = int(raw)
        except ValueError:
            raise TapeError(f"row {line}, column {column}: not an integer: {raw!r}") from None
        if not low <= value <= high:
            raise TapeError(f"row {line}, column {column}: {value} is outside {low}..{high}")
        return value

    try:
        originated = date.fromisoformat(text("origination_date"))
    except ValueError:
        raise TapeError(f"row {line}, column origination_date: not a YYYY-MM-DD date") from None
    uid = text("score_uid").lower()
    if len(uid) != 66 or not uid.startswith("0x"):
        raise TapeError(f"row {line}, column score_uid: expected 0x and 64 hex digits")
    try:
        score_uid = bytes.fromhex(uid[2:])
    except ValueError:
        raise TapeError(f"row {line}, column score_uid: not hexadecimal") from None
    original = integer("original_principal", 1, 2**128 - 1)
    return Loan(
        loan=loan_pseudonym(key, text("loan_id")),
        original_principal=original,
        current_principal=integer("current_principal", 0, original),
        rate_bps=integer("rate_bps", 0, 100_000),
        term_months=integer("term_months", 1, 600),
        origination_date=originated,
        score_uid=score_uid,
        score=integer("score", 0, 10_000),
    )
