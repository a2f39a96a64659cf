"""Deals on a real node for tests: EVM snapshots and a pool with every tranche filled."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from web3 import Web3

from ledger.deals.pool import PoolClient, Subscription, launch
from ledger.deals.pool_types import PoolSetup, TapeCommitment
from ledger.deals.sandbox import Sandbox
from ledger.deals.tape import TapeAggregates


@contextmanager
def rolled_back(sandbox: Sandbox) -> Iterator[None]:
    snap = sandbox.snapshot()
    try:
        yield
    finally:
        sandbox.rollback(snap)


def open_pool(sandbox: Sandbox, setup: PoolSetup) -> PoolClient:
    """Create the pool and fill every tranche (face = size), one investor per tranche."""
    terms = setup.terms
    tape = TapeCommitment(
        Web3.keccak(text=setup.name), TapeAggregates(1, terms.initial_pool_balance, 0, 0, 0)
    )
    pool = sandbox.create(setup, tape)
    orders = []
    for i, tranche in enumerate(terms.tranches):
        investor = sandbox.investors[i % len(sandbox.investors)]
        if tranche.size:
            sandbox.mint(investor.address, tranche.size)
            orders.append(Subscription(investor, i, tranche.size))
    launch(pool, orders)
    return pool.as_sender(sandbox.servicer)
