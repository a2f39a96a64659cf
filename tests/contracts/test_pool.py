"""PoolFactory and SecuritizationPool on a real Anvil node: lifecycle, roles, subscription,
close and cancel, periods against the simulator, cash conservation, claims, call, gas."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from pool_samples import SCENARIO, SPEC
from web3 import Web3

from ledger.chain.deploy import contract_at
from ledger.deals.pool import PoolClient, Subscription, launch
from ledger.deals.pool_abi import init_params
from ledger.deals.pool_types import (
    PoolInputError,
    PoolSetup,
    PoolState,
    TapeCommitment,
    Unsubscribed,
)
from ledger.deals.sandbox import Sandbox
from ledger.deals.simulator import Scenario, simulate
from ledger.deals.spec import DealSpec, parse_spec
from ledger.deals.tape import Loan, LoanTape
from ledger.deals.waterfall import PeriodReport, apply_period
from ledger.tx import ContractRevert

from .reverts import err, reverts

USDC = 10**6
STRUCTURER_ROLE = "0x" + Web3.keccak(text="STRUCTURER_ROLE").hex()
SERVICER_ROLE = "0x" + Web3.keccak(text="SERVICER_ROLE").hex()


def small_tape(balance: int, count: int = 4) -> LoanTape:
    """``count`` loans adding up to ``balance`` (the last one takes the remainder)."""
    each = balance // count
    loans = tuple(
        Loan(
            loan=Web3.keccak(text=f"loan-{i}"),
            original_principal=each + 1_000 * USDC,
            current_principal=each if i < count - 1 else balance - each * (count - 1),
            rate_bps=1200,
            term_months=24,
            origination_date=date(2015, 6, 1),
            score_uid=Web3.keccak(text=f"score-{i}"),
            score=650 + i,
        )
        for i in range(count)
    )
    return LoanTape(loans, as_of=date(2016, 1, 1))


@pytest.fixture(scope="module")
def module_env(w3, dev_accounts, make_sender) -> Sandbox:
    return Sandbox.deploy([make_sender(a) for a in dev_accounts])


@pytest.fixture
def env(module_env: Sandbox) -> Iterator[Sandbox]:
    snap = module_env.snapshot()
    yield module_env
    module_env.rollback(snap)


@pytest.fixture(scope="module")
def spec() -> DealSpec:
    return parse_spec(SPEC)


@pytest.fixture(scope="module")
def tape(spec: DealSpec) -> LoanTape:
    return small_tape(spec.units(spec.pool_balance))


def commitment(tape: LoanTape) -> TapeCommitment:
    return TapeCommitment(tape.root, tape.aggregates)


def full_orders(env: Sandbox, setup: PoolSetup) -> list[Subscription]:
    """Every tranche filled: two investors per tranche, the first taking the odd unit."""
    orders = []
    for i, t in enumerate(setup.terms.tranches):
        a, b = env.investors[(2 * i) % 4], env.investors[(2 * i + 1) % 4]
        orders += [Subscription(a, i, t.size - t.size // 2), Subscription(b, i, t.size // 2)]
    for order in orders:
        env.mint(order.investor.address, order.amount)
    return [o for o in orders if o.amount > 0]


def launched(env: Sandbox, spec: DealSpec, tape: LoanTape) -> PoolClient:
    setup = PoolSetup.from_spec(spec)
    pool = env.create(setup, commitment(tape))
    launch(pool, full_orders(env, setup))
    return pool


def assert_paid_only_to_held_tranches(pool: PoolClient, paid: list[int]) -> None:
    """No cash ever goes to a tranche token nobody holds (nobody could claim it)."""
    for i, amount in enumerate(paid):
        if amount:
            assert pool.token(i).functions.totalSupply().call() > 0, f"tranche {i} unheld"


def fund_servicer(env: Sandbox, amount: int) -> None:
    env.mint(env.servicer.address, amount)


# --- creation -----------------------------------------------------------------------------------


def test_create_pool_stores_terms_tape_tokens_and_roles(env, spec, tape):
    pool = env.create(PoolSetup.from_spec(spec), commitment(tape))
    assert pool.state() is PoolState.STRUCTURING
    assert pool.terms() == spec.to_terms()
    assert pool.tape() == commitment(tape)
    assert env.factory.pools() == [pool.address]
    tokens = [pool.token(i) for i in range(3)]
    assert [t.functions.symbol().call() for t in tokens] == ["SERVA", "SERVB", "SERVEQUITY"]
    assert all(t.functions.decimals().call() == 6 for t in tokens)
    assert all(t.functions.pool().call() == pool.address for t in tokens)
    assert pool.contract.functions.hasRole(STRUCTURER_ROLE, env.structurer.address).call()
    assert pool.contract.functions.hasRole(SERVICER_ROLE, env.servicer.address).call()
    assert pool.contract.functions.closingTime().call() == spec.closing_time


def test_any_loan_of_the_tape_can_be_proven_in_the_pool(env, spec, tape):
    pool = env.create(PoolSetup.from_spec(spec), commitment(tape))
    for i, loan in enumerate(tape.loans):
        assert pool.is_loan_in_tape(tape.proof(i), loan.leaf())
    assert not pool.is_loan_in_tape(tape.proof(0), tape.loans[1].leaf())


def test_bad_terms_and_inputs_are_rejected_with_the_field_named(env, spec, tape):
    setup = PoolSetup.from_spec(spec)
    wrong_tape = TapeCommitment(tape.root, replace(tape.aggregates, balance=1))
    with pytest.raises(PoolInputError, match=r"tape\.aggregates\.balance"):
        env.create(setup, wrong_tape)
    bad = replace(env.parties, servicer="0x" + "00" * 20)
    with pytest.raises(PoolInputError, match=r"parties\.servicer"):
        env.factory.create_pool(
            setup,
            parties=bad,
            settlement_token=env.stable.address,
            registry=env.registry.address,
            tape=commitment(tape),
        )
    pool = env.create(setup, commitment(tape))
    with pytest.raises(PoolInputError, match="tranche"):
        pool.subscribe(-1, 5)
    with pytest.raises(PoolInputError, match="amount"):
        pool.subscribe(0, 0)


def test_neither_a_pool_nor_the_implementation_can_be_initialized_again(env, spec, tape):
    setup = PoolSetup.from_spec(spec)
    pool = env.create(setup, commitment(tape))
    params = init_params(
        setup, env.parties, env.stable.address, env.registry.address, commitment(tape)
    )
    implementation = env.factory.contract.functions.implementation().call()
    for target in (pool.contract, contract_at(env.w3, "SecuritizationPool", implementation)):
        reverts(
            lambda target=target: env.outsider.send(
                target.functions.initialize(params, pool.tokens())
            ),
            err("InvalidInitialization"),
        )


# --- lifecycle and roles ------------------------------------------------------------------------


def test_illegal_transitions_revert_with_the_current_state(env, spec, tape):
    pool = env.create(PoolSetup.from_spec(spec), commitment(tape))
    investor = pool.as_sender(env.investors[0])
    servicer = pool.as_sender(env.servicer)
    report = PeriodReport(spec.period_end(1), 0, 0, 0, 0, 0, 0, 0, 0, 10**12)
    env.mint(env.investors[0].address, 10 * USDC)

    reverts(lambda: pool.close(), err("WrongState", 0))
    reverts(lambda: pool.cancel(), err("WrongState", 0))
    reverts(lambda: investor.subscribe(0, USDC), err("WrongState", 0))
    reverts(lambda: servicer.report_period(report), err("WrongState", 0))
    pool.open_subscription()
    reverts(lambda: pool.open_subscription(), err("WrongState", 1))
    reverts(lambda: investor.refund(0), err("WrongState", 1))
    reverts(lambda: servicer.report_period(report), err("WrongState", 1))
    reverts(lambda: pool.wind_down(), err("WrongState", 1))
    resize = [Unsubscribed.RESIZE] * 3
    reverts(lambda: pool.close(resize), err("NothingSubscribed"))
    investor.subscribe(0, USDC)
    reverts(lambda: pool.close(resize), err("NoHolder", 2, 0))
    investor.subscribe(2, USDC)
    reverts(lambda: pool.close(resize), err("ReserveExceedsProceeds", 10_000 * USDC, 2 * USDC))


def test_only_the_roles_may_act(env, spec, tape):
    pool = env.create(PoolSetup.from_spec(spec), commitment(tape))
    outsider = pool.as_sender(env.outsider)
    who = env.outsider.address
    for call in (outsider.open_subscription, outsider.close, outsider.cancel, outsider.wind_down):
        reverts(call, err("AccessControlUnauthorizedAccount", who, STRUCTURER_ROLE))
    report = PeriodReport(spec.period_end(1), 0, 0, 0, 0, 0, 0, 0, 0, 10**12)
    reverts(
        lambda: outsider.report_period(report),
        err("AccessControlUnauthorizedAccount", who, SERVICER_ROLE),
    )
    reverts(outsider.mature, err("AccessControlUnauthorizedAccount", who, SERVICER_ROLE))


# --- subscription, close, cancel ------------------------------------------------------------------


def test_subscription_caps_allowlist_and_close(env, spec, tape):
    setup = PoolSetup.from_spec(spec)
    pool = env.create(setup, commitment(tape))
    pool.open_subscription()
    a, b = (pool.as_sender(s) for s in env.investors[:2])
    env.mint(a.sender.address, 2 * 10**12)
    env.mint(env.outsider.address, USDC)
    cap = setup.terms.tranches[1].size

    a.subscribe(1, cap - 5)
    reverts(lambda: a.subscribe(1, 6), err("CapExceeded", 1, 5))
    reverts(
        lambda: pool.as_sender(env.outsider).subscribe(0, USDC),
        err("NotAllowed", env.outsider.address),
    )
    reverts(lambda: a.subscribe(3, USDC), err("UnknownTranche", 3))
    a.subscribe(0, 500_000 * USDC)
    a.subscribe(2, 50_000 * USDC)
    assert pool.token(1).functions.balanceOf(a.sender.address).call() == cap - 5

    originator_before = env.balance(env.parties.originator)
    sizes = [t.size for t in setup.terms.tranches]
    reverts(lambda: pool.close(), err("TrancheNotFull", 0, 500_000 * USDC, sizes[0]))
    reverts(lambda: pool.close([Unsubscribed.RESIZE]), err("TreatmentCount", 1, 3))
    pool.close([Unsubscribed.RESIZE] * 3)
    faces = [500_000 * USDC, cap - 5, 50_000 * USDC]
    reserve = setup.initial_reserve
    assert pool.state() is PoolState.ACTIVE
    assert env.balance(env.parties.originator) - originator_before == sum(faces) - reserve
    assert env.balance(pool.address) == reserve
    # resized: unfilled capacity is never taken, the deal closes at what was subscribed
    assert [t.size for t in pool.terms().tranches] == faces
    state = pool.deal_state()
    assert state.balances == tuple(faces)
    assert (state.reserve, state.pool_balance) == (reserve, setup.terms.initial_pool_balance)
    assert state.last_period_end == setup.closing_time
    reverts(lambda: b.subscribe(0, USDC), err("WrongState", 2))
    reverts(lambda: pool.cancel(), err("WrongState", 2))


def test_cancel_refunds_every_subscriber_in_full(env, spec, tape):
    setup = PoolSetup.from_spec(spec)
    pool = env.create(setup, commitment(tape))
    pool.open_subscription()
    orders = full_orders(env, setup)
    for order in orders:
        pool.as_sender(order.investor).subscribe(order.tranche, order.amount)
    paid_in = sum(o.amount for o in orders)
    assert env.balance(pool.address) == paid_in
    pool.cancel()
    assert pool.state() is PoolState.CANCELLED
    reverts(lambda: pool.close(), err("WrongState", 7))
    for investor in env.investors:
        for tranche in range(3):
            if pool.token(tranche).functions.balanceOf(investor.address).call():
                pool.as_sender(investor).refund(tranche)
    assert env.balance(pool.address) == 0
    assert all(env.balance(o.investor.address) >= o.amount for o in orders)
    assert sum(env.balance(i.address) for i in env.investors) == paid_in
    assert all(pool.token(t).functions.totalSupply().call() == 0 for t in range(3))
    reverts(
        lambda: pool.as_sender(env.investors[0]).refund(0),
        err("NothingToRefund", env.investors[0].address, 0),
    )


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
