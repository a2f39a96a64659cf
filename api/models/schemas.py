from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.types import Hex32

Bps = Field(ge=0, le=10_000)


class MetricsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    auc_bps: int = Bps
    ks_bps: int = Bps
    gini_bps: int = Bps
    psi_bps: int = Field(ge=0, le=65_535)
    sample_size: int = Field(ge=0, le=2**32 - 1)


class ModelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model_id: Hex32 = Field(description="keccak-256 of the model artifact's canonical bytes")
    metadata_uri: str = Field(default="", max_length=500)
    metrics: MetricsIn


class ArtifactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    artifact: dict = Field(
        description="a credence-scorecard/1 artifact (from `credence score fit`)"
    )
    uri: str = Field(default="", max_length=500, description="where others can fetch the artifact")


class ArtifactRegistered(BaseModel):
    model_id: str
    metrics: MetricsIn
    already_registered: bool
