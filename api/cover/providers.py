"""Cover providers: the compliance agent admits guarantors and insurers by name, each with
its own address and an API key bound to it (``ledger.guarantees.providers``); the agent and
auditors list them, a provider reads itself; an admin rotates a provider's key or removes
the provider."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, Request

from api.cover.provider_schemas import (
    KeyRotatedOut,
    ProviderCreatedOut,
    ProviderIn,
    ProviderOut,
    ProviderRemovedOut,
)
from api.deps import CallerDep, Role, ServicesDep, require
from api.errors import ApiError
from api.pools.common import IdempotencyKey, deal_errors, write, write_showing_key
from ledger.guarantees.providers import ProviderBook

router = APIRouter(prefix="/providers", tags=["cover"])  # under /v1/cover
Agent = Depends(require(Role.agent))
Readers = Depends(require(Role.agent, Role.auditor))
AdminOnly = Depends(require())


@router.post("", status_code=201, response_model=ProviderCreatedOut, dependencies=[Agent])
def add_provider(
    body: ProviderIn, svc: ServicesDep, request: Request, idempotency_key: IdempotencyKey = None
):
    """Admit a guarantor or insurer in the investor registry, or renew its KYC.

    A new provider's API key is in this response only: what an idempotent retry replays
    was stored without it (``api_key`` null)."""

    def work() -> tuple[ProviderCreatedOut, str | None]:
        book = ProviderBook(svc.runtime, svc.deals)
        added = book.add(body.name, body.kind, body.expiry_time(), body.jurisdiction, body.address)
        p = added.provider
        answer = ProviderCreatedOut(
            name=p.name,
            kind=p.kind,
            address=p.address,
            custodial=p.custodial,
            api_key=None,
            tx_hash=added.written.tx_hash,
            block_number=added.written.block_number,
        )
        return answer, added.api_key

    return write_showing_key(svc, request, idempotency_key, body.model_dump(mode="json"), work)


@router.get("", response_model=list[ProviderOut], dependencies=[Readers])
def list_providers(svc: ServicesDep):
    """The service's two default providers, then every admitted provider by name."""
    return [ProviderOut(**asdict(p)) for p in ProviderBook(svc.runtime, svc.deals).all()]


@router.get("/{name}", response_model=ProviderOut)
def read_provider(name: str, svc: ServicesDep, caller: CallerDep):
    """One provider (agent, auditor, or the provider's own key)."""
    acting = caller.provider or caller.role.value  # a configured key acts as its default
    own = caller.role in (Role.guarantor, Role.insurer) and acting == name
    if caller.role not in (Role.admin, Role.agent, Role.auditor) and not own:
        raise ApiError(403, f"role {caller.role.value!r} may not read other providers")
    with deal_errors():
        found = ProviderBook(svc.runtime, svc.deals).get(name, removed=True)
    return ProviderOut(**asdict(found))


@router.post(
    "/{name}/rotate-key", status_code=201, response_model=KeyRotatedOut, dependencies=[AdminOnly]
)
def rotate_provider_key(
    name: str, svc: ServicesDep, request: Request, idempotency_key: IdempotencyKey = None
):
    """A new API key for the provider, in this response only; its old key is refused from
    now on. What an idempotent retry replays was stored without it (``api_key`` null)."""

    def work() -> tuple[KeyRotatedOut, str | None]:
        rotated = ProviderBook(svc.runtime, svc.deals).rotate(name)
        p = rotated.provider
        answer = KeyRotatedOut(
            name=p.name, kind=p.kind, api_key=None, key_rotated_at=p.key_rotated_at or 0
        )
        return answer, rotated.api_key

    return write_showing_key(svc, request, idempotency_key, {}, work)


@router.delete("/{name}", response_model=ProviderRemovedOut, dependencies=[AdminOnly])
def remove_provider(
    name: str, svc: ServicesDep, request: Request, idempotency_key: IdempotencyKey = None
):
    """Remove the provider: its investor-registry entry and its API key. Its facilities
    stay readable and indexed; it acts no more (its name and address are not reused)."""

    def work() -> ProviderRemovedOut:
        removed = ProviderBook(svc.runtime, svc.deals).remove(name)
        p, written = removed.provider, removed.written
        return ProviderRemovedOut(
            name=p.name,
            kind=p.kind,
            address=p.address,
            removed_at=p.removed_at or 0,
            tx_hash=written.tx_hash if written else None,
            block_number=written.block_number if written else None,
        )

    return write(svc, request, idempotency_key, {}, work)
