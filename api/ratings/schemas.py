"""Request and response schemas of the ratings resource."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class PublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool: str = Field(pattern=r"^0x[0-9a-fA-F]{40}$")
    tranche: int = Field(ge=0, le=7, description="tranche index, 0 = most senior")
    spec: dict[str, Any] = Field(description="the pool's deal spec (as in a spec file)")
    tape_csv: str = Field(
        max_length=20_000_000,
        description="loan tape CSV: with a pd_bps column, or with score_uid if pd_from_records",
    )
    pd_from_records: bool = Field(
        default=False, description="read each loan's pd_bps from its attested score record"
    )
    methodology: dict[str, Any] = Field(
        default_factory=dict, description="methodology parameters (defaults if empty)"
    )
    outlook: Literal["positive", "stable", "negative"] = "stable"
    watch: Literal["none", "positive", "negative", "developing"] = "none"
    valid_days: int = Field(default=365, ge=1, le=3650)


class RatingOut(BaseModel):
    commitment: str
    status: str = Field(description="valid, superseded, revoked, expired, attester_suspended")
    tx_hash: str
    block_number: int
    superseded_by: str | None
    record: dict[str, Any] = Field(description="the public record; its hash is the commitment")


class PublishedOut(BaseModel):
    commitment: str
    tx_hash: str
    superseded: str | None
    feed_tx: str | None = Field(
        default=None, description="the post to the pool's RatingFeed, when its trigger reads it"
    )
    pending: str | None = Field(
        default=None,
        description="why the feed post or the supersession failed; `rating sync` finishes it",
    )
    record: dict[str, Any]
    figures: dict[str, Any] = Field(description="the rating run: inputs and every tranche")


class RevokeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: int = Field(ge=1, le=999)
