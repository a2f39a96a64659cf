"""SecuritizationPool on a real Anvil node: subscription caps and allowlist, close, cancel."""

from __future__ import annotations

from ledger.deals.pool_types import PoolSetup, PoolState, Unsubscribed
from tests.contracts.pool.helpers import USDC, commitment, full_orders
from tests.contracts.reverts import err, reverts

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
