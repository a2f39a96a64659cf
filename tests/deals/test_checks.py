"""The guard rails in Python (``ledger.deals.checks``): refused reports and closes name the
field, amounts in whole units and dates as dates; the period body documented in
docs/deals-service.md is valid as written against the test pool at close."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from pool_samples import SCENARIO, SPEC

from ledger.deals.checks import CheckError, check_report, plan_close
from ledger.deals.pool_types import Unsubscribed
from ledger.deals.service import PeriodInput
from ledger.deals.simulator import simulate
from ledger.deals.spec import parse_spec

DOCS = Path(__file__).resolve().parents[2] / "docs"
SPEC_ = parse_spec(SPEC)
BALANCE = SPEC_.units(SPEC_.pool_balance)
LOANS = 4
NOW = 2_000_000_000  # 2033-05-18


def first_report():
    return simulate(SPEC_, SCENARIO).periods[0].report


def check(report, **kw):
    args = {
        "pool_balance": BALANCE,
        "tape_count": LOANS,
        "last_end": SPEC_.closing_time,
        "chain_time": NOW,
        "decimals": 6,
    } | kw
    check_report(report, **args)


def refused(report, field: str, **kw) -> str:
    with pytest.raises(CheckError) as exc:
        check(report, **kw)
    assert exc.value.field == field
    return exc.value.reason


def test_a_consistent_report_passes_within_the_tolerance_and_not_beyond():
    report = first_report()
    check(report)
    check(replace(report, pool_balance=report.pool_balance - LOANS))
    reason = refused(replace(report, pool_balance=report.pool_balance + LOANS + 1), "pool_balance")
    assert "902,361.658247 but the pool's 1,000,000.00" in reason
    assert "tolerance 0.000004" in reason


def test_each_inconsistent_figure_is_refused_naming_its_field():
    report = first_report()
    principal = report.scheduled_principal + report.prepayments
    assert "more than the pool's balance" in refused(
        replace(report, prepayments=BALANCE), "scheduled_principal"
    )
    refused(replace(report, new_defaults=BALANCE - principal + 1), "new_defaults")
    refused(replace(report, delinquent_90=report.pool_balance), "delinquent_30")
    reason = refused(report, "period_end", chain_time=SPEC_.closing_time + 86_400)
    assert reason == "2016-02-01 is in the future (the chain's time is 2016-01-02)"
    reason = refused(report, "period_end", last_end=report.period_end)
    assert reason == "2016-02-01 is not after the last period's 2016-02-01"


def test_negative_figures_never_reach_the_checks():
    body = {"period_end": "2016-02-01", "pool_balance": 1} | {"interest": -1}
    with pytest.raises(ValueError, match="interest"):
        PeriodInput.model_validate(body)


def test_the_documented_period_body_is_valid_as_written():
    text = (DOCS / "deals-service.md").read_text()
    block = re.search(r"A period report body.*?```json\n(.*?)```", text, re.S)
    assert block
    body = PeriodInput.model_validate(json.loads(block.group(1)))
    check(body.to_report())
    assert body.to_report() == replace(first_report(), tape_root=bytes(32))


NAMES, SIZES = ("A", "B", "Equity"), (800, 150, 50)


def test_close_plans_retain_and_resize_and_refuses_the_rest():
    full = plan_close(NAMES, SIZES, SIZES, [Unsubscribed.REFUSE] * 3, 10)
    assert (full.faces, full.retained, full.proceeds) == (SIZES, (0, 0, 0), 1000)
    with pytest.raises(CheckError) as exc:
        plan_close(NAMES, SIZES, (800, 100, 50), [Unsubscribed.REFUSE] * 3, 10)
    assert exc.value.field == "unsubscribed.B"
    assert "100 of 150 subscribed" in exc.value.reason
    how = [Unsubscribed.REFUSE, Unsubscribed.RESIZE, Unsubscribed.RETAIN]
    plan = plan_close(NAMES, SIZES, (800, 100, 0), how, 10)
    assert (plan.faces, plan.retained, plan.proceeds) == ((800, 100, 50), (0, 0, 50), 900)
    with pytest.raises(CheckError, match="no holder") as exc:
        plan_close(NAMES, SIZES, (800, 150, 0), [Unsubscribed.RESIZE] * 3, 10)
    assert exc.value.field == "unsubscribed.Equity"
    with pytest.raises(CheckError, match="initial reserve 901 is more than the 900"):
        plan_close(NAMES, SIZES, (800, 100, 0), how, 901)
    with pytest.raises(CheckError, match="nothing was subscribed"):
        plan_close(NAMES, SIZES, (0, 0, 0), [Unsubscribed.RETAIN] * 3, 0)
