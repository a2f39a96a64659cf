"""The deal spec the service rebuilds from the index carries every term the chain runs on,
the cumulative-default trigger schedule included: a pool created with one, closed with a
tranche retained by the originator, round-trips create -> index -> spec -> simulate, and the
simulation equals the chain's periods to the unit."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pool_samples import SCENARIO, SPEC, loans, period_body
from sqlmodel import Session

from ledger.chain.node import LocalNode
from ledger.deals.pool_abi import result_from_event
from ledger.deals.service import DealService, LoanRow, PeriodInput, tape_from_rows
from ledger.deals.simulator import simulate
from ledger.deals.spec import parse_spec
from ledger.deals.waterfall import TriggerStep
from ledger.runtime import Runtime
from ledger.settings import Settings
from ledger.store.deal_tables import DealPool

KYC_UNTIL = 4_102_444_800  # 2100-01-01
# A schedule that the stressed scenario breaches in period 2 (2% of the pool) and not before.
CD_SCHEDULE = {1: 150, 2: 100, 4: 900}
PERIODS = 3


@pytest.fixture(scope="module")
def rt(anvil: LocalNode, tmp_path_factory: pytest.TempPathFactory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("deal-spec"), rpc_url=anvil.url)
    with Runtime.open(settings) as runtime:
        yield runtime


def test_cd_trigger_and_retention_round_trip_through_the_index(rt: Runtime):
    svc = DealService(rt)
    spec = parse_spec(
        {
            **SPEC,
            "name": "Trigger 2016-1",
            "triggers": {**SPEC["triggers"], "cumulative_default_max_bps": CD_SCHEDULE},
        }
    )
    rows = [LoanRow(**row) for row in loans(spec.units(spec.pool_balance))]
    pool = svc.create_pool(spec, tape_from_rows(rows, rt.pseudonym_secret(), date(2016, 1, 1)))
    address = pool.address
    svc.add_investor("gina", KYC_UNTIL, "GB")
    originator = svc.pool(address).contract.functions.originator().call()
    svc.add_investor("originator", KYC_UNTIL, "GB", address=originator)
    svc.transition(address, "open")
    terms = spec.to_terms()
    for i, t in enumerate(terms.tranches):
        svc.subscribe(address, "gina", i, t.size if i != 1 else t.size // 2)
    svc.close(address, {"B": "retain"})
    sim = simulate(spec, SCENARIO)
    for record in sim.periods[:PERIODS]:
        svc.report_period(address, PeriodInput.model_validate(period_body(record)))
    rt.indexer().poll_once()

    with Session(rt.engine) as session:
        row = session.get(DealPool, address)
        assert row is not None
        assert json.loads(row.cd_trigger) == {str(p): bps for p, bps in CD_SCHEDULE.items()}
        b_size = terms.tranches[1].size
        assert json.loads(row.retained) == {"1": b_size - b_size // 2}

    rebuilt = svc._report_spec(svc.pool_row(address), [t for _, t in svc.tranches(address)])
    assert rebuilt.to_terms().cd_trigger == tuple(TriggerStep(p, b) for p, b in CD_SCHEDULE.items())
    assert rebuilt.to_terms() == terms
    chain_terms = svc.pool(address).contract.functions.terms().call()
    assert [tuple(s) for s in chain_terms[-1]] == [(p, b) for p, b in CD_SCHEDULE.items()]

    # The rebuilt spec simulates to the chain's own figures, period by period (the collateral
    # model is an assumption of the structurer's, not a term on chain: taken from the spec).
    rebuilt = rebuilt.model_copy(update={"collateral": spec.collateral})
    replay = simulate(rebuilt, SCENARIO).periods[:PERIODS]
    state = rebuilt.initial_state()
    breached = []
    for record, (period, _) in zip(replay, svc.periods(address), strict=True):
        chain = result_from_event(json.loads(period.event_args), state)
        assert chain == record.result
        breached.append(not chain.cd_pass)
        state = chain.state
    assert breached == [False, True, True]
