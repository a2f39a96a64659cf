"""What every part of the deal service shares: the runtime, the deployed contracts and
the keystore keys that sign for each role."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from sqlmodel import Session
from web3 import Web3

from ledger.chain.deploy import contract_at
from ledger.deals.investors import InvestorRegistryClient
from ledger.deals.pool import PoolClient, PoolFactoryClient
from ledger.deals.service.inputs import DealConflict, DealError, DealNotFound, investor_role
from ledger.deals.spec import DealSpec, parse_spec
from ledger.store.deal_tables import DealPool, DealSpecRecord, InvestorAccount
from ledger.tx import Sender

if TYPE_CHECKING:
    from ledger.runtime import Runtime


@dataclass
class ServiceBase:
    runtime: Runtime

    def _deployed(self, name: str) -> str:
        manifest = self.runtime.manifest
        if manifest is None or name not in manifest.contracts:
            raise DealConflict(
                "deployment", f"no {name} on this chain: deploy on a fresh chain (credence up)"
            )
        return manifest.address(name)

    @cached_property
    def factory(self) -> PoolFactoryClient:
        return PoolFactoryClient.at(
            self.runtime.sender("structurer"), self._deployed("PoolFactory")
        )

    @cached_property
    def registry(self) -> InvestorRegistryClient:
        address = self._deployed("InvestorRegistry")
        return InvestorRegistryClient.at(self.runtime.sender("agent"), address)

    def pool(self, address: str, role: str = "structurer") -> PoolClient:
        """A pool this deployment's factory created, sending as ``role``; else DealNotFound."""
        if not Web3.is_address(address):
            raise DealError("pool", f"not an address: {address!r}")
        address = Web3.to_checksum_address(address)
        if not self.factory.contract.functions.isPool(address).call():
            raise DealNotFound("pool", f"no pool {address} was created by this factory")
        return PoolClient.at(self.runtime.sender(role), address)

    def _mock_token(self) -> str | None:
        manifest = self.runtime.manifest
        if manifest is None or "MockStablecoin" not in manifest.contracts:
            return None
        return manifest.address("MockStablecoin")

    def _ensure_funds(self, pool: PoolClient, holder: str, amount: int) -> None:
        """Dev chains only: mint a custodial payer what it lacks (no borrowers or banks exist
        there). On any other token a shortfall is a conflict naming the balance."""
        token = pool.settlement_token()
        balance = token.functions.balanceOf(holder).call()
        if balance >= amount:
            return
        if token.address != self._mock_token():
            raise DealConflict("amount", f"{holder} holds {balance} units, needs {amount}")
        mock = contract_at(self.runtime.w3, "MockStablecoin", token.address)
        self.runtime.sender("admin").send(mock.functions.mint(holder, amount - balance))

    # -- lookups every resource uses ----------------------------------------------------

    def account(self, name: str) -> InvestorAccount:
        with Session(self.runtime.engine) as session:
            row = session.get(InvestorAccount, name)
        if row is None:
            raise DealNotFound("investor", f"no investor named {name!r}")
        return row

    def resolve(self, ident: str) -> str:
        """An investor's address from its name or an address."""
        if Web3.is_address(ident):
            return Web3.to_checksum_address(ident)
        return self.account(ident).address

    def stored_spec(self, address: str) -> DealSpec | None:
        with Session(self.runtime.engine) as session:
            row = session.get(DealSpecRecord, address)
        return parse_spec(json.loads(row.spec)) if row else None

    def tranche_names(self, address: str, count: int | None = None) -> list[str]:
        spec = self.stored_spec(Web3.to_checksum_address(address))
        if spec is not None:
            return spec.tranche_names
        if count is None:
            count = self.pool_row(address).tranche_count
        return [f"class-{i + 1}" for i in range(count)]

    def tranche_index(self, address: str, tranche: int | str) -> int:
        """A tranche by index (0 = most senior) or by its name in the deal spec."""
        count = self.pool(address).contract.functions.trancheCount().call()
        if isinstance(tranche, int) or (isinstance(tranche, str) and tranche.isdigit()):
            if not 0 <= int(tranche) < count:
                raise DealError("tranche", f"the deal has tranches 0..{count - 1}, not {tranche}")
            return int(tranche)
        names = self.tranche_names(address, count)
        if tranche not in names:
            raise DealError("tranche", f"no tranche {tranche!r}; the deal has {', '.join(names)}")
        return names.index(tranche)

    def investor_sender(self, name: str) -> Sender:
        account = self.account(name)
        if not account.custodial:
            raise DealConflict(
                "investor", f"{name} signs with its own key; the service holds none for it"
            )
        return self.runtime.sender(investor_role(name))

    def pool_row(self, address: str) -> DealPool:
        key = Web3.to_checksum_address(address) if Web3.is_address(address) else address
        with Session(self.runtime.engine) as session:
            row = session.get(DealPool, key)
        if row is None:
            raise DealNotFound("pool", f"no pool {address} in the index")
        return row

    def token_decimals(self, address: str) -> int:
        """Decimals of a pool's settlement token (whole units <-> smallest units)."""
        token = self.pool(address).settlement_token().address
        return int(
            contract_at(self.runtime.w3, "MockStablecoin", token).functions.decimals().call()
        )
