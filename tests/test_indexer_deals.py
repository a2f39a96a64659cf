"""The deal index on a real Anvil: pools and tranche tokens the factory creates at run time
are discovered and indexed (in one chunk or block by block), keep being followed after a
restart, rebuild to the same tables, vanish in a reorg, and agree with the chain."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pool_samples import SCENARIO, SPEC, loans, period_body
from sqlmodel import Session, select

from ledger.chain.node import LocalNode
from ledger.deals.service import DealService, LoanRow, PeriodInput, tape_from_rows
from ledger.deals.simulator import simulate
from ledger.deals.spec import parse_spec
from ledger.indexer.deals import DEALS_PROJECTION, claimable
from ledger.runtime import Runtime
from ledger.settings import Settings
from ledger.store.deal_tables import DealHolding, DealPool, DealTranche

KYC_UNTIL = 4_102_444_800  # 2100-01-01


def snapshot(rt: Runtime) -> dict[str, list[dict[str, Any]]]:
    """Every deal table's rows (without surrogate ids), in a stable order."""
    out = {}
    with Session(rt.engine) as session:
        for table in DEALS_PROJECTION.tables:
            rows = [r.model_dump(exclude={"id"}) for r in session.exec(select(table)).all()]
            out[table.__name__] = sorted(rows, key=repr)
    return out


@pytest.fixture(scope="module")
def rt(anvil: LocalNode, tmp_path_factory: pytest.TempPathFactory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("deal-index"), rpc_url=anvil.url)
    with Runtime.open(settings) as runtime:
        yield runtime


@pytest.fixture(scope="module")
def deal(rt: Runtime) -> str:
    """A pool created, subscribed by two investors, closed, one period reported, a claim."""
    svc = DealService(rt)
    spec = parse_spec(SPEC)
    rows = [LoanRow(**row) for row in loans(spec.units(spec.pool_balance))]
    tape = tape_from_rows(rows, rt.pseudonym_secret(), date(2016, 1, 1))
    pool = svc.create_pool(spec, tape).address
    for name in ("erin", "frank"):
        svc.add_investor(name, KYC_UNTIL, "GB")
    svc.transition(pool, "open")
    for i, t in enumerate(spec.to_terms().tranches):
        svc.subscribe(pool, "erin", i, t.size - t.size // 3)
        svc.subscribe(pool, "frank", i, t.size // 3)
    svc.transition(pool, "close")
    record = simulate(spec, SCENARIO).periods[0]
    svc.report_period(pool, PeriodInput.model_validate(period_body(record)))
    svc.claim(pool, "erin", 0)
    return pool


def test_created_pools_are_discovered_and_indexed(rt: Runtime, deal: str):
    indexer = rt.indexer()
    assert indexer.poll_once() > 0
    with Session(rt.engine) as session:
        pool = session.get(DealPool, deal)
        assert pool is not None and pool.state == "amortising" and pool.periods == 1
        tranches = session.exec(select(DealTranche).where(DealTranche.pool == deal)).all()
        assert len(tranches) == 3 and all(t.token for t in tranches)
        holdings = session.exec(select(DealHolding).where(DealHolding.pool == deal)).all()
        by_tranche = {t.tranche: t for t in tranches}
        chain = DealService(rt).pool(deal)
        assert len(holdings) == 6
        for h in holdings:  # the replayed accumulator agrees with the token, unit for unit
            token = chain.token(h.tranche)
            assert h.balance == token.functions.balanceOf(h.holder).call()
            assert claimable(h, by_tranche[h.tranche]) == chain.claimable(h.tranche, h.holder)
        assert by_tranche[0].claimed > 0
    for address in [*chain.tokens(), deal]:
        assert address in indexer.addresses


def test_block_by_block_on_a_fresh_database_gives_the_same_index(
    rt: Runtime, deal: str, tmp_path: Path
):
    rt.indexer().poll_once()
    shutil.copy(rt.settings.manifest_path, tmp_path / "deployment.json")
    settings = Settings(data_dir=tmp_path, rpc_url=rt.settings.rpc_url, index_chunk_size=1)
    with Runtime.open(settings, deploy_if_missing=False) as auditor:
        auditor.indexer().poll_once()
        assert snapshot(auditor) == snapshot(rt)


def test_discovered_pools_survive_a_restart_and_a_rebuild(rt: Runtime, deal: str):
    rt.indexer().poll_once()
    before = snapshot(rt)
    restarted = rt.indexer()  # a new process: followed addresses come from the event log
    assert deal in restarted.addresses
    svc = DealService(rt)
    svc.claim(deal, "frank", 0)  # an event of a discovered token after the restart
    assert restarted.poll_once() >= 1
    with Session(rt.engine) as session:
        frank = svc.resolve("frank")
        holding = session.get(DealHolding, (svc.pool(deal).tokens()[0], frank))
        assert holding is not None and holding.claimed > 0
    after_claim = snapshot(rt)
    assert after_claim != before
    assert restarted.rebuild() > 0
    assert snapshot(rt) == after_claim


def test_indexers_sharing_a_database_follow_each_others_discoveries(rt: Runtime, deal: str):
    first, second = rt.indexer(), rt.indexer()  # e.g. the API's thread and a CLI sync
    first.poll_once()
    svc = DealService(rt)
    spec = parse_spec({**SPEC, "name": "Shared 2016-3"})
    rows = [LoanRow(**row) for row in loans(spec.units(spec.pool_balance))]
    pool = svc.create_pool(spec, tape_from_rows(rows, rt.pseudonym_secret(), date(2016, 1, 1)))
    first.poll_once()  # discovers the pool
    svc.transition(pool.address, "open")
    assert second.poll_once() >= 1  # learns of it from the event log before reading on
    with Session(rt.engine) as session:
        assert session.get(DealPool, pool.address).state == "subscription"


def test_a_reorg_forgets_a_pool_it_dropped(rt: Runtime, deal: str):
    indexer = rt.indexer()
    indexer.poll_once()
    svc = DealService(rt)
    spec = parse_spec({**SPEC, "name": "Dropped 2016-2"})
    rows = [LoanRow(**row) for row in loans(spec.units(spec.pool_balance))]
    start = rt.w3.eth.block_number
    dropped = svc.create_pool(spec, tape_from_rows(rows, rt.pseudonym_secret(), date(2016, 1, 1)))
    indexer.poll_once()
    assert dropped.address in indexer.addresses
    depth = rt.w3.eth.block_number - start
    rt.w3.provider.make_request("anvil_reorg", [depth, []])
    for role in ("structurer", "admin"):
        rt.sender(role).resync_nonce()
    indexer.poll_once()
    with Session(rt.engine) as session:
        assert session.get(DealPool, dropped.address) is None
        assert session.get(DealPool, deal) is not None
    assert dropped.address not in indexer.addresses


def test_decoders_give_what_web3_process_log_gives_for_every_event(rt: Runtime, deal: str):
    """Every followed event of a chain with registry and deal events (structs, arrays,
    strings, indexed addresses): the same arguments, in the same key order."""
    from ledger.indexer.decode import jsonable
    from ledger.indexer.logs import get_logs

    indexer = rt.indexer()
    indexer.poll_once()  # follows the discovered pools and tokens
    head = rt.w3.eth.block_number
    raws = get_logs(rt.w3.provider, 0, head, indexer.addresses)
    formatted = rt.w3.eth.get_logs({"fromBlock": 0, "toBlock": head, "address": indexer.addresses})
    assert len(raws) == len(formatted) > 20
    fast = slow = 0
    for raw, log in zip(raws, formatted, strict=True):
        found = indexer._decoders.get((raw["address"].lower(), raw["topics"][0]))
        if found is None:
            continue  # an event no projection reads from a selectively followed contract
        _, decoder = found
        expected = jsonable(dict(decoder.event.process_log(log)["args"]))
        got = decoder.decode(raw)
        assert list(got.items()) == list(expected.items()), decoder.name
        fast, slow = fast + decoder._fast, slow + (not decoder._fast)
    assert fast > 0 and slow > 0  # both paths were compared
