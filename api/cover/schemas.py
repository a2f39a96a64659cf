"""Request and response schemas of the cover resource (docs/waterfall.md §14)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

HEX32 = r"^0x[0-9a-fA-F]{64}$"


class LoanPdIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    loan: str = Field(pattern=HEX32, description="the tape's pseudonym")
    balance: int = Field(ge=0, description="current principal, smallest unit")
    pd_bps: int = Field(ge=0, le=10_000, description="annual PD of the attested score record")
    score_uid: str = Field(pattern=HEX32, description="the attestation carrying the record")
    disclosure: dict[str, Any] = Field(
        description="the record's pd_bps field disclosed (docs/disclosure.md), checked on chain"
    )


class PricingInputsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tape_root: str = Field(default="0x" + "00" * 32, pattern=HEX32, description="from tape_csv")
    model_ids: list[str] = Field(default_factory=list, max_length=64)
    loans: list[LoanPdIn] = Field(
        default_factory=list, max_length=100_000, description="required without tape_csv"
    )
    kind: Literal["guarantee", "insurance"] = Field(
        default="guarantee", description="a guarantee on a note, or a policy on the pool"
    )
    tranche: int | None = Field(
        default=None, ge=0, le=7, description="guarantee (required): the covered note"
    )
    deductible: int = Field(default=0, ge=0, lt=2**256, description="insurance: first loss kept")
    limit: int = Field(default=0, ge=0, lt=2**256, description="insurance: most paid in claims")
    coinsurance_bps: int = Field(default=0, ge=0, le=10_000, description="insurance: its share")
    last_period: int = Field(default=0, ge=0, description="insurance: covers periods 1 .. this")
    lgd_bps: int = Field(ge=0, le=10_000, description="loss given default")
    stress_bps: int = Field(ge=10_000, le=1_000_000, description="stress multiple (30000 = 3x)")
    cpr_bps: int = Field(ge=0, le=10_000, description="annual prepayment rate")
    margin_bps: int = Field(ge=0, le=100_000, description="added to the premium")
    registry: str = Field(
        default="", description="the AttestationRegistry the PDs are checked on (default: ours)"
    )


class PriceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    spec: dict[str, Any] = Field(description="the pool's deal spec (as in a spec file)")
    inputs: PricingInputsIn
    tape_csv: str | None = Field(
        default=None,
        description="loan tape CSV with a pd_bps column: the loans, each PD checked against "
        "the score record this service issued under its score_uid",
    )


class PriceOut(BaseModel):
    pricing_hash: str = Field(description="Keccak-256 of the record: the facility's pricingHash")
    record: str = Field(description="canonical JSON of the inputs and the result")
    result: dict[str, int] = Field(
        description="pool_pd_bps, expected_loss, stressed_loss, periods, premium_bps, "
        "collateral (a policy's: the capital it requires)"
    )
