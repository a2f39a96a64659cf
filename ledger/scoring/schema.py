"""The full shape of a ``credence-scorecard/1`` artifact, checked before registration.

Scoring reads only part of the artifact; registration puts its hash on chain for good,
so everything a reader of the artifact relies on is checked first: every section
present with the right types (``"scaling": null`` is refused), decimals as text that
parses to a finite number, integers strict and within what the chain stores, a PD
table in basis points, and bins, splits and categories that agree with each other.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)
from pydantic.functional_validators import AfterValidator

from ledger.bounds import UInt16, UInt32
from ledger.scoring.artifact import FORMAT
from ledger.scoring.errors import ArtifactError


def _finite_decimal(text: str) -> str:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a decimal number") from None
    if not math.isfinite(value) and text not in ("inf", "-inf"):
        raise ValueError("not a finite number")
    return text


Decimal = Annotated[StrictStr, AfterValidator(_finite_decimal)]
Count = Annotated[StrictInt, Field(ge=0)]
Bp = Annotated[UInt16, Field(le=10_000)]


OPTIONAL_SECTIONS = ("score_range", "guards")


class _Part(BaseModel):
    model_config = ConfigDict(strict=True)


class Target(_Part):
    column: StrictStr
    bad: StrictStr | StrictInt


class Columns(_Part):
    features: list[StrictStr]
    ignored: list[StrictStr]
    protected: list[StrictStr] | None = None  # cards fitted before guard rails have none
    status: dict[str, StrictStr]


class Scaling(_Part):
    base_score: StrictInt
    base_odds: Decimal
    pdo: Annotated[StrictInt, Field(gt=0)]
    factor: Decimal
    offset: Decimal


class Bin(_Part):
    label: StrictStr
    count: Count
    bads: Count
    woe: Decimal
    points: StrictInt
    reason_text: StrictStr | None = None


class FeatureSpec(_Part):
    name: StrictStr
    type: Literal["numeric", "categorical"]
    reason_code: StrictStr
    coefficient: Decimal
    iv_bps: Count
    bins: list[Bin] = Field(min_length=1, max_length=127)
    splits: list[Decimal] | None = None
    special_values: list[Decimal] | None = None
    categories: list[list[StrictStr]] | None = None
    trend: StrictStr | None = None

    @model_validator(mode="after")
    def _bins_match(self) -> FeatureSpec:
        if self.type == "numeric":
            if self.splits is None or self.special_values is None:
                raise ValueError("a numeric feature needs splits and special_values")
            regular = len(self.splits) + 1
            extra = 2  # Special, Missing
        else:
            if self.categories is None:
                raise ValueError("a categorical feature needs categories")
            regular = len(self.categories)
            extra = 3  # Special, Missing, Unseen
        if len(self.bins) != regular + extra:
            raise ValueError(f"has {len(self.bins)} bins, expected {regular + extra}")
        return self


class PdTable(_Part):
    min_score: StrictInt
    values: list[Bp] = Field(min_length=1)


class Grade(_Part):
    name: StrictStr = Field(min_length=1)
    min_score: StrictInt | None
    expected_bad_rate_bps: Bp


class PsiReference(_Part):
    cuts: list[Decimal]
    train_counts: list[Count]


class ScoreRange(_Part):
    min: StrictInt
    max: StrictInt


class Metrics(_Part):
    auc_bps: Bp
    ks_bps: Bp
    gini_bps: Bp
    psi_bps: UInt16
    sample_size: UInt32
    train_size: UInt32 | None = None


class Artifact(_Part):
    format: Literal["credence-scorecard/1"]
    target: Target
    columns: Columns
    missing_tokens: list[StrictStr]
    scaling: Scaling
    score_range: ScoreRange | None = None  # cards fitted before score ranges have none
    rounding: StrictStr
    intercept: Decimal
    base_points: StrictInt
    features: list[FeatureSpec] = Field(min_length=1)
    information_value_bps: dict[str, Count]
    pd_bps: PdTable
    grades: list[Grade] = Field(min_length=1)
    psi_reference: PsiReference
    guards: dict[str, Any] | None = None
    metrics: Metrics
    fit: dict[str, Any]

    @model_validator(mode="after")
    def _consistent(self) -> Artifact:
        names = [f.name for f in self.features]
        if names != self.columns.features:
            raise ValueError("columns.features must list the features in order")
        if self.grades[-1].min_score is not None:
            raise ValueError("the last grade is open below: its min_score must be null")
        return self


def validate_artifact(artifact: Any) -> None:
    """Raise ``ArtifactError`` naming the first bad field of ``artifact``."""
    if not isinstance(artifact, dict) or artifact.get("format") != FORMAT:
        raise ArtifactError(f"not a {FORMAT} artifact", column="format")
    for name in OPTIONAL_SECTIONS:  # missing in older cards; never present as null
        if name in artifact and artifact[name] is None:
            raise ArtifactError("is null: leave it out or give it", column=name)
    try:
        Artifact.model_validate(artifact)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "artifact"
        raise ArtifactError(first["msg"], column=where) from None
