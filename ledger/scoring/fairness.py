"""Fairness at a cut-off: approval and bad rates by group of each protected column.

Groups are the column's values (a text column) or bands (a numeric one: fixed age bands
for a column recognised as age, quartiles of the sample otherwise); missing cells form
their own group. At cut-off ``c`` a row is approved when its score >= c. The **adverse
impact ratio** of a group is its approval rate over the highest approval rate of any group
of the same column (the "four-fifths rule": below 0.8 is flagged). Rates are computed in
floating point and shown rounded; nothing here touches a balance or a score.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

from ledger.scoring.data import Table, missing_mask

FOUR_FIFTHS = 0.8
AGE_EDGES = (25, 35, 45, 55, 65)
SMALL_GROUP = 30  # fewer rows than this: shown, but marked as too small to read much into


@dataclass(frozen=True)
class GroupRates:
    column: str
    group: str
    rows: int
    approved: int
    bads: int
    approved_bads: int
    impact_ratio: float

    @property
    def approval_rate(self) -> float:
        return self.approved / self.rows if self.rows else 0.0

    @property
    def bad_rate(self) -> float:
        return self.bads / self.rows if self.rows else 0.0

    @property
    def approved_bad_rate(self) -> float | None:
        return self.approved_bads / self.approved if self.approved else None

    @property
    def flagged(self) -> bool:
        return self.impact_ratio < FOUR_FIFTHS

    def to_dict(self) -> dict[str, object]:
        return {
            "column": self.column,
            "group": self.group,
            "rows": self.rows,
            "approval_rate": round(self.approval_rate, 4),
            "bad_rate": round(self.bad_rate, 4),
            "approved_bad_rate": None
            if self.approved_bad_rate is None
            else round(self.approved_bad_rate, 4),
            "adverse_impact_ratio": round(self.impact_ratio, 4),
            "flagged": self.flagged,
            "small_group": self.rows < SMALL_GROUP,
        }


def _groups(name: str, cells: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Each row's group, and the groups in display order (bands low to high, else sorted)."""
    missing = missing_mask(cells)
    try:
        x = np.where(missing, "nan", cells).astype(np.float64)
    except ValueError:
        groups = np.where(missing, "(missing)", cells).astype(str)
        return groups, sorted(set(groups.tolist()))
    if re.search(r"(^|[^a-z])age([^a-z]|$)", name.lower()):
        edges = np.array(AGE_EDGES, dtype=np.float64)
    else:
        edges = np.unique(np.nanpercentile(x, [25, 50, 75]))
    labels = _band_labels(edges)
    band = np.searchsorted(edges, x, side="right")
    groups = np.where(np.isnan(x), "(missing)", np.array(labels, dtype=object)[band]).astype(str)
    present = set(groups.tolist())
    return groups, [g for g in [*labels, "(missing)"] if g in present]


def _band_labels(edges: np.ndarray) -> list[str]:
    def fmt(v: float) -> str:
        return str(int(v)) if v == int(v) else f"{v:g}"

    if not len(edges):
        return ["all"]
    labels = [f"under {fmt(edges[0])}"]
    labels += [f"{fmt(a)} to under {fmt(b)}" for a, b in itertools.pairwise(edges)]
    return [*labels, f"{fmt(edges[-1])} and over"]


def group_rates(
    table: Table, columns: list[str], scores: np.ndarray, is_bad: np.ndarray, cutoff: int
) -> list[GroupRates]:
    """Rates by group for each of ``columns`` present in ``table`` (others are skipped)."""
    approved = scores >= cutoff
    out: list[GroupRates] = []
    for name in columns:
        if name not in table.columns:
            continue
        groups, order = _groups(name, table.columns[name])
        stats = []
        for g in order:
            m = groups == g
            stats.append(
                (
                    g,
                    int(m.sum()),
                    int(approved[m].sum()),
                    int(is_bad[m].sum()),
                    int(is_bad[m & approved].sum()),
                )
            )
        best = max((a / n for _, n, a, _, _ in stats if n), default=0.0)
        for g, n, a, b, ab in stats:
            ratio = (a / n) / best if best and n else (1.0 if not best else 0.0)
            out.append(GroupRates(name, g, n, a, b, ab, ratio))
    return out
