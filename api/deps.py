"""Dependencies in one place: API-key roles, the service container."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Header, Request

from api.errors import ApiError


class Role(StrEnum):
    admin = "admin"
    attester = "attester"
    verifier = "verifier"
    auditor = "auditor"


@dataclass
class Services:
    """What the routers use; built once per app by ``api.main.create_app``."""

    runtime: Any  # ledger.runtime.Runtime
    attestations: Any  # ledger.attest.service.AttestationService
    registry: Any  # ledger.attest.registry.Registry, signing as the service's attester
    registrar: Any  # the same registry, signing as the admin (registrar role)
    api_keys: dict[str, Role] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)


def services(request: Request) -> Services:
    return request.app.state.services


def caller_role(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="API key; its role decides access")] = None,
) -> Role:
    if not x_api_key:
        raise ApiError(401, "missing X-API-Key header", field="X-API-Key")
    role = services(request).api_keys.get(x_api_key)
    if role is None:
        raise ApiError(401, "unknown API key", field="X-API-Key")
    return role


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
