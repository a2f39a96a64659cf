"""The service's database: an index of chain events plus the off-chain record store.

The chain is authoritative; every ``indexed`` table can be dropped and rebuilt from the
event log. SQLite by default, PostgreSQL by URL (``CREDENCE_DATABASE_URL``).
"""

from ledger.store.db import create_db, session_scope
from ledger.store.tables import (
    ApiRequest,
    Attester,
    Batch,
    Checkpoint,
    EventLog,
    IssuedRecord,
    LeafRevocation,
    Model,
    OnchainRecord,
    OutboxTx,
)

__all__ = [
    "ApiRequest",
    "Attester",
    "Batch",
    "Checkpoint",
    "EventLog",
    "IssuedRecord",
    "LeafRevocation",
    "Model",
    "OnchainRecord",
    "OutboxTx",
    "create_db",
    "session_scope",
]
