"""Cover actions: a guarantor or insurer deploys a facility for a pool and posts collateral
on its own facilities only (403 on another provider's); the pool's structurer binds it;
the provider or the structurer releases it. Each write honours Idempotency-Key (the caller
is part of what a key is checked against, so one provider never replays another's answer)
and maps a contract revert to a readable 409 (``api.reverts``).

A key the agent issued to an admitted provider acts as that provider; the configured
``guarantor`` and ``insurer`` keys act as the default providers of those names; an admin
acts as the default provider of the facility's kind."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from api.cover.action_schemas import (
    ActionOut,
    BindRequest,
    CollateralRequest,
    DeployedOut,
    DeployRequest,
    PositionOut,
)
from api.deps import Caller, CallerDep, Role, ServicesDep, require
from api.errors import ApiError
from api.pools.common import IdempotencyKey, write
from api.types import Address
from ledger.deals.service import Written
from ledger.guarantees.service import PROVIDER_ROLES, CoverService

router = APIRouter(prefix="/facilities", tags=["cover"])  # under /v1/cover
Provider = Depends(require(Role.guarantor, Role.insurer))
ProviderOrStructurer = Depends(require(Role.guarantor, Role.insurer, Role.structurer))
Structurer = Depends(require(Role.structurer))
KIND_OF_ROLE = {Role.guarantor: "guarantee", Role.insurer: "insurance"}


def _service(svc: ServicesDep) -> CoverService:
    return CoverService(svc.runtime, svc.deals)


def _acting(caller: Caller, kind: str | None = None) -> str:
    """The provider a caller acts as (see the module's docstring)."""
    if caller.provider is not None:
        return caller.provider
    if caller.role is Role.admin:
        return PROVIDER_ROLES[kind or "guarantee"]
    return PROVIDER_ROLES[KIND_OF_ROLE[caller.role]]


def _fingerprinted(caller: Caller, body: dict) -> dict:
    """What an Idempotency-Key is checked against: the body and who sent it."""
    return {**body, "caller": caller.provider or caller.role.value}


def _after(cover: CoverService, address: str, written: Written) -> ActionOut:
    position = PositionOut(**cover.show(address).to_dict())
    return ActionOut(tx_hash=written.tx_hash, block_number=written.block_number, position=position)


@router.post("", status_code=201, response_model=DeployedOut, dependencies=[Provider])
def deploy_facility(
    body: DeployRequest,
    svc: ServicesDep,
    caller: CallerDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """Deploy a guarantee facility (a guarantor's key) or an insurance policy (an insurer's
    key) for a pool, the caller's provider being its provider; it must be admitted in the
    investor registry. The pricing record's hash is committed in the facility."""
    if caller.role is not Role.admin and KIND_OF_ROLE[caller.role] != body.kind:
        raise ApiError(
            403, f"a {caller.role.value} key deploys {KIND_OF_ROLE[caller.role]}s", field="kind"
        )
    cover = _service(svc)

    def work() -> DeployedOut:
        done = cover.deploy(
            _acting(caller, body.kind),
            body.kind,
            body.pool,
            body.terms,
            required=body.required,
            pricing_record=body.pricing_record,
            idempotency_key=idempotency_key,
        )
        return DeployedOut(**vars(done))

    fingerprinted = _fingerprinted(caller, body.model_dump(mode="json"))
    return write(svc, request, idempotency_key, fingerprinted, work, 201)


def _kind(cover: CoverService, address: str) -> str:
    return cover.facility(address).kind


@router.post("/{address}/collateral", response_model=ActionOut, dependencies=[Provider])
def post_collateral(
    address: Address,
    body: CollateralRequest,
    svc: ServicesDep,
    caller: CallerDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """Post or top up collateral on the caller's own facility (403 on another's)."""
    cover = _service(svc)

    def work() -> ActionOut:
        kind = _kind(cover, address) if caller.role is Role.admin else None
        posted = cover.post(_acting(caller, kind), address, body.amount, idempotency_key)
        return _after(cover, address, posted)

    fingerprinted = _fingerprinted(caller, body.model_dump(mode="json"))
    return write(svc, request, idempotency_key, fingerprinted, work)


@router.post("/{address}/bind", response_model=ActionOut, dependencies=[Structurer])
def bind_facility(
    address: Address,
    svc: ServicesDep,
    request: Request,
    body: BindRequest | None = None,
    idempotency_key: IdempotencyKey = None,
):
    """The pool's structurer binds a facility funded to its requirement; from the next
    period the waterfall pays its premium and draws on it. With ``pricing_record``, only a
    facility that commits it and has the terms it priced (422 naming the term otherwise)."""
    cover = _service(svc)
    record = body.pricing_record if body else None

    def work() -> ActionOut:
        return _after(cover, address, cover.bind(address, idempotency_key, record))

    return write(svc, request, idempotency_key, {"pricing_record": record}, work)


@router.post("/{address}/release", response_model=ActionOut, dependencies=[ProviderOrStructurer])
def release_facility(
    address: Address,
    svc: ServicesDep,
    caller: CallerDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """Release a facility once the pool, the term or the covered note allows it; the
    collateral goes back to the provider. A provider releases its own facilities only."""
    cover = _service(svc)

    def work() -> ActionOut:
        if caller.role is Role.structurer:
            name = "structurer"
        else:
            name = _acting(caller, _kind(cover, address) if caller.role is Role.admin else None)
        return _after(cover, address, cover.release(name, address, idempotency_key))

    return write(svc, request, idempotency_key, _fingerprinted(caller, {}), work)
