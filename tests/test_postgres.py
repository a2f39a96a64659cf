"""The same service on PostgreSQL: issue, index, and a single indexer leader per chain."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from ledger.attest import record_state
from ledger.chain.node import LocalNode
from ledger.runtime import Runtime
from ledger.settings import Settings
from ledger.store.tables import OnchainRecord


@pytest.fixture(scope="module")
def pg_runtime(
    anvil: LocalNode, database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Runtime]:
    data_dir: Path = tmp_path_factory.mktemp("pg")
    with Runtime.open(
        Settings(data_dir=data_dir, rpc_url=anvil.url, database_url=database, batch_max_wait_s=0.05)
    ) as rt:
        yield rt


def test_issue_and_index_on_postgres(pg_runtime: Runtime):
    rt = pg_runtime
    model = secrets.token_bytes(32)
    rt.registry("attester").register_model(model, "m", (8000, 5000, 6000, 100, 10))
    service = rt.attestation_service()
    now = int(time.time())
    try:
        records = [
            service.new_record(
                subject_id=f"s{i}",
                score=600 + i,
                grade="B",
                model_id="0x" + model.hex(),
                issued_at=now,
                expires_at=now + 3600,
            )
            for i in range(50)
        ]
        service.issue(records)
    finally:
        service.close()
    rt.indexer().poll_once()
    with Session(rt.engine) as s:
        assert record_state.counts(s) == {"anchored": 50}  # each record's from its batch
        assert (
            s.exec(
                select(func.count()).select_from(OnchainRecord).where(OnchainRecord.kind == "batch")
            ).one()
            == 1
        )


def test_only_one_indexer_leads_per_chain(pg_runtime: Runtime):
    first, second = pg_runtime.indexer(), pg_runtime.indexer()
    with pg_runtime.engine.connect() as a, pg_runtime.engine.connect() as b:
        assert first._leader(a)
        assert not second._leader(b)
