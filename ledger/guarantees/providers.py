"""Cover providers by name: the guarantors and insurers the agent admitted, each with its own
address (the ``provider`` of the facilities it deploys) and an API key bound to it.

Two providers always exist and are not stored: ``guarantor`` and ``insurer``, the service's
keystore keys of those roles (the configured ``guarantor`` and ``insurer`` API keys act as
them). Every other provider is a ``CoverProvider`` row: admitting one without an address
creates the keystore role ``cover-<name>`` (the service holds its key and signs for it, like
a custodial investor's); admitting one with its own address binds the API key to that
address, and the service refuses to sign for it (the provider sends its own transactions).
The admission is an investor-registry entry (the contracts refuse a provider not admitted).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ledger.apikeys import key_hash, new_key
from ledger.deals.service import DealConflict, DealError, DealNotFound, DealService, Written
from ledger.deals.service.accounts import admitted_address
from ledger.deals.service.inputs import INVESTOR_NAME, input_errors
from ledger.store.cover_tables import CoverProvider
from ledger.store.db import session_scope

if TYPE_CHECKING:
    from ledger.runtime import Runtime

KINDS = ("guarantee", "insurance")
DEFAULTS = {"guarantor": "guarantee", "insurer": "insurance"}  # name (= keystore role) -> kind
RESERVED = (*DEFAULTS, "structurer")  # "structurer" names the structurer in a release


def provider_role(name: str) -> str:
    """The keystore role of a service-held provider key."""
    return f"cover-{name}"


@dataclass(frozen=True)
class Provider:
    name: str
    kind: str
    address: str
    custodial: bool  # the service holds the key and signs
    default: bool  # one of the service's own ``guarantor`` / ``insurer`` keys

    @property
    def key_role(self) -> str | None:
        """The keystore role the service signs with; None when the provider signs itself."""
        if self.default:
            return self.name
        return provider_role(self.name) if self.custodial else None


@dataclass(frozen=True)
class NewProvider:
    provider: Provider
    api_key: str | None  # only when this call created the provider
    written: Written


def _of(row: CoverProvider) -> Provider:
    return Provider(row.name, row.kind, row.address, row.custodial, default=False)


class ProviderBook:
    """Admit, look up and list cover providers over one runtime."""

    def __init__(self, runtime: Runtime, deals: DealService | None = None) -> None:
        self.runtime = runtime
        self.deals = deals or DealService(runtime)

    def get(self, name: str) -> Provider:
        """A provider by name (the two defaults included); DealNotFound naming ``provider``."""
        if name in DEFAULTS:
            address = self.runtime.keystore.signer(name).address
            return Provider(name, DEFAULTS[name], address, custodial=True, default=True)
        with Session(self.runtime.engine) as session:
            row = session.get(CoverProvider, name)
        if row is None:
            raise DealNotFound("provider", f"no cover provider named {name!r}")
        return _of(row)

    def for_key(self, api_key: str) -> Provider | None:
        """The provider an API key is bound to, if any."""
        with Session(self.runtime.engine) as session:
            row = session.exec(
                select(CoverProvider).where(CoverProvider.api_key_hash == key_hash(api_key))
            ).first()
        return _of(row) if row else None

    def all(self) -> list[Provider]:
        """The two defaults, then the admitted providers by name."""
        with Session(self.runtime.engine) as session:
            rows = session.exec(select(CoverProvider).order_by(CoverProvider.name)).all()
        return [self.get(name) for name in DEFAULTS] + [_of(r) for r in rows]

    def add(
        self,
        name: str,
        kind: str,
        kyc_expiry: int,
        jurisdiction: str,
        address: str | None = None,
    ) -> NewProvider:
        """Admit ``name`` in the investor registry (or renew its KYC) as a ``kind`` provider;
        a new provider gets an API key, returned here only. Without ``address`` the service
        creates and holds its key."""
        if not INVESTOR_NAME.fullmatch(name):
            raise DealError("name", "1-32 of a-z, 0-9, '-', '_', starting with a letter or digit")
        if name in RESERVED:
            raise DealError("name", f"{name!r} is reserved (the service's own keys)")
        if kind not in KINDS:
            raise DealError("kind", "must be guarantee or insurance")
        with Session(self.runtime.engine) as session:
            existing = session.get(CoverProvider, name)
        if existing is not None and existing.kind != kind:
            raise DealConflict("kind", f"{name} is already a {existing.kind} provider")
        address, custodial = admitted_address(
            self.runtime, name, address, existing.address if existing else None, provider_role
        )
        if existing is None:
            self._check_address_free(address)
        with input_errors():
            written = Written.of(
                self.deals.registry.set_investor(address, kyc_expiry, jurisdiction)
            )
        if existing is not None:
            return NewProvider(_of(existing), None, written)
        api_key = new_key(kind)
        row = CoverProvider(
            name=name,
            kind=kind,
            address=address,
            custodial=custodial,
            api_key_hash=key_hash(api_key),
            created_at=int(time.time()),
        )
        try:
            with session_scope(self.runtime.engine) as session:
                session.add(row)
        except IntegrityError:  # the same name or address admitted concurrently
            raise DealConflict("name", f"{name} was admitted meanwhile: admit it again") from None
        return NewProvider(_of(row), api_key, written)

    def _check_address_free(self, address: str) -> None:
        """One address, one provider: the facilities' ``provider`` names their owner."""
        taken = [p.name for p in self.all() if p.address == address]
        if taken:
            raise DealConflict("address", f"{address} is already provider {taken[0]}")
