"""What projections see and how they are applied: decoded events, the event log that
stores them, and the handlers of every projection, run in chain order.

A projection gives a handler per event name (the reference: one event at a time through
the ORM) and, optionally, ``bulk`` handlers that apply a run of consecutive events of one
name in one statement; the indexer uses those when every projection of that name has one.
A new projection needs only ``handlers`` and ``tables``; arguments arrive decoded by
``ledger.indexer.decode`` for any followed contract.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from sqlmodel import Session, SQLModel, select

from ledger.store.bulk import executemany, insert_of
from ledger.store.tables import EventLog


@dataclass(slots=True)
class Event:
    """One decoded event as projections see it: the fields of its ``EventLog`` row, with
    the arguments decoded (a rebuild reads them back from that row)."""

    contract: str
    address: str  # checksummed
    event: str
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int
    args: dict[str, Any]


# A projection applies one decoded event to the indexed tables, inside the chunk's transaction.
Handler = Callable[[Session, dict[str, Any], Event], None]
# Or a run of consecutive events of one name at once (set-based: one statement per run).
BulkHandler = Callable[[Session, list[Event]], None]


@dataclass
class Projection:
    """Handlers by event name, and the tables they own (cleared before a rebuild).

    ``bulk`` handlers, optional, take a run of consecutive events of one name and must
    leave the tables as the per-event handler applied to each in turn would. A run goes
    to them when every projection handling that name has one; else event by event.
    """

    handlers: dict[str, Handler]
    tables: list[type[SQLModel]] = field(default_factory=list)
    bulk: dict[str, BulkHandler] = field(default_factory=dict)


@dataclass(frozen=True)
class Discovery:
    """Contracts created at run time: when contract ``source`` emits ``event``, follow every
    ``(contract name, address)`` that ``reveal(args)`` returns. The followed set is derived
    from the event log, so it survives a restart, a rewind and a rebuild.

    With ``backfill`` the revealed contracts may have acted before they were announced (a
    guarantee facility is deployed and funded before its pool binds it): their logs are
    read from the index's first block, not from the discovery's."""

    source: str
    event: str
    reveal: Callable[[dict[str, Any]], list[tuple[str, str]]]
    backfill: bool = False


class Projector:
    """Every projection's handlers by event name, applied in chain order."""

    def __init__(self, projections: Iterable[Projection]) -> None:
        self.handlers: dict[str, list[Handler]] = {}
        self.bulk: dict[str, list[BulkHandler] | None] = {}  # None: some handler is per event
        for projection in projections:
            for event_name, handler in projection.handlers.items():
                self.handlers.setdefault(event_name, []).append(handler)
                many = projection.bulk.get(event_name)
                runs = self.bulk.setdefault(event_name, [])
                if runs is not None and many is not None:
                    runs.append(many)
                else:
                    self.bulk[event_name] = None

    def apply(self, session: Session, events: list[Event]) -> None:
        """Apply ``events`` in chain order: a run of one name in one statement per
        projection where every projection of that name can (``Projection.bulk``), else
        event by event as the handlers ask."""
        for name, group in groupby(events, key=lambda e: e.event):
            run = list(group)
            bulk = self.bulk.get(name)
            if bulk:
                session.flush()  # ORM changes of earlier events go first
                for apply_run in bulk:
                    apply_run(session, run)
                session.expire_all()  # rows the run changed are read afresh
                continue
            for event in run:
                for handler in self.handlers.get(name, []):
                    handler(session, event.args, event)
                session.flush()


# -- the event log ----------------------------------------------------------------------

_EVENT_COLUMNS = (
    "contract",
    "address",
    "event",
    "block_number",
    "block_hash",
    "tx_hash",
    "log_index",
    "args",
)
_EVENT_INSERT = insert_of(EventLog.__table__, _EVENT_COLUMNS)  # type: ignore[attr-defined]


def _row(event: Event) -> dict[str, Any]:
    """The ``EventLog`` row of ``event`` (arguments as JSON text, as before)."""
    return {
        "contract": event.contract,
        "address": event.address,
        "event": event.event,
        "block_number": event.block_number,
        "block_hash": event.block_hash,
        "tx_hash": event.tx_hash,
        "log_index": event.log_index,
        "args": json.dumps(event.args),
    }


def write_log(session: Session, events: list[Event]) -> None:
    """Append ``events`` to the event log in one statement (in the session's transaction)."""
    if events:
        executemany(session.connection(), _EVENT_INSERT, [_row(e) for e in events])


def read_log(session: Session) -> list[Event]:
    """Every logged event in chain order, arguments decoded (for a rebuild)."""
    columns = [getattr(EventLog, c) for c in _EVENT_COLUMNS]
    rows = session.execute(select(*columns).order_by(EventLog.block_number, EventLog.log_index))
    return [Event(*row[:-1], args=json.loads(row[-1])) for row in rows.all()]
