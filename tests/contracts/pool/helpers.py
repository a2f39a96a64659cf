"""Shared by the pool tests: a small loan tape, full subscription orders, a launched pool."""

from __future__ import annotations

from datetime import date

from web3 import Web3

from ledger.deals.pool import PoolClient, Subscription, launch
from ledger.deals.pool_types import PoolSetup, TapeCommitment
from ledger.deals.sandbox import Sandbox
from ledger.deals.spec import DealSpec
from ledger.deals.tape import Loan, LoanTape

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
