"""SecuritizationPool on a real Anvil node: periods against the simulator, cash
conservation, claims, the clean-up call, maturity, gas."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pool_samples import SCENARIO

from ledger.deals.pool_types import PoolState
from ledger.deals.simulator import Scenario, simulate
from ledger.deals.waterfall import PeriodReport, apply_period
from ledger.tx import ContractRevert
from tests.contracts.pool.helpers import assert_paid_only_to_held_tranches, fund_servicer, launched
from tests.contracts.reverts import err, reverts

# --- periods ------------------------------------------------------------------------------------


def test_periods_match_the_simulator_and_conserve_cash(env, spec, tape):
    """The whole simulated deal, period by period on chain: identical results, the pool
    holds exactly the reserve, every unit reaches a fee recipient or a tranche token,
    losses go bottom-up, then the call, and the wind-down releases the reserve to equity."""
    pool = launched(env, spec, tape)
    servicer = pool.as_sender(env.servicer)
    sim = simulate(spec, SCENARIO)
    assert sim.cleanup_period is not None  # the scenario exercises the call
    fund_servicer(env, sum(r.report.cash_in for r in sim.periods))
    tokens = [pool.token(i).address for i in range(3)]
    fees_to = [env.parties.servicer_fee_recipient, env.parties.trustee_fee_recipient]
    state = spec.initial_state()
    assert pool.deal_state() == state

    for record in sim.periods:
        before = [env.balance(a) for a in tokens + fees_to]
        call = record.period == sim.cleanup_period
        outcome = (servicer.exercise_call if call else servicer.report_period)(record.report)
        result = outcome.result
        assert result == apply_period(spec.to_terms(), state, record.report) == record.result
        assert pool.deal_state() == result.state
        state = result.state
        # cash: the pool keeps exactly the reserve; the rest went out, to the unit
        assert env.balance(pool.address) == result.reserve_after
        gained = [env.balance(a) - b for a, b in zip(tokens + fees_to, before, strict=True)]
        paid = [t.interest_paid + t.principal_paid for t in result.tranches]
        paid[-1] += result.residual_to_equity
        assert gained == [*paid, result.servicer_fee_paid, result.trustee_fee_paid]
        assert_paid_only_to_held_tranches(pool, paid)
        assert result.conserves_cash
        # losses bottom-up: a tranche is written down only once every junior one is at 0
        for i, t in enumerate(result.tranches):
            if t.writedown:
                assert all(j.balance == 0 for j in result.tranches[i + 1 :])
        assert pool.state() is (
            PoolState.CALLED if record.period >= sim.cleanup_period else PoolState.AMORTISING
        )

    events = pool.period_events()
    assert [e["args"]["period"] for e in events] == list(range(1, len(sim.periods) + 1))
    release = pool.deal_state().reserve
    assert release == sim.wind_down_release
    equity_before = env.balance(tokens[2])
    pool.wind_down()
    assert pool.state() is PoolState.WOUND_DOWN
    assert env.balance(tokens[2]) - equity_before == release
    assert env.balance(pool.address) == 0


def test_holders_claim_their_share_of_a_distribution(env, spec, tape):
    pool = launched(env, spec, tape)
    servicer = pool.as_sender(env.servicer)
    record = simulate(spec, SCENARIO).periods[0]
    fund_servicer(env, record.report.cash_in)
    result = servicer.report_period(record.report).result
    senior = result.tranches[0]
    holders = env.investors[:2]  # tranche A: the first takes the odd unit
    face = spec.to_terms().tranches[0].size
    shares = [face - face // 2, face // 2]
    total = senior.interest_paid + senior.principal_paid
    for holder, share in zip(holders, shares, strict=True):
        before = env.balance(holder.address)
        claimed = pool.as_sender(holder).claim(0)
        exact = total * share // face
        assert exact - 1 <= claimed <= exact  # the token's per-token accrual rounds down
        assert env.balance(holder.address) - before == claimed
    assert pool.as_sender(holders[0]).claim(0) == 0


def test_call_only_when_eligible_and_maturity_only_when_retired(env, spec, tape):
    pool = launched(env, spec, tape)
    servicer = pool.as_sender(env.servicer)
    sim = simulate(spec, SCENARIO)
    fund_servicer(env, sum(r.report.cash_in for r in sim.periods))
    first = sim.periods[0].report
    reverts(
        lambda: servicer.exercise_call(first), err("CallNotEligible", spec.units(spec.pool_balance))
    )
    reverts(servicer.mature, err("PoolNotRetired", spec.units(spec.pool_balance)))
    servicer.report_period(first)
    again = PeriodReport(first.period_end, 0, 0, 0, 0, 0, 0, 0, 0, first.pool_balance)
    reverts(
        lambda: servicer.report_period(again),
        err("PeriodEndNotAfter", first.period_end, first.period_end),
    )
    future = PeriodReport(2**40, 0, 0, 0, 0, 0, 0, 0, 0, first.pool_balance)
    now = env.w3.eth.get_block("latest")["timestamp"]
    with pytest.raises(ContractRevert, match="PeriodNotEnded"):
        servicer.report_period(future)
    assert now < 2**40
    for record in sim.periods[1 : sim.cleanup_period - 1]:
        servicer.report_period(record.report)
    call = sim.periods[sim.cleanup_period - 1].report
    not_retired = replace(call, pool_balance=1)
    reverts(lambda: servicer.exercise_call(not_retired), err("CallMustRetirePool", 1))
    servicer.exercise_call(call)
    assert pool.state() is PoolState.CALLED
    reverts(servicer.mature, err("WrongState", 5))


def test_a_pool_that_runs_off_matures_and_winds_down(env, spec, tape):
    no_call = Scenario(cdr=0.0, cpr=0.0, exercise_cleanup=False)
    pool = launched(env, spec, tape)
    servicer = pool.as_sender(env.servicer)
    sim = simulate(spec, no_call)
    fund_servicer(env, sum(r.report.cash_in for r in sim.periods))
    for record in sim.periods:
        assert servicer.report_period(record.report).result == record.result
    servicer.mature()
    assert pool.state() is PoolState.MATURED
    reverts(lambda: servicer.report_period(sim.periods[-1].report), err("WrongState", 4))
    pool.wind_down()
    assert pool.state() is PoolState.WOUND_DOWN


def test_gas_budgets_of_a_period_and_a_claim(env, spec, tape):
    pool = launched(env, spec, tape)
    record = simulate(spec, SCENARIO).periods[0]
    fund_servicer(env, record.report.cash_in)
    stats = replace(tape.aggregates, balance=record.report.pool_balance)
    outcome = pool.as_sender(env.servicer).report_period(record.report, stats)
    assert pool.tape().aggregates == stats
    assert outcome.gas_used < 650_000  # first period: many zero-to-nonzero writes
    token = pool.token(0)
    receipt = env.investors[0].send(token.functions.claim())
    assert receipt["gasUsed"] < 150_000  # the token settles the accrual and pays a fresh holder
