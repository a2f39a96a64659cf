"""Request and response schemas of the cover actions (deploy, collateral, bind, release)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.types import Address, UInt128, UInt256


class DeployRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["guarantee", "insurance"]
    pool: Address = Field(description="the pool covered")
    terms: dict[str, UInt256] = Field(
        description="guarantee: tranche, limit, premium_bps, last_period; insurance: "
        "deductible, limit, coinsurance_bps, premium_bps, last_period (docs/waterfall.md §14.1)"
    )
    required: UInt256 | None = Field(
        default=None, description="collateral to keep posted; default: the pricing's collateral"
    )
    pricing_record: str | None = Field(
        default=None,  # about 1.8 kB a loan; bounded by the API's body limit
        description="the pricing record (POST /v1/cover/price); its Keccak-256 is committed",
    )


class CollateralRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: UInt128 = Field(gt=0, description="settlement-token units (smallest unit) to post")


class BindRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pricing_record: str | None = Field(
        default=None,
        description="bind only if the facility commits this pricing record and was deployed "
        "on the terms it priced (docs/waterfall.md §14.6)",
    )


class PositionOut(BaseModel):
    """A facility as the chain has it now (amounts in the token's smallest unit)."""

    address: str
    kind: str
    pool: str
    provider: str
    bound: bool
    releasable: bool
    required: int = Field(description="collateral that must stay posted now")
    collateral_required: int = Field(description="fixed at deployment")
    pricing_hash: str
    terms: dict[str, int]
    state: dict[str, int | bool]


class DeployedOut(BaseModel):
    address: str
    kind: str
    pool: str
    provider: str
    required: int
    pricing_hash: str
    tx_hash: str
    block_number: int


class ActionOut(BaseModel):
    tx_hash: str
    block_number: int
    position: PositionOut
