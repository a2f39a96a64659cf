"""TrancheToken against a real Anvil node: permissions, forced transfers, distributions, gas."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from ledger.chain.compiler import artifact
from ledger.chain.deploy import deploy
from ledger.deals.investors import (
    InvestorInputError,
    InvestorRegistryClient,
    InvestorStatus,
    TrancheTokenClient,
)
from ledger.tx import Sender

from .reverts import err, reverts

MAG = 2**128
YEAR = 365 * 24 * 3600
ZERO = "0x" + "00" * 20
OUTSIDER = "0x000000000000000000000000000000000000dEaD"
AGENT_ROLE = "0x" + Web3.keccak(text="AGENT_ROLE").hex()


@dataclass
class Deal:
    """One tranche token with its registry and settlement token, and who acts on them."""

    w3: Web3
    registry: InvestorRegistryClient  # as compliance
    stable: Contract
    pool: TrancheTokenClient  # as the pool
    agent: TrancheTokenClient  # as AGENT_ROLE
    holders: list[str]
    senders: dict[str, Sender]

    def as_holder(self, holder: str) -> TrancheTokenClient:
        return self.pool.as_sender(self.senders[holder])

    def fund_and_distribute(self, amount: int):
        """What the pool does: move settlement tokens to the token, then distribute."""
        self.pool.sender.send(self.stable.functions.mint(self.pool.address, amount))
        return self.pool.distribute(amount)

    def paid(self, holder: str) -> int:
        return self.stable.functions.balanceOf(holder).call()

    def held_by_token(self) -> int:
        return self.stable.functions.balanceOf(self.pool.address).call()


def kyc_expiry(w3: Web3) -> int:
    return w3.eth.get_block("latest")["timestamp"] + YEAR


def events(client: TrancheTokenClient, receipt, name: str) -> list[dict]:
    logs = getattr(client.contract.events, name)().process_receipt(receipt, errors=DISCARD)
    return [dict(log["args"]) for log in logs]


def setup_deal(w3: Web3, dev_accounts, make_sender) -> Deal:
    admin, pool, agent = (make_sender(a) for a in dev_accounts[:3])
    registry = InvestorRegistryClient.deploy(admin, admin.address)
    registry.grant_role("COMPLIANCE_ROLE", admin.address)
    stable, _ = deploy(admin, "MockStablecoin")
    token = TrancheTokenClient.deploy(
        admin,
        name="Credence 2026-1 Class A",
        symbol="CRD-A",
        decimals=6,
        registry=registry.address,
        settlement_token=stable.address,
        pool=pool.address,
        admin=admin.address,
    )
    token.grant_role("AGENT_ROLE", agent.address)
    holders = [a.address for a in dev_accounts[3:8]]
    for holder in holders:
        registry.set_investor(holder, kyc_expiry(w3), "GB")
    return Deal(
        w3=w3,
        registry=registry,
        stable=stable,
        pool=token.as_sender(pool),
        agent=token.as_sender(agent),
        holders=holders,
        senders={a.address: make_sender(a) for a in dev_accounts},
    )


@contextmanager
def rolled_back(w3: Web3, senders: list[Sender]) -> Iterator[None]:
    """Run on an EVM snapshot; afterwards revert it and forget the senders' cached nonces."""
    snap = w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        yield
    finally:
        w3.provider.make_request("evm_revert", [snap])
        for sender in senders:
            sender.resync_nonce()


@pytest.fixture(scope="module")
def module_deal(w3, dev_accounts, make_sender) -> Deal:
    return setup_deal(w3, dev_accounts, make_sender)


@pytest.fixture
def deal(module_deal: Deal) -> Iterator[Deal]:
    with rolled_back(module_deal.w3, list(module_deal.senders.values())):
        yield module_deal


# ---------------------------------------------------------------- construction


def test_metadata_roles_and_wiring(module_deal: Deal, dev_accounts):
    token = module_deal.pool
    fns = token.contract.functions
    assert (fns.name().call(), fns.symbol().call(), fns.decimals().call()) == (
        "Credence 2026-1 Class A",
        "CRD-A",
        6,
    )
    assert fns.registry().call() == module_deal.registry.address
    assert fns.settlementToken().call() == module_deal.stable.address
    assert fns.pool().call() == dev_accounts[1].address
    assert token.has_role("DEFAULT_ADMIN_ROLE", dev_accounts[0].address)
    assert token.has_role("AGENT_ROLE", dev_accounts[2].address)
    assert not token.has_role("AGENT_ROLE", dev_accounts[0].address)
    assert fns.MAGNITUDE().call() == MAG
    assert fns.supportsInterface(interface_id("ITrancheToken")).call()
    assert fns.supportsInterface(bytes.fromhex("7965db0b")).call()  # IAccessControl


ERC20_FUNCTIONS = {"totalSupply", "balanceOf", "transfer", "allowance", "approve", "transferFrom"}


def interface_id(name: str) -> bytes:
    """ERC-165 id of ``name``: XOR of the selectors it declares (its IERC20 base excluded)."""
    result = 0
    for item in artifact(name).abi:
        if item["type"] == "function" and item["name"] not in ERC20_FUNCTIONS:
            signature = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
            result ^= int.from_bytes(Web3.keccak(text=signature)[:4], "big")
    return result.to_bytes(4, "big")


@pytest.mark.parametrize("position", ["registry", "settlementToken", "pool", "admin"])
def test_constructor_rejects_zero_addresses(deal: Deal, position):
    args = {
        "registry": deal.registry.address,
        "settlementToken": deal.stable.address,
        "pool": OUTSIDER,
        "admin": OUTSIDER,
    }
    args[position] = ZERO
    reverts(
        lambda: deploy(deal.registry.sender, "TrancheToken", "A", "A", 6, *args.values()),
        f"ZeroAddress({position})",
    )


def test_client_rejects_bad_input_naming_the_field(deal: Deal):
    bad = [
        (lambda: deal.pool.mint(OUTSIDER, -1), "amount"),
        (lambda: deal.pool.distribute(0), "amount"),
        (lambda: deal.pool.mint("not an address", 1), "to"),
        (lambda: deal.agent.freeze(OUTSIDER, 2**16), "reason"),
        (lambda: deal.agent.forced_transfer(OUTSIDER, OUTSIDER, 1, "x" * 33), "reason_code"),
        (lambda: deal.agent.forced_transfer(OUTSIDER, OUTSIDER, 1, b"short"), "reason_code"),
    ]
    for call, name in bad:
        with pytest.raises(InvestorInputError) as exc:
            call()
        assert exc.value.field == name


# ---------------------------------------------------------------- permissions


def test_only_the_pool_mints_burns_and_distributes(deal: Deal):
    holder = deal.holders[0]
    outsider = deal.agent
    expected = err("NotPool", outsider.sender.address)
    reverts(lambda: outsider.mint(holder, 1), expected)
    reverts(lambda: outsider.burn(holder, 1), expected)
    reverts(lambda: outsider.distribute(1), expected)


def test_mint_transfer_burn_between_allowed_investors(deal: Deal):
    a, b = deal.holders[:2]
    deal.pool.mint(a, 1_000)
    deal.as_holder(a).transfer(b, 300)
    deal.pool.burn(b, 100)
    assert (deal.pool.balance_of(a), deal.pool.balance_of(b)) == (700, 200)
    assert deal.pool.total_supply() == 900


def restrict(deal: Deal, account: str, how: str) -> str:
    """Make ``account`` ineligible in one way; returns the error a transfer then reverts with."""
    if how == "token_frozen":
        deal.agent.freeze(account, 42)
        return err("AccountFrozen", account, 42)
    if how == "registry_frozen":
        deal.registry.freeze(account, 9)
        status = InvestorStatus.FROZEN
    elif how == "not_listed":
        deal.registry.remove_investor(account)
        status = InvestorStatus.NOT_LISTED
    elif how == "jurisdiction_blocked":
        deal.registry.set_investor(account, kyc_expiry(deal.w3), "KP")
        deal.registry.set_jurisdiction_blocked("KP", True)
        status = InvestorStatus.JURISDICTION_BLOCKED
    else:  # kyc_expired
        expiry = deal.w3.eth.get_block("latest")["timestamp"] + 50
        deal.registry.set_investor(account, expiry, "GB")
        deal.w3.provider.make_request("evm_setNextBlockTimestamp", [expiry])
        deal.w3.provider.make_request("evm_mine", [])
        # every other holder must still be allowed after the clock moved
        status = InvestorStatus.KYC_EXPIRED
    return err("InvestorNotAllowed", account, int(status))


RESTRICTIONS = [
    "token_frozen",
    "registry_frozen",
    "not_listed",
    "jurisdiction_blocked",
    "kyc_expired",
]


@pytest.mark.parametrize("how", RESTRICTIONS)
def test_a_restricted_address_can_neither_send_nor_receive(deal: Deal, how):
    a, b, c = deal.holders[:3]
    deal.pool.mint(a, 500)
    deal.pool.mint(b, 500)
    expected = restrict(deal, b, how)

    reverts(lambda: deal.as_holder(a).transfer(b, 1), expected)  # receive
    reverts(lambda: deal.as_holder(b).transfer(c, 1), expected)  # send
    reverts(lambda: deal.pool.mint(b, 1), expected)
    reverts(lambda: deal.pool.burn(b, 1), expected)
    # through an allowance too: an eligible spender cannot move a restricted holder's tokens
    deal.as_holder(b).sender.send(deal.pool.contract.functions.approve(c, 10))
    pull = deal.as_holder(c).contract.functions.transferFrom(b, c, 1)
    reverts(lambda: deal.senders[c].send(pull), expected)
    assert deal.pool.balance_of(b) == 500

    deal.as_holder(a).transfer(c, 1)  # others are unaffected


def test_unfreeze_restores_transfers(deal: Deal):
    a, b = deal.holders[:2]
    deal.pool.mint(a, 10)
    receipt = deal.agent.freeze(a, 3)
    assert events(deal.agent, receipt, "Frozen") == [
        {"account": a, "reason": 3, "agent": deal.agent.sender.address}
    ]
    assert deal.pool.frozen_status(a) == (True, 3)
    receipt = deal.agent.unfreeze(a)
    assert events(deal.agent, receipt, "Unfrozen") == [
        {"account": a, "agent": deal.agent.sender.address}
    ]
    assert deal.pool.frozen_status(a) == (False, 0)
    deal.as_holder(a).transfer(b, 10)


def test_freeze_errors_and_access(deal: Deal):
    a = deal.holders[0]
    reverts(lambda: deal.agent.unfreeze(a), err("NotFrozen", a))
    deal.agent.freeze(a, 1)
    reverts(lambda: deal.agent.freeze(a, 1), err("AlreadyFrozen", a))
    outsider = deal.pool  # the pool has no agent powers
    denied = err("AccessControlUnauthorizedAccount", outsider.sender.address, AGENT_ROLE)
    reverts(lambda: outsider.freeze(deal.holders[1], 1), denied)
    reverts(lambda: outsider.unfreeze(a), denied)
    reverts(lambda: outsider.forced_transfer(a, deal.holders[1], 1, "ORDER-1"), denied)


# ---------------------------------------------------------------- forced transfer


def test_forced_transfer_moves_tokens_of_a_frozen_delisted_holder(deal: Deal):
    lost, replacement = deal.holders[:2]
    deal.pool.mint(lost, 1_000)
    deal.fund_and_distribute(500)  # accrues 500 to `lost`
    deal.agent.freeze(lost, 11)
    deal.registry.remove_investor(lost)

    receipt = deal.agent.forced_transfer(lost, replacement, 1_000, "COURT-2026-117")
    [forced] = events(deal.agent, receipt, "ForcedTransfer")
    assert forced == {
        "from": lost,
        "to": replacement,
        "amount": 1_000,
        "reasonCode": b"COURT-2026-117".ljust(32, b"\0"),
        "agent": deal.agent.sender.address,
    }
    assert events(deal.agent, receipt, "Transfer") == [
        {"from": lost, "to": replacement, "value": 1_000}
    ]
    assert (deal.pool.balance_of(lost), deal.pool.balance_of(replacement)) == (0, 1_000)
    # past distributions stayed with the old address; new ones go to the new holder
    assert (deal.pool.claimable(lost), deal.pool.claimable(replacement)) == (500, 0)
    deal.fund_and_distribute(300)
    # 300 * 2**128 / 1000 is not whole: rounding down leaves 299.99..., the fraction kept
    assert (deal.pool.claimable(lost), deal.pool.claimable(replacement)) == (500, 299)
    deal.fund_and_distribute(700)  # the carried remainder completes the sum exactly
    assert (deal.pool.claimable(lost), deal.pool.claimable(replacement)) == (500, 1_000)


@pytest.mark.parametrize("how", RESTRICTIONS)
def test_forced_transfer_still_requires_an_eligible_receiver(deal: Deal, how):
    a, b = deal.holders[:2]
    deal.pool.mint(a, 10)
    expected = restrict(deal, b, how)
    reverts(lambda: deal.agent.forced_transfer(a, b, 10, "ORDER-2"), expected)


def test_forced_transfer_bad_arguments(deal: Deal):
    a, b = deal.holders[:2]
    deal.pool.mint(a, 10)
    raw = deal.agent.contract.functions.forcedTransfer
    send = deal.agent.sender.send
    reverts(lambda: send(raw(a, b, 0, b"\0" * 32)), "ZeroAmount()")
    reverts(lambda: send(raw(ZERO, b, 1, b"\0" * 32)), err("ERC20InvalidSender", ZERO))
    reverts(lambda: send(raw(a, ZERO, 1, b"\0" * 32)), err("ERC20InvalidReceiver", ZERO))
    reverts(
        lambda: deal.agent.forced_transfer(a, b, 11, "ORDER-3"),
        err("ERC20InsufficientBalance", a, 10, 11),
    )


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


# ---------------------------------------------------------------- gas


def gas_with_holders(deal: Deal, extra_holders: int) -> dict[str, int]:
    """Gas of a distribute, a claim and a transfer with ``2 + extra_holders`` holders, in
    steady state (each storage slot touched once before, as in a deal's later periods)."""
    expiry = kyc_expiry(deal.w3)
    others = [
        Web3.to_checksum_address(Web3.keccak(text=f"h{i}")[:20]) for i in range(extra_holders)
    ]
    for start in range(0, extra_holders, 100):  # multicall batches keep the set-up quick
        chunk = others[start : start + 100]
        deal.registry.set_investors([(h, expiry, "GB") for h in chunk])
        deal.pool.mint_many([(h, 1_000_000 + start + i) for i, h in enumerate(chunk)])
    a, b = deal.holders[:2]
    deal.pool.mint_many([(a, 5_000_000), (b, 5_000_000)])
    deal.fund_and_distribute(1_234_567)
    deal.as_holder(a).claim()
    deal.as_holder(b).claim()
    deal.as_holder(a).transfer(b, 1_000)
    return {
        "distribute": deal.fund_and_distribute(7_654_321)["gasUsed"],
        "claim": deal.as_holder(a).claim()["gasUsed"],
        "transfer": deal.as_holder(a).transfer(b, 1_000)["gasUsed"],
    }


@pytest.mark.slow
def test_gas_does_not_grow_with_the_number_of_holders(module_deal: Deal):
    deal = module_deal
    senders = list(deal.senders.values())
    with rolled_back(deal.w3, senders):
        small = gas_with_holders(deal, 8)  # 10 holders
    with rolled_back(deal.w3, senders):
        large = gas_with_holders(deal, 998)  # 1,000 holders
        assert deal.pool.contract.functions.totalSupply().call() > 998 * 1_000_000
    print(f"\ngas at 10 holders: {small}\ngas at 1,000 holders: {large}")
    assert small == large
    assert small["distribute"] < 60_000
    assert small["claim"] < 80_000
    assert small["transfer"] < 90_000
