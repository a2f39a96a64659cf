"""Idempotency keys for transactions, persisted before broadcast (see ``ledger.tx``)."""

from __future__ import annotations

import time

from sqlalchemy.engine import Engine
from sqlmodel import Session

from ledger.store.tables import OutboxTx


class SqlIdempotencyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, key: str) -> str | None:
        with Session(self.engine) as session:
            row = session.get(OutboxTx, key)
            return row.tx_hash if row else None

    def put(self, key: str, tx_hash: str) -> None:
        with Session(self.engine) as session:
            # Overwrites: a re-signed transaction (after a nonce conflict) replaces the first.
            session.merge(OutboxTx(key=key, tx_hash=tx_hash, created_at=int(time.time())))
            session.commit()
