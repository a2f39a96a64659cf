"""The cover index on a real Anvil: a guarantee facility and an insurance policy, deployed
and funded before their pool binds them, are discovered with their earlier events; their
collateral movements and period settlements equal the chain's figures; a rebuild from the
chain alone reconciles to 0 differences, and an altered settlement row is named; the
pool's journal balances per transaction and equals the chain's balances, facilities
included; block by block or after a replay, the tables are the same."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from cover_world import (
    GUARANTEE,
    INSURANCE,
    PRICING_HASH,
    CoveredDeal,
    U,
    covered_deal,
    covered_deal_pool,
)
from pg import fresh_database
from sqlmodel import Session, select

from ledger.audit.export import export_all
from ledger.audit.journal import (
    balances,
    chain_balances,
    cover_collateral,
    held_accounts,
    journal,
    unbalanced,
)
from ledger.audit.workbench import Workbench
from ledger.chain.node import LocalNode
from ledger.deals.service import DealService
from ledger.guarantees.facility import FacilityClient, bind
from ledger.indexer.cover import COVER_PROJECTION
from ledger.runtime import Runtime
from ledger.settings import Settings
from ledger.store.cover_tables import CoverCollateralMove, CoverFacility, CoverSettlement


def snapshot(rt: Runtime) -> dict[str, list[dict[str, Any]]]:
    out = {}
    with Session(rt.engine) as session:
        for table in COVER_PROJECTION.tables:
            rows = [r.model_dump(exclude={"id"}) for r in session.exec(select(table)).all()]
            out[table.__name__] = sorted(rows, key=repr)
    return out


@pytest.fixture(scope="module")
def rt(anvil: LocalNode, tmp_path_factory: pytest.TempPathFactory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("cover-index"), rpc_url=anvil.url)
    with Runtime.open(settings) as runtime:
        yield runtime


@pytest.fixture(scope="module")
def deal(rt: Runtime) -> CoveredDeal:
    out = covered_deal(rt)
    rt.indexer().poll_once()
    return out


def test_facilities_bound_after_funding_are_indexed_with_their_earlier_events(
    rt: Runtime, deal: CoveredDeal
):
    svc = DealService(rt)
    g_chain = FacilityClient.at(rt.sender("admin"), "guarantee", deal.guarantee).state()
    i_chain = FacilityClient.at(rt.sender("admin"), "insurance", deal.insurance).state()
    with Session(rt.engine) as session:
        g = session.get(CoverFacility, deal.guarantee)
        i = session.get(CoverFacility, deal.insurance)
        assert g is not None and i is not None
        assert (g.kind, g.pool, g.provider, g.bound) == (
            "guarantee",
            deal.pool,
            deal.guarantor,
            True,
        )
        assert (g.tranche, g.cover_limit, g.premium_bps, g.last_period) == (
            GUARANTEE.tranche, GUARANTEE.limit, GUARANTEE.premium_bps, GUARANTEE.last_period,
        )  # fmt: skip
        assert (i.deductible, i.coinsurance_bps) == (INSURANCE.deductible, 8_000)
        assert g.pricing_hash == "0x" + PRICING_HASH.hex() and g.required == 60_000 * U
        assert (g.posted, g.withdrawn) == (70_000 * U, 10_000 * U)
        # the state after two periods, as the contracts keep it
        assert (g.collateral, g.paid, g.recovered) == (
            g_chain.collateral, g_chain.drawn, g_chain.reimbursed,
        )  # fmt: skip
        assert g.unpaid_claims == g_chain.unpaid_claims > 0  # the collateral fell short
        assert (i.collateral, i.paid, i.recovered, i.losses) == (
            i_chain.capital, i_chain.claims_paid, i_chain.recovered, i_chain.losses,
        )  # fmt: skip
        assert g.paid > 0 and i.paid > 0 and i.recovered > 0 and g.periods == i.periods == 2
        moves = session.exec(
            select(CoverCollateralMove).order_by(
                CoverCollateralMove.block_number, CoverCollateralMove.log_index
            )
        ).all()
        assert [(m.facility, m.kind, m.amount) for m in moves] == [
            (deal.guarantee, "posted", 70_000 * U),
            (deal.insurance, "posted", 400_000 * U),
            (deal.guarantee, "withdrawn", 10_000 * U),
        ]
        assert all(m.tx_hash and m.block_number < g.bound_block for m in moves)
        settlements = session.exec(select(CoverSettlement)).all()
        assert {(s.facility, s.period) for s in settlements} == {
            (f, n) for f in (deal.guarantee, deal.insurance) for n in (1, 2)
        }
    rows = {p.period: p for p, _ in svc.periods(deal.pool)}
    for s in settlements:  # settled in the period's own transaction
        assert (s.tx_hash, s.block_number) == (rows[s.period].tx_hash, rows[s.period].block_number)


def test_block_by_block_and_replayed_indexes_equal(rt: Runtime, deal: CoveredDeal, tmp_path: Path):
    before = snapshot(rt)
    assert rt.indexer().rebuild() > 0  # replayed in chain order: Opened before CoverBound
    assert snapshot(rt) == before
    shutil.copy(rt.settings.manifest_path, tmp_path / "deployment.json")
    settings = Settings(data_dir=tmp_path, rpc_url=rt.settings.rpc_url, index_chunk_size=1)
    with Runtime.open(settings, deploy_if_missing=False) as auditor:
        auditor.indexer().poll_once()
        assert snapshot(auditor) == before


def test_journal_balances_and_equals_the_chain_with_cover(rt: Runtime, deal: CoveredDeal):
    entries = journal(rt.engine, deal.pool)
    assert unbalanced(entries) == {}
    memos = {e.memo for e in entries}
    for memo in ("guarantee collateral posted", "guarantee collateral withdrawn",
                 "period 1 draw", "period 1 claim", "period 2 subrogation",
                 "period 2 insurer recoveries", "period 1 guarantee premium",
                 "period 1 insurance premium"):  # fmt: skip
        assert memo in memos, memo
    held = held_accounts(rt.engine, deal.pool)
    assert cover_collateral(deal.guarantee) in held and cover_collateral(deal.insurance) in held
    book, chain = balances(entries), chain_balances(rt.w3, rt.engine, deal.pool)
    assert {a: book.get(a, 0) for a in chain} == chain
    assert chain[cover_collateral(deal.guarantee)] == 0 < chain[cover_collateral(deal.insurance)]


def test_rebuild_reconciles_equal_then_names_an_altered_settlement(
    rt: Runtime, deal: CoveredDeal, tmp_path: Path
):
    wb = Workbench(rt, f"sqlite:///{tmp_path / 'rebuilt.db'}")
    wb.rebuild()
    with Session(wb.rebuilt()) as session:
        assert len(session.exec(select(CoverSettlement)).all()) == 4
    outcome = wb.reconcile()
    assert outcome.equal, outcome.differences[:5]
    db = rt.settings.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:  # the service's database drifts from the chain
        conn.execute(
            "UPDATE coversettlement SET draw = '1' WHERE facility = ? AND period = 1",
            (deal.guarantee,),
        )
    try:
        outcome = wb.reconcile()
        named = [(d.kind, d.entity, d.key, d.field) for d in outcome.differences]
        assert named == [
            ("value_differs", "coversettlement", f"{deal.guarantee}/1", "draw"),
        ]
        first = outcome.differences[0]
        assert first.block is not None and first.tx_hash and first.chain != "1"
    finally:
        rt.indexer().rebuild()


def test_a_reorg_that_drops_the_binding_unfollows_and_a_rebinding_backfills_once(
    rt: Runtime, deal: CoveredDeal
):
    """The facility's own earlier events stay indexed (their blocks survive); binding again
    re-reads them from the first block without logging any twice."""
    indexer = rt.indexer()
    indexer.poll_once()
    svc = DealService(rt)
    other = covered_deal_pool(rt, "Rebound 2016-1")
    client = svc.pool(other)
    guarantor = svc.investor_sender(f"gina-{other[2:8].lower()}")
    facility = FacilityClient.deploy(
        guarantor, client, svc.registry.address, GUARANTEE, 0, PRICING_HASH
    )
    indexer.poll_once()  # deployed, not bound: not followed
    assert facility.address not in indexer.addresses
    with Session(rt.engine) as session:
        assert session.get(CoverFacility, facility.address) is None
    start = rt.w3.eth.block_number
    bind(client, facility)
    indexer.poll_once()
    assert facility.address in indexer.addresses
    with Session(rt.engine) as session:
        row = session.get(CoverFacility, facility.address)
        assert row is not None and row.bound and row.tranche == 1
    rt.w3.provider.make_request("anvil_reorg", [rt.w3.eth.block_number - start, []])
    for role in ("structurer", "admin"):
        rt.sender(role).resync_nonce()
    indexer.poll_once()
    assert facility.address not in indexer.addresses
    with Session(rt.engine) as session:
        row = session.get(CoverFacility, facility.address)
        assert row is not None and not row.bound  # deployed (block kept), bound no more
    bind(client, facility)
    assert indexer.poll_once() >= 1  # no duplicate event log rows
    with Session(rt.engine) as session:
        assert session.get(CoverFacility, facility.address).bound
    assert rt.indexer().rebuild() > 0
    with Session(rt.engine) as session:
        assert session.get(CoverFacility, facility.address).bound


def test_a_rebuild_into_postgresql_reconciles_equal(rt: Runtime, deal: CoveredDeal):
    with fresh_database("credence_cover") as url:
        wb = Workbench(rt, url)
        wb.rebuild()
        outcome = wb.reconcile()
        assert outcome.equal, outcome.differences[:5]
        with Session(wb.rebuilt()) as session:
            row = session.get(CoverFacility, deal.guarantee)
            assert row is not None and row.unpaid_claims > 0 and row.tranche == 1
        wb.rebuilt().dispose()


def test_the_export_has_the_cover_settlements_of_a_covered_pool(
    rt: Runtime, deal: CoveredDeal, tmp_path: Path
):
    export_all(rt.engine, tmp_path, lambda block: 1_454_284_800, pdf=False)
    rows = json.loads((tmp_path / "pools" / deal.pool / "cover_settlements.json").read_text())
    assert [(r["period"], r["kind"]) for r in rows] == [
        (1, "guarantee"), (1, "insurance"), (2, "guarantee"), (2, "insurance"),
    ]  # fmt: skip
    assert rows[0]["draw"] > 0 and rows[0]["tx_hash"] and rows[0]["block_time_utc"]
    journal_rows = json.loads((tmp_path / "pools" / deal.pool / "journal.json").read_text())
    assert any(r["memo"] == "period 1 draw" for r in journal_rows)
