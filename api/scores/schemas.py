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
    strategy_id: Hex32 | None = Field(
        default=None,
        description="a registered cut-off strategy of this model: each result (and record) "
        "carries its decision and names the strategy",
    )
    skip_invalid: bool = Field(
        default=False,
        description="score and attest the applicants that can be scored and list the others "
        "under `refused`; by default one bad applicant refuses the whole request",
    )


class ScoredApplicant(BaseModel):
    index: int = Field(description="0-based position in applicants")
    subject: str
    score: int
    grade: str
    pd_bps: int
    reasons: list[str]
    reason_texts: list[str] = Field(description="the reasons in words, in the order of reasons")
    decision: Literal["approve", "refer", "decline"] | None = None
    commitment: str | None = None
    batch_root: str | None = None


class Refused(BaseModel):
    index: int = Field(description="0-based position in applicants")
    field: str = Field(description="e.g. applicants.3.inputs.income")
    reason: str


class ScoreResponse(BaseModel):
    model_id: str
    strategy_id: str | None = None
    count: int
    attested: bool
    results: list[ScoredApplicant]
    refused: list[Refused] = Field(default_factory=list)


class StrategyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strategy: dict = Field(description="a credence-strategy/1 artifact (`credence score strategy`)")
    uri: str = Field(default="", max_length=500, description="where others can fetch it")


class StrategyRegistered(BaseModel):
    strategy_id: str
    model_id: str
    already_registered: bool
