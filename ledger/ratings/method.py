"""The rating method: default paths run through the deal simulator, losses mapped to grades.

For every path the conditional default rates (``montecarlo``) become a ``Scenario`` with
``basis: period`` (the methodology's annual CPR converted to the period once), and the deal
simulator runs the whole waterfall on integers. A tranche's loss on a path is the principal
never returned plus any interest shortfall still owed at the end. Figures are integers
rounded down: probability of any loss ``= paths with a loss * 10000 // paths`` and expected
loss ``= total loss * 10000 // (size * paths)``, both in basis points. The equity (last)
tranche is reported but not rated (``NR``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from ledger.deals.simulator import Scenario, simulate
from ledger.deals.spec import DealSpec
from ledger.ratings.methodology import Methodology
from ledger.ratings.montecarlo import BPS, Pool, default_rate_paths

NOT_RATED = "NR"


class RatingError(ValueError):
    """The deal or pool cannot be rated as given; the message names the field."""


@dataclass(frozen=True)
class TrancheRating:
    name: str
    size: int
    grade: str
    loss_probability_bps: int
    expected_loss_bps: int
    losses: np.ndarray = field(repr=False)  # per path, smallest token unit

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "size": self.size,
            "grade": self.grade,
            "loss_probability_bps": self.loss_probability_bps,
            "expected_loss_bps": self.expected_loss_bps,
            "loss_paths": int((self.losses > 0).sum()),
            "max_loss": int(self.losses.max()) if self.losses.size else 0,
        }


@dataclass(frozen=True)
class RatingRun:
    methodology_hash: str
    paths: int
    tranches: tuple[TrancheRating, ...]
    pool_losses: np.ndarray = field(repr=False)  # defaults less recoveries, per path
    seconds: float = field(compare=False, default=0.0)

    @property
    def paths_per_s(self) -> float:
        return self.paths / self.seconds if self.seconds else math.inf

    def grades(self) -> dict[str, str]:
        return {t.name: t.grade for t in self.tranches}


def rate(spec: DealSpec, pool: Pool, method: Methodology) -> RatingRun:
    """Rate every tranche of ``spec`` over ``pool`` with ``method`` (deterministic in the seed)."""
    if spec.collateral is None:
        raise RatingError("collateral: the spec needs a collateral section to be rated")
    if len(pool.balances) == 0:
        raise RatingError("tape: no loans to rate")
    terms = spec.to_terms()
    if int(pool.balances.sum()) != terms.initial_pool_balance:
        raise RatingError(
            f"tape: loans add up to {int(pool.balances.sum())}, "
            f"the deal's pool_balance is {terms.initial_pool_balance} (smallest unit)"
        )
    months = terms.period_months
    term_periods = math.ceil(spec.collateral.remaining_term_months / months)
    cpr = 1 - (1 - method.cpr_bps / BPS) ** (months / 12)
    sizes = [t.size for t in terms.tranches]
    n = len(sizes)
    losses = np.zeros((method.paths, n), dtype=object)  # exact integers
    pool_losses = np.zeros(method.paths, dtype=object)
    start = time.perf_counter()
    rates = default_rate_paths(
        pool,
        paths=method.paths,
        seed=method.seed,
        correlation_bps=method.correlation_bps,
        pd_horizon_months=method.pd_horizon_months,
        pd_multiplier_bps=method.pd_multiplier_bps,
        period_months=months,
        term_periods=term_periods,
    )
    for j, cdr in enumerate(rates):
        scenario = Scenario(
            name=f"path {j + 1}",
            cdr=cdr.tolist(),
            cpr=cpr,
            severity=method.severity_bps / BPS,
            recovery_lag=method.recovery_lag,
            basis="period",
        )
        sim = simulate(spec, scenario)
        owed = sim.periods[-1].result.state.interest_shortfalls if sim.periods else (0,) * n
        for i, tranche in enumerate(sim.tranches):
            losses[j, i] = tranche.loss + owed[i]
        pool_losses[j] = sim.pool_loss
    seconds = time.perf_counter() - start
    scale = method.rating_scale
    tranches = []
    for i, name in enumerate(spec.tranche_names):
        column = losses[:, i]
        hit = int(sum(1 for v in column if v > 0))
        probability = hit * BPS // method.paths
        expected = int(sum(column)) * BPS // (sizes[i] * method.paths) if sizes[i] else 0
        grade = NOT_RATED if i == n - 1 else scale.grade(probability)
        tranches.append(
            TrancheRating(name, sizes[i], grade, probability, expected, column.astype(float))
        )
    return RatingRun(method.hash, method.paths, tuple(tranches), pool_losses.astype(float), seconds)
