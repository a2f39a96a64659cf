"""Guarantees and insurance on chain: random deals with a guarantee facility and/or a pool
insurance policy, random periods; the pool, the facilities and ``apply_period`` agree to
the unit, and every account (pool, collateral, providers) conserves cash."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, Phase, assume, event, given, settings
from hypothesis import strategies as st

from deals.chain import open_pool, rolled_back
from deals.cover_strategies import covers
from deals.strategies import deal_terms, period_reports, small_amounts
from deals.test_cover import three_tranches
from deals.test_differential import assert_same_period, closings
from ledger.deals.cover import Cover, GuaranteeTerms, next_cover
from ledger.deals.pool_types import PoolSetup
from ledger.deals.sandbox import Sandbox
from ledger.deals.waterfall import DealState, DealTerms, apply_period
from ledger.guarantees.facility import FacilityClient, bind, cover_result, read_cover
from ledger.tx import ContractRevert


def fund(sandbox: Sandbox, pool, cover: Cover) -> list[FacilityClient]:
    """Deploy, post and bind each facility of ``cover`` (collateral as drawn)."""
    bound = []
    for k, part in enumerate((cover.guarantee, cover.insurance)):
        if part is None:
            continue
        provider = sandbox.investors[k % len(sandbox.investors)]
        facility = FacilityClient.deploy(
            provider, pool, sandbox.registry.address, part.terms, required=0
        )
        posted = part.state.collateral if k == 0 else part.state.capital
        if posted:
            sandbox.mint(provider.address, posted)
            facility.post(posted)
        bind(pool.as_sender(sandbox.structurer), facility)
        bound.append(facility)
    return bound


@given(terms=deal_terms(), closing=closings, reserve=small_amounts, data=st.data())
@settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # shrinking a chain example takes minutes
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_random_covered_deals_agree_with_the_reference(
    sandbox: Sandbox, terms: DealTerms, closing: int, reserve: int, data: st.DataObject
) -> None:
    proceeds = sum(t.size for t in terms.tranches)
    assume(proceeds > 0 and reserve <= proceeds)
    cover = data.draw(covers(terms))
    assume(cover != Cover())
    periods = data.draw(st.integers(1, 4))
    reports = data.draw(period_reports(closing, periods, terms.initial_pool_balance))
    names = tuple(f"T{i}" for i in range(len(terms.tranches)))
    with rolled_back(sandbox):
        pool = open_pool(sandbox, PoolSetup("Covered", names, terms, closing, reserve))
        facilities = fund(sandbox, pool, cover)
        assert read_cover(pool) == cover
        sandbox.mint(sandbox.servicer.address, sum(r.cash_in for r in reports))
        state = DealState.at_close(terms, closing, reserve)
        for report in reports:
            python = apply_period(terms, state, report, cover)
            before = [sandbox.balance(f.address) for f in facilities]
            outcome = pool.report_period(report)
            chain = replace(outcome.result, cover=cover_result(pool, outcome.receipt))
            assert_same_period(pool, chain, python)
            cover = next_cover(cover, python.cover)
            assert read_cover(pool) == cover
            # each facility's token balance is its collateral: draws and claims left it
            for f, held in zip(facilities, before, strict=True):
                assert sandbox.balance(f.address) == f.contract.functions.collateral().call()
                assert held >= sandbox.balance(f.address)
            state = python.state
            g, i = python.cover.guarantee, python.cover.insurance
            event("guarantee drawn" if g and g.draw else "no draw")
            event("insurance claim" if i and i.claim_paid else "no claim")


def test_collateral_is_never_withdrawn_below_the_requirement(sandbox: Sandbox) -> None:

    terms = three_tranches()
    with rolled_back(sandbox):
        pool = open_pool(sandbox, PoolSetup("Req", ("A", "B", "E"), terms, 1_400_000_000))
        guarantor = sandbox.investors[0]
        facility = FacilityClient.deploy(
            guarantor,
            pool,
            sandbox.registry.address,
            GuaranteeTerms(1, 100_000, 100, 12),
            required=60_000,
        )
        sandbox.mint(guarantor.address, 70_000)
        facility.post(50_000)
        with pytest.raises(ContractRevert, match="BelowRequired"):
            bind(pool.as_sender(sandbox.structurer), facility)
        facility.post(20_000)  # top-up
        bind(pool.as_sender(sandbox.structurer), facility)
        with pytest.raises(ContractRevert, match="BelowRequired"):
            facility.withdraw(10_001)
        facility.withdraw(10_000)
        assert facility.state().collateral == 60_000
        with pytest.raises(ContractRevert, match="NotReleasable"):
            facility.release()
        outsider = FacilityClient.at(sandbox.outsider, "guarantee", facility.address)
        with pytest.raises(ContractRevert, match="NotProvider"):
            outsider.withdraw(1)
