"""Investor accounts and compliance (agent): admit, remove, freeze, forced transfers."""

from __future__ import annotations

import secrets
import time

from sqlmodel import Session, select
from web3 import Web3

from ledger.deals.service.base import ServiceBase
from ledger.deals.service.inputs import (
    INVESTOR_NAME,
    DealConflict,
    DealError,
    NewInvestor,
    Written,
    api_key_hash,
    input_errors,
    investor_role,
)
from ledger.store.db import session_scope
from ledger.store.deal_tables import (
    InvestorAccount,
)


class AccountOps(ServiceBase):
    """Investor accounts, the registry and forced transfers."""

    def investor_for_key(self, api_key: str) -> str | None:
        with Session(self.runtime.engine) as session:
            row = session.exec(
                select(InvestorAccount).where(InvestorAccount.api_key_hash == api_key_hash(api_key))
            ).first()
        return row.name if row else None

    def add_investor(
        self, name: str, kyc_expiry: int, jurisdiction: str, address: str | None = None
    ) -> NewInvestor:
        """Admit or update an investor; without ``address`` the service holds its key."""
        if not INVESTOR_NAME.fullmatch(name):
            raise DealError("name", "1-32 of a-z, 0-9, '-', '_', starting with a letter or digit")
        with Session(self.runtime.engine) as session:
            existing = session.get(InvestorAccount, name)
        custodial = address is None and existing is None
        if address is None:
            address = existing.address if existing else self._custodial_address(name)
        if not Web3.is_address(address):
            raise DealError("address", f"not an address: {address!r}")
        address = Web3.to_checksum_address(address)
        if existing and existing.address != address:
            raise DealConflict("address", f"{name} is already {existing.address}")
        with input_errors():
            written = Written.of(self.registry.set_investor(address, kyc_expiry, jurisdiction))
        if existing:
            return NewInvestor(existing, None, written)
        api_key = f"investor-{secrets.token_urlsafe(24)}"
        account = InvestorAccount(
            name=name,
            address=address,
            custodial=custodial,
            api_key_hash=api_key_hash(api_key),
            created_at=int(time.time()),
        )
        with session_scope(self.runtime.engine) as session:
            session.add(account)
        return NewInvestor(account, api_key, written)

    def _custodial_address(self, name: str) -> str:
        role = investor_role(name)
        address = self.runtime.keystore.signer(role).address
        if self.runtime.is_dev_chain():
            self.runtime.fund_dev_keys((role,))
        return address

    def remove_investor(self, ident: str) -> Written:
        with input_errors():
            return Written.of(self.registry.remove_investor(self.resolve(ident)))

    def freeze(self, ident: str, reason: int) -> Written:
        with input_errors():
            return Written.of(self.registry.freeze(self.resolve(ident), reason))

    def unfreeze(self, ident: str) -> Written:
        with input_errors():
            return Written.of(self.registry.unfreeze(self.resolve(ident)))

    def forced_transfer(
        self,
        address: str,
        tranche: int | str,
        holder: str,
        to: str,
        amount: int,
        reason: str,
    ) -> Written:
        token = self._token(address, tranche, self.runtime.sender("agent"))
        with input_errors():
            receipt = token.forced_transfer(self.resolve(holder), self.resolve(to), amount, reason)
        return Written.of(receipt)
