"""A batch record's state is its batch's: read through ``record_state``, never copied into
the record's row (on a real SQLite database)."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, update
from sqlmodel import Session, select

from ledger.attest import record_state
from ledger.store.db import create_db
from ledger.store.tables import Batch, IssuedRecord

RECORDS = IssuedRecord.__table__  # type: ignore[attr-defined]
BATCHES = Batch.__table__  # type: ignore[attr-defined]
ROOT, OTHER = "0x" + "aa" * 32, "0x" + "bb" * 32


def row(i: int, root: str | None, mode: str = "batch", status: str = "pending") -> dict:
    return {
        "commitment": f"0x{i:064x}",
        "subject": "0x" + "11" * 32,
        "model_id": "0x" + "22" * 32,
        "expires_at": 1,
        "sealed": "{}",
        "mode": mode,
        "batch_root": root,
        "leaf": i if root else None,
        "status": status,
        "created_at": 1,
    }


@pytest.fixture
def engine(tmp_path):
    engine = create_db(f"sqlite:///{tmp_path / 'db.sqlite'}")
    batch = {"model_id": "0x" + "22" * 32, "expires_at": 1, "count": 4, "created_at": 1}
    with engine.begin() as conn:
        conn.execute(insert(BATCHES), [{**batch, "root": ROOT, "status": "sending"}])
        conn.execute(insert(BATCHES), [{**batch, "root": OTHER, "count": 1, "status": "failed"}])
        conn.execute(
            insert(RECORDS),
            [
                *(row(1, ROOT), row(2, ROOT), row(3, ROOT), row(4, OTHER)),
                # a single anchored on its own; a batch-mode record not yet in a batch; a
                # row from before this rule, whose copied status must be ignored
                *(row(5, None, "single", "anchored"), row(6, None)),
                {**row(7, ROOT), "status": "x"},
            ],
        )
    return engine


def move(engine, status: str, tx: str | None = None, block: int | None = None) -> None:
    with engine.begin() as conn:
        values = {"status": status, "tx_hash": tx, "block_number": block}
        conn.execute(update(BATCHES).where(BATCHES.c.root == ROOT).values(**values))


def loaded(engine) -> dict[str, IssuedRecord]:
    with Session(engine) as session:
        rows = record_state.follow(session, session.exec(select(IssuedRecord)).all())
        return {r.commitment[-1]: r for r in rows}


def test_records_follow_their_batch_through_anchoring_and_a_reorg(engine):
    assert {k: r.status for k, r in loaded(engine).items()} == {
        "1": "pending", "2": "pending", "3": "pending", "4": "failed",
        "5": "anchored", "6": "pending", "7": "pending",
    }  # fmt: skip
    move(engine, "anchored", "0x" + "cc" * 32, 42)
    rows = loaded(engine)
    assert [rows[k].status for k in "1237"] == ["anchored"] * 4
    assert {(rows[k].tx_hash, rows[k].block_number) for k in "1237"} == {("0x" + "cc" * 32, 42)}
    move(engine, "sending")  # its block left the chain: the reconciler reopened it
    assert [loaded(engine)[k].status for k in "1237"] == ["pending"] * 4


def test_a_commit_after_following_writes_nothing_back(engine):
    move(engine, "anchored", "0x" + "cc" * 32, 42)
    with Session(engine) as session:
        rows = record_state.follow(session, session.exec(select(IssuedRecord)).all())
        assert rows[0].status == "anchored"
        session.commit()
    with engine.connect() as conn:
        own = conn.execute(select(RECORDS.c.status).where(RECORDS.c.batch_root == ROOT))
        assert set(own.scalars()) == {"pending", "x"}


def test_counts_and_totals_agree_and_filter_by_the_derived_status(engine):
    move(engine, "anchored")
    with Session(engine) as session:
        counts = record_state.counts(session)
        assert counts == {"anchored": 5, "failed": 1, "pending": 1}
        assert record_state.totals(session) == counts  # from the batches' leaf counts
        query = record_state.select_records(record_state.STATUS == "failed")
        assert [r.commitment[-1] for r in record_state.load(session, query)] == ["4"]
