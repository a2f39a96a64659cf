"""The pool's guard rails on a real Anvil node: create refuses sizes that do not add up to
the pool, an empty tranche and a reserve close could not fund; close refuses an unfilled
tranche unless it is retained by the originator or resized, and never leaves the equity
tranche unheld; a period report must be consistent with the pool before it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pool_samples import SCENARIO
from web3.logs import DISCARD

from ledger.deals.pool import launch
from ledger.deals.pool_abi import report_tuple
from ledger.deals.pool_types import PoolSetup, Unsubscribed
from ledger.deals.simulator import simulate
from ledger.tx import ContractRevert
from tests.contracts.pool.helpers import commitment, full_orders, fund_servicer, launched
from tests.contracts.reverts import err, reverts


def raw_create(env, setup: PoolSetup, tape):
    """Send createPool past the Python checks, so that the contract's own are exercised."""
    return lambda: env.create(setup, commitment(tape))


def test_create_refuses_sizes_not_adding_up_an_empty_tranche_and_an_unfundable_reserve(
    env, spec, tape
):
    setup = PoolSetup.from_spec(spec)
    terms = setup.terms
    a, b, equity = terms.tranches
    short = replace(terms, tranches=(a, b, replace(equity, size=equity.size - 1)))
    reverts(
        raw_create(env, replace(setup, terms=short), tape),
        err("TranchesNotPool", terms.initial_pool_balance - 1, terms.initial_pool_balance),
    )
    empty = replace(
        terms, tranches=(a, replace(b, size=0), replace(equity, size=equity.size + b.size))
    )
    reverts(raw_create(env, replace(setup, terms=empty), tape), err("EmptyTranche", 1))
    total = terms.initial_pool_balance
    reverts(
        raw_create(env, replace(setup, initial_reserve=total + 1), tape),
        err("ReserveExceedsProceeds", total + 1, total),
    )


def test_close_refuses_an_unfilled_tranche_until_told_what_happens_to_it(env, spec, tape):
    setup = PoolSetup.from_spec(spec)
    pool = env.create(setup, commitment(tape))
    pool.open_subscription()
    orders = [o for o in full_orders(env, setup) if o.tranche != 1]  # B left empty
    for order in orders:
        pool.as_sender(order.investor).subscribe(order.tranche, order.amount)
    b_size = setup.terms.tranches[1].size
    reverts(lambda: pool.close(), err("TrancheNotFull", 1, 0, b_size))
    # retained: the originator must be able to hold the notes (the registry allows it)
    originator = env.parties.originator
    with pytest.raises(ContractRevert) as refused:
        pool.close([Unsubscribed.REFUSE, Unsubscribed.RETAIN, Unsubscribed.REFUSE])
    assert originator.lower() in refused.value.error.lower()
    env.registry.set_investor(originator, 2**40 - 1, "GB")
    before = env.balance(originator)
    receipt = pool.close([Unsubscribed.REFUSE, Unsubscribed.RETAIN, Unsubscribed.REFUSE])
    [retained] = pool.contract.events.Retained().process_receipt(receipt, errors=DISCARD)
    assert (retained["args"]["tranche"], retained["args"]["amount"]) == (1, b_size)
    assert pool.token(1).functions.balanceOf(originator).call() == b_size
    assert [t.size for t in pool.terms().tranches] == [t.size for t in setup.terms.tranches]
    cash = sum(o.amount for o in orders)
    assert env.balance(originator) - before == cash - setup.initial_reserve


def test_resizing_the_equity_to_nothing_is_refused(env, spec, tape):
    setup = PoolSetup.from_spec(spec)
    pool = env.create(setup, commitment(tape))
    pool.open_subscription()
    for order in full_orders(env, setup):
        if order.tranche != 2:
            pool.as_sender(order.investor).subscribe(order.tranche, order.amount)
    reverts(lambda: pool.close([Unsubscribed.RESIZE] * 3), err("NoHolder", 2, 0))


@pytest.fixture
def running(env, spec, tape):
    pool = launched(env, spec, tape)
    servicer = pool.as_sender(env.servicer)
    record = simulate(spec, SCENARIO).periods[0]
    fund_servicer(env, 10 * record.report.cash_in)
    return servicer, record.report


def test_a_consistent_report_within_the_tolerance_is_accepted(running, tape):
    servicer, report = running
    tolerance = len(tape.loans)  # one unit per loan of the tape
    servicer.report_period(replace(report, pool_balance=report.pool_balance + tolerance))


def test_inconsistent_reports_are_refused_naming_the_figures(running, spec):
    servicer, report = running
    balance = spec.units(spec.pool_balance)
    principal = report.scheduled_principal + report.prepayments
    cases = [
        (
            replace(report, prepayments=balance),
            err("PrincipalExceedsPool", report.scheduled_principal + balance, balance),
        ),
        (
            replace(report, new_defaults=balance - principal + 1),
            err("DefaultsExceedPool", balance - principal + 1, balance - principal),
        ),
        (
            replace(report, pool_balance=report.pool_balance + 5),
            err("PoolBalanceMismatch", report.pool_balance + 5, report.pool_balance, 4),
        ),
        (
            replace(report, delinquent_90=report.pool_balance + 1),
            err(
                "DelinquencyExceedsPool",
                report.delinquent_30 + report.delinquent_60 + report.pool_balance + 1,
                report.pool_balance,
            ),
        ),
    ]
    for bad, expected in cases:
        reverts(lambda bad=bad: servicer.report_period(bad), expected)
    # figures whose sum would overflow are compared step by step, never added
    huge = list(report_tuple(report))
    huge[2] = huge[3] = 2**256 - 1  # scheduled principal and prepayments
    reverts(
        lambda: servicer.sender.send(
            servicer.contract.functions.reportPeriod(tuple(huge), (0, 0, 0, 0))
        ),
        err("PrincipalExceedsPool", 2**256 - 1, balance),
    )


def test_a_report_ending_in_the_future_is_refused(running):
    servicer, report = running
    with pytest.raises(ContractRevert, match=r"PeriodNotEnded\(1099511627776, "):
        servicer.report_period(replace(report, period_end=2**40))


def test_launch_fills_every_tranche(env, spec, tape):
    """The helper the other tests use closes strictly: every tranche full."""
    setup = PoolSetup.from_spec(spec)
    pool = env.create(setup, commitment(tape))
    launch(pool, full_orders(env, setup))
    assert [t.size for t in pool.terms().tranches] == [t.size for t in setup.terms.tranches]
