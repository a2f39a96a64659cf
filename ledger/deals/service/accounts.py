"""Investor accounts and compliance (agent): admit, remove, freeze, forced transfers."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from web3 import Web3

from ledger.apikeys import new_key
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

if TYPE_CHECKING:
    from ledger.runtime import Runtime


def admitted_address(
    runtime: Runtime,
    name: str,
    given: str | None,
    on_file: str | None,
    role: Callable[[str], str],
) -> tuple[str, bool]:
    """The address an investor or cover provider ``name`` is admitted at, and whether the
    service holds its key: the given address, else the one on file, else a key the service
    makes under keystore role ``role(name)`` (funded on a dev chain). A given address that
    differs from the one on file is a conflict."""
    custodial = given is None and on_file is None
    address = given if given is not None else on_file
    if address is None:
        address = runtime.keystore.signer(role(name)).address
        if runtime.is_dev_chain():
            runtime.fund_dev_keys((role(name),))
    if not Web3.is_address(address):
        raise DealError("address", f"not an address: {address!r}")
    address = Web3.to_checksum_address(address)
    if on_file is not None and on_file != address:
        raise DealConflict("address", f"{name} is already {on_file}")
    return address, custodial


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
        address, custodial = admitted_address(
            self.runtime, name, address, existing.address if existing else None, investor_role
        )
        with input_errors():
            written = Written.of(self.registry.set_investor(address, kyc_expiry, jurisdiction))
        if existing:
            return NewInvestor(existing, None, written)
        api_key = new_key("investor")
        account = InvestorAccount(
            name=name,
            address=address,
            custodial=custodial,
            api_key_hash=api_key_hash(api_key),
            created_at=int(time.time()),
        )
        try:
            with session_scope(self.runtime.engine) as session:
                session.add(account)
        except IntegrityError:  # admitted concurrently (as cover providers are, a 409 not a 500)
            raise DealConflict("name", f"{name} was admitted meanwhile: admit it again") from None
        return NewInvestor(account, api_key, written)

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
