"""Inputs shared by the API and the CLI, the deal service's errors and its results.

Errors: ``DealError`` (bad input, naming the field), ``DealNotFound`` and ``DealConflict``;
a contract revert surfaces as ``ledger.tx.ContractRevert``.
"""

from __future__ import annotations

import csv
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

from ledger.apikeys import key_hash
from ledger.bounds import UINT128_MAX, UInt16, UInt32, UInt40, UInt128
from ledger.deals.checks import CheckError
from ledger.deals.investors import InvestorInputError
from ledger.deals.pool_types import PoolInputError
from ledger.deals.spec import DAY_COUNTS, DealSpecError
from ledger.deals.tape import COLUMNS, LoanTape, TapeAggregates, TapeError, read_tape
from ledger.deals.waterfall import PeriodReport, WaterfallInputError
from ledger.store.deal_tables import (
    InvestorAccount,
)

INVESTOR_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
DAY_COUNT_NAMES = {int(v): k for k, v in DAY_COUNTS.items()}
UINT128 = UINT128_MAX


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

Units = Field(description="settlement-token units (smallest unit)")


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoanRow(_Input):
    """One loan of a tape (the loan-tape CSV's columns); amounts in token units."""

    loan_id: str = Field(min_length=1)
    original_principal: UInt128
    current_principal: UInt128
    rate_bps: UInt32
    term_months: UInt16
    origination_date: date
    score_uid: str
    score: UInt16


class TapeStatsInput(_Input):
    count: UInt32
    wa_rate_bps: UInt32
    wa_score: UInt32
    wa_remaining_term_months: UInt32


class PeriodInput(_Input):
    """A servicer's period report: collections, defaults, delinquency and the new tape."""

    period_end: date | UInt40 = Field(description="payment date (00:00 UTC) or unix seconds")
    interest: UInt128 = Units
    scheduled_principal: UInt128 = Units
    prepayments: UInt128 = Units
    recoveries: UInt128 = Units
    new_defaults: UInt128 = Units
    delinquent_30: UInt128 = Units
    delinquent_60: UInt128 = Units
    delinquent_90: UInt128 = Units
    pool_balance: UInt128 = Units
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


api_key_hash = key_hash  # investor keys are stored like every API key: SHA-256 only


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
