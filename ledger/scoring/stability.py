"""Per-feature stability between two samples (training and holdout), through the artifact's bins.

For each feature, from the slot (bin) every row falls in:

- information value in each sample: sum over bins of (g_i - b_i) ln(g_i / b_i), with g_i and
  b_i the bin's shares of the sample's goods and bads;
- population stability of the feature: sum over bins of (a_i - e_i) ln(a_i / e_i), with e_i
  and a_i the bin's shares of training and holdout rows.

A share of 0 counts as 0.0001, as in the score PSI. A feature is *unstable* when its
holdout IV is below half or above twice its training IV: the binning then describes the
training sample rather than the population.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ledger.scoring.validate import EMPTY_SHARE, population_stability, to_bps

IV_RATIO_LOW = 0.5
IV_RATIO_HIGH = 2.0


@dataclass(frozen=True)
class FeatureStability:
    feature: str
    iv_train: float
    iv_holdout: float
    psi: float

    @property
    def unstable(self) -> bool:
        if self.iv_train <= 0:
            return self.iv_holdout > 0
        ratio = self.iv_holdout / self.iv_train
        return not IV_RATIO_LOW <= ratio <= IV_RATIO_HIGH

    def to_dict(self) -> dict[str, int | bool]:
        return {
            "iv_train_bps": to_bps(self.iv_train),
            "iv_holdout_bps": to_bps(self.iv_holdout),
            "psi_bps": to_bps(self.psi),
            "unstable": self.unstable,
        }


def information_value(slots: np.ndarray, is_bad: np.ndarray, n_slots: int) -> float:
    bads = np.bincount(slots[is_bad == 1], minlength=n_slots)
    goods = np.bincount(slots[is_bad == 0], minlength=n_slots)
    keep = (bads + goods) > 0  # bins no row of this sample fell in carry no information
    g = _shares(goods)[keep]
    b = _shares(bads)[keep]
    return float(np.sum((g - b) * np.log(g / b)))


def _shares(counts: np.ndarray) -> np.ndarray:
    total = counts.sum()
    shares = counts / total if total else np.zeros(len(counts))
    return np.where(shares == 0, EMPTY_SHARE, shares)


def feature_stability(
    names: tuple[str, ...],
    n_slots: list[int],
    train_slots: np.ndarray,
    train_bad: np.ndarray,
    hold_slots: np.ndarray,
    hold_bad: np.ndarray,
) -> list[FeatureStability]:
    """Slots are (features, rows) as ``Scores.slots``; ``n_slots`` per feature."""
    out = []
    for j, (name, k) in enumerate(zip(names, n_slots, strict=True)):
        tr, ho = train_slots[j].astype(np.intp), hold_slots[j].astype(np.intp)
        out.append(
            FeatureStability(
                name,
                information_value(tr, train_bad, k),
                information_value(ho, hold_bad, k),
                population_stability(np.bincount(tr, minlength=k), np.bincount(ho, minlength=k)),
            )
        )
    return out
