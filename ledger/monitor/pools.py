"""Pool alerts from the indexed period reports: trigger headroom, roll rates, defaults vs base.

- Trigger headroom: the latest period's OC (IC) ratio less the deal's trigger, and the
  cumulative-default threshold in force that period less the cumulative-default ratio, in
  bps; alert when under the margin (a breach is negative headroom, and critical).
- Roll rates: 30->60 = this period's 60-89 bucket / the previous period's 30-59 bucket,
  60->90+ likewise, in bps rounded down; alert above the threshold.
- Cumulative defaults: the sum of reported new defaults against the deal's base case
  (the deal simulator run under the base-case scenario, the same number of periods);
  alert when above the configured share of it. Needs the pool's spec (pools this service
  created); others are skipped.
"""

from __future__ import annotations

import json

from sqlmodel import Session, select

from ledger.deals.simulator import Scenario, simulate
from ledger.deals.spec import parse_spec
from ledger.monitor.alerts import Alert, EventRef
from ledger.store.deal_tables import DealPeriod, DealPool, DealSpecRecord

BPS = 10_000


def _ref(p: DealPeriod) -> EventRef:
    return EventRef("PeriodReported", p.tx_hash, p.block_number)


def _periods(session: Session, pool: str) -> list[DealPeriod]:
    return list(
        session.exec(select(DealPeriod).where(DealPeriod.pool == pool).order_by(DealPeriod.period))
    )  # type: ignore[arg-type]


def pool_alerts(
    session: Session, *, margin_bps: int, roll_bps: int, defaults_bps: int, base_case: Scenario
) -> list[Alert]:
    alerts: list[Alert] = []
    for pool in session.exec(select(DealPool)):
        periods = _periods(session, pool.address)
        if not periods:
            continue
        alerts += headroom(pool, periods[-1], margin_bps)
        alerts += roll_rates(pool, periods, roll_bps)
        spec = session.get(DealSpecRecord, pool.address)
        if spec is not None:
            alerts += defaults_vs_base(pool, periods, spec, defaults_bps, base_case)
    return alerts


def headroom(pool: DealPool, last: DealPeriod, margin_bps: int) -> list[Alert]:
    """OC and IC must stay at or above their triggers, cumulative defaults at or under theirs."""
    tests = (
        ("oc", last.oc_ratio_bps, pool.oc_trigger_bps, last.oc_ratio_bps - pool.oc_trigger_bps),
        ("ic", last.ic_ratio_bps, pool.ic_trigger_bps, last.ic_ratio_bps - pool.ic_trigger_bps),
        ("cd", last.cd_ratio_bps, last.cd_threshold_bps, last.cd_threshold_bps - last.cd_ratio_bps),
    )
    alerts = []
    for name, ratio, trigger, room in tests:
        if trigger == 0 or room >= margin_bps:
            continue  # the test is disabled, or comfortably passed
        alerts.append(
            Alert(
                kind="trigger_headroom",
                subject=pool.address,
                figure=f"{name}_headroom_bps",
                value=room,
                threshold=margin_bps,
                comparison="<",
                severity="critical" if room < 0 else "warning",
                message=(
                    f"pool {pool.address[:10]}… period {last.period}: {name.upper()} ratio "
                    f"{ratio} bps vs trigger {trigger} bps, headroom {room} bps "
                    f"(margin {margin_bps} bps){'; breached' if room < 0 else ''}"
                ),
                events=(_ref(last),),
            )
        )
    return alerts


def roll_rates(pool: DealPool, periods: list[DealPeriod], threshold_bps: int) -> list[Alert]:
    if len(periods) < 2:
        return []
    prev, last = periods[-2], periods[-1]
    alerts = []
    for name, later, earlier in (
        ("roll_30_60_bps", last.delinquent_60, prev.delinquent_30),
        ("roll_60_90_bps", last.delinquent_90, prev.delinquent_60),
    ):
        if earlier == 0:
            continue
        rate = later * BPS // earlier
        if rate <= threshold_bps:
            continue
        alerts.append(
            Alert(
                kind="delinquency_roll",
                subject=pool.address,
                figure=name,
                value=rate,
                threshold=threshold_bps,
                comparison=">",
                message=(
                    f"pool {pool.address[:10]}… period {last.period}: {later:,} now in the later "
                    f"bucket of {earlier:,} in the earlier one a period before, roll rate "
                    f"{rate} bps (threshold {threshold_bps} bps)"
                ),
                events=(_ref(prev), _ref(last)),
            )
        )
    return alerts


def defaults_vs_base(
    pool: DealPool,
    periods: list[DealPeriod],
    record: DealSpecRecord,
    threshold_bps: int,
    base_case: Scenario,
) -> list[Alert]:
    spec = parse_spec(json.loads(record.spec))
    if spec.collateral is None:
        return []
    n = len(periods)
    base = sum(r.report.new_defaults for r in simulate(spec, base_case).periods[:n])
    actual = sum(p.new_defaults for p in periods)
    if actual == 0 or actual * BPS <= base * threshold_bps:
        return []
    share = actual * BPS // base if base else 2**63 - 1
    return [
        Alert(
            kind="defaults_vs_base",
            subject=pool.address,
            figure="cumulative_defaults_vs_base_bps",
            value=min(share, 2**63 - 1),
            threshold=threshold_bps,
            comparison=">",
            message=(
                f"pool {pool.address[:10]}… after {n} periods: cumulative defaults {actual:,} "
                f"vs base case ({base_case.name}) {base:,}, {share} bps of it "
                f"(threshold {threshold_bps} bps)"
            ),
            events=tuple(_ref(p) for p in periods if p.new_defaults)[-5:],
        )
    ]
