"""Rebuild from the chain alone, reconcile, journal and export on a real node: equal after a
rebuild (also one resumed after an interruption); altered, deleted, added and reorged rows
of the service's database each named with block and field; every pool transaction's
journal entries sum to zero and the held balances equal the chain's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from audit_world import World, copy_sqlite
from sqlalchemy import text
from sqlmodel import Session, func, select

from ledger.audit.journal import balances, chain_balances, held_accounts, journal, unbalanced
from ledger.audit.reconcile import reconcile
from ledger.audit.workbench import Workbench
from ledger.runtime import Runtime
from ledger.store import create_db
from ledger.store.deal_tables import DealPeriod
from ledger.store.tables import OnchainRecord


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def test_rebuild_from_chain_alone_reconciles_equal(runtime: Runtime, world: World, tmp_path):
    wb = Workbench(runtime, sqlite_url(tmp_path / "rebuilt.db"))
    seen: list[tuple[int, int]] = []
    result = wb.rebuild(lambda block, head: seen.append((block, head)))
    assert result.resumed_from is None and result.events_total > 0
    assert seen and seen[-1][0] == seen[-1][1] == result.indexed_block  # the progress bar's end
    with Session(wb.rebuilt()) as s:  # records counted from chain events alone
        assert s.exec(select(func.sum(OnchainRecord.count))).one() == len(world.batch)
        assert s.exec(select(func.count()).select_from(DealPeriod)).one() == 3
    outcome = wb.reconcile()
    assert outcome.equal, outcome.differences[:5]
    assert outcome.first_divergent_block is None and outcome.chain_digest == outcome.db_digest
    assert outcome.entities_compared > 50
    assert json.loads(wb.last_path.read_text())["equal"] is True


def test_an_interrupted_rebuild_resumes_where_it_stopped(runtime: Runtime, world: World, tmp_path):
    url = sqlite_url(tmp_path / "resumed.db")
    indexer = runtime.indexer(create_db(url))
    indexer.chunk_size = 3

    class Interrupted(Exception):
        pass

    def stop_after_first(block: int, head: int) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        indexer.poll_once(on_chunk=stop_after_first)
    stopped_at = indexer.checkpoint()[0]
    assert stopped_at < world.head
    wb = Workbench(runtime, url)
    result = wb.rebuild()
    assert result.resumed_from == stopped_at and result.indexed_block >= world.head
    assert reconcile(wb.rebuilt(), runtime.engine).equal


def test_altered_deleted_added_and_reorged_rows_are_each_named(
    runtime: Runtime, world: World, tmp_path
):
    wb = Workbench(runtime, sqlite_url(tmp_path / "rebuilt.db"))
    wb.rebuild()
    service = create_db(copy_sqlite(runtime, tmp_path / "service.db"))
    with Session(service) as s:
        period = s.get(DealPeriod, (world.pool, 2))
        single = s.get(OnchainRecord, (1, world.singles[0]))  # (attester, commitment)
        assert period is not None and single is not None
        altered_block, deleted_block = period.block_number, single.block_number
        s.execute(
            text("UPDATE dealperiod SET cash_in = '1' WHERE pool = :p AND period = 2"),
            {"p": world.pool},
        )
        s.execute(text("DELETE FROM onchainrecord WHERE key = :k"), {"k": world.singles[0]})
        s.execute(
            text(
                "INSERT INTO dealsubscription (pool, tranche, investor, kind, amount,"
                " block_number, tx_hash) VALUES (:p, 0, :i, 'subscribe', '5', 1, :t)"
            ),
            {"p": world.pool, "i": "0x" + "11" * 20, "t": "0x" + "ab" * 32},
        )
        s.execute(
            text(
                "INSERT INTO eventlog (contract, address, event, block_number, block_hash,"
                " tx_hash, log_index, args) VALUES ('AttestationRegistry', :a, 'Attested',"
                " :b, :h, :t, 0, '{}')"
            ),
            {"a": "0x" + "22" * 20, "b": world.head, "h": "0x" + "cd" * 32, "t": "0x" + "ef" * 32},
        )
        # A batch the service says it anchored whose root the chain does not have: its
        # records (their state is the batch's) are named.
        s.execute(
            text(
                "INSERT INTO batch (root, model_id, expires_at, count, status, created_at)"
                " SELECT :r, model_id, expires_at, 1, 'anchored', created_at FROM batch"
                " WHERE root = (SELECT batch_root FROM issuedrecord WHERE commitment = :c)"
            ),
            {"r": "0x" + "77" * 32, "c": world.batch[0]},
        )
        s.execute(
            text("UPDATE issuedrecord SET batch_root = :r WHERE commitment = :c"),
            {"r": "0x" + "77" * 32, "c": world.batch[0]},
        )
        s.commit()
    result = reconcile(wb.rebuilt(), service, wb.canonical_hash)
    assert not result.equal
    by_kind = {(d.kind, d.entity): d for d in result.differences}
    altered = by_kind[("value_differs", "dealperiod")]
    assert (altered.field, altered.db, altered.block) == ("cash_in", "1", altered_block)
    assert altered.chain != "1" and altered.tx_hash
    missing = by_kind[("missing_in_db", "onchainrecord")]
    assert missing.key == f"1/{world.singles[0]}" and missing.block == deleted_block
    added = by_kind[("only_in_db", "dealsubscription")]
    assert added.tx_hash == "0x" + "ab" * 32 and added.block == 1
    reorged = by_kind[("reorged_out", "eventlog")]
    assert reorged.block == world.head
    unanchored = by_kind[("only_in_db", "issuedrecord")]
    assert (unanchored.key, unanchored.field, unanchored.db) == (
        world.batch[0],
        "anchor",
        "0x" + "77" * 32,
    )
    assert result.counts() == {
        "missing_in_db": 1,
        "only_in_db": 2,
        "value_differs": 1,
        "reorged_out": 1,
    }
    assert result.first_divergent_block == 1  # the added row claims block 1, the earliest
    assert result.chain_digest != result.db_digest


def test_journal_balances_per_transaction_and_equals_the_chain(runtime: Runtime, world: World):
    entries = journal(runtime.engine, world.pool)
    events = {e.event for e in entries}
    assert {"Subscribed", "Closed", "PeriodReported", "Claimed"} <= events
    assert unbalanced(entries) == {}
    book = balances(entries)
    chain = chain_balances(runtime.w3, runtime.engine, world.pool)
    assert set(chain) == set(held_accounts(runtime.engine, world.pool)) and len(chain) == 4
    for account, on_chain in chain.items():
        assert book.get(account, 0) == on_chain, account
    assert chain["pool:cash"] > 0  # the reserve stays in the pool


def test_export_writes_csv_json_journal_and_a_hashed_report(
    runtime: Runtime, world: World, tmp_path
):
    wb = Workbench(runtime, sqlite_url(tmp_path / "rebuilt.db"))
    out = wb.export(tmp_path / "export", wb.reconcile())
    base = tmp_path / "export" / "pools" / world.pool
    rows = json.loads((base / "journal.json").read_text())
    assert rows and all(r["tx_hash"].startswith("0x") and r["block_time_utc"] for r in rows)
    assert (base / "journal.csv").read_text().splitlines()[0].startswith("tx_hash,")
    period = json.loads((base / "periods" / "period-2.json").read_text())[0]
    assert period["period"] == 2 and len(period["tranches"]) == 3 and period["tx_hash"]
    records = json.loads((tmp_path / "export" / "attesters" / "1" / "records.json").read_text())
    assert {r["key"] for r in records} >= set(world.singles)
    report = (tmp_path / "export" / "report.html").read_bytes()
    import hashlib

    assert hashlib.sha256(report).hexdigest() == out.report_sha256
    assert b"every transaction balances to zero" in report and b"DIFFERS" not in report
    pdf = tmp_path / "export" / "report.pdf"  # Debian's chromium prints it (make install)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf in out.files
