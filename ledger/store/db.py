"""Engine creation and transactional sessions."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

log = logging.getLogger("credence.store")


def _sqlite_pragmas(synchronous: str) -> Callable[..., None]:
    """Per connection. WAL: the indexer writes while API readers read, and a commit is one
    append to the log. ``synchronous`` NORMAL: a commit is in the log (the OS's page cache)
    before it returns, so a killed process loses nothing; only an OS crash or power loss
    can lose the last commits before a checkpoint (FULL syncs every commit; see
    docs/crash-safety.md)."""

    def pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return pragmas


SYNCHRONOUS = ("NORMAL", "FULL")


# Every module that defines tables; migrations and the drift test see all of them.
TABLE_MODULES = (
    "ledger.store.tables",
    "ledger.store.deal_tables",
    "ledger.store.cover_tables",
    "ledger.ratings.store",
    "ledger.monitor.alerts",
)


def register_tables() -> None:
    for name in TABLE_MODULES:
        importlib.import_module(name)


def create_db(url: str, sqlite_synchronous: str = "NORMAL") -> Engine:
    """Create the engine and bring the schema to the newest migration."""
    from ledger.store.migrate import upgrade

    register_tables()

    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        if sqlite_synchronous not in SYNCHRONOUS:
            raise ValueError(
                f"sqlite_synchronous: {sqlite_synchronous!r} is not one of {SYNCHRONOUS}"
            )
        event.listen(engine, "connect", _sqlite_pragmas(sqlite_synchronous))
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10)
    upgrade(engine)
    _create_unmigrated(engine)
    return engine


def _create_unmigrated(engine: Engine) -> None:
    """A table defined in code but in no migration yet is created directly, with a warning,
    so work in progress runs; ``tests/test_migrations.py`` fails until it has one."""
    existing = set(inspect(engine).get_table_names())
    missing = [t for name, t in SQLModel.metadata.tables.items() if name not in existing]
    if missing:
        names = ", ".join(t.name for t in missing)
        log.warning("tables without a migration (see docs/migrations.md): %s", names)
        SQLModel.metadata.create_all(engine, tables=missing)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error (nothing half-written)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
