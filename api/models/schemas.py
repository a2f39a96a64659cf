from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from api.types import Hex32, UInt16, UInt32

Bps = Annotated[UInt16, Field(le=10_000)]


class MetricsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    auc_bps: Bps
    ks_bps: Bps
    gini_bps: Bps
    psi_bps: UInt16
    sample_size: UInt32


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
