"""A dev-chain deal environment for tests, benchmarks and demos."""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3
from web3.contract import Contract

from ledger.chain.deploy import deploy
from ledger.deals.investors import InvestorRegistryClient
from ledger.deals.pool import PoolClient, PoolFactoryClient
from ledger.deals.pool_types import Parties, PoolInputError, PoolSetup, TapeCommitment
from ledger.tx import Sender


@dataclass
class Sandbox:
    """A dev-chain deal environment for tests, benchmarks and demos: a settlement token
    (``MockStablecoin``, open mint), an investor registry with allowlisted investors, a pool
    factory, and who plays which part. Never for a chain where balances are worth anything."""

    w3: Web3
    stable: Contract
    registry: InvestorRegistryClient
    factory: PoolFactoryClient
    structurer: Sender  # also the admin and the registry's compliance officer
    servicer: Sender
    parties: Parties
    investors: list[Sender]
    outsider: Sender  # never allowlisted
    senders: list[Sender]

    @classmethod
    def deploy(cls, senders: list[Sender], kyc_years: int = 10) -> Sandbox:
        """From at least 7 funded senders: 0 admin and structurer, 1 servicer, 2 originator,
        3-4 fee recipients, 5 .. n-2 allowlisted investors, the last an outsider."""
        if len(senders) < 7:
            raise PoolInputError("senders", f"need at least 7, got {len(senders)}")
        admin, w3 = senders[0], senders[0].w3
        registry = InvestorRegistryClient.deploy(admin, admin.address)
        registry.grant_role("COMPLIANCE_ROLE", admin.address)
        expiry = w3.eth.get_block("latest")["timestamp"] + kyc_years * 365 * 86_400
        for investor in senders[5:-1]:
            registry.set_investor(investor.address, expiry, "GB")
        stable, _ = deploy(admin, "MockStablecoin")
        parties = Parties(
            admin=admin.address,
            structurer=admin.address,
            servicer=senders[1].address,
            originator=senders[2].address,
            servicer_fee_recipient=senders[3].address,
            trustee_fee_recipient=senders[4].address,
        )
        return cls(
            w3=w3,
            stable=stable,
            registry=registry,
            factory=PoolFactoryClient.deploy(admin),
            structurer=admin,
            servicer=senders[1],
            parties=parties,
            investors=senders[5:-1],
            outsider=senders[-1],
            senders=senders,
        )

    def mint(self, to: str, amount: int) -> None:
        self.structurer.send(self.stable.functions.mint(to, amount))

    def balance(self, who: str) -> int:
        return self.stable.functions.balanceOf(who).call()

    def create(self, setup: PoolSetup, tape: TapeCommitment) -> PoolClient:
        """A new pool of ``setup``, as seen by the structurer."""
        pool = self.factory.create_pool(
            setup,
            parties=self.parties,
            settlement_token=self.stable.address,
            registry=self.registry.address,
            tape=tape,
        )
        return pool.as_sender(self.structurer)

    def snapshot(self) -> str:
        return self.w3.provider.make_request("evm_snapshot", [])["result"]

    def rollback(self, snap: str) -> None:
        """Revert to ``snap``; the senders forget the nonces the rollback undid."""
        self.w3.provider.make_request("evm_revert", [snap])
        for sender in self.senders:
            sender.resync_nonce()
