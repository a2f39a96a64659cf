"""Alerts and their history: each evaluation raises what newly holds and clears what stopped.

An alert is identified by its key (``kind:subject[:figure]``). The table keeps every
episode: a row is open while ``cleared_at`` is null; a condition that returns after being
cleared opens a new row, so the history of raises and clears is never rewritten. Each
alert says which figure crossed which threshold, with the value, and links the chain events
(transaction hash, block, event name) its figure comes from.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import BigInteger, Column, Text
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, select

from ledger.store.db import session_scope


@dataclass(frozen=True)
class EventRef:
    event: str
    tx_hash: str
    block_number: int


@dataclass(frozen=True)
class Alert:
    kind: str
    subject: str  # a record commitment, attester id, model id or pool address
    figure: str  # what was measured, e.g. oc_headroom_bps
    value: int
    threshold: int
    comparison: str  # how value relates to threshold when the alert holds: '<', '<=', '>', '>='
    message: str
    severity: str = "warning"  # warning | critical
    events: tuple[EventRef, ...] = field(default=())

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.subject}:{self.figure}"


class MonitorAlert(SQLModel, table=True):
    """One episode of an alert, from raised to cleared (service table, not rebuilt)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True)
    kind: str = Field(index=True)
    subject: str = Field(index=True)
    figure: str
    value: int = Field(sa_column=Column(BigInteger, nullable=False))
    threshold: int = Field(sa_column=Column(BigInteger, nullable=False))
    comparison: str
    severity: str
    message: str = Field(sa_column=Column(Text, nullable=False))
    events: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON
    raised_at: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    updated_at: int = Field(sa_column=Column(BigInteger, nullable=False))
    cleared_at: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))

    def as_json(self) -> dict[str, Any]:
        body = self.model_dump()
        body["events"] = json.loads(self.events)
        body["state"] = "open" if self.cleared_at is None else "cleared"
        return body


@dataclass(frozen=True)
class Changes:
    raised: list[MonitorAlert]
    cleared: list[MonitorAlert]
    open: list[MonitorAlert]


def ensure_table(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine, tables=[MonitorAlert.__table__])  # type: ignore[attr-defined]


def apply(engine: Engine, current: list[Alert], now: int) -> Changes:
    """Raise alerts that now hold and are not open; clear open ones that no longer hold."""
    by_key = {a.key: a for a in current}
    raised, cleared = [], []
    with session_scope(engine) as session:
        open_rows = {
            r.key: r
            for r in session.exec(select(MonitorAlert).where(MonitorAlert.cleared_at.is_(None)))
        }  # type: ignore[union-attr]
        for key, row in open_rows.items():
            alert = by_key.get(key)
            if alert is None:
                row.cleared_at = now
                cleared.append(row)
            else:
                _fill(row, alert, now)
            session.add(row)
        for key, alert in by_key.items():
            if key not in open_rows:
                row = MonitorAlert(key=key, raised_at=now, **_columns(alert, now))
                session.add(row)
                raised.append(row)
        session.flush()
        still_open = [r for r in open_rows.values() if r.cleared_at is None] + raised
    return Changes(raised, cleared, still_open)


def history(engine: Engine, *, state: str = "open", kind: str | None = None) -> list[MonitorAlert]:
    with Session(engine) as session:
        query = select(MonitorAlert)
        if state == "open":
            query = query.where(MonitorAlert.cleared_at.is_(None))  # type: ignore[union-attr]
        elif state == "cleared":
            query = query.where(MonitorAlert.cleared_at.is_not(None))  # type: ignore[union-attr]
        if kind:
            query = query.where(MonitorAlert.kind == kind)
        return list(session.exec(query.order_by(MonitorAlert.id)))  # type: ignore[arg-type]


def _columns(alert: Alert, now: int) -> dict[str, Any]:
    return {
        "kind": alert.kind,
        "subject": alert.subject,
        "figure": alert.figure,
        "value": alert.value,
        "threshold": alert.threshold,
        "comparison": alert.comparison,
        "severity": alert.severity,
        "message": alert.message,
        "events": json.dumps([asdict(e) for e in alert.events]),
        "updated_at": now,
    }


def _fill(row: MonitorAlert, alert: Alert, now: int) -> None:
    for name, value in _columns(alert, now).items():
        setattr(row, name, value)
