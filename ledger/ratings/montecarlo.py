"""Loan-level default paths under a one-factor (Vasicek) Gaussian copula, vectorised.

For path ``j`` and loan ``i`` the method draws ``Z_j`` and ``e_ij`` from one standard
normal stream (row-major: ``Z_j`` first, then the loans in tape order), so the chunk size
never changes a result. The loan's latent variable ``X = sqrt(rho) Z + sqrt(1 - rho) e``
gives a uniform ``U = Phi(X)``; with ``p`` the loan's default probability over ``H``
months, its default time in months solves ``1 - (1 - p) ** (m / H) = U``, i.e.
``m = H ln(1 - U) / ln(1 - p)``, and it defaults in period ``ceil(m / months)`` if that is
within the pool's remaining term. Loans sharing a low ``Z`` default together: that is the
correlation. Each path's defaults become per-period conditional default rates of the
surviving balance (defaulted principal / principal not yet defaulted), the form the deal
simulator's collateral model takes (``basis: period``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

BPS = 10_000
MAX_PD = 0.999_999  # a certain default still needs a finite default time


@dataclass(frozen=True)
class Pool:
    """The rated collateral: one entry per loan, in tape order."""

    balances: np.ndarray  # current principal, smallest token unit (int64-safe weights)
    pd_bps: np.ndarray  # attested probability of default over the methodology's horizon

    def __post_init__(self) -> None:
        if self.balances.shape != self.pd_bps.shape or self.balances.ndim != 1:
            raise ValueError("balances and pd_bps must be 1-D arrays of one length")


def default_rate_paths(
    pool: Pool,
    *,
    paths: int,
    seed: int,
    correlation_bps: int,
    pd_horizon_months: int,
    pd_multiplier_bps: int,
    period_months: int,
    term_periods: int,
    chunk: int = 64,
) -> Iterator[np.ndarray]:
    """Yield, path by path, the per-period conditional default rates (length ``term_periods``)."""
    rng = np.random.default_rng(seed)
    n = len(pool.balances)
    rho = correlation_bps / BPS
    a, b = np.sqrt(rho), np.sqrt(1.0 - rho)
    p = np.minimum(pool.pd_bps.astype(float) * pd_multiplier_bps / (BPS * BPS), MAX_PD)
    defaults = p > 0
    # months to default = H ln(1 - U) / ln(1 - p); precompute the loan's factor H / ln(1 - p)
    factor = np.zeros(n)
    factor[defaults] = pd_horizon_months / np.log1p(-p[defaults])
    weights = pool.balances.astype(float)
    total = weights.sum()
    done = 0
    while done < paths:
        rows = min(chunk, paths - done)
        draws = rng.standard_normal((rows, n + 1))
        latent = a * draws[:, :1] + b * draws[:, 1:]
        # ln(1 - Phi(x)) = ln(Phi(-x)), computed without cancellation
        months = factor * np.log(np.maximum(ndtr(-latent), 1e-300))
        period = np.where(defaults, np.ceil(months / period_months), np.inf)
        period = np.maximum(period, 1)
        for row in period:
            within = row <= term_periods
            per_period = np.bincount(
                row[within].astype(np.int64) - 1, weights=weights[within], minlength=term_periods
            )
            surviving = total - np.concatenate(([0.0], np.cumsum(per_period)[:-1]))
            with np.errstate(divide="ignore", invalid="ignore"):
                rates = np.where(surviving > 0, per_period / surviving, 0.0)
            yield np.clip(rates, 0.0, 1.0)
        done += rows
