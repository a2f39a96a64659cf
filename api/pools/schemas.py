"""Request and response bodies of the pool resources."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.types import Address
from ledger.deals.service import UINT128, LoanRow, PeriodInput, Written
from ledger.deals.spec import DealSpec
from ledger.store.deal_tables import (
    DealPeriodFigures,
    DealPeriodTrancheFigures,
    DealTrancheFigures,
)

__all__ = ["LoanRow", "PeriodInput"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartiesIn(_Body):
    """Where the money goes (defaults: the structurer, the servicer, the service's admin)."""

    originator: Address | None = None
    servicer_fee_recipient: Address | None = None
    trustee_fee_recipient: Address | None = None


class CreatePoolRequest(_Body):
    """A deal spec (JSON ``spec`` or the YAML/JSON file's text in ``spec_yaml``) and its loan
    tape (JSON ``loans`` rows or the CSV file's text in ``tape_csv``)."""

    spec: DealSpec | None = None
    spec_yaml: str | None = Field(default=None, description="the deal spec file, YAML or JSON")
    loans: list[LoanRow] | None = Field(default=None, min_length=1)
    tape_csv: str | None = Field(default=None, description="the loan-tape CSV file")
    tape_as_of: date | None = Field(
        default=None, description="cut-off for remaining terms (default: the closing date)"
    )
    parties: PartiesIn = PartiesIn()

    @model_validator(mode="after")
    def _one_of_each(self) -> CreatePoolRequest:
        if (self.spec is None) == (self.spec_yaml is None):
            raise ValueError("give exactly one of spec and spec_yaml")
        if (self.loans is None) == (self.tape_csv is None):
            raise ValueError("give exactly one of loans and tape_csv")
        return self


class PoolCreatedOut(BaseModel):
    address: str
    deal_id: str
    tokens: list[str]
    tranches: list[str]
    block_number: int


class WrittenOut(BaseModel):
    tx_hash: str
    block_number: int

    @classmethod
    def of(cls, written: Written) -> WrittenOut:
        return cls(tx_hash=written.tx_hash, block_number=written.block_number)


class PoolSummary(BaseModel):
    address: str
    name: str | None
    state: str
    periods: int
    tranche_count: int
    pool_balance: int
    settlement_token: str
    created_block: int


class TrancheOut(DealTrancheFigures):
    tranche: int
    name: str


class PoolOut(BaseModel):
    """A pool as indexed: parties, terms, tape, state, and its tranches."""

    name: str | None
    pool: dict[str, Any]
    tranches: list[TrancheOut]


class CloseRequest(_Body):
    unsubscribed: dict[str, Literal["retain", "resize"]] = Field(
        default_factory=dict,
        description="tranche name or index -> what happens to its unsubscribed part",
    )


class SubscribeRequest(_Body):
    tranche: int | str = Field(description="index (0 = most senior) or name")
    amount: int = Field(gt=0, le=UINT128, description="settlement-token units")
    investor: str | None = Field(default=None, description="only when an admin acts for one")


class TrancheRequest(_Body):
    tranche: int | str = Field(description="index (0 = most senior) or name")
    investor: str | None = Field(default=None, description="only when an admin acts for one")


class TransferRequest(TrancheRequest):
    to: str = Field(description="investor name or address")
    amount: int = Field(gt=0, le=UINT128)


class PeriodTrancheOut(DealPeriodTrancheFigures):
    tranche: int
    name: str


class PeriodOut(DealPeriodFigures):
    period: int
    tranches: list[PeriodTrancheOut]


class ReportedOut(BaseModel):
    """A period run on chain: the transaction and the waterfall's result."""

    tx_hash: str
    block_number: int
    period: int
    cash_in: int
    residual_to_equity: int
    reserve_after: int
    trigger_breached: bool
    tranches: list[dict[str, int]]


class ClaimOut(BaseModel):
    tranche: int
    amount: int


class ClaimableOut(BaseModel):
    holder: str
    claimable: list[ClaimOut]
