from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.types import Cell, Hex32, UInt16


class Applicant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject_id: str = Field(min_length=1, max_length=256, description="pseudonymised on arrival")
    inputs: dict[str, Cell] = Field(
        description="the applicant's values by model column (missing values as null)"
    )


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model_id: Hex32 = Field(description="a model registered through /v1/models/artifacts")
    applicants: list[Applicant] = Field(min_length=1, max_length=50_000)
    attest: StrictBool = Field(default=True, description="attest every score on chain")
    valid_days: Annotated[UInt16, Field(ge=1, le=3650)] = 365
    mode: Literal["batch", "single"] = "batch"
    reasons: Annotated[UInt16, Field(le=8)] = Field(
        default=4, description="adverse reasons per applicant"
    )


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
