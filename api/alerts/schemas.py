"""Response schemas of the alerts resource."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class EventOut(BaseModel):
    event: str
    tx_hash: str
    block_number: int


class AlertOut(BaseModel):
    id: int
    key: str
    kind: str = Field(description="record_expiring, attester_suspended, model_drift, ...")
    subject: str = Field(description="record key, attester id, model id or pool address")
    figure: str = Field(description="the measured figure, e.g. oc_headroom_bps")
    value: int
    threshold: int
    comparison: str = Field(description="how value stands to threshold while the alert holds")
    severity: Literal["warning", "critical"]
    message: str
    events: list[EventOut] = Field(description="the chain events the figure comes from")
    raised_at: int = Field(description="chain time (unix seconds) the alert was raised")
    updated_at: int
    cleared_at: int | None
    state: Literal["open", "cleared"]


class AlertsOut(BaseModel):
    evaluated_at: int | None = Field(description="chain time of this evaluation, if one ran")
    raised: int = Field(description="alerts this evaluation raised")
    cleared: int = Field(description="alerts this evaluation cleared")
    alerts: list[AlertOut]
