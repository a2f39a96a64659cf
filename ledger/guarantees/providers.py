"""Cover providers by name: the guarantors and insurers the agent admitted, each with its own
address (the ``provider`` of the facilities it deploys) and an API key bound to it.

Two providers always exist and are not stored: ``guarantor`` and ``insurer``, the service's
keystore keys of those roles (the configured ``guarantor`` and ``insurer`` API keys act as
them). Every other provider is a ``CoverProvider`` row: admitting one without an address
creates the keystore role ``cover-<name>`` (the service holds its key and signs for it, like
a custodial investor's); admitting one with its own address binds the API key to that
address, and the service refuses to sign for it (the provider sends its own transactions).
The admission is an investor-registry entry (the contracts refuse a provider not admitted).

The agent or an admin rotates a provider's API key (the new key is shown once and the old
one refused from then on) or removes the provider: its registry entry is removed (so a
provider signing itself cannot deploy new cover either) and its key refused; its row stays,
so its facilities still name a known provider and its name and address are not reused.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

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
    key_rotated_at: int | None = None
    removed_at: int | None = None  # removed: its key is refused and it acts no more

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


@dataclass(frozen=True)
class RotatedKey:
    provider: Provider
    api_key: str  # shown once


@dataclass(frozen=True)
class Removed:
    provider: Provider
    written: Written | None  # its registry removal (None when it was no longer listed)


def _of(row: CoverProvider) -> Provider:
    return Provider(
        row.name,
        row.kind,
        row.address,
        row.custodial,
        default=False,
        key_rotated_at=row.key_rotated_at,
        removed_at=row.removed_at,
    )


def _removal_key(address: str) -> str:
    """The registry removal's transaction key: one per address, as addresses are not reused."""
    return f"cover:provider-remove:{address}"


class ProviderBook:
    """Admit, look up and list cover providers over one runtime."""

    def __init__(self, runtime: Runtime, deals: DealService | None = None) -> None:
        self.runtime = runtime
        self.deals = deals or DealService(runtime)

    def get(self, name: str, *, removed: bool = False) -> Provider:
        """A provider by name (the two defaults included); DealNotFound naming ``provider``.
        A removed provider is a DealConflict (it acts no more) unless ``removed``."""
        if name in DEFAULTS:
            address = self.runtime.keystore.signer(name).address
            return Provider(name, DEFAULTS[name], address, custodial=True, default=True)
        row = self._row(name)
        if row.removed_at is not None and not removed:
            raise DealConflict("provider", f"{name} was removed: it acts no more")
        return _of(row)

    def _row(self, name: str) -> CoverProvider:
        with Session(self.runtime.engine) as session:
            row = session.get(CoverProvider, name)
        if row is None:
            raise DealNotFound("provider", f"no cover provider named {name!r}")
        return row

    def for_key(self, api_key: str) -> Provider | None:
        """The provider an API key is bound to, if any (never a removed one)."""
        with Session(self.runtime.engine) as session:
            row = session.exec(
                select(CoverProvider).where(
                    CoverProvider.api_key_hash == key_hash(api_key),
                    col(CoverProvider.removed_at).is_(None),
                )
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
        if existing is not None and existing.removed_at is not None:
            raise DealConflict("name", f"{name} was removed: names are not reused")
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

    def rotate(self, name: str) -> RotatedKey:
        """A new API key for ``name``, returned here only; the old key is refused from the
        moment this returns (one row update: there is never a second valid key)."""
        row = self._stored(name, "rotate its key")
        api_key = new_key(row.kind)
        now = int(time.time())
        changes = {"api_key_hash": key_hash(api_key), "key_rotated_at": now}
        self._update(name, changes)
        return RotatedKey(replace(_of(row), key_rotated_at=now), api_key)

    def remove(self, name: str) -> Removed:
        """Remove ``name``: its investor-registry entry (under a transaction key recorded
        before broadcast, so a retry after a crash finds it rather than sending again), then
        its key. Its facilities stay as the chain has them."""
        row = self._stored(name, "remove it")
        registry = self.deals.registry
        key = _removal_key(row.address)
        store = registry.sender.idempotency
        written = None
        if (store and store.get(key)) or registry.investor(row.address).listed:
            with input_errors():
                written = Written.of(registry.remove_investor(row.address, key))
        now = int(time.time())
        tx = written.tx_hash if written else ""
        self._update(name, {"api_key_hash": "", "removed_at": now, "removed_tx": tx})
        return Removed(replace(_of(row), removed_at=now), written)

    def _stored(self, name: str, what: str) -> CoverProvider:
        """An admitted provider still in force; refusals name ``name`` or ``provider``."""
        if name in DEFAULTS:
            raise DealError(
                "name",
                f"{name!r} is the service's own key: to {what}, change the configured "
                f"{name} API key (CREDENCE_API_KEYS or the key file)",
            )
        row = self._row(name)
        if row.removed_at is not None:
            raise DealConflict("provider", f"{name} was removed already")
        return row

    def _update(self, name: str, changes: dict[str, object]) -> None:
        """Apply ``changes`` to ``name`` if it is still in force (one statement, so a
        concurrent removal is never undone by a rotation)."""
        table = CoverProvider.__table__  # type: ignore[attr-defined]
        statement = (
            update(table)
            .where(table.c.name == name, table.c.removed_at.is_(None))
            .values(**changes)
        )
        with session_scope(self.runtime.engine) as session:
            done = session.execute(statement).rowcount  # type: ignore[attr-defined]
        if done != 1:
            raise DealConflict("provider", f"{name} was removed meanwhile")
