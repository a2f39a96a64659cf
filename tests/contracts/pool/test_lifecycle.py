"""PoolFactory and SecuritizationPool on a real Anvil node: creation, the tape proof,
lifecycle and roles."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ledger.chain.deploy import contract_at
from ledger.deals.pool_abi import init_params
from ledger.deals.pool_types import (
    PoolInputError,
    PoolSetup,
    PoolState,
    TapeCommitment,
    Unsubscribed,
)
from ledger.deals.waterfall import PeriodReport
from tests.contracts.pool.helpers import SERVICER_ROLE, STRUCTURER_ROLE, USDC, commitment
from tests.contracts.reverts import err, reverts

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
