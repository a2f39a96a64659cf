"""Shared by the TrancheToken tests: one token with its registry and settlement token
(``Deal``), the ways an address can be restricted, and chain snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from web3 import Web3
from web3.contract import Contract

from ledger.chain.deploy import deploy
from ledger.deals.investors import InvestorRegistryClient, InvestorStatus, TrancheTokenClient
from ledger.tx import Sender
from tests.contracts.reverts import err

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
