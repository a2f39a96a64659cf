"""Schema migrations (Alembic), applied when the database is opened.

``upgrade`` brings any database to the newest revision: an empty one is built from the
baseline up; one created before migrations existed (tables, no ``alembic_version``) is
recognised as the baseline and then upgraded, so it keeps its data. On PostgreSQL an
advisory lock makes concurrent starters take turns. How to add a migration:
``docs/migrations.md``.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

log = logging.getLogger("credence.store")
MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"
BASELINE_TABLE = "checkpoint"  # present in every database created before migrations
_LOCK_ID = 0x0C2ED3CE  # pg advisory lock: one migrator at a time


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    return ScriptDirectory.from_config(config()).get_current_head() or BASELINE


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> None:
    """Apply every migration the database lacks, in one transaction."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        cfg = config(conn)
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" not in tables and BASELINE_TABLE in tables:
            log.info("database predates migrations: recording it as the baseline")
            command.stamp(cfg, BASELINE)
        before = MigrationContext.configure(conn).get_current_revision()
        command.upgrade(cfg, target)
        after = MigrationContext.configure(conn).get_current_revision()
        if before != after:
            log.info("database migrated", extra={"from_revision": before, "to_revision": after})


def _next_id() -> str:
    """Revisions are numbered 0001, 0002, ... so the directory reads in order."""
    scripts = ScriptDirectory.from_config(config())
    return f"{len(list(scripts.walk_revisions())) + 1:04d}"


def pending_changes() -> list[object]:
    """What the models have and the migrations lack (empty when they match)."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/scratch.db")
        upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        engine.dispose()
    return list(diff)


def autogenerate(message: str, rev_id: str | None = None) -> Path:
    """Write a new revision with what the models have and the migrations lack."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/scratch.db")
        upgrade(engine)
        with engine.begin() as conn:
            script = command.revision(
                config(conn), message=message, autogenerate=True, rev_id=rev_id or _next_id()
            )
        engine.dispose()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
