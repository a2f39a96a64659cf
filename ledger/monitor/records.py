"""Alerts on the registry's index: records about to expire, suspended attesters."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from ledger.monitor.alerts import Alert, EventRef
from ledger.store.tables import Attester, EventLog, OnchainRecord

DAY = 86_400


def expiring_records(session: Session, now: int, days: int) -> list[Alert]:
    """Unrevoked records (single or batch roots) that expire within ``days`` of ``now``."""
    horizon = now + days * DAY
    rows = session.exec(
        select(OnchainRecord).where(
            OnchainRecord.revoked_at.is_(None),  # type: ignore[union-attr]
            OnchainRecord.expires_at > now,
            OnchainRecord.expires_at <= horizon,
        )
    )
    alerts = []
    for r in rows:
        left = r.expires_at - now
        event = "Attested" if r.kind == "single" else "BatchAnchored"
        what = "record" if r.kind == "single" else f"batch of {r.count} records"
        alerts.append(
            Alert(
                kind="record_expiring",
                subject=f"{r.attester_id}:{r.key}",  # the registry keys records by attester
                figure="seconds_to_expiry",
                value=left,
                threshold=days * DAY,
                comparison="<=",
                message=(
                    f"{what} {r.key[:10]}… of attester {r.attester_id} expires at {r.expires_at} "
                    f"({left // DAY} days {left % DAY // 3600} h left; alert within {days} days)"
                ),
                events=(EventRef(event, r.tx_hash, r.block_number),),
            )
        )
    return alerts


def suspended_attesters(session: Session) -> list[Alert]:
    alerts = []
    for a in session.exec(select(Attester).where(Attester.suspended)):
        alerts.append(
            Alert(
                kind="attester_suspended",
                subject=str(a.attester_id),
                figure="suspended",
                value=1,
                threshold=1,
                comparison=">=",
                severity="critical",
                message=(
                    f"attester {a.attester_id} ({a.name}) suspended at {a.suspended_at}, "
                    f"reason {a.suspension_reason}; its records no longer verify"
                ),
                events=_suspension_events(session, a.attester_id),
            )
        )
    return alerts


def _suspension_events(session: Session, attester_id: int) -> tuple[EventRef, ...]:
    rows = session.exec(
        select(EventLog)
        .where(EventLog.event == "AttesterSuspended")
        .order_by(EventLog.block_number.desc())  # type: ignore[union-attr]
    )
    for ev in rows:
        if json.loads(ev.args).get("attesterId") == attester_id:
            return (EventRef(ev.event, ev.tx_hash, ev.block_number),)
    return ()
