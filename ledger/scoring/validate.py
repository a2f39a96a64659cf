"""Validation metrics: AUC, KS, Gini, PSI, calibration by grade, all from integer scores.

PSI (population stability index) compares a sample's score distribution with the
training one. Exactly:

- cut points: the 10th, 20th, ..., 90th percentiles of the training scores (numpy's
  default linear interpolation), duplicates removed, so at most 10 bins; bin i holds
  cut[i-1] <= score < cut[i], the first bin is open below and the last open above;
- e_i and a_i: the share of training and of sample scores in bin i;
- empty bins: a share of 0 in either sample is replaced by 0.0001 before the logarithm
  (shares are not renormalised);
- PSI = sum over bins of (a_i - e_i) * ln(a_i / e_i).

Metrics enter the artifact and the chain as integer basis points rounded down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

from ledger.scoring.data import Table, missing_mask
from ledger.scoring.errors import MissingColumnError, TargetError
from ledger.scoring.score import Scorecard

EMPTY_SHARE = 0.0001


def to_bps(x: float) -> int:
    return math.floor(x * 10_000)


def psi_reference(train_scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decile cut points of the training scores and the training count in each bin."""
    cuts = np.unique(np.percentile(train_scores, np.arange(10, 100, 10)))
    return cuts, bin_counts(cuts, train_scores)


def bin_counts(cuts: np.ndarray, scores: np.ndarray) -> np.ndarray:
    return np.bincount(np.searchsorted(cuts, scores, side="right"), minlength=len(cuts) + 1)


def population_stability(expected_counts: np.ndarray, actual_counts: np.ndarray) -> float:
    e = _shares(expected_counts)
    a = _shares(actual_counts)
    return float(np.sum((a - e) * np.log(a / e)))


def _shares(counts: np.ndarray) -> np.ndarray:
    shares = counts / counts.sum()
    return np.where(shares == 0, EMPTY_SHARE, shares)


@dataclass(frozen=True)
class GradeCalibration:
    grade: str
    count: int
    bads: int
    expected_bad_rate_bps: int

    @property
    def observed_bad_rate_bps(self) -> int | None:
        return self.bads * 10_000 // self.count if self.count else None


@dataclass(frozen=True)
class Validation:
    """Metrics of a scorecard on one labelled sample (scores and 1 = bad)."""

    scores: np.ndarray
    is_bad: np.ndarray
    auc: float
    ks: float
    ks_score: int
    psi: float
    calibration: list[GradeCalibration]

    @property
    def gini(self) -> float:
        return 2 * self.auc - 1

    def metrics_bps(self) -> dict[str, int]:
        return {
            "auc_bps": to_bps(self.auc),
            "ks_bps": to_bps(self.ks),
            "gini_bps": to_bps(self.gini),
            "psi_bps": to_bps(self.psi),
            "sample_size": len(self.scores),
        }

    def summary(self) -> dict[str, float | int]:
        return {
            "auc": round(self.auc, 4),
            "ks": round(self.ks, 4),
            "gini": round(self.gini, 4),
            "psi": round(self.psi, 4),
            "rows": len(self.scores),
            "bad_rate": round(float(self.is_bad.mean()), 4),
        }


def bad_flags(table: Table, column: str, bad: str) -> np.ndarray:
    """1 where the target is the bad label, 0 elsewhere; both classes must be present."""
    if column not in table.columns:
        raise MissingColumnError("the target column is not in the file", column=column)
    labels = table.columns[column]
    missing = np.flatnonzero(missing_mask(labels))
    if missing.size:
        raise TargetError("the target label is missing", column=column, row=int(missing[0]) + 1)
    is_bad = labels == bad
    if not is_bad.any():
        found = ", ".join(repr(v) for v in sorted(set(labels))[:10])
        raise TargetError(f"no row has the bad label {bad!r} (labels: {found})", column=column)
    if is_bad.all():
        raise TargetError(f"every row is {bad!r}: the target has one class", column=column)
    return is_bad.astype(np.int64)


def validate_table(card: Scorecard, table: Table) -> Validation:
    """Score a labelled table (the artifact's target column) and validate the scores."""
    target = card.artifact["target"]
    is_bad = bad_flags(table, target["column"], target["bad"])
    return validate(card, card.score_table(table).score, is_bad)


def drift(card: Scorecard, scores: np.ndarray) -> float:
    """PSI of ``scores`` against the training scores recorded in the artifact."""
    ref = card.artifact["psi_reference"]
    cuts = np.array([float(c) for c in ref["cuts"]])
    return population_stability(np.array(ref["train_counts"]), bin_counts(cuts, scores))


def validate(card: Scorecard, scores: np.ndarray, is_bad: np.ndarray) -> Validation:
    """Metrics of integer ``scores`` against labels (1 = bad); PSI against training."""
    if is_bad.min() == is_bad.max():
        raise TargetError("needs both good and bad rows to validate", column="target")
    # A higher score means lower risk, so -score ranks bads first.
    fpr, tpr, thresholds = roc_curve(is_bad, -scores)
    k = int(np.argmax(tpr - fpr))
    return Validation(
        scores=scores,
        is_bad=is_bad,
        auc=float(roc_auc_score(is_bad, -scores)),
        ks=float(tpr[k] - fpr[k]),
        ks_score=int(-thresholds[k]) if np.isfinite(thresholds[k]) else int(scores.max()),
        psi=drift(card, scores),
        calibration=calibration(card, scores, is_bad),
    )


def calibration(card: Scorecard, scores: np.ndarray, is_bad: np.ndarray) -> list[GradeCalibration]:
    grade = card.grade_index(scores)
    return [
        GradeCalibration(
            g["name"],
            int(np.sum(grade == i)),
            int(np.sum(is_bad[grade == i])),
            int(g["expected_bad_rate_bps"]),
        )
        for i, g in enumerate(card.artifact["grades"])
    ]
