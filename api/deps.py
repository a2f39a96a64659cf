"""Dependencies in one place: API-key roles, the service container."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from api.errors import ApiError

if TYPE_CHECKING:
    from api.keys import KeyRing


class Role(StrEnum):
    admin = "admin"
    attester = "attester"
    verifier = "verifier"
    auditor = "auditor"
    structurer = "structurer"
    servicer = "servicer"
    investor = "investor"
    agent = "agent"  # compliance: the investor registry, freezes, forced transfers
    guarantor = "guarantor"  # deploys and funds its own guarantee facilities
    insurer = "insurer"  # deploys and funds its own insurance policies


@dataclass(frozen=True)
class Caller:
    """Who is calling: the key's role, and for an investor's own key the investor's name,
    for an admitted guarantor's or insurer's key the provider's name."""

    role: Role
    investor: str | None = None
    provider: str | None = None


@dataclass
class Services:
    """What the routers use; built once per app by ``api.main.create_app``."""

    runtime: Any  # ledger.runtime.Runtime
    attestations: Any  # ledger.attest.service.AttestationService
    registry: Any  # ledger.attest.registry.Registry, signing as the service's attester
    registrar: Any  # the same registry, signing as the admin (registrar role)
    api_keys: KeyRing = field(default_factory=lambda: _empty_ring())
    extras: dict[str, Any] = field(default_factory=dict)
    deals: Any = None  # ledger.deals.service.DealService


def services(request: Request) -> Services:
    return request.app.state.services


# A declared security scheme: OpenAPI lists it and Swagger UI offers "Authorize".
API_KEY = APIKeyHeader(
    name="X-API-Key",
    scheme_name="ApiKey",
    description="API key; its role (admin, attester, verifier, auditor, structurer, "
    "servicer, investor, agent, guarantor, insurer) decides access",
    auto_error=False,
)


def _empty_ring() -> KeyRing:
    from api.keys import KeyRing

    return KeyRing()


def resolve_key(svc: Services, key: str) -> Caller | None:
    """The configured keys, then the keys the agent issued to investors and to cover
    providers it admitted."""
    role = svc.api_keys.role_for(key)
    if role is not None:
        return Caller(role)
    if svc.deals is None:
        return None
    investor = svc.deals.investor_for_key(key)
    if investor is not None:
        return Caller(Role.investor, investor)
    from ledger.guarantees.providers import ProviderBook

    provider = ProviderBook(svc.runtime, svc.deals).for_key(key)
    if provider is None:
        return None
    role = Role.guarantor if provider.kind == "guarantee" else Role.insurer
    return Caller(role, provider=provider.name)


def caller(request: Request, x_api_key: Annotated[str | None, Security(API_KEY)] = None) -> Caller:
    """Who calls: resolved by the guard (``api.guard``) before the body was read."""
    known = getattr(request.state, "caller", None)
    if isinstance(known, Caller):
        return known
    if not x_api_key:
        raise ApiError(401, "missing X-API-Key header", field="X-API-Key")
    found = resolve_key(services(request), x_api_key)
    if found is None:
        raise ApiError(401, "unknown API key", field="X-API-Key")
    return found


def caller_role(caller: Annotated[Caller, Depends(caller)]) -> Role:
    return caller.role


def require(*roles: Role) -> Callable[..., Role]:
    """Dependency allowing only ``roles`` (admin is always allowed)."""

    def check(role: Annotated[Role, Depends(caller_role)]) -> Role:
        if role is not Role.admin and role not in roles:
            allowed = ", ".join(r.value for r in roles) or "admin"
            raise ApiError(403, f"role {role.value!r} may not do this (needs {allowed})")
        return role

    return check


ServicesDep = Annotated[Services, Depends(services)]
AnyRole = Annotated[Role, Depends(caller_role)]
CallerDep = Annotated[Caller, Depends(caller)]
