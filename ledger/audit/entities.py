"""The indexed state as comparable entities: one table per kind, a natural key per row,
the block that last wrote it, and its transaction.

Every table some indexer projection owns is an entity kind (pools, guarantees and insurance;
ratings join by adding their projection to the runtime's indexer), plus the event log
itself. Rows keyed by an autoincrement id are keyed instead by (transaction hash, n-th row
of that transaction), which both sides share because both replay the chain in order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from ledger.indexer.attestations import REGISTRY_PROJECTION
from ledger.indexer.cover import COVER_PROJECTION
from ledger.indexer.deals import DEALS_PROJECTION
from ledger.store.tables import EventLog

BLOCK_COLUMNS = ("block_number", "registered_block", "created_block", "updated_block")
SKIPPED = {"id"}  # surrogate keys differ between databases and mean nothing
NATURAL_KEYS = {"eventlog": ("tx_hash", "log_index")}  # unique columns behind a surrogate id


@dataclass(frozen=True)
class Entity:
    """One row as the auditor compares it."""

    kind: str  # the table's name
    key: tuple[str, ...]
    values: dict[str, str]  # every compared column, as text
    block: int | None  # the block that wrote it, where the row records one
    tx_hash: str | None


def entity_tables() -> list[type[SQLModel]]:
    tables: list[type[SQLModel]] = [EventLog]
    for projection in (REGISTRY_PROJECTION, DEALS_PROJECTION, COVER_PROJECTION):
        tables += [t for t in projection.tables if t not in tables]
    return tables


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _block(values: dict[str, Any]) -> int | None:
    for name in BLOCK_COLUMNS:
        if values.get(name) is not None:
            return int(values[name])
    return None


def _pool_blocks(session: Session) -> dict[str, int]:
    from ledger.store.deal_tables import DealPool

    return {p.address: p.created_block for p in session.exec(select(DealPool)).all()}


def read_entities(engine: Engine, tables: list[type[SQLModel]] | None = None) -> Iterator[Entity]:
    """Every entity of ``engine``'s indexed tables, table by table, in key order."""
    with Session(engine) as session:
        pool_blocks = _pool_blocks(session)
        for table in tables or entity_tables():
            yield from _table_entities(session, table, pool_blocks)


def _table_entities(
    session: Session, table: type[SQLModel], pool_blocks: dict[str, int]
) -> Iterator[Entity]:
    mapper = inspect(table)
    pk = [c.key for c in mapper.primary_key]
    columns = [c.key for c in mapper.columns if c.key not in SKIPPED]
    name = table.__tablename__  # type: ignore[attr-defined]
    pk = list(NATURAL_KEYS.get(name, pk))
    surrogate = pk == ["id"]
    seen: dict[str, int] = {}
    order = [getattr(table, c) for c in (["id"] if surrogate else pk)]
    for row in session.exec(select(table).order_by(*order)).all():
        values = {c: getattr(row, c) for c in columns}
        if surrogate:
            tx = _text(values.get("tx_hash"))
            seen[tx] = seen.get(tx, -1) + 1
            key = (tx, str(seen[tx]))
        else:
            key = tuple(_text(values[c]) for c in pk)
        block = _block(values)
        if block is None and "pool" in values:  # per-pool rows without a block of their own
            block = pool_blocks.get(values["pool"])
        tx_hash = values.get("tx_hash") or None
        yield Entity(name, key, {c: _text(v) for c, v in values.items()}, block, tx_hash)
