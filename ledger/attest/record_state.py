"""A stored record's anchoring state: a batch record's is its batch's, a single's its own.

Anchoring a batch writes its batch row only (status, transaction hash, block): its records'
rows are written once, when stored, and never rewritten (about 1 KB of sealed JSON each).
So for a record with a ``batch_root`` the row's own ``status``, ``tx_hash``,
``block_number`` and ``block_hash`` mean nothing (rows from before this rule may hold
copies, which are ignored); every reader takes them from here.

A batch ``sending`` is a record ``pending``; ``anchored`` and ``failed`` are the same words.
A batch-mode record not yet in a batch (``batch_root`` null) is ``pending`` on its row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from ledger.store.tables import Batch, IssuedRecord

RECORDS = IssuedRecord.__table__  # type: ignore[attr-defined]
BATCHES = Batch.__table__  # type: ignore[attr-defined]
FOLLOWED = ("status", "tx_hash", "block_number", "block_hash")

# Records joined to their batch (outer: singles and unbatched records have none).
WITH_BATCH = RECORDS.outerjoin(BATCHES, BATCHES.c.root == RECORDS.c.batch_root)

# The record's status as one SQL expression over WITH_BATCH.
STATUS: ColumnElement[str] = case(
    (RECORDS.c.batch_root.is_(None), RECORDS.c.status),
    (BATCHES.c.status == "anchored", "anchored"),
    (BATCHES.c.status == "failed", "failed"),
    else_="pending",
)


def batch_status(status: str | None) -> str:
    """What a batch's status means for its records."""
    return status if status in ("anchored", "failed") else "pending"


def select_records(*where: ColumnElement[bool]) -> Select:
    """``IssuedRecord`` rows joined to their batch, filtered by ``where`` (which may name
    ``STATUS``); load them with ``load``."""
    return select(IssuedRecord).select_from(WITH_BATCH).where(*where)


def load(session: Session, query: Select) -> list[IssuedRecord]:
    """Run ``select_records``' query and give each row its batch's state."""
    return follow(session, session.exec(query).scalars().all())  # type: ignore[call-overload]


def follow(session: Session, rows: Sequence[IssuedRecord]) -> list[IssuedRecord]:
    """Give each batch record in ``rows`` its batch's status, transaction and block (in
    memory only: set as loaded, so a later commit writes nothing back)."""
    roots = {r.batch_root for r in rows if r.batch_root is not None}
    if not roots:
        return list(rows)
    batches = {}
    for chunk in _chunks(sorted(roots), 500):
        query = select(BATCHES.c.root, *(BATCHES.c[c] for c in FOLLOWED)).where(
            BATCHES.c.root.in_(chunk)
        )
        batches.update({b.root: b for b in session.connection().execute(query)})
    for row in rows:
        if row.batch_root is None:
            continue
        batch = batches.get(row.batch_root)
        values = dict.fromkeys(FOLLOWED) if batch is None else batch._mapping
        for name in FOLLOWED:
            value = values[name]
            set_committed_value(row, name, batch_status(value) if name == "status" else value)
    return list(rows)


def counts(session: Session, *where: ColumnElement[bool]) -> dict[str, int]:
    """Records by status (``where`` over records): singles and unbatched records by their
    own row, batch records by their batch's."""
    query = select(STATUS, func.count()).select_from(WITH_BATCH).where(*where).group_by(STATUS)
    return {status: n for status, n in session.connection().execute(query)}


def totals(session: Session) -> dict[str, int]:
    """Every record by status without reading every record: batches count their leaves."""
    out: dict[str, int] = {}
    own = (
        select(RECORDS.c.status, func.count())
        .where(RECORDS.c.batch_root.is_(None))
        .group_by(RECORDS.c.status)
    )
    batched = select(BATCHES.c.status, func.sum(BATCHES.c.count)).group_by(BATCHES.c.status)
    conn = session.connection()
    for status, n in conn.execute(own):
        out[status] = out.get(status, 0) + int(n)
    for status, n in conn.execute(batched):
        out[batch_status(status)] = out.get(batch_status(status), 0) + int(n or 0)
    return out


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
