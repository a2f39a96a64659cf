"""Investor reports: one per period, with the fields securitization disclosure asks for.

Collections, fees, distributions and shortfalls by class, losses, reserve, trigger status,
delinquency buckets, pool factor and credit enhancement (guarantee draws, insurance
claims, subrogated recoveries, unpaid claims and deficiencies; docs/waterfall.md §14).
Amounts are integers in the token's smallest unit (the report names the token and its
decimals); ratios and factors are basis points.
As JSON (``investor_report``) or as CSV rows, one per class and period (``to_csv``).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any, Protocol

from ledger.deals.cover import CoverResult
from ledger.deals.simulator import Simulation
from ledger.deals.spec import DealSpec
from ledger.deals.waterfall import BPS, DealState, PeriodReport, PeriodResult


def investor_report(
    spec: DealSpec, period: int, before: DealState, report: PeriodReport, result: PeriodResult
) -> dict[str, Any]:
    """The investor report for one period (``before`` is the state the period started from)."""
    terms = spec.to_terms()
    initial_pool = terms.initial_pool_balance
    return {
        "deal": spec.name,
        "token": {
            "symbol": spec.settlement_token.symbol,
            "decimals": spec.settlement_token.decimals,
        },
        "period": period,
        "period_start": _date(before.last_period_end),
        "period_end": _date(report.period_end),
        "accrual_days": result.accrual_days,
        "collections": {
            "interest": report.interest,
            "scheduled_principal": report.scheduled_principal,
            "prepayments": report.prepayments,
            "recoveries": report.recoveries,
            "total": report.cash_in,
        },
        "fees": {
            "servicer_due": result.servicer_fee_due,
            "servicer_paid": result.servicer_fee_paid,
            "trustee_due": result.trustee_fee_due,
            "trustee_paid": result.trustee_fee_paid,
        },
        "classes": [
            {
                "name": name,
                "balance_start": before.balances[i],
                "interest_due": t.interest_due,
                "interest_paid": t.interest_paid,
                "interest_shortfall": t.interest_shortfall,
                "principal_paid": t.principal_paid,
                "writedown": t.writedown,
                "writeup": t.writeup,
                "cured": t.cured,
                "writedowns_outstanding": result.state.writedowns[i],
                "balance_end": t.balance,
                "factor_bps": _factor(t.balance, terms.tranches[i].size),
            }
            for i, (name, t) in enumerate(zip(spec.tranche_names, result.tranches, strict=True))
        ],
        "residual_to_equity": result.residual_to_equity,
        "losses": {
            "new_defaults": report.new_defaults,
            "recoveries": report.recoveries,
            "written_down": sum(t.writedown for t in result.tranches),
            "written_up": sum(t.writeup for t in result.tranches),
        },
        "reserve": {
            "before": result.reserve_before,
            "target": result.reserve_target,
            "trapped": result.reserve_trapped,
            "after": result.reserve_after,
        },
        "triggers": trigger_tests(terms.oc_trigger_bps, terms.ic_trigger_bps, result),
        "delinquency": {
            "days_30_59": report.delinquent_30,
            "days_60_89": report.delinquent_60,
            "days_90_plus": report.delinquent_90,
        },
        "pool": {
            "balance_start": before.pool_balance,
            "balance_end": report.pool_balance,
            "factor_bps": _factor(report.pool_balance, initial_pool),
            "tape_root": "0x" + report.tape_root.hex(),
            "cleanup_eligible": result.cleanup_eligible,
        },
        "credit_enhancement": credit_enhancement(result.cover, sum(result.state.writedowns)),
        "cash_check": {
            "cash_in": result.cash_in,
            "cash_out": result.cash_out,
            "reserve_change": result.reserve_after - result.reserve_before,
            "balanced": result.conserves_cash,
        },
    }


def credit_enhancement(cover: CoverResult | None, deficiency: int) -> dict[str, Any] | None:
    """The period's guarantee and insurance figures (None: no cover bound). ``deficiency``
    is the notes' uncured write-downs after the period, what cover has not made good."""
    if cover is None:
        return None
    g, i = cover.guarantee, cover.insurance
    guarantee = g and {
        "premium_due": g.premium_due,
        "premium_paid": g.premium_paid,
        "demand": g.demand,
        "draw": g.draw,
        "draw_interest": g.draw_interest,
        "draw_cure": g.draw_cure,
        "unpaid_claim": g.unpaid_claim,
        "subrogation_from_recoveries": g.from_recoveries,
        "subrogation_from_revenue": g.from_revenue,
        "collateral_after": g.state.collateral,
        "owed_after": g.state.owed,
    }
    insurance = i and {
        "premium_due": i.premium_due,
        "premium_paid": i.premium_paid,
        "claim": i.claim,
        "claim_paid": i.claim_paid,
        "unpaid_claim": i.unpaid_claim,
        "recoveries_to_insurer": i.recovered,
        "capital_after": i.state.capital,
        "owed_after": i.state.claims_paid - i.state.recovered,
    }
    return {
        "guarantee": guarantee or None,
        "insurance": insurance or None,
        "cash_in": cover.cash_in,
        "cash_out": cover.cash_out,
        "unpaid_claims": (g.unpaid_claim if g else 0) + (i.unpaid_claim if i else 0),
        "deficiency_after": deficiency,
    }


CSV_COLUMNS = (
    "deal",
    "period",
    "period_end",
    "class",
    "balance_start",
    "interest_due",
    "interest_paid",
    "interest_shortfall",
    "principal_paid",
    "writedown",
    "writeup",
    "balance_end",
    "factor_bps",
    "residual_to_equity",
    "collections_total",
    "new_defaults",
    "recoveries",
    "reserve_after",
    "trigger_breached",
    "oc_ratio_bps",
    "ic_ratio_bps",
    "cd_ratio_bps",
    "delinquent_30_59",
    "delinquent_60_89",
    "delinquent_90_plus",
    "pool_balance_end",
    "pool_factor_bps",
    "guarantee_draw",
    "insurance_claim_paid",
    "cover_recoveries",
    "unpaid_claims",
)


def csv_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per class; period-level figures repeat on each row of the period."""
    period = {
        "deal": report["deal"],
        "period": report["period"],
        "period_end": report["period_end"],
        "collections_total": report["collections"]["total"],
        "new_defaults": report["losses"]["new_defaults"],
        "recoveries": report["losses"]["recoveries"],
        "reserve_after": report["reserve"]["after"],
        "trigger_breached": report["triggers"]["breached"],
        "oc_ratio_bps": report["triggers"]["oc"]["ratio_bps"],
        "ic_ratio_bps": report["triggers"]["ic"]["ratio_bps"],
        "cd_ratio_bps": report["triggers"]["cumulative_default"]["ratio_bps"],
        "delinquent_30_59": report["delinquency"]["days_30_59"],
        "delinquent_60_89": report["delinquency"]["days_60_89"],
        "delinquent_90_plus": report["delinquency"]["days_90_plus"],
        "pool_balance_end": report["pool"]["balance_end"],
        "pool_factor_bps": report["pool"]["factor_bps"],
        **_cover_columns(report.get("credit_enhancement")),
    }
    last = len(report["classes"]) - 1
    rows = []
    for i, cls in enumerate(report["classes"]):
        row = {**period, "class": cls["name"]}
        row.update({k: v for k, v in cls.items() if k in CSV_COLUMNS})
        row["residual_to_equity"] = report["residual_to_equity"] if i == last else 0
        rows.append(row)
    return rows


def _cover_columns(ce: dict[str, Any] | None) -> dict[str, int]:
    g = (ce or {}).get("guarantee") or {}
    i = (ce or {}).get("insurance") or {}
    back = g.get("subrogation_from_recoveries", 0) + g.get("subrogation_from_revenue", 0)
    return {
        "guarantee_draw": g.get("draw", 0),
        "insurance_claim_paid": i.get("claim_paid", 0),
        "cover_recoveries": back + i.get("recoveries_to_insurer", 0),
        "unpaid_claims": (ce or {}).get("unpaid_claims", 0),
    }


def to_csv(reports: list[dict[str, Any]]) -> str:
    """Investor reports as one CSV table (header + one row per class and period)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for report in reports:
        writer.writerows(csv_rows(report))
    return out.getvalue()


class TriggerFigures(Protocol):
    """A period's test figures: a ``PeriodResult`` or an indexed ``DealPeriod`` row."""

    oc_ratio_bps: int
    ic_ratio_bps: int
    cd_ratio_bps: int
    cd_threshold_bps: int
    cumulative_defaults: int
    oc_pass: bool
    ic_pass: bool
    cd_pass: bool
    trigger_breached: bool
    sequential: bool
    rating_pass: bool


def trigger_tests(oc_min: int, ic_min: int, result: TriggerFigures) -> dict[str, Any]:
    """The period's own tests (waterfall §8) with their headroom in bps: how far the ratio
    may still move before the test fails (negative once it has failed; None: no test)."""

    def floor(ratio: int, minimum: int, passed: bool) -> dict[str, Any]:
        headroom = ratio - minimum if minimum else None
        return {"ratio_bps": ratio, "min_bps": minimum, "pass": passed, "headroom_bps": headroom}

    cd, cd_max = result.cd_ratio_bps, result.cd_threshold_bps
    return {
        "oc": floor(result.oc_ratio_bps, oc_min, result.oc_pass),
        "ic": floor(result.ic_ratio_bps, ic_min, result.ic_pass),
        "cumulative_default": {
            "cumulative_defaults": result.cumulative_defaults,
            "ratio_bps": cd,
            "max_bps": cd_max,
            "pass": result.cd_pass,
            "headroom_bps": cd_max - cd if cd_max else None,
        },
        # a valid rating of the deal's rated note at or above its floor (true without one)
        "rating": {"pass": result.rating_pass},
        "breached": result.trigger_breached,
        "principal": "sequential" if result.sequential else "pro rata",
    }


def _factor(balance: int, original: int) -> int:
    return balance * BPS // original if original else 0


def _date(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).date().isoformat()


def simulation_reports(sim: Simulation) -> list[dict[str, Any]]:
    """The investor report of every period of a simulated deal."""
    before = sim.spec.initial_state()
    reports = []
    for record in sim.periods:
        reports.append(
            investor_report(sim.spec, record.period, before, record.report, record.result)
        )
        before = record.result.state
    return reports
