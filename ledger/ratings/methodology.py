"""The rating methodology file: every parameter of the method, hashed like a scorecard.

The file is canonical JSON (keys sorted, no insignificant whitespace, integers only; see
``ledger.scoring.artifact``), so its keccak-256 is the methodology hash a rating record
names, and anyone can check it with standard tools. Probabilities and correlations are
basis points; times are months or periods.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_utils import keccak
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ledger.errors import FieldError
from ledger.ratings.scale import DEFAULT_BANDS, Scale
from ledger.scoring.artifact import canonical_bytes
from ledger.scoring.errors import ArtifactError

FORMAT = "credence-rating-methodology/1"


class MethodologyError(FieldError):
    """A methodology file is unreadable or a parameter is invalid."""


class Methodology(BaseModel):
    """Parameters of the loan-level one-factor Monte Carlo (docs/ratings.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: str = FORMAT
    name: str = Field(default="credence-vasicek", min_length=1, max_length=64)
    version: int = Field(default=1, ge=1)
    seed: int = Field(default=20260101, ge=0, le=2**63 - 1)
    paths: int = Field(default=1_000, ge=10, le=1_000_000)
    correlation_bps: int = Field(default=1_500, ge=0, le=9_999, description="asset correlation")
    pd_horizon_months: int = Field(default=12, ge=1, le=120, description="horizon of pd_bps")
    pd_multiplier_bps: int = Field(default=10_000, ge=0, le=100_000)
    severity_bps: int = Field(default=4_500, ge=0, le=10_000, description="loss given default")
    recovery_lag: int = Field(default=3, ge=0, le=120, description="periods")
    cpr_bps: int = Field(default=800, ge=0, le=10_000, description="annual prepayment rate")
    sensitivities_bps: list[int] = Field(
        default=[8_000, 12_500], max_length=4, description="PD multipliers re-run at the seed"
    )
    scale: list[tuple[str, int]] = Field(default=list(DEFAULT_BANDS))

    @field_validator("format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value != FORMAT:
            raise ValueError(f"must be {FORMAT!r}")
        return value

    @field_validator("sensitivities_bps")
    @classmethod
    def _multipliers(cls, values: list[int]) -> list[int]:
        if any(not 0 < v <= 100_000 for v in values):
            raise ValueError("each multiplier must be 1 to 100000 bps")
        return values

    @field_validator("scale")
    @classmethod
    def _scale(cls, bands: list[tuple[str, int]]) -> list[tuple[str, int]]:
        Scale(tuple((str(g), int(c)) for g, c in bands))  # raises on a malformed scale
        return bands

    @property
    def rating_scale(self) -> Scale:
        return Scale(tuple((g, c) for g, c in self.scale))

    def document(self) -> dict[str, Any]:
        return json.loads(self.model_dump_json())

    def canonical(self) -> bytes:
        return canonical_bytes(self.document())

    @property
    def hash(self) -> str:
        """keccak-256 of the canonical bytes, 0x-hex (a bytes32 on chain)."""
        return "0x" + keccak(self.canonical()).hex()

    def with_pd_multiplier(self, multiplier_bps: int) -> Methodology:
        return self.model_copy(update={"pd_multiplier_bps": multiplier_bps})


def parse_methodology(data: Any) -> Methodology:
    try:
        return Methodology.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"]) or "methodology"
        raise MethodologyError(field, error["msg"].removeprefix("Value error, ")) from None
    except FieldError as exc:
        raise MethodologyError(exc.field, exc.reason) from None


def read_methodology(path: Path) -> Methodology:
    """Read a methodology file; its bytes must be canonical so the file's hash is the id."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MethodologyError(
            "methodology", f"{path.name}: cannot read ({exc.strerror})"
        ) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MethodologyError("methodology", f"{path.name} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise MethodologyError("methodology", f"{path.name}: expected a JSON object")
    method = parse_methodology(data)
    try:
        canonical = method.canonical()
    except ArtifactError as exc:
        raise MethodologyError("methodology", str(exc)) from None
    if canonical != raw.rstrip(b"\n"):
        raise MethodologyError(
            "methodology", f"{path.name} is not in canonical form (write it with write_methodology)"
        )
    return method


def write_methodology(method: Methodology, path: Path) -> str:
    """Write the canonical bytes; returns the methodology hash."""
    path.write_bytes(method.canonical())
    return method.hash
