"""Deal simulator: a pool-level collateral model feeding the waterfall over the deal's life.

Collateral model, per period ``t`` (integers; ``B`` the balance at the start of the period,
``d``/``p`` the period's default/prepayment rates in parts per billion, ``m`` the period
length in months, ``n`` the periods left including this one):

1. defaults      ``D = B * d // 1e9`` (defaults come first and earn nothing)
2. performing    ``Q = B - D``
3. interest      ``I = Q * rate_bps * m // 120000``
4. scheduled     annuity: ``S = Q * a // 1e9`` with ``a = r / ((1 + r)**n - 1)``,
   ``r = rate_bps * m / 120000`` (the principal part of a level payment); linear:
   ``S = Q // n``; in the last period ``S = Q``
5. prepayments   ``P = (Q - S) * p // 1e9``
6. end balance   ``Q - S - P``
7. recoveries    ``R_t = D_(t - lag) * (10000 - severity_bps) // 10000``

Scenario rates (``ledger.deals.scenario``) and the annuity factor are computed in floating
point once and rounded to integer parts per billion, so every balance is integer
arithmetic. Delinquency buckets at the
end of period ``t`` are the defaults still to come: 90+ = ``D_(t+1)``, 60-89 = ``D_(t+2)``,
30-59 = ``D_(t+3)``.

Clean-up call: once a period ends with the pool eligible (waterfall §12), the next period
buys the whole remaining balance at par (one period's interest, all of it as prepayment,
no new defaults); recoveries already in the pipeline still arrive. When the last period
is run, the reserve left is released to equity (wind-down) and any tranche balance left is
a principal loss. Analytics (weighted average life, yield) use floats; balances never do.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Scenarios live in their own module; re-exported here, the simulator's public API.
from ledger.deals.cover import Cover, next_cover
from ledger.deals.scenario import (
    PPB,
    Scenario,
    ScenarioError,
    distinct_labels,
    parse_scenario,
)
from ledger.deals.spec import CollateralSpec, DealSpec, load_spec
from ledger.deals.waterfall import (
    BPS,
    SECONDS_PER_DAY,
    DealTerms,
    PeriodReport,
    PeriodResult,
    apply_period,
    cleanup_eligible,
)

__all__ = [
    "EXAMPLE_SPEC",
    "Collateral",
    "CollateralPeriod",
    "PeriodRecord",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "TrancheSummary",
    "collateral_flows",
    "distinct_labels",
    "irr",
    "measure_deal_periods_per_second",
    "parse_scenario",
    "run_deal",
    "simulate",
    "weighted_average_life",
]
EXAMPLE_SPEC = Path(__file__).resolve().parents[2] / "examples/deals/three-tranche-sequential.yaml"


# --- collateral ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CollateralPeriod:
    defaults: int
    interest: int
    scheduled: int
    prepayments: int
    recoveries: int
    balance: int  # at the end of the period


@dataclass(frozen=True)
class Collateral:
    flows: tuple[CollateralPeriod, ...]
    cleanup_period: int | None  # the period in which the clean-up call bought the pool


def collateral_flows(
    terms: DealTerms, collateral: CollateralSpec, scenario: Scenario
) -> Collateral:
    """The pool's cash flows over its life, with the clean-up call if the scenario takes it."""
    months, lag = terms.period_months, scenario.recovery_lag
    term = math.ceil(collateral.remaining_term_months / months)
    balance = terms.initial_pool_balance
    defaults: list[int] = []
    flows: list[CollateralPeriod] = []
    called: int | None = None
    t = 0
    while t == 0 or balance > 0 or (lag > 0 and any(defaults[-lag:])):
        t += 1
        call_now = called is None and scenario.exercise_cleanup and _callable(terms, flows)
        d = 0 if call_now else balance * scenario.default_ppb(t, months) // PPB
        performing = balance - d
        interest = performing * collateral.rate_bps * months // (12 * BPS)
        if call_now:
            called, scheduled, prepay = t, 0, performing
        else:
            scheduled = _scheduled(performing, collateral, months, term - t + 1)
            prepay = (performing - scheduled) * scenario.prepay_ppb(t, months) // PPB
        defaults.append(d)
        recovered = 0
        if t > lag:
            recovered = defaults[t - lag - 1] * (BPS - scenario.severity_bps(t - lag)) // BPS
        balance = performing - scheduled - prepay
        flows.append(CollateralPeriod(d, interest, scheduled, prepay, recovered, balance))
    return Collateral(tuple(flows), called)


def _callable(terms: DealTerms, flows: list[CollateralPeriod]) -> bool:
    """The previous period ended with a balance left and the pool eligible (waterfall §12)."""
    return bool(flows) and flows[-1].balance > 0 and cleanup_eligible(terms, flows[-1].balance)


def _scheduled(performing: int, collateral: CollateralSpec, months: int, left: int) -> int:
    """Scheduled principal with ``left`` periods to go (all of it in the last period)."""
    if left <= 1:
        return performing
    if collateral.amortization == "linear":
        return performing // left
    r = collateral.rate_bps * months / (12 * BPS)
    factor = 1 / left if r == 0 else r / ((1 + r) ** left - 1)
    return performing * round(factor * PPB) // PPB


# --- the deal --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodRecord:
    period: int
    report: PeriodReport
    result: PeriodResult


@dataclass(frozen=True)
class TrancheSummary:
    name: str
    size: int
    interest: int
    principal: int
    residual: int  # equity only: residuals plus the wind-down release
    writedowns: int  # written down and never written back up
    loss: int  # principal never returned: size - principal
    wal_years: float | None
    yield_: float | None  # annual IRR of the tranche's cash flows, bought at par

    @property
    def cash(self) -> int:
        return self.interest + self.principal + self.residual


@dataclass(frozen=True)
class Simulation:
    spec: DealSpec
    scenario: Scenario
    periods: tuple[PeriodRecord, ...]
    tranches: tuple[TrancheSummary, ...]
    cleanup_period: int | None
    wind_down_release: int  # the reserve left at the end, paid to equity
    pool_defaults: int
    pool_recoveries: int

    @property
    def pool_loss(self) -> int:
        return self.pool_defaults - self.pool_recoveries


def simulate(spec: DealSpec, scenario: Scenario, cover: Cover | None = None) -> Simulation:
    """Run the deal over its life under ``scenario`` (with ``cover`` bound at close, if
    given); needs the spec's collateral section."""
    if spec.collateral is None:
        raise ScenarioError("collateral: the spec needs a collateral section to be simulated")
    collateral = collateral_flows(spec.to_terms(), spec.collateral, scenario)
    reports = [_report(spec, collateral.flows, t) for t in range(1, len(collateral.flows) + 1)]
    return run_deal(
        spec,
        reports,
        scenario=scenario,
        cleanup_period=collateral.cleanup_period,
        cover=cover,
        ratings=scenario.ratings,
    )


def run_deal(
    spec: DealSpec,
    reports: Sequence[PeriodReport],
    *,
    scenario: Scenario | None = None,
    cleanup_period: int | None = None,
    cover: Cover | None = None,
    ratings: Sequence[str | None] | None = None,
) -> Simulation:
    """The deal's waterfall from close over the given period reports, then wound down.

    The stable entry point for callers with their own collateral paths (a Monte Carlo
    run, a servicer's history): exactly the rule the pool runs on chain, period by period.
    ``scenario`` only labels the result; ``cleanup_period`` is the period whose report
    carried the clean-up call's price, if any; ``cover`` (docs/waterfall.md §14) is the
    guarantee and insurance bound at close, carried from period to period. ``ratings``
    is the grade the deal's rating feed holds at each period's report (None: no valid
    rating; the last one repeats); without it, or without a rating trigger, the rating
    test passes.
    """
    terms = spec.to_terms()
    state = spec.initial_state()
    records = []
    trigger = spec.rating_trigger
    for t, report in enumerate(reports, start=1):
        rating_pass = True
        if trigger is not None and ratings:
            rating_pass = trigger.passes(ratings[min(t, len(ratings)) - 1])
        result = apply_period(terms, state, report, cover, rating_pass)
        records.append(PeriodRecord(t, report, result))
        state = result.state
        if cover is not None:
            cover = next_cover(cover, result.cover)
    return Simulation(
        spec=spec,
        scenario=scenario or Scenario(name="given periods"),
        periods=tuple(records),
        tranches=_summaries(spec, records, state.reserve),
        cleanup_period=cleanup_period,
        wind_down_release=state.reserve,
        pool_defaults=sum(r.new_defaults for r in reports),
        pool_recoveries=sum(r.recoveries for r in reports),
    )


def _report(spec: DealSpec, flows: tuple[CollateralPeriod, ...], t: int) -> PeriodReport:
    flow = flows[t - 1]

    def pipeline(ahead: int) -> int:  # defaults still to come are today's delinquencies
        return flows[t - 1 + ahead].defaults if t - 1 + ahead < len(flows) else 0

    return PeriodReport(
        period_end=spec.period_end(t),
        interest=flow.interest,
        scheduled_principal=flow.scheduled,
        prepayments=flow.prepayments,
        recoveries=flow.recoveries,
        new_defaults=flow.defaults,
        delinquent_30=pipeline(3),
        delinquent_60=pipeline(2),
        delinquent_90=pipeline(1),
        pool_balance=flow.balance,
    )


# --- analytics (floats are fine here: nothing below feeds a balance) --------------------------


def _summaries(
    spec: DealSpec, records: list[PeriodRecord], release: int
) -> tuple[TrancheSummary, ...]:
    closing = spec.closing_time
    years = [(r.report.period_end - closing) / SECONDS_PER_DAY / 365 for r in records]
    last = len(spec.tranches) - 1
    summaries = []
    for i, (name, size) in enumerate(
        zip(spec.tranche_names, (t.size for t in spec.to_terms().tranches), strict=True)
    ):
        interest = [r.result.tranches[i].interest_paid for r in records]
        principal = [r.result.tranches[i].principal_paid for r in records]
        residual = [r.result.residual_to_equity if i == last else 0 for r in records]
        if i == last and records:
            residual[-1] += release
        cash = [a + b + c for a, b, c in zip(interest, principal, residual, strict=True)]
        summaries.append(
            TrancheSummary(
                name=name,
                size=size,
                interest=sum(interest),
                principal=sum(principal),
                residual=sum(residual),
                writedowns=records[-1].result.state.writedowns[i] if records else 0,
                loss=size - sum(principal),
                wal_years=weighted_average_life(years, principal),
                yield_=irr(size, years, cash),
            )
        )
    return tuple(summaries)


def weighted_average_life(years: list[float], principal: list[int]) -> float | None:
    """Σ t × principal / Σ principal, in years from closing; None if no principal is paid."""
    total = sum(principal)
    if total == 0:
        return None
    return sum(t * p for t, p in zip(years, principal, strict=True)) / total


def irr(price: int, years: list[float], cash: list[int]) -> float | None:
    """The annual rate at which the cash flows are worth ``price`` at closing (bisection).

    -1.0 (a total loss) when the cash is worth less than the price even at -99.99% a year,
    which includes receiving nothing; None when the price is 0 or the yield is above 10000%.
    """
    if price <= 0:
        return None
    t = np.asarray(years, dtype=float)
    c = np.asarray(cash, dtype=float)

    def npv(rate: float) -> float:
        return float((c * (1.0 + rate) ** -t).sum()) - price

    low, high = -0.9999, 100.0
    if npv(low) < 0:
        return -1.0
    if npv(high) > 0:
        return None
    while high - low > 1e-10:
        mid = (low + high) / 2
        if npv(mid) > 0:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def measure_deal_periods_per_second(
    spec: DealSpec | None = None, scenario: Scenario | None = None, min_seconds: float = 1.0
) -> float:
    """Simulator speed: deal-periods (collateral step + waterfall + analytics) per second.

    Runs whole simulations of ``spec`` (default: the three-tranche example deal) under
    ``scenario`` (default: 2% CDR, 10% CPR, 40% severity, 3-period lag) for at least
    ``min_seconds`` of wall-clock time.
    """
    spec = spec or load_spec(EXAMPLE_SPEC)
    scenario = scenario or Scenario(cdr=0.02, cpr=0.10, severity=0.40, recovery_lag=3)
    periods = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < min_seconds:
        periods += len(simulate(spec, scenario).periods)
    return periods / elapsed
