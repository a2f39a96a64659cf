"""Fitting a points scorecard: optimal binning (optbinning), WoE, logistic regression (sklearn).

Only this module imports the fitting libraries; what it produces is the JSON artifact,
which ``ledger.scoring.score`` turns back into scores with numpy alone.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# cvxpy (pulled in by optbinning) logs to stderr about an optional solver it cannot load
# (highspy build mismatch); it resets its logger's level on import, so disable it instead.
logging.getLogger("__cvxpy__").disabled = True

from optbinning import OptimalBinning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from ledger.scoring.artifact import model_id  # noqa: E402
from ledger.scoring.build import bin_labels, binning_table, build_artifact, calibrate  # noqa: E402
from ledger.scoring.data import Table, first_non_number, is_number, missing_mask  # noqa: E402
from ledger.scoring.errors import (  # noqa: E402
    ConfigError,
    GuardError,
    MissingColumnError,
    NonNumericValueError,
    TargetError,
)
from ledger.scoring.grades import GradeBand, check_grades, default_grades, parse_grades  # noqa: E402
from ledger.scoring.guards import SCORE_MAX, STRICT_CHECKS, Finding, column_finding, is_protected  # noqa: E402
from ledger.scoring.score import Scorecard  # noqa: E402
from ledger.scoring.stability import feature_stability  # noqa: E402
from ledger.scoring.texts import check_overrides  # noqa: E402
from ledger.scoring.validate import Validation, bad_flags, validate  # noqa: E402

__all__ = ["FitConfig", "FitResult", "GradeBand", "default_grades", "fit_scorecard", "parse_grades"]

MIN_ROWS_PER_CLASS = 10
# A column is numeric when every present cell is a number. When at least this share is
# numeric but not all, the rest is taken for bad data and reported, not silently turned
# into a categorical feature.
NUMERIC_MAJORITY = 0.9


@dataclass(frozen=True)
class FitConfig:
    target: str
    bad: str
    base_score: int = 600
    base_odds: float = 19.0
    pdo: int = 50
    test_size: float = 0.3
    seed: int = 42
    min_iv: float = 0.02
    C: float = 1.0
    monotonic_trend: str = "auto_asc_desc"
    special_codes: tuple[float, ...] = ()
    drop: tuple[str, ...] = ()
    grades: tuple[GradeBand, ...] | None = None
    # Guard rails (see ledger.scoring.guards and docs/scoring.md).
    min_bin_share: float = 0.05
    protected: tuple[str, ...] = ()  # protected columns besides those recognised by name
    allow: tuple[str, ...] = ()  # columns to keep although a guard would exclude them
    strict: bool = False  # any guard finding but a protected exclusion fails the fit
    score_min: int = 0
    score_max: int = SCORE_MAX
    reason_texts: Mapping[str, str | Mapping[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.pdo <= 0 or self.base_odds <= 0:
            raise ConfigError("pdo and base odds must be positive", column="scaling")
        if not 0 < self.test_size < 1:
            raise ConfigError("must be between 0 and 1", column="test_size")
        if not 0 < self.min_bin_share < 0.5:
            raise ConfigError("must be above 0 and below 0.5", column="min_bin_share")
        if not 0 <= self.score_min < self.score_max <= SCORE_MAX:
            raise ConfigError(
                f"needs 0 <= min < max <= {SCORE_MAX} (what attestation accepts)",
                column="score_range",
            )
        if self.grades is not None:
            check_grades(self.grades)

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * math.log(self.base_odds)


@dataclass
class FitResult:
    artifact: dict[str, Any]
    scorecard: Scorecard
    train: Validation
    holdout: Validation
    holdout_index: np.ndarray  # rows of the input table in the holdout, ascending
    model_id: str = field(init=False)

    def __post_init__(self) -> None:
        self.model_id = model_id(self.artifact)


@dataclass
class _Columns:
    numeric: dict[str, np.ndarray] = field(default_factory=dict)
    categorical: dict[str, np.ndarray] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)  # column -> why it is not a feature
    findings: list[Finding] = field(default_factory=list)
    protected: list[str] = field(default_factory=list)


def fit_scorecard(table: Table, config: FitConfig) -> FitResult:
    """Fit on a stratified split, then validate the *artifact's* integer scores on the holdout."""
    is_bad = _target(table, config)
    cols = _classify(table, config)
    train, hold = _split(is_bad, config)
    binnings, iv = _bin(cols, train, is_bad[train], config)
    selected = [name for name in table.columns if name in iv and iv[name] >= config.min_iv]
    for name in binnings:
        if name not in selected:
            cols.status[name] = f"information value below {config.min_iv}"
    if not selected:
        raise ConfigError(f"no column reaches information value {config.min_iv}", column="min_iv")
    woe = {n: binnings[n].transform(_values(cols, n)[train], metric="woe") for n in selected}
    selected, lr = _regress(woe, is_bad[train], config, cols.status)
    check_overrides(config.reason_texts, _bin_labels(binnings, selected))
    guards = {
        "min_bin_share": repr(config.min_bin_share),
        "train_rows": len(train),
        "protected": cols.protected,
        "findings": [f.to_dict() for f in cols.findings],
        "stability": {},
    }
    # The artifact is completed in stages, each scored through the artifact itself: points
    # first, then what depends on training scores (grade bad rates, PSI reference,
    # per-feature stability), then the holdout metrics.
    artifact = build_artifact(table, config, cols.status, binnings, iv, selected, lr, guards)
    card = Scorecard(artifact)
    train_scored = card.score_table(table.take(train))
    calibrate(artifact, card, train_scored.score)
    card = Scorecard(artifact)
    hold_scored = card.score_table(table.take(hold))
    _stability(artifact, card, train_scored.slots, is_bad[train], hold_scored.slots, is_bad[hold])
    holdout = validate(card, hold_scored.score, is_bad[hold])
    artifact["metrics"] = holdout.metrics_bps() | {"train_size": len(train)}
    _enforce(artifact, config)
    card = Scorecard(artifact)
    train_result = validate(card, train_scored.score, is_bad[train])
    return FitResult(artifact, card, train_result, holdout, hold)


def _stability(
    artifact: dict[str, Any],
    card: Scorecard,
    train_slots: np.ndarray,
    train_bad: np.ndarray,
    hold_slots: np.ndarray,
    hold_bad: np.ndarray,
) -> None:
    n_slots = [len(f.labels) for f in card.features]
    found = feature_stability(
        card.feature_names, n_slots, train_slots, train_bad, hold_slots, hold_bad
    )
    guards = artifact["guards"]
    for s in found:
        guards["stability"][s.feature] = s.to_dict()
        if s.unstable:
            detail = (
                f"information value {s.iv_train:.4f} in training, {s.iv_holdout:.4f} in holdout"
            )
            guards["findings"].append(Finding(s.feature, "stability", "flagged", detail).to_dict())


def _enforce(artifact: dict[str, Any], config: FitConfig) -> None:
    """Under ``strict``, any guard finding but a protected column's exclusion is an error."""
    failing = [f for f in artifact["guards"]["findings"] if f["check"] in STRICT_CHECKS]
    if config.strict and failing:
        listed = "; ".join(f"{f['column']}: {f['detail']}" for f in failing)
        raise GuardError(f"{len(failing)} guard finding(s) under --strict: {listed}")


def _bin_labels(binnings: dict[str, OptimalBinning], names: list[str]) -> dict[str, list[str]]:
    return {n: bin_labels(binnings[n]) for n in names}


def _target(table: Table, config: FitConfig) -> np.ndarray:
    is_bad = bad_flags(table, config.target, config.bad)
    n_bad = int(is_bad.sum())
    if min(n_bad, len(is_bad) - n_bad) < MIN_ROWS_PER_CLASS:
        raise TargetError(
            f"needs at least {MIN_ROWS_PER_CLASS} good and {MIN_ROWS_PER_CLASS} bad rows "
            f"(has {len(is_bad) - n_bad} good, {n_bad} bad)",
            column=config.target,
        )
    return is_bad


def _classify(table: Table, config: FitConfig) -> _Columns:
    cols = _Columns(status={config.target: "target"})
    for option, names in (("drop", config.drop), ("allow", config.allow)):
        for name in names:
            if name not in table.columns:
                raise MissingColumnError(f"--{option} names a column not in the file", column=name)
    for name in config.drop:
        cols.status[name] = "dropped on request"
    for name, cells in table.columns.items():
        if is_protected(name, config.protected) and name != config.target:
            cols.protected.append(name)
        if name in cols.status:
            continue
        present = cells[~missing_mask(cells)]
        if present.size == 0:
            cols.status[name] = "all values missing"
            continue
        numbers = _as_numbers(name, cells, present)
        finding = column_finding(name, present, numbers, config.protected, config.allow)
        if finding is not None:
            cols.status[name] = finding.detail
            cols.findings.append(finding)
        elif numbers is not None:
            cols.numeric[name] = numbers
        else:
            cols.categorical[name] = np.where(missing_mask(cells), np.nan, cells).astype(object)
        if name in config.allow and name in cols.protected:
            cols.findings.append(
                Finding(name, "protected", "allowed", "protected column allowed as a feature")
            )
    return cols


def _as_numbers(name: str, cells: np.ndarray, present: np.ndarray) -> np.ndarray | None:
    ok = np.array([is_number(c) for c in present])
    if ok.all():
        return np.where(missing_mask(cells), "nan", cells).astype(np.float64)
    if ok.mean() >= NUMERIC_MAJORITY:
        row = first_non_number(cells)
        raise NonNumericValueError(
            f"{cells[row - 1]!r} is not a number in a numeric column", column=name, row=row
        )
    return None


def _split(is_bad: np.ndarray, config: FitConfig) -> tuple[np.ndarray, np.ndarray]:
    train, hold = train_test_split(
        np.arange(len(is_bad)),
        test_size=config.test_size,
        stratify=is_bad,
        random_state=config.seed,
    )
    return np.sort(train), np.sort(hold)


def _values(cols: _Columns, name: str) -> np.ndarray:
    return cols.numeric[name] if name in cols.numeric else cols.categorical[name]


def _bin(
    cols: _Columns, train: np.ndarray, y: np.ndarray, config: FitConfig
) -> tuple[dict[str, OptimalBinning], dict[str, float]]:
    binnings: dict[str, OptimalBinning] = {}
    for name in cols.numeric:
        binnings[name] = OptimalBinning(
            name=name,
            dtype="numerical",
            monotonic_trend=config.monotonic_trend,
            special_codes=list(config.special_codes) or None,
            min_bin_size=config.min_bin_share,
        )
    for name in list(cols.categorical):
        if not _has_common_category(cols.categorical[name][train], config.min_bin_share):
            detail = f"no category holds {config.min_bin_share:.0%} of the training rows"
            cols.status[name] = detail
            cols.findings.append(Finding(name, "min_bin_share", "excluded", detail))
            del cols.categorical[name]
            continue
        # Categories rarer than the minimum share are pooled before binning (cat_cutoff).
        binnings[name] = OptimalBinning(
            name=name,
            dtype="categorical",
            min_bin_size=config.min_bin_share,
            cat_cutoff=config.min_bin_share,
        )
    iv = {}
    for name, ob in binnings.items():
        ob.fit(_values(cols, name)[train], y)
        iv[name] = float(binning_table(ob).loc["Totals", "IV"])
    return binnings, iv


def _has_common_category(cells: np.ndarray, share: float) -> bool:
    present = cells[[isinstance(c, str) for c in cells]]  # missing cells are NaN here
    _, counts = np.unique(present.astype(str), return_counts=True)
    return bool(counts.size) and counts.max() >= share * len(cells)


def _regress(
    woe: dict[str, np.ndarray], y: np.ndarray, config: FitConfig, status: dict[str, str]
) -> tuple[list[str], LogisticRegression]:
    """Logistic regression on WoE; drop wrong-signed features one at a time and refit.

    optbinning's WoE is ln(share of goods / share of bads), so higher WoE is lower risk
    and every coefficient of the bad log-odds should be negative; a positive one comes
    from collinearity and would make the points contradict the bin's own bad rate.
    """
    names = list(woe)
    while True:
        x = np.column_stack([woe[n] for n in names])
        lr = LogisticRegression(C=config.C, max_iter=1000).fit(x, y)
        coef = lr.coef_[0]
        if (coef <= 0).all() or len(names) == 1:
            return names, lr
        worst = names[int(np.argmax(coef))]
        status[worst] = "dropped: wrong-signed coefficient (collinear with other features)"
        names.remove(worst)
