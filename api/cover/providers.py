"""Cover providers: the compliance agent admits guarantors and insurers by name, each with
its own address and an API key bound to it (``ledger.guarantees.providers``); the agent and
auditors list them, a provider reads itself."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, Request

from api.cover.provider_schemas import ProviderCreatedOut, ProviderIn, ProviderOut
from api.deps import CallerDep, Role, ServicesDep, require
from api.errors import ApiError
from api.pools.common import IdempotencyKey, deal_errors, write_showing_key
from ledger.guarantees.providers import ProviderBook

router = APIRouter(prefix="/providers", tags=["cover"])  # under /v1/cover
Agent = Depends(require(Role.agent))
Readers = Depends(require(Role.agent, Role.auditor))


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
        return ProviderOut(**asdict(ProviderBook(svc.runtime, svc.deals).get(name)))
