"""The issue's scale: 10,000 records and 3 pools of 12 periods each, rebuilt from the chain
alone and reconciled with 0 differences; then a row altered, one deleted and one added in
the service's database are each named with block and field."""

from __future__ import annotations

import pytest
from audit_world import World, copy_sqlite, populate
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, func, select

from ledger.audit.journal import balances, chain_balances, journal, unbalanced
from ledger.audit.reconcile import reconcile
from ledger.audit.workbench import Workbench
from ledger.runtime import Runtime
from ledger.store import create_db
from ledger.store.deal_tables import DealPeriod
from ledger.store.tables import OnchainRecord

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def big(client: TestClient) -> World:
    return populate(client, records=10_000, periods=12, pools=3)


def test_ten_thousand_records_and_three_pools_reconcile_then_tampering_is_named(
    runtime: Runtime, big: World, tmp_path
):
    bench = Workbench(runtime, f"sqlite:///{tmp_path / 'rebuilt.db'}")
    result = bench.reconcile()
    assert result.equal, result.differences[:5]
    with Session(bench.rebuilt()) as s:
        assert s.exec(select(func.sum(OnchainRecord.count))).one() == 10_000
        assert s.exec(select(func.count()).select_from(DealPeriod)).one() == 36
    for pool in big.pools:
        entries = journal(bench.rebuilt(), pool)
        assert unbalanced(entries) == {}
        book = balances(entries)
        for account, held in chain_balances(runtime.w3, bench.rebuilt(), pool).items():
            assert book.get(account, 0) == held, (pool, account)

    # a copy of the service's database, tampered three ways
    service = create_db(copy_sqlite(runtime, tmp_path / "service.db"))
    third = big.pools[2]
    with Session(service) as s:
        s.execute(
            text("UPDATE dealperiodtranche SET principal_paid = '0' WHERE pool = :p AND period = 7 AND tranche = 0"),
            {"p": third},
        )  # fmt: skip
        s.execute(text("DELETE FROM dealperiod WHERE pool = :p AND period = 12"), {"p": third})
        s.execute(
            text(
                "INSERT INTO onchainrecord (key, kind, attester_id, model_id, count, issued_at,"
                " expires_at, block_number, tx_hash) VALUES (:k, 'single', 1, :m, 0, 1, 2, 3, :t)"
            ),
            {"k": "0x" + "99" * 32, "m": big.model_id, "t": "0x" + "98" * 32},
        )
        s.commit()
    tampered = reconcile(bench.rebuilt(), service, bench.canonical_hash)
    kinds = {(d.kind, d.entity, d.field) for d in tampered.differences}
    assert kinds == {
        ("value_differs", "dealperiodtranche", "principal_paid"),
        ("missing_in_db", "dealperiod", None),
        ("only_in_db", "onchainrecord", None),
    }
    assert all(d.block is not None for d in tampered.differences)
    assert tampered.first_divergent_block == 3  # the added record claims block 3
