from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

DISCLOSURE_DOC = (
    "a disclosure, version 1, exactly as docs/disclosure.md specifies (the file a customer "
    "hands over); refused with 422 naming the field when any offline rule fails"
)


class RecomputeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disclosure: dict[str, Any] = Field(description=DISCLOSURE_DOC)
    inputs: dict[str, str | int | float | None] = Field(
        description="the applicant's model inputs, to recompute the score from the model "
        "artifact (needs model_id and score disclosed)",
    )


class VerifyResponse(BaseModel):
    status: str = Field(
        description="valid, unknown, revoked, expired, attester_suspended, mismatch, "
        "wrong_chain or not_registry (docs/disclosure.md, Verdicts)"
    )
    valid: bool
    reasons: list[str]
    chain_id: int | None
    registry: str | None
    commitment: str | None
    attester_id: int | None
    batch_root: str | None
    disclosed: dict[str, str]
    issued_at: int | None = Field(description="block time the record was anchored")
    expires_at: int | None
    revoked_at: int | None
    revocation_reason: int | None
    recomputed_score: int | None
