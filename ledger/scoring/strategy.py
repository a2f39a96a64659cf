"""Cut-off strategy: gains table, approve / refer / decline cut-offs, terms by grade.

From a labelled sample scored by a card:

- **gains table**: score bands ``band_width`` points wide (aligned to multiples of the
  width), best first; for each band's lower edge taken as the cut-off, the share of rows
  approved (score >= edge), the bad rate among them, and the share of all bads declined
  (the cumulative bad capture);
- **cut-offs**: for a target bad rate, ``approve_min`` is the lowest score at which the
  approved rows' bad rate is still at most the target; for a target approval rate, the
  highest score at which at least that share is approved. Rows from ``refer_min`` =
  ``approve_min - refer_width`` up to ``approve_min`` are referred to an underwriter, the
  rest declined;
- **terms**: an optional limit (smallest currency unit) and price (bps) per grade.

The strategy is a canonical JSON artifact (integers and strings only, as the scorecard);
its keccak-256 is the strategy id that attested decisions name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ledger.scoring.artifact import canonical_bytes, model_id
from ledger.scoring.errors import ArtifactError, ConfigError
from ledger.scoring.score import Scorecard

FORMAT = "credence-strategy/1"
DECISIONS = ("approve", "refer", "decline")


@dataclass(frozen=True)
class Target:
    kind: str  # "bad_rate" or "approval_rate"
    bps: int

    def __post_init__(self) -> None:
        if self.kind not in ("bad_rate", "approval_rate"):
            raise ConfigError("must be bad_rate or approval_rate", column="target")
        if not 0 < self.bps <= 10_000:
            raise ConfigError("must be above 0 and at most 10000 bps", column=f"target_{self.kind}")


def _rate_bps(part: int, whole: int) -> int:
    return part * 10_000 // whole if whole else 0  # rounded down


def gains_table(scores: np.ndarray, is_bad: np.ndarray, band_width: int) -> list[dict[str, int]]:
    """One row per non-empty band, highest band first; rates in bps, rounded down."""
    if band_width <= 0:
        raise ConfigError("must be a positive number of points", column="band_width")
    n, total_bads = len(scores), int(is_bad.sum())
    lows = (scores // band_width) * band_width
    rows, approved, approved_bads = [], 0, 0
    for low in sorted(set(lows.tolist()), reverse=True):
        in_band = lows == low
        count, bads = int(in_band.sum()), int(is_bad[in_band].sum())
        approved += count
        approved_bads += bads
        rows.append(
            {
                "min_score": int(low),
                "max_score": int(low) + band_width - 1,
                "rows": count,
                "bads": bads,
                "bad_rate_bps": _rate_bps(bads, count),
                "approval_rate_bps": _rate_bps(approved, n),
                "approved_bad_rate_bps": _rate_bps(approved_bads, approved),
                "bad_capture_bps": _rate_bps(total_bads - approved_bads, total_bads),
            }
        )
    return rows


def approve_cutoff(scores: np.ndarray, is_bad: np.ndarray, target: Target) -> int:
    """The approve cut-off (lowest approved score) meeting ``target`` on this sample."""
    order = np.argsort(-scores, kind="stable")
    s, b = scores[order], is_bad[order]
    approved = np.arange(1, len(s) + 1)
    bads = np.cumsum(b)
    # Cut only between distinct scores: position i is valid if s[i] > s[i + 1].
    last = np.r_[s[:-1] != s[1:], True]
    if target.kind == "approval_rate":
        ok = last & (approved * 10_000 >= target.bps * len(s))
        return int(s[np.flatnonzero(ok)[0]])
    ok = last & (bads * 10_000 <= target.bps * approved)
    if not ok.any():
        raise ConfigError(
            "no cut-off reaches this bad rate on the sample", column="target_bad_rate"
        )
    return int(s[np.flatnonzero(ok)[-1]])


def decide(score: np.ndarray, cutoffs: dict[str, int]) -> np.ndarray:
    """Index into DECISIONS per score: approve >= approve_min > refer >= refer_min > decline."""
    return np.where(
        score >= cutoffs["approve_min"], 0, np.where(score >= cutoffs["refer_min"], 1, 2)
    )


def _outcomes(
    scores: np.ndarray, is_bad: np.ndarray, cutoffs: dict[str, int]
) -> dict[str, dict[str, int]]:
    which = decide(scores, cutoffs)
    out = {}
    for k, name in enumerate(DECISIONS):
        mask = which == k
        count = int(mask.sum())
        out[name] = {
            "rows": count,
            "share_bps": _rate_bps(count, len(scores)),
            "bads": int(is_bad[mask].sum()),
            "bad_rate_bps": _rate_bps(int(is_bad[mask].sum()), count),
        }
    return out


def build_strategy(
    card: Scorecard,
    scores: np.ndarray,
    is_bad: np.ndarray,
    target: Target,
    *,
    sample: str,
    refer_width: int = 20,
    band_width: int = 20,
    limits: dict[str, int] | None = None,
    prices: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The strategy artifact for ``card`` on a labelled sample (its integer scores)."""
    if refer_width < 0:
        raise ConfigError("must be 0 or more points", column="refer_width")
    terms = _terms(card, limits or {}, prices or {})
    approve_min = approve_cutoff(scores, is_bad, target)
    cutoffs = {"approve_min": approve_min, "refer_min": approve_min - refer_width}
    return {
        "format": FORMAT,
        "model_id": card.model_id,
        "target": {"kind": target.kind, "bps": target.bps},
        "cutoffs": cutoffs,
        "rule": "approve if score >= approve_min; refer if refer_min <= score < approve_min; "
        "otherwise decline",
        "expected": _outcomes(scores, is_bad, cutoffs),
        "sample": {"name": sample, "rows": len(scores), "bads": int(is_bad.sum())},
        "gains": gains_table(scores, is_bad, band_width),
        "terms": terms,
    }


def _terms(card: Scorecard, limits: dict[str, int], prices: dict[str, int]) -> dict[str, Any]:
    for option, given in (("limit", limits), ("price", prices)):
        for grade, value in given.items():
            if grade not in card.grade_names:
                raise ConfigError(f"the card has no grade {grade!r}", column=option)
            if type(value) is not int or value < 0:
                raise ConfigError(f"{grade}: must be a non-negative integer", column=option)
    return {
        g: {"limit": limits.get(g), "price_bps": prices.get(g)}
        for g in card.grade_names
        if g in limits or g in prices
    }


def strategy_id(strategy: dict[str, Any]) -> str:
    return model_id(strategy)  # the same keccak-256 of canonical bytes


def check_strategy(strategy: Any, card: Scorecard | None = None) -> dict[str, Any]:
    """A strategy artifact read back; with ``card``, it must be that card's strategy."""
    if not isinstance(strategy, dict) or strategy.get("format") != FORMAT:
        raise ArtifactError(f"not a {FORMAT} artifact", column="strategy")
    canonical_bytes(strategy)
    cut = strategy.get("cutoffs")
    if not isinstance(cut, dict) or not all(
        type(cut.get(k)) is int for k in ("approve_min", "refer_min")
    ):
        raise ArtifactError("cutoffs need integer approve_min and refer_min", column="strategy")
    if card is not None and strategy.get("model_id") != card.model_id:
        raise ArtifactError(
            f"the strategy is for model {strategy.get('model_id')}, not {card.model_id}",
            column="strategy",
        )
    return strategy


def parse_terms(specs: list[str] | None, option: str) -> dict[str, int]:
    """``["A=10000", "B=5000"]`` -> ``{"A": 10000, "B": 5000}``."""
    out = {}
    for spec in specs or ():
        grade, sep, value = spec.partition("=")
        if not sep or not value.strip().isdigit():
            raise ConfigError(f"{spec!r}: expected GRADE=non-negative integer", column=option)
        out[grade.strip()] = int(value)
    return out
