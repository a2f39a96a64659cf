"""TrancheToken against a real Anvil node: distributions, claims, and exact accounting
(a property test against a rational-number mirror)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contracts.evm import events
from tests.contracts.reverts import err, reverts
from tests.contracts.tranche_token.helpers import MAG, RESTRICTIONS, Deal, restrict, rolled_back

# ---------------------------------------------------------------- distributions


def test_distribution_pro_rata_by_hand(deal: Deal):
    a, b, c = deal.holders[:3]
    for holder, units in ((a, 1), (b, 2), (c, 3)):
        deal.pool.mint(holder, units * 1_000_000)
    receipt = deal.fund_and_distribute(600_000_001)  # 100.0000001666... per unit of token
    [dist] = events(deal.pool, receipt, "Distributed")
    supply = 6_000_000
    increment = 600_000_001 * MAG // supply
    assert dist == {
        "amount": 600_000_001,
        "supply": supply,
        "perTokenIncrement": increment,
        "carriedRemainder": 600_000_001 * MAG - increment * supply,
    }
    # shares 100,000,000.17 / 200,000,000.33 / 300,000,000.5: floor each
    assert [deal.pool.claimable(h) for h in (a, b, c)] == [100_000_000, 200_000_000, 300_000_000]

    # a transfer settles both sides: the accrual stays, the tokens move
    deal.as_holder(c).transfer(a, 3_000_000)
    assert [deal.pool.claimable(h) for h in (a, b, c)] == [100_000_000, 200_000_000, 300_000_000]
    deal.fund_and_distribute(60)  # a now holds 4/6, b 2/6
    assert [deal.pool.claimable(h) for h in (a, b, c)] == [100_000_040, 200_000_020, 300_000_000]


def test_claim_pays_and_is_evented(deal: Deal):
    a, b = deal.holders[:2]
    deal.pool.mint(a, 3)
    deal.pool.mint(b, 1)
    deal.fund_and_distribute(10)  # 7.5 and 2.5
    receipt = deal.as_holder(a).claim()
    assert events(deal.pool, receipt, "Claimed") == [{"holder": a, "amount": 7}]
    assert deal.paid(a) == 7
    assert deal.pool.claimable(a) == 0
    deal.fund_and_distribute(2)  # +1.5 and +0.5: the kept halves add up to whole units
    assert (deal.pool.claimable(a), deal.pool.claimable(b)) == (2, 3)
    fns = deal.pool.contract.functions
    assert (fns.totalDistributed().call(), fns.totalClaimed().call()) == (12, 7)


def test_claim_for_pays_the_holder_not_the_caller(deal: Deal):
    a, b = deal.holders[:2]
    deal.pool.mint(a, 1)
    deal.fund_and_distribute(5)
    deal.as_holder(b).claim_for(a)
    assert (deal.paid(a), deal.paid(b)) == (5, 0)


def test_claim_with_nothing_accrued_pays_nothing(deal: Deal):
    receipt = deal.as_holder(deal.holders[0]).claim()
    assert events(deal.pool, receipt, "Claimed") == []


@pytest.mark.parametrize("how", RESTRICTIONS)
def test_a_restricted_holder_cannot_claim_but_keeps_its_accrual(deal: Deal, how):
    a, b = deal.holders[:2]
    deal.pool.mint(b, 1)
    deal.fund_and_distribute(9)
    expected = restrict(deal, b, how)
    reverts(lambda: deal.as_holder(b).claim(), expected)
    reverts(lambda: deal.as_holder(a).claim_for(b), expected)
    assert deal.pool.claimable(b) == 9
    assert deal.paid(b) == 0


def test_distribution_must_be_funded(deal: Deal):
    deal.pool.mint(deal.holders[0], 1)
    reverts(lambda: deal.pool.distribute(5), err("UnfundedDistribution", 5, 0))
    deal.pool.sender.send(deal.stable.functions.mint(deal.pool.address, 4))
    reverts(lambda: deal.pool.distribute(5), err("UnfundedDistribution", 5, 4))
    reverts(
        lambda: deal.pool.sender.send(deal.pool.contract.functions.distribute(0)), "ZeroAmount()"
    )
    deal.pool.distribute(4)
    # what is owed to holders is never counted as available again
    reverts(lambda: deal.pool.distribute(1), err("UnfundedDistribution", 1, 0))


def test_distribution_with_no_supply_is_carried(deal: Deal):
    receipt = deal.fund_and_distribute(7)
    [dist] = events(deal.pool, receipt, "Distributed")
    assert (dist["supply"], dist["perTokenIncrement"], dist["carriedRemainder"]) == (0, 0, 7 * MAG)
    a, b = deal.holders[:2]
    deal.pool.mint(a, 1)
    deal.pool.mint(b, 1)
    deal.fund_and_distribute(1)  # 8 over 2 tokens
    assert (deal.pool.claimable(a), deal.pool.claimable(b)) == (4, 4)


# ---------------------------------------------------------------- accounting property


@dataclass
class Mirror:
    """The contract's accumulator in Python integers, plus the exact pro-rata ideal."""

    per_token: int = 0
    carried: int = 0
    balances: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    owed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    paid: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ideal: dict[str, Fraction] = field(default_factory=lambda: defaultdict(Fraction))

    def _settle(self, holder: str) -> None:
        self.owed[holder] += self.balances[holder] * (self.per_token - self.paid[holder])
        self.paid[holder] = self.per_token

    def move(self, src: str | None, dst: str | None, amount: int) -> None:
        for side in (src, dst):
            if side is not None:
                self._settle(side)
        if src is not None:
            self.balances[src] -= amount
        if dst is not None:
            self.balances[dst] += amount

    def distribute(self, amount: int) -> None:
        supply = sum(self.balances.values())
        pot = amount * MAG + self.carried
        if supply:
            # the exact share of what was available (amount plus the carried remainder)
            for holder, balance in self.balances.items():
                self.ideal[holder] += Fraction(balance * pot, supply * MAG)
        increment = pot // supply if supply else 0
        self.carried = pot - increment * supply
        self.per_token += increment

    def claimable(self, holder: str) -> int:
        self._settle(holder)
        return self.owed[holder] // MAG

    def claim(self, holder: str) -> int:
        amount = self.claimable(holder)
        self.owed[holder] -= amount * MAG
        return amount


holder_index = st.integers(0, 4)
share = st.integers(1, 100)  # percent of the current balance
operations = st.lists(
    st.one_of(
        st.tuples(st.just("mint"), holder_index, st.integers(1, 10**9)),
        st.tuples(st.just("burn"), holder_index, share),
        st.tuples(st.just("transfer"), holder_index, holder_index, share),
        st.tuples(st.just("forced"), holder_index, holder_index, share),
        st.tuples(st.just("distribute"), st.integers(1, 10**12)),
        st.tuples(st.just("claim"), holder_index),
    ),
    min_size=1,
    max_size=14,
)


def apply(deal: Deal, mirror: Mirror, op: tuple) -> None:
    kind, *args = op
    if kind == "mint":
        holder = deal.holders[args[0]]
        deal.pool.mint(holder, args[1])
        mirror.move(None, holder, args[1])
    elif kind == "distribute":
        deal.fund_and_distribute(args[0])
        mirror.distribute(args[0])
    elif kind == "claim":
        holder = deal.holders[args[0]]
        before = deal.paid(holder)
        deal.as_holder(holder).claim()
        assert deal.paid(holder) - before == mirror.claim(holder)
    else:
        src = deal.holders[args[0]]
        amount = mirror.balances[src] * args[-1] // 100
        if amount == 0:
            return
        dst = deal.holders[args[1]] if kind != "burn" else None
        if kind == "burn":
            deal.pool.burn(src, amount)
        elif kind == "transfer":
            deal.as_holder(src).transfer(dst, amount)
        else:
            deal.agent.forced_transfer(src, dst, amount, "PROPERTY")
        mirror.move(src, dst, amount)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_distribution_accounting_is_exact(module_deal: Deal, ops):
    deal = module_deal
    with rolled_back(deal.w3, list(deal.senders.values())):
        mirror = Mirror()
        distributed = 0
        for op in ops:
            apply(deal, mirror, op)
            distributed += op[1] if op[0] == "distribute" else 0

        fns = deal.pool.contract.functions
        claimed = {h: deal.paid(h) for h in deal.holders}
        claimable = {h: deal.pool.claimable(h) for h in deal.holders}
        held = deal.held_by_token()
        dust = held - sum(claimable.values())
        # conservation: every unit distributed is paid, claimable, or dust, exactly
        assert sum(claimed.values()) + sum(claimable.values()) + dust == distributed
        assert (fns.totalDistributed().call(), fns.totalClaimed().call()) == (
            distributed,
            sum(claimed.values()),
        )
        assert dust >= 0
        for holder in deal.holders:
            assert claimable[holder] == mirror.claimable(holder)  # (settles the mirror)
        # dust is the carried remainder plus each holder's sub-unit fraction, nothing else
        fractions = sum(mirror.owed[h] % MAG for h in deal.holders)
        assert dust * MAG == mirror.carried + fractions
        assert fns.carriedRemainder().call() == mirror.carried
        for holder in deal.holders:
            got = claimed[holder] + claimable[holder]
            # never more than the pro-rata share rounded down, and at most one unit less
            assert got <= int(mirror.ideal[holder])
            assert int(mirror.ideal[holder]) - got <= 1
