"""Pool alerts on a real node: a period with heavy defaults and delinquencies that roll
raises trigger headroom, roll-rate and defaults-vs-base alerts; later periods clear them."""

from __future__ import annotations

import json
from datetime import date

from pool_samples import SPEC, loans

from ledger.deals.service import DealService, LoanRow, PeriodInput, tape_from_rows
from ledger.deals.spec import parse_spec
from ledger.monitor.alerts import history
from ledger.monitor.config import MonitorSettings
from ledger.monitor.engine import Monitor
from ledger.runtime import Runtime

KYC_UNTIL = 4_102_444_800  # 2100-01-01
USDC = 10**6
POOL_KINDS = {"trigger_headroom", "delinquency_roll", "defaults_vs_base"}


def _period(
    spec, k: int, *, pool: int, defaults: int, recoveries: int, d30: int, d60: int, d90: int
) -> PeriodInput:
    return PeriodInput(
        period_end=spec.period_end(k),
        interest=10_000 * USDC,
        scheduled_principal=80_000 * USDC,
        prepayments=0,
        recoveries=recoveries * USDC,
        new_defaults=defaults * USDC,
        delinquent_30=d30 * USDC,
        delinquent_60=d60 * USDC,
        delinquent_90=d90 * USDC,
        pool_balance=pool * USDC,
    )


def _open(rt: Runtime, pool: str) -> dict[str, object]:
    return {r.figure: r for r in history(rt.engine, state="open") if r.subject == pool}


def test_pool_alerts_raised_then_cleared(rt: Runtime) -> None:
    svc = DealService(rt)
    # A cumulative-default trigger of 2.5% for two periods, 10% from the third.
    triggers = {**SPEC["triggers"], "cumulative_default_max_bps": {1: 250, 3: 1_000}}
    spec = parse_spec({**SPEC, "triggers": triggers})
    rows = [LoanRow(**row) for row in loans(spec.units(spec.pool_balance))]
    pool = svc.create_pool(
        spec, tape_from_rows(rows, rt.pseudonym_secret(), date(2016, 1, 1))
    ).address
    svc.add_investor("mona", KYC_UNTIL, "GB")
    svc.transition(pool, "open")
    for i, t in enumerate(spec.to_terms().tranches):
        svc.subscribe(pool, "mona", i, t.size)
    svc.transition(pool, "close")
    settings = MonitorSettings(
        headroom_margin_bps=500,
        roll_rate_bps=5_000,
        defaults_vs_base_bps=12_500,
        base_case="name=base,cdr=8%,cpr=10%,severity=40%,recovery_lag=2",
        webhooks=[],
    )
    monitor = Monitor(rt.engine, rt.w3, settings)

    # Period 1: 20,000 of defaults (about 3x the base case's 6,900); OC a little over its trigger.
    svc.report_period(
        pool,
        _period(spec, 1, pool=900_000, defaults=20_000, recoveries=0, d30=40_000, d60=0, d90=0),
    )
    svc.sync()
    raised = {r.figure: r for r in monitor.evaluate().changes.raised if r.subject == pool}
    assert set(raised) == {"oc_headroom_bps", "cd_headroom_bps", "cumulative_defaults_vs_base_bps"}
    assert raised["cd_headroom_bps"].value == 50  # 200 bps of defaults under a 250 bps limit
    oc = raised["oc_headroom_bps"]
    assert 0 <= oc.value < 500 and oc.threshold == 500 and oc.comparison == "<"
    defaults = raised["cumulative_defaults_vs_base_bps"]
    assert defaults.value > 25_000  # more than 2.5x the base case
    event = json.loads(oc.events)[0]
    assert event["event"] == "PeriodReported"
    receipt = rt.w3.eth.get_transaction_receipt(event["tx_hash"])
    assert receipt["blockNumber"] == event["block_number"] and receipt["logs"]

    # Period 2: 30,000 of last period's 40,000 30-59 days late rolled into 60-89: 7,500 bps.
    svc.report_period(
        pool,
        _period(spec, 2, pool=820_000, defaults=0, recoveries=0, d30=20_000, d60=30_000, d90=0),
    )
    svc.sync()
    raised = {r.figure: r for r in monitor.evaluate().changes.raised if r.subject == pool}
    assert set(raised) == {"roll_30_60_bps"}
    assert raised["roll_30_60_bps"].value == 7_500
    assert set(_open(rt, pool)) == {
        "oc_headroom_bps",
        "cd_headroom_bps",
        "cumulative_defaults_vs_base_bps",
        "roll_30_60_bps",
    }

    # Period 3: recoveries pay the notes down (OC back above the margin), delinquencies stop
    # rolling, and the base case's cumulative defaults catch up with the actual ones.
    svc.report_period(
        pool,
        _period(
            spec, 3, pool=740_000, defaults=0, recoveries=20_000, d30=10_000, d60=5_000, d90=4_000
        ),
    )
    svc.sync()
    cleared = {r.figure for r in monitor.evaluate().changes.cleared if r.subject == pool}
    assert cleared == {
        "oc_headroom_bps",
        "cd_headroom_bps",
        "cumulative_defaults_vs_base_bps",
        "roll_30_60_bps",
    }
    assert not {k for k in _open(rt, pool)}
    kinds = {r.kind for r in history(rt.engine, state="cleared") if r.subject == pool}
    assert kinds == POOL_KINDS
