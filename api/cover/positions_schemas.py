"""Response schemas of the cover positions (the read side: facilities, their periods)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class CoverTermsOut(BaseModel):
    tranche: int | None = Field(description="the covered note (guarantees; null for insurance)")
    limit: int = Field(description="paid in total at most, smallest unit")
    premium_bps: int = Field(description="a year, on the covered balance")
    last_period: int = Field(description="the cover runs for periods 1 .. last_period")
    deductible: int | None = Field(description="aggregate first loss kept by the pool (insurance)")
    coinsurance_bps: int | None = Field(description="share of defaults past the deductible")


class CollateralMoveOut(BaseModel):
    kind: Literal["posted", "withdrawn", "released"]
    amount: int
    collateral_after: int
    block_number: int
    tx_hash: str


class FacilityOut(BaseModel):
    """A guarantee facility or insurance policy: terms, state and running totals."""

    address: str
    kind: Literal["guarantee", "insurance"]
    pool: str
    provider: str = Field(description="the guarantor or insurer")
    terms: CoverTermsOut
    required: int = Field(description="collateral to keep posted while in force")
    pricing_hash: str = Field(description="commitment to the pricing record (POST /v1/cover/price)")
    block_number: int = Field(description="deployed in")
    tx_hash: str
    bound: bool
    bound_block: int | None
    bound_tx: str
    released: bool
    released_amount: int
    released_tx: str
    collateral: int = Field(description="posted and not yet drawn or paid out")
    posted: int
    withdrawn: int
    premium_paid: int
    premium_shortfall: int
    paid: int = Field(description="draws (guarantee) or claims paid (insurance), in total")
    recovered: int = Field(description="subrogation or recoveries received, in total")
    owed: int = Field(description="paid less recovered")
    unpaid_claims: int = Field(description="demands the collateral could not meet, in total")
    losses: int = Field(description="insurance: defaults reported while in force")
    periods: int = Field(description="periods settled")
    collateral_moves: list[CollateralMoveOut]


class FacilityPeriodOut(BaseModel):
    """One period of a facility: premium, what it paid in, what came back, what it owed."""

    period: int
    premium_due: int
    premium_paid: int
    demand: int = Field(description="guarantee demand, or insurance claim, before collateral")
    paid: int = Field(description="the draw, or the claim paid, into the pool")
    draw_interest: int = Field(description="of a draw, paid as the note's interest")
    draw_cure: int = Field(description="of a draw, curing the note's deficiency")
    recovered: int = Field(description="subrogation (guarantee) or recoveries (insurance)")
    recovered_from_revenue: int = Field(description="of a guarantee's subrogation: excess spread")
    unpaid_claim: int = Field(description="demand the collateral could not meet")
    collateral_after: int
    owed_after: int
    unpaid_claims_total: int
    block_number: int
    tx_hash: str
