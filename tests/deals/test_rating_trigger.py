"""The rating trigger on a real node (docs/waterfall.md §8): a RatingFeed proves a tranche's
current grade against the registry, and the pool reads it at every period report. A
downgrade below the deal's floor makes that period sequential with its excess spread
trapped, on chain and in the simulator alike, to the unit; an upgrade clears it; a revoked
or expired rating, or none at all, counts as a breach."""

from __future__ import annotations

import pytest
from contracts.reverts import err, reverts
from pool_samples import SPEC
from web3.exceptions import ContractCustomError

from deals.chain import open_pool, rolled_back
from deals.rating_chain import RatingDesk
from ledger.deals.pool_types import PoolInputError, PoolSetup
from ledger.deals.sandbox import Sandbox
from ledger.deals.simulator import Scenario, simulate
from ledger.deals.spec import DealSpec, DealSpecError, parse_spec
from ledger.ratings.feed import record_tuple
from ledger.ratings.scale import Scale
from ledger.tx import ContractRevert


def rated_spec(desk: RatingDesk, below: str = "BBB") -> DealSpec:
    """The sample deal, pro rata and with no other test, so only the rating changes the mode."""
    trigger = {"tranche": "A", "below": below, "agency": desk.agency, "feed": desk.feed.address}
    return parse_spec(
        {**SPEC, "principal_mode": "pro_rata", "triggers": {}, "rating_trigger": trigger}
    )


def run_path(sandbox: Sandbox, desk: RatingDesk, path: list[str | None]) -> list:
    """Each period: make the feed hold the path's grade, report on chain, compare with the
    simulator given the same path. Returns the simulated results."""
    spec = rated_spec(desk)
    sim = simulate(spec, Scenario(cpr=0.10, ratings=path))
    pool = open_pool(sandbox, PoolSetup.from_spec(spec))
    assert pool.rating_trigger() == spec.rating_terms()
    sandbox.mint(sandbox.servicer.address, sum(r.report.cash_in for r in sim.periods))
    for record, grade in zip(sim.periods, path, strict=False):
        desk.hold(pool.address, 0, grade)
        current = desk.feed.current(desk.agency, pool.address, 0)
        assert current.grade == grade
        assert pool.report_period(record.report).result == record.result
    return [r.result for r in sim.periods[: len(path)]]


def test_a_downgrade_below_the_floor_switches_the_next_period_to_sequential(sandbox, desk):
    path = ["A", "BB", "BBB", None, "AA"]  # None: the rating revoked, nothing valid
    with rolled_back(sandbox):
        results = run_path(sandbox, desk, path)
    passes = [r.rating_pass for r in results]
    assert passes == [True, False, True, False, True]
    for r in results:
        assert r.trigger_breached == (not r.rating_pass)
        assert r.sequential == (not r.rating_pass)  # pro rata unless the rating fails
        assert (r.reserve_trapped > 0) == (not r.rating_pass)
        assert r.residual_to_equity == (0 if not r.rating_pass else r.residual_to_equity)
    # pro rata pays B while the rating holds; sequential pays only A
    assert results[0].tranches[1].principal_paid > 0
    assert results[1].tranches[1].principal_paid == 0 < results[1].tranches[0].principal_paid


def test_no_rating_ever_posted_counts_as_breached(sandbox, desk):
    with rolled_back(sandbox):
        [first] = run_path(sandbox, desk, [None])
    assert not first.rating_pass and first.sequential and first.reserve_trapped > 0


def test_an_expired_rating_no_longer_counts(sandbox, desk):
    spec = rated_spec(desk)
    sim = simulate(spec, Scenario(cpr=0.10, ratings=[None]))
    with rolled_back(sandbox):
        pool = open_pool(sandbox, PoolSetup.from_spec(spec))
        sandbox.mint(sandbox.servicer.address, sim.periods[0].report.cash_in)
        desk.publish(pool.address, 0, "AAA", valid_seconds=600)
        assert desk.feed.current(desk.agency, pool.address, 0).grade == "AAA"
        sandbox.w3.provider.make_request("evm_increaseTime", [3_600])
        sandbox.w3.provider.make_request("evm_mine", [])
        assert desk.feed.current(desk.agency, pool.address, 0).grade is None
        result = pool.report_period(sim.periods[0].report).result
    assert result == sim.periods[0].result and not result.rating_pass


def test_feed_commitment_and_ranks_match_python(sandbox, desk):
    record = desk.record(sandbox.structurer.address, 1, "BBB", 3_600)
    assert desk.feed.commitment_of(record) == record.commitment
    other = desk.feed.contract.functions.commitmentOf(
        ("credence-rating/2", *record_tuple(record)[1:])
    )
    with pytest.raises(ContractCustomError) as info:
        other.call()
    decoded = desk.registry.sender.errors.decode(info.value.data)
    assert decoded == err("UnknownFormat", "credence-rating/2")
    for rank, grade in enumerate(Scale().grades):
        assert desk.feed.rank_of_grade(grade) == rank == Scale().notch(grade)
    with pytest.raises(ContractCustomError) as info:
        desk.feed.rank_of_grade("NR")
    assert desk.registry.sender.errors.decode(info.value.data) == err("UnknownGrade", "NR")


def test_feed_refuses_unattested_old_and_foreign_records(sandbox, desk):
    pool = sandbox.parties.originator  # any address: ratings are keyed by pool address
    with rolled_back(sandbox):
        record = desk.record(pool, 0, "A", 3_600)
        unattested = record.commitment_hex.lower()
        with pytest.raises(ContractRevert) as info:
            desk.feed.post(desk.agency, record)
        assert info.value.error.startswith(f"RatingNotValid({desk.agency}, {unattested}")
        newer = desk.publish(pool, 0, "A")
        older = desk.record(pool, 0, "AA", 3_600)
        older = older.__class__(**{**older.__dict__, "issued_at": newer.issued_at - 1})
        desk.registry.attest(older.commitment, bytes.fromhex("11" * 32), older.expires_at)
        reverts(
            lambda: desk.feed.post(desk.agency, older),
            err("RatingNotNewer", newer.issued_at - 1, newer.issued_at),
        )
        # the same record read under another attester id is not this agency's rating
        with pytest.raises(ContractRevert):
            desk.feed.post(desk.agency + 1, desk.record(pool, 0, "A", 3_600))
        assert desk.feed.current(desk.agency + 1, pool, 0).grade is None


def test_the_trigger_must_name_a_note_and_a_grade_above_d(sandbox, desk):
    with pytest.raises(DealSpecError, match=r"rating_trigger\.tranche: must name a note"):
        parse_spec({**SPEC, "rating_trigger": {"tranche": "Equity", "below": "BBB"}})
    with pytest.raises(DealSpecError, match="must be a grade from AAA to C"):
        parse_spec({**SPEC, "rating_trigger": {"tranche": "A", "below": "D"}})
    spec = parse_spec({**SPEC, "rating_trigger": {"tranche": "A", "below": "BBB"}})
    with pytest.raises(PoolInputError, match="needs a feed and an agency"):
        PoolSetup.from_spec(spec)
    setup = PoolSetup.from_spec(spec, desk.feed.address, desk.agency)
    bad = setup.__class__(**{**setup.__dict__, "rating": desk.trigger(2, "BBB")})
    with rolled_back(sandbox):
        reverts(lambda: open_pool(sandbox, bad), err("InvalidTerms", "rating.tranche"))


def test_the_rating_read_costs_a_bounded_amount_of_gas(sandbox, desk):
    """The same period on a deal without a trigger and with one (a valid rating held): the
    read is one view call through the feed to the registry."""
    plain = parse_spec({**SPEC, "principal_mode": "pro_rata", "triggers": {}})
    rated = rated_spec(desk)
    sim = simulate(plain, Scenario(cpr=0.10))
    gas = []
    for spec in (plain, rated):
        with rolled_back(sandbox):
            pool = open_pool(sandbox, PoolSetup.from_spec(spec))
            sandbox.mint(sandbox.servicer.address, sim.periods[0].report.cash_in)
            desk.hold(pool.address, 0, "A")
            outcome = pool.report_period(sim.periods[0].report)
            assert outcome.result.rating_pass
            gas.append(outcome.gas_used)
        desk.current.clear()
    extra = gas[1] - gas[0]
    print(f"period gas without a rating trigger {gas[0]:,}, with one {gas[1]:,} (+{extra:,})")
    assert 0 < extra < 40_000
