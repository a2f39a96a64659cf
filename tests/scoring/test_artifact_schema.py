"""Registration validates the whole artifact: fitted ones pass, each kind of damage fails."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ledger.scoring.errors import ArtifactError
from ledger.scoring.fit import FitResult
from ledger.scoring.schema import validate_artifact


def test_fitted_artifacts_are_valid(german: FitResult, credit: FitResult):
    validate_artifact(german.artifact)
    validate_artifact(credit.artifact)


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = doc
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is _DELETE:
        del node[last]
    else:
        node[int(last) if last.isdigit() else last] = value


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("scaling", None, "scaling"),
        ("scaling.pdo", True, "scaling.pdo"),
        ("scaling.factor", "NaN", "scaling.factor"),
        ("base_points", 1.5, "base_points"),
        ("metrics.auc_bps", 20_000, "metrics.auc_bps"),
        ("metrics.sample_size", 2**40, "metrics.sample_size"),
        ("metrics", _DELETE, "metrics"),
        ("features.0.bins.0.count", -1, "features.0.bins.0.count"),
        ("features.0.type", "magic", "features.0.type"),
        ("pd_bps.values.0", 10_001, "pd_bps.values.0"),
        ("grades", [], "grades"),
        ("score_range", None, "score_range"),
        ("score_range.max", "1000", "score_range.max"),
        ("format", "other/1", "format"),
    ],
)
def test_damaged_artifacts_name_the_field(german: FitResult, path: str, value: Any, field: str):
    doc = copy.deepcopy(german.artifact)
    _set(doc, path, value)
    with pytest.raises(ArtifactError) as info:
        validate_artifact(doc)
    assert info.value.column is not None and info.value.column.startswith(field)


def test_bins_must_match_the_splits(german: FitResult):
    doc = copy.deepcopy(german.artifact)
    numeric = next(f for f in doc["features"] if f["type"] == "numeric")
    numeric["bins"].pop()
    with pytest.raises(ArtifactError, match="bins"):
        validate_artifact(doc)
