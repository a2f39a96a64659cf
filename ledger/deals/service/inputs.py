"""Inputs shared by the API and the CLI, the deal service's errors and its results.

Errors: ``DealError`` (bad input, naming the field), ``DealNotFound`` and ``DealConflict``;
a contract revert surfaces as ``ledger.tx.ContractRevert``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from web3.types import TxReceipt

from ledger.deals.checks import CheckError
from ledger.deals.investors import InvestorInputError
from ledger.deals.pool import (
    PoolInputError,
)
from ledger.deals.spec import DAY_COUNTS, DealSpecError
from ledger.deals.tape import COLUMNS, LoanTape, TapeAggregates, TapeError, read_tape
from ledger.deals.waterfall import PeriodReport, WaterfallInputError
from ledger.store.deal_tables import (
    InvestorAccount,
)

INVESTOR_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
DAY_COUNT_NAMES = {int(v): k for k, v in DAY_COUNTS.items()}
UINT128 = 2**128 - 1


class DealError(ValueError):
    """Bad input; ``field`` names it. ``status`` is the HTTP status an API answers with."""

    status = 422

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class DealNotFound(DealError):
    status = 404


class DealConflict(DealError):
    """The request is well formed but cannot be done in the current state."""

    status = 409


@contextmanager
def input_errors(field: str = "body") -> Iterator[None]:
    """Turn the deal libraries' input errors into ``DealError`` naming the field."""
    try:
        yield
    except (PoolInputError, InvestorInputError) as exc:
        raise DealError(exc.field, exc.reason) from None
    except CheckError as exc:
        raise DealError(exc.field, exc.reason) from None
    except DealSpecError as exc:
        raise DealError("spec", str(exc)) from None
    except (TapeError, WaterfallInputError) as exc:
        raise DealError(field, str(exc)) from None


# --- inputs shared by the API and the CLI -------------------------------------------------------

Units = Field(ge=0, le=UINT128, description="settlement-token units (smallest unit)")


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoanRow(_Input):
    """One loan of a tape (the loan-tape CSV's columns); amounts in token units."""

    loan_id: str = Field(min_length=1)
    original_principal: int
    current_principal: int
    rate_bps: int
    term_months: int
    origination_date: date
    score_uid: str
    score: int


class TapeStatsInput(_Input):
    count: int = Field(ge=0)
    wa_rate_bps: int = Field(ge=0)
    wa_score: int = Field(ge=0)
    wa_remaining_term_months: int = Field(ge=0)


class PeriodInput(_Input):
    """A servicer's period report: collections, defaults, delinquency and the new tape."""

    period_end: date | int = Field(description="payment date (00:00 UTC) or unix seconds")
    interest: int = Units
    scheduled_principal: int = Units
    prepayments: int = Units
    recoveries: int = Units
    new_defaults: int = Units
    delinquent_30: int = Units
    delinquent_60: int = Units
    delinquent_90: int = Units
    pool_balance: int = Units
    tape_root: str = Field(default="0x" + "00" * 32, pattern=r"^0x[0-9a-fA-F]{64}$")
    stats: TapeStatsInput | None = None

    def to_report(self) -> PeriodReport:
        end = self.period_end
        if isinstance(end, date):
            end = int(datetime(end.year, end.month, end.day, tzinfo=UTC).timestamp())
        values = self.model_dump(exclude={"period_end", "tape_root", "stats"})
        return PeriodReport(period_end=end, tape_root=bytes.fromhex(self.tape_root[2:]), **values)

    def to_stats(self) -> TapeAggregates | None:
        if self.stats is None:
            return None
        return TapeAggregates(balance=self.pool_balance, **self.stats.model_dump())


def tape_from_csv(text: str, key: bytes, as_of: date) -> LoanTape:
    """A loan tape from CSV text (checked by ``ledger.deals.tape.read_tape``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tape.csv"
        path.write_text(text)
        try:
            return read_tape(path, key, as_of)
        except TapeError as exc:
            raise TapeError(str(exc).replace(str(path), "tape")) from None


def tape_from_rows(rows: list[LoanRow], key: bytes, as_of: date) -> LoanTape:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(row.model_dump(mode="json") for row in rows)
    return tape_from_csv(out.getvalue(), key, as_of)


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def investor_role(name: str) -> str:
    """The keystore role of an investor's custodial key."""
    return f"investor-{name}"


@dataclass(frozen=True)
class Written:
    """A write that went through: its transaction and block (wait for the index to pass it)."""

    tx_hash: str
    block_number: int

    @classmethod
    def of(cls, receipt: TxReceipt) -> Written:
        return cls(receipt["transactionHash"].to_0x_hex(), int(receipt["blockNumber"]))


@dataclass(frozen=True)
class CreatedPool:
    address: str
    deal_id: str
    tokens: list[str]
    tranche_names: list[str]
    block_number: int


@dataclass(frozen=True)
class NewInvestor:
    account: InvestorAccount
    api_key: str | None  # only when the account was created by this call
    written: Written
