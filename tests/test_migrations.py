"""Schema migrations: a fresh database is built by them, an existing one keeps its data,
and the models never drift from the migrations (on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pg import fresh_database
from sqlalchemy import create_engine, inspect
from sqlmodel import Session, SQLModel

from ledger.store import Checkpoint, create_db
from ledger.store.db import register_tables
from ledger.store.migrate import BASELINE, current, head, pending_changes, upgrade


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    with fresh_database("credence_mig") as database:
        yield database


def _keep(engine) -> None:
    with Session(engine) as s:
        s.add(Checkpoint(name="kept", block_number=12345, block_hash="0x" + "ab" * 32))
        s.commit()


def _kept(engine) -> int:
    with Session(engine) as s:
        row = s.get(Checkpoint, "kept")
        return row.block_number if row else -1


def test_a_fresh_database_is_built_by_the_migrations(url: str):
    engine = create_db(url)
    assert current(engine) == head()
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables


def test_a_baseline_database_is_upgraded_and_keeps_its_data(url: str):
    engine = create_engine(url)
    upgrade(engine, BASELINE)
    _keep(engine)
    engine.dispose()
    engine = create_db(url)  # what every start does
    assert current(engine) == head()
    assert _kept(engine) == 12345


def _baseline_tables(tmp_path: Path) -> list:
    """The tables a database created before migrations has: those of the baseline (the
    models' later tables came with later revisions)."""
    scratch = create_engine(f"sqlite:///{tmp_path / 'baseline.db'}")
    upgrade(scratch, BASELINE)
    names = set(inspect(scratch).get_table_names())
    scratch.dispose()
    return [t for name, t in SQLModel.metadata.tables.items() if name in names]


def test_a_database_from_before_migrations_is_adopted(url: str, tmp_path: Path):
    engine = create_engine(url)
    register_tables()
    # how databases were created before
    SQLModel.metadata.create_all(engine, tables=_baseline_tables(tmp_path))
    _keep(engine)
    engine.dispose()
    engine = create_db(url)
    assert current(engine) == head()
    assert _kept(engine) == 12345
    create_db(url)  # starting again changes nothing
    assert _kept(engine) == 12345


def test_the_models_match_the_migrations(tmp_path: Path):
    """Fails when a table or column was added in code without a migration:
    run `credence db revision "what changed"` (docs/migrations.md)."""
    register_tables()
    diff = pending_changes()
    assert diff == [], f"models differ from migrations: {diff}"
