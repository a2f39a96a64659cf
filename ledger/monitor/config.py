"""Monitor thresholds, from environment variables ``CREDENCE_MONITOR_*`` (all optional)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MonitorSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CREDENCE_MONITOR_", env_file=".env", extra="ignore"
    )

    expiry_days: int = Field(default=30, ge=0, description="records expiring within this many days")
    psi_threshold_bps: int = Field(default=2_500, ge=0, description="PSI above this is drift")
    drift_window_days: int = Field(default=30, ge=1, description="recent scores to compare")
    drift_min_scores: int = Field(default=100, ge=1, description="fewer recent scores: no verdict")
    model_artifacts: dict[str, Path] = Field(
        default_factory=dict, description="model id -> scorecard artifact (its development sample)"
    )
    headroom_margin_bps: int = Field(default=500, ge=0, description="OC/IC headroom under this")
    roll_rate_bps: int = Field(default=5_000, ge=0, description="30->60 or 60->90+ roll above this")
    defaults_vs_base_bps: int = Field(
        default=12_500, ge=0, description="cumulative defaults above this share of the base case"
    )
    base_case: str = Field(
        default="name=base,cdr=2%,cpr=10%,severity=40%,recovery_lag=3",
        description="the base-case scenario pools' cumulative defaults are held against",
    )
    interval_s: float = Field(
        default=0.0, ge=0, description="the API evaluates this often (0: only when asked)"
    )
    webhooks: list[str] = Field(default_factory=list, description="URLs to POST changes to")
    webhook_attempts: int = Field(default=4, ge=1, le=10)
