from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.types import Hex32


class Applicant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject_id: str = Field(min_length=1, max_length=256, description="pseudonymised on arrival")
    inputs: dict[str, str | int | float | None] = Field(
        description="the applicant's values by model column (missing values as null)"
    )


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model_id: Hex32 = Field(description="a model registered through /v1/models/artifacts")
    applicants: list[Applicant] = Field(min_length=1, max_length=50_000)
    attest: bool = Field(default=True, description="attest every score on chain")
    valid_days: int = Field(default=365, ge=1, le=3650)
    mode: Literal["batch", "single"] = "batch"
    reasons: int = Field(default=4, ge=0, le=8, description="adverse reasons per applicant")


class ScoredApplicant(BaseModel):
    subject: str
    score: int
    grade: str
    pd_bps: int
    reasons: list[str]
    commitment: str | None = None
    batch_root: str | None = None


class ScoreResponse(BaseModel):
    model_id: str
    count: int
    attested: bool
    results: list[ScoredApplicant]
