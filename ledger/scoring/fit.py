"""Fitting a points scorecard: optimal binning (optbinning), WoE, logistic regression (sklearn).

Only this module imports the fitting libraries; what it produces is the JSON artifact,
which ``ledger.scoring.score`` turns back into scores with numpy alone.
"""

from __future__ import annotations

import itertools
import logging
import math
import warnings
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

import numpy as np

# cvxpy (pulled in by optbinning) logs to stderr about an optional solver it cannot load
# (highspy build mismatch); it resets its logger's level on import, so disable it instead.
logging.getLogger("__cvxpy__").disabled = True

from optbinning import OptimalBinning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from ledger.scoring.artifact import FORMAT, ROUNDING_RULE, model_id  # noqa: E402
from ledger.scoring.data import MISSING_TOKENS, Table, first_non_number, is_number, missing_mask  # noqa: E402
from ledger.scoring.errors import ConfigError, MissingColumnError, NonNumericValueError, TargetError  # noqa: E402
from ledger.scoring.score import Scorecard  # noqa: E402
from ledger.scoring.validate import Validation, bad_flags, psi_reference, to_bp, validate  # noqa: E402

MIN_ROWS_PER_CLASS = 10
# A column is numeric when every present cell is a number. When at least this share is
# numeric but not all, the rest is taken for bad data and reported, not silently turned
# into a categorical feature.
NUMERIC_MAJORITY = 0.9


@dataclass(frozen=True)
class GradeBand:
    name: str
    min_score: int | None  # None: the catch-all lowest band


def parse_grades(spec: str) -> tuple[GradeBand, ...]:
    """``"A:650,B:600,C:550,D:500,E:450,F"``: best first, minimum scores falling, last open."""
    bands = []
    for part in spec.split(","):
        name, _, low = part.strip().partition(":")
        try:
            bands.append(GradeBand(name.strip(), int(low) if low.strip() else None))
        except ValueError:
            raise ConfigError(f"{low!r} is not an integer score", column="grades") from None
    _check_grades(tuple(bands))
    return tuple(bands)


def default_grades(base_score: int, pdo: int) -> tuple[GradeBand, ...]:
    """Six bands one PDO wide: A from base + PDO, ..., E from base - 3 PDO, F below."""
    mins = [base_score + k * pdo for k in (1, 0, -1, -2, -3)]
    return (*(GradeBand(n, m) for n, m in zip("ABCDE", mins, strict=True)), GradeBand("F", None))


def _check_grades(bands: tuple[GradeBand, ...]) -> None:
    names = [b.name for b in bands]
    if len(bands) < 2 or not all(names) or len(set(names)) != len(names):
        raise ConfigError("need at least two bands with distinct non-empty names", column="grades")
    mins = [b.min_score for b in bands[:-1]]
    if None in mins or bands[-1].min_score is not None:
        raise ConfigError(
            "every band but the last needs a minimum score; the last none", column="grades"
        )
    if any(a <= b for a, b in itertools.pairwise(mins)):
        raise ConfigError("minimum scores must fall strictly from the first band", column="grades")


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

    def __post_init__(self) -> None:
        if self.pdo <= 0 or self.base_odds <= 0:
            raise ConfigError("pdo and base odds must be positive", column="scaling")
        if not 0 < self.test_size < 1:
            raise ConfigError("must be between 0 and 1", column="test_size")
        if self.grades is not None:
            _check_grades(self.grades)

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
    model_id: str = field(init=False)

    def __post_init__(self) -> None:
        self.model_id = model_id(self.artifact)


@dataclass
class _Columns:
    numeric: dict[str, np.ndarray] = field(default_factory=dict)
    categorical: dict[str, np.ndarray] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)  # column -> why it is not a feature


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
    # The artifact is completed in stages, each scored through the artifact itself: points
    # first, then what depends on training scores (grade bad rates, PSI reference), then
    # the holdout metrics.
    artifact = _artifact(table, config, cols, binnings, iv, selected, lr)
    card = Scorecard(artifact)
    train_scores = card.score_table(_rows(table, train)).score
    _calibrate(artifact, card, train_scores)
    card = Scorecard(artifact)
    holdout_scores = card.score_table(_rows(table, hold)).score
    holdout = validate(card, holdout_scores, is_bad[hold])
    artifact["metrics"] = holdout.metrics_bp() | {"train_size": len(train)}
    card = Scorecard(artifact)
    return FitResult(artifact, card, validate(card, train_scores, is_bad[train]), holdout)


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
    for name in config.drop:
        if name not in table.columns:
            raise MissingColumnError("asked to drop a column that is not in the file", column=name)
        cols.status[name] = "dropped on request"
    for name, cells in table.columns.items():
        if name in cols.status:
            continue
        present = cells[~missing_mask(cells)]
        if present.size == 0:
            cols.status[name] = "all values missing"
            continue
        numbers = _as_numbers(name, cells, present)
        if numbers is not None and _is_row_index(numbers):
            cols.status[name] = "row identifier (distinct consecutive integers)"
        elif numbers is not None:
            cols.numeric[name] = numbers
        elif len(set(present)) == len(cells):
            cols.status[name] = "identifier (every value distinct)"
        else:
            cols.categorical[name] = np.where(missing_mask(cells), np.nan, cells).astype(object)
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


def _is_row_index(x: np.ndarray) -> bool:
    if np.isnan(x).any() or not np.all(x == np.round(x)):
        return False
    s = np.sort(x)
    return len(s) > 2 and bool(np.all(np.diff(s) == 1))


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
        )
    for name in cols.categorical:
        binnings[name] = OptimalBinning(name=name, dtype="categorical")
    iv = {}
    for name, ob in binnings.items():
        ob.fit(_values(cols, name)[train], y)
        iv[name] = float(_binning_table(ob).loc["Totals", "IV"])
    return binnings, iv


def _binning_table(ob: OptimalBinning) -> Any:
    with warnings.catch_warnings():  # optbinning's own pandas deprecation, not ours
        warnings.simplefilter("ignore", DeprecationWarning)
        return ob.binning_table.build()


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


def _rows(table: Table, idx: np.ndarray) -> Table:
    return Table({name: cells[idx] for name, cells in table.columns.items()}, len(idx))


def _round_half_away(x: float) -> int:
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def _num(x: float) -> str:
    """A decimal as the shortest text that parses back to the same double."""
    return repr(float(x))


def _artifact(
    table: Table,
    config: FitConfig,
    cols: _Columns,
    binnings: dict[str, OptimalBinning],
    iv: dict[str, float],
    selected: list[str],
    lr: LogisticRegression,
) -> dict[str, Any]:
    features = [
        _feature_spec(name, binnings[name], float(coef), iv[name], f"R{i:02d}", config)
        for i, (name, coef) in enumerate(zip(selected, lr.coef_[0], strict=True), start=1)
    ]
    base_points = _round_half_away(config.offset - config.factor * float(lr.intercept_[0]))
    status = {name: "feature" for name in selected} | {
        n: r for n, r in cols.status.items() if n not in selected
    }
    return {
        "format": FORMAT,
        "target": {"column": config.target, "bad": config.bad},
        "columns": {
            "features": selected,
            "ignored": [n for n in table.columns if n not in selected],
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
        "rounding": ROUNDING_RULE,
        "intercept": _num(float(lr.intercept_[0])),
        "base_points": base_points,
        "features": features,
        "information_value_bp": {name: to_bp(v) for name, v in iv.items()},
        "pd_bp": _pd_table(base_points, features, config),
        "grades": [
            {"name": g.name, "min_score": g.min_score, "expected_bad_rate_bp": 0}
            for g in (config.grades or default_grades(config.base_score, config.pdo))
        ],
        "psi_reference": {"cuts": [], "train_counts": []},
        "metrics": {},
        "fit": {
            "split": f"stratified, {_num(config.test_size)} holdout",
            "seed": config.seed,
            "min_iv": _num(config.min_iv),
            "C": _num(config.C),
            "monotonic_trend": config.monotonic_trend,
            "special_codes": [_num(v) for v in config.special_codes],
            "libraries": {lib: version(lib) for lib in ("optbinning", "scikit-learn", "numpy")},
        },
    }


def _feature_spec(
    name: str, ob: OptimalBinning, coef: float, iv: float, reason_code: str, config: FitConfig
) -> dict[str, Any]:
    rows = _binning_table(ob).drop(index="Totals")
    counts = rows["Count"].astype(int).tolist()
    bads = rows["Event"].astype(int).tolist()
    woes = [float(w) if w != "" else 0.0 for w in rows["WoE"]]
    numeric = ob.dtype == "numerical"
    labels = _numeric_labels(ob.splits) if numeric else [", ".join(map(str, g)) for g in ob.splits]
    labels += ["Special", "Missing"]
    if not numeric:  # unseen categories: WoE 0, the training population's odds, so 0 points
        labels.append("Unseen")
        counts, bads, woes = [*counts, 0], [*bads, 0], [*woes, 0.0]
    bins = [
        {
            "label": label,
            "count": c,
            "bads": b,
            "woe": _num(w),
            "points": _round_half_away(-config.factor * coef * w),
        }
        for label, c, b, w in zip(labels, counts, bads, woes, strict=True)
    ]
    spec: dict[str, Any] = {
        "name": name,
        "type": "numeric" if numeric else "categorical",
        "reason_code": reason_code,
        "coefficient": _num(coef),
        "iv_bp": to_bp(iv),
        "bins": bins,
    }
    if numeric:
        spec["splits"] = [_num(s) for s in ob.splits]
        spec["special_values"] = [_num(v) for v in config.special_codes]
    else:
        spec["categories"] = [sorted(str(c) for c in group) for group in ob.splits]
    return spec


def _numeric_labels(splits: np.ndarray) -> list[str]:
    edges = ["-inf", *(_num(s) for s in splits), "inf"]
    return [f"{'(' if lo == '-inf' else '['}{lo}, {hi})" for lo, hi in itertools.pairwise(edges)]


def _pd_table(
    base_points: int, features: list[dict[str, Any]], config: FitConfig
) -> dict[str, Any]:
    """PD in basis points (rounded down) for every attainable score, fixed at fit time."""
    lo = base_points + sum(min(b["points"] for b in f["bins"]) for f in features)
    hi = base_points + sum(max(b["points"] for b in f["bins"]) for f in features)
    values = [
        math.floor(10_000 / (1 + math.exp((s - config.offset) / config.factor)))
        for s in range(lo, hi + 1)
    ]
    return {"min_score": lo, "values": values}


def _calibrate(artifact: dict[str, Any], card: Scorecard, train_scores: np.ndarray) -> None:
    """Fill what depends on the training scores: grade bad rates and the PSI reference."""
    pd_bp = card.pd_bp(train_scores)
    grade = card.grade_index(train_scores)
    lo = artifact["pd_bp"]["min_score"]
    hi = lo + len(artifact["pd_bp"]["values"]) - 1
    for i, g in enumerate(artifact["grades"]):
        in_band = grade == i
        if in_band.any():
            g["expected_bad_rate_bp"] = int(pd_bp[in_band].sum()) // int(in_band.sum())
        else:  # no training row in the band: the PD at its lower edge (or just below the band above)
            edge = (
                g["min_score"]
                if g["min_score"] is not None
                else artifact["grades"][i - 1]["min_score"] - 1
            )
            g["expected_bad_rate_bp"] = int(card.pd_bp(np.array([min(max(edge, lo), hi)]))[0])
    cuts, counts = psi_reference(train_scores)
    artifact["psi_reference"] = {"cuts": [_num(c) for c in cuts], "train_counts": counts.tolist()}
