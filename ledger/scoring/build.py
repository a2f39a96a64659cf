"""The scorecard artifact from fitted binnings and regression: points, texts, PD table, range.

Everything here is plain arithmetic on what ``ledger.scoring.fit`` fitted; the result is
the canonical JSON document that ``ledger.scoring.score`` scores from.
"""

from __future__ import annotations

import itertools
import math
import warnings
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

import numpy as np

from ledger.scoring.artifact import FORMAT, ROUNDING_RULE
from ledger.scoring.data import MISSING_TOKENS, Table
from ledger.scoring.grades import default_grades
from ledger.scoring.guards import Finding
from ledger.scoring.score import Scorecard
from ledger.scoring.texts import text_for
from ledger.scoring.validate import psi_reference, to_bps

if TYPE_CHECKING:
    from optbinning import OptimalBinning
    from sklearn.linear_model import LogisticRegression

    from ledger.scoring.fit import FitConfig


def binning_table(ob: OptimalBinning) -> Any:
    with warnings.catch_warnings():  # optbinning's own pandas deprecation, not ours
        warnings.simplefilter("ignore", DeprecationWarning)
        return ob.binning_table.build()


def _round_half_away(x: float) -> int:
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def _num(x: float) -> str:
    """A decimal as the shortest text that parses back to the same double."""
    return repr(float(x))


def build_artifact(
    table: Table,
    config: FitConfig,
    status: dict[str, str],
    binnings: dict[str, OptimalBinning],
    iv: dict[str, float],
    selected: list[str],
    lr: LogisticRegression,
    guards: dict[str, Any],
) -> dict[str, Any]:
    """The artifact up to what depends on training scores (``calibrate`` fills that in)."""
    min_rows = math.ceil(config.min_bin_share * guards["train_rows"])
    features = [
        _feature_spec(name, binnings[name], float(coef), iv[name], f"R{i:02d}", config, min_rows)
        for i, (name, coef) in enumerate(zip(selected, lr.coef_[0], strict=True), start=1)
    ]
    for spec in features:
        guards["findings"] += [f.to_dict() for f in spec.pop("_findings")]
    base_points = _round_half_away(config.offset - config.factor * float(lr.intercept_[0]))
    status = {name: "feature" for name in selected} | {
        n: r for n, r in status.items() if n not in selected
    }
    return {
        "format": FORMAT,
        "target": {"column": config.target, "bad": config.bad},
        "columns": {
            "features": selected,
            "ignored": [n for n in table.columns if n not in selected],
            "protected": guards.pop("protected"),
            "status": {n: status[n] for n in table.columns},
        },
        "missing_tokens": list(MISSING_TOKENS),
        "scaling": {
            "base_score": config.base_score,
            "base_odds": _num(config.base_odds),
            "pdo": config.pdo,
            "factor": _num(config.factor),
            "offset": _num(config.offset),
        },
        "score_range": {"min": config.score_min, "max": config.score_max},
        "rounding": ROUNDING_RULE,
        "intercept": _num(float(lr.intercept_[0])),
        "base_points": base_points,
        "features": features,
        "information_value_bps": {name: to_bps(v) for name, v in iv.items()},
        "pd_bps": _pd_table(base_points, features, config),
        "grades": [
            {"name": g.name, "min_score": g.min_score, "expected_bad_rate_bps": 0}
            for g in (config.grades or default_grades(config.base_score, config.pdo))
        ],
        "psi_reference": {"cuts": [], "train_counts": []},
        "guards": guards,
        "metrics": {},
        "fit": {
            "split": f"stratified, {_num(config.test_size)} holdout",
            "seed": config.seed,
            "min_iv": _num(config.min_iv),
            "min_bin_share": _num(config.min_bin_share),
            "C": _num(config.C),
            "monotonic_trend": config.monotonic_trend,
            "special_codes": [_num(v) for v in config.special_codes],
            "libraries": {lib: version(lib) for lib in ("optbinning", "scikit-learn", "numpy")},
        },
    }


def _feature_spec(
    name: str,
    ob: OptimalBinning,
    coef: float,
    iv: float,
    reason_code: str,
    config: FitConfig,
    min_rows: int,
) -> dict[str, Any]:
    rows = binning_table(ob).drop(index="Totals")
    counts = rows["Count"].astype(int).tolist()
    bads = rows["Event"].astype(int).tolist()
    woes = [float(w) if w != "" else 0.0 for w in rows["WoE"]]
    numeric = ob.dtype == "numerical"
    labels = bin_labels(ob)
    groups = [] if numeric else [sorted(str(c) for c in group) for group in ob.splits]
    if not numeric:  # unseen categories: WoE 0, the training population's odds, so 0 points
        counts, bads, woes = [*counts, 0], [*bads, 0], [*woes, 0.0]
    findings: list[Finding] = []
    if not numeric:
        _pool_rare_groups(name, labels, groups, counts, bads, woes, min_rows, findings)
    n_regular = len(labels) - (2 if numeric else 3)
    for k in range(n_regular, n_regular + 2):
        # optbinning fits Special and Missing as they come; one fitted on a handful of rows
        # gets extreme points, so below the minimum share it takes the population's odds.
        if 0 < counts[k] < min_rows:
            woes[k] = 0.0
            findings.append(
                Finding(
                    name,
                    "min_bin_share",
                    "neutralised",
                    f"{labels[k]} bin has {counts[k]} training rows (< {min_rows}): 0 points",
                )
            )
    overrides = config.reason_texts
    bins = [
        {
            "label": label,
            "count": c,
            "bads": b,
            "woe": _num(w),
            "points": _round_half_away(-config.factor * coef * w),
            "reason_text": text_for(name, label, overrides),
        }
        for label, c, b, w in zip(labels, counts, bads, woes, strict=True)
    ]
    spec: dict[str, Any] = {
        "name": name,
        "type": "numeric" if numeric else "categorical",
        "reason_code": reason_code,
        "coefficient": _num(coef),
        "iv_bps": to_bps(iv),
        "bins": bins,
    }
    if numeric:
        spec["splits"] = [_num(s) for s in ob.splits]
        spec["special_values"] = [_num(v) for v in config.special_codes]
        spec["trend"] = _trend(counts[:n_regular], bads[:n_regular])
        if spec["trend"] == "not monotonic":
            findings.append(
                Finding(name, "monotonic", "flagged", "bad rate is not monotonic across bins")
            )
    else:
        spec["categories"] = groups
    spec["_findings"] = findings
    return spec


def bin_labels(ob: OptimalBinning) -> list[str]:
    """Labels of a binning's slots as the artifact names them."""
    if ob.dtype == "numerical":
        return [*_numeric_labels(ob.splits), "Special", "Missing"]
    return [*(", ".join(map(str, g)) for g in ob.splits), "Special", "Missing", "Unseen"]


def _pool_rare_groups(
    name: str,
    labels: list[str],
    groups: list[list[str]],
    counts: list[int],
    bads: list[int],
    woes: list[float],
    min_rows: int,
    findings: list[Finding],
) -> None:
    """Category groups below the minimum share join the group closest in bad rate, in place.

    optbinning pools categories rarer than ``cat_cutoff`` into one group of their own,
    which can still be tiny. Its categories move into the regular group whose training
    bad rate is nearest (ties: the larger group) and score that group's points, which
    the regression fitted on the group's own rows.
    """
    while len(groups) > 1:
        small = [k for k in range(len(groups)) if counts[k] < min_rows]
        if not small:
            return
        k = small[0]
        rate = bads[k] / counts[k] if counts[k] else 0.0
        into = min(
            (j for j in range(len(groups)) if j != k),
            key=lambda j: (abs(bads[j] / counts[j] - rate) if counts[j] else 1.0, -counts[j]),
        )
        findings.append(
            Finding(
                name,
                "min_bin_share",
                "merged",
                f"categories {', '.join(groups[k])} ({counts[k]} training rows < {min_rows}) "
                f"merged into {labels[into]}",
            )
        )
        groups[into] = sorted(groups[into] + groups[k])
        counts[into] += counts[k]
        bads[into] += bads[k]
        labels[into] = ", ".join(groups[into])
        for seq in (labels, groups, counts, bads, woes):
            del seq[k]


def _trend(counts: list[int], bads: list[int]) -> str:
    """The bad rate across the regular bins of a numeric feature, lowest values first."""
    rates = [b / c for b, c in zip(bads, counts, strict=True) if c]
    steps = [b - a for a, b in itertools.pairwise(rates)]
    if not steps:
        return "single bin"
    if all(s <= 0 for s in steps):
        return "bad rate falls as the value rises"
    if all(s >= 0 for s in steps):
        return "bad rate rises with the value"
    return "not monotonic"


def _numeric_labels(splits: np.ndarray) -> list[str]:
    edges = ["-inf", *(_num(s) for s in splits), "inf"]
    return [f"{'(' if lo == '-inf' else '['}{lo}, {hi})" for lo, hi in itertools.pairwise(edges)]


def _pd_table(
    base_points: int, features: list[dict[str, Any]], config: FitConfig
) -> dict[str, Any]:
    """PD in basis points (rounded down) for every attainable score, fixed at fit time.

    Attainable scores are clamped to the card's score range, so the table covers that
    range's intersection with base points + the lowest ... highest sum of bin points.
    """
    lo = base_points + sum(min(b["points"] for b in f["bins"]) for f in features)
    hi = base_points + sum(max(b["points"] for b in f["bins"]) for f in features)
    lo, hi = (min(max(x, config.score_min), config.score_max) for x in (lo, hi))
    values = [
        math.floor(10_000 / (1 + math.exp((s - config.offset) / config.factor)))
        for s in range(lo, hi + 1)
    ]
    return {"min_score": lo, "values": values}


def calibrate(artifact: dict[str, Any], card: Scorecard, train_scores: np.ndarray) -> None:
    """Fill what depends on the training scores: grade bad rates and the PSI reference."""
    pd_bps = card.pd_bps(train_scores)
    grade = card.grade_index(train_scores)
    lo = artifact["pd_bps"]["min_score"]
    hi = lo + len(artifact["pd_bps"]["values"]) - 1
    for i, g in enumerate(artifact["grades"]):
        in_band = grade == i
        if in_band.any():
            g["expected_bad_rate_bps"] = int(pd_bps[in_band].sum()) // int(in_band.sum())
        else:  # no training row in the band: the PD at its lower edge (or just below the band above)
            edge = (
                g["min_score"]
                if g["min_score"] is not None
                else artifact["grades"][i - 1]["min_score"] - 1
            )
            g["expected_bad_rate_bps"] = int(card.pd_bps(np.array([min(max(edge, lo), hi)]))[0])
    cuts, counts = psi_reference(train_scores)
    artifact["psi_reference"] = {"cuts": [_num(c) for c in cuts], "train_counts": counts.tolist()}
