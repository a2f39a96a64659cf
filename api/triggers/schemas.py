"""The trigger terms of a pool and its rating trigger's live reading."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RatingTriggerOut(BaseModel):
    """docs/waterfall.md §8: the note's grade by the agency, read from the feed."""

    tranche: int
    name: str
    floor: str = Field(description="the lowest grade that passes (the spec's `below`)")
    agency: int = Field(description="the rating agency's attester id")
    feed: str
    grade: str | None = Field(description="the grade the feed holds now; null: no valid rating")
    commitment: str | None = Field(description="the rating record the feed holds")
    passes: bool = Field(description="what the next period report will read")


class StepOut(BaseModel):
    from_period: int
    max_bps: int


class TriggersOut(BaseModel):
    """The tests every period runs (0 disables OC or IC; an empty schedule, the CD test)."""

    oc_min_bps: int
    ic_min_bps: int
    cumulative_default: list[StepOut]
    rating: RatingTriggerOut | None = Field(description="null: the deal has no rating trigger")
