"""Request and response bodies of the pool resources."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.types import Address, UInt32, UInt128
from ledger.deals.service import LoanRow, PeriodInput, Written
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
    tranche: UInt32 | str = Field(description="index (0 = most senior) or name")
    amount: Annotated[UInt128, Field(gt=0)] = Field(description="settlement-token units")
    investor: str | None = Field(default=None, description="only when an admin acts for one")


class TrancheRequest(_Body):
    tranche: UInt32 | str = Field(description="index (0 = most senior) or name")
    investor: str | None = Field(default=None, description="only when an admin acts for one")


class TransferRequest(TrancheRequest):
    to: str = Field(description="investor name or address")
    amount: Annotated[UInt128, Field(gt=0)]


class PeriodTrancheOut(DealPeriodTrancheFigures):
    tranche: int
    name: str


TRIGGERS_DESCRIPTION = (
    "the period's own tests (docs/waterfall.md §8) in basis points: OC and IC with their "
    "minimum, the cumulative-default ratio with its maximum, the rating test; headroom is how far the ratio "
    "may still move before the test fails (negative once failed, null when there is no test)"
)
# Period 2 of the sample deal in docs/deals-service.md (cumulative-default maximum 1.5%).
TRIGGERS_EXAMPLE = {
    "oc": {"ratio_bps": 10_585, "min_bps": 10_300, "pass": True, "headroom_bps": 285},
    "ic": {"ratio_bps": 16_093, "min_bps": 15_000, "pass": True, "headroom_bps": 1_093},
    "cumulative_default": {
        "cumulative_defaults": 13_172_680_726,
        "ratio_bps": 131,
        "max_bps": 150,
        "pass": True,
        "headroom_bps": 19,
    },
    "rating": {"pass": True},
    "breached": False,
    "principal": "sequential",
}
Triggers = Annotated[
    dict[str, Any],
    Field(description=TRIGGERS_DESCRIPTION, examples=[TRIGGERS_EXAMPLE]),
]


class PeriodOut(DealPeriodFigures):
    """Every figure of one period's event (cd_* are the cumulative-default test; per
    tranche, ``cured`` is the part of ``writeup`` cured from revenue), and its tests."""

    period: int
    tranches: list[PeriodTrancheOut]
    triggers: Triggers


class ReportedOut(BaseModel):
    """A period run on chain: the transaction, the waterfall's result and its tests."""

    tx_hash: str
    block_number: int
    period: int
    cash_in: int
    residual_to_equity: int
    reserve_after: int
    cumulative_defaults: int
    oc_ratio_bps: int
    ic_ratio_bps: int
    cd_ratio_bps: int
    cd_threshold_bps: int
    oc_pass: bool
    ic_pass: bool
    cd_pass: bool
    rating_pass: bool
    trigger_breached: bool
    sequential: bool
    triggers: Triggers
    tranches: list[dict[str, int]] = Field(
        description="per tranche: interest due/paid/shortfall, principal paid, writedown, "
        "writeup (recoveries and cures), cured (from revenue), balance"
    )


class ClaimOut(BaseModel):
    tranche: int
    amount: int


class ClaimableOut(BaseModel):
    holder: str
    claimable: list[ClaimOut]
