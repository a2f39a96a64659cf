from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.types import Cell, Hex32


class DisclosedField(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    value: str = Field(max_length=1024)
    salt: Hex32
    proof: list[Hex32] = Field(max_length=64)


class BatchMembership(BaseModel):
    model_config = ConfigDict(extra="forbid")

    root: Hex32
    proof: list[Hex32] = Field(max_length=64)


class VerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    commitment: Hex32 = Field(description="the record commitment the fields claim to belong to")
    fields: list[DisclosedField] = Field(min_length=1, max_length=32)
    batch: BatchMembership | None = Field(default=None, description="set for batched records")
    inputs: dict[str, Cell] | None = Field(
        default=None,
        description="the applicant's model inputs, to recompute the score from the model "
        "artifact (needs model_id and score disclosed)",
    )


class VerifyResponse(BaseModel):
    status: str = Field(
        description="valid, unknown, revoked, expired, attester_suspended, "
        "invalid_disclosure or mismatch"
    )
    valid: bool
    reasons: list[str]
    commitment: str | None
    disclosed: dict[str, str]
    attester_id: int | None
    issued_at: int | None
    expires_at: int | None
    revoked_at: int | None
    revocation_reason: int | None
    recomputed_score: int | None
