"""Manage attesters (admin writes; every role reads). Reads come from the event index."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session, select

from api.attestations.router import IdempotencyKey
from api.attesters.schemas import AttesterIn, RotateKeyIn, SuspendIn
from api.deps import AnyRole, ServicesDep, require
from api.errors import ApiError
from api.types import AttesterIdPath
from api.writes import TxOut, chain_write
from ledger.store.tables import Attester

router = APIRouter(prefix="/v1/attesters", tags=["attesters"])
AdminOnly = Depends(require())


@router.get("", response_model=list[Attester])
def list_attesters(svc: ServicesDep, _: AnyRole):
    with Session(svc.runtime.engine) as session:
        return session.exec(select(Attester).order_by(Attester.attester_id)).all()


@router.get("/{attester_id}", response_model=Attester)
def read_attester(attester_id: AttesterIdPath, svc: ServicesDep, _: AnyRole):
    with Session(svc.runtime.engine) as session:
        row = session.get(Attester, attester_id)
    if row is None:
        raise ApiError(404, "no attester with this id (or not indexed yet)", field="attester_id")
    return row


@router.post("", response_model=TxOut, dependencies=[AdminOnly])
def register_attester(
    body: AttesterIn, svc: ServicesDep, request: Request, idempotency_key: IdempotencyKey = None
):
    """Register an attester (a scoring institution) by its signing key."""
    call = lambda: svc.registrar.register_attester(body.key, body.name, body.metadata_uri)
    return chain_write(svc, request, idempotency_key, body.model_dump(), call)


@router.post("/{attester_id}/suspend", response_model=TxOut, dependencies=[AdminOnly])
def suspend_attester(
    attester_id: AttesterIdPath,
    body: SuspendIn,
    svc: ServicesDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    call = lambda: svc.registrar.suspend_attester(attester_id, body.reason)
    return chain_write(svc, request, idempotency_key, body.model_dump(), call)


@router.post("/{attester_id}/reinstate", response_model=TxOut, dependencies=[AdminOnly])
def reinstate_attester(
    attester_id: AttesterIdPath,
    svc: ServicesDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    call = lambda: svc.registrar.reinstate_attester(attester_id)
    return chain_write(svc, request, idempotency_key, {}, call)


@router.post("/{attester_id}/rotate-key", response_model=TxOut, dependencies=[AdminOnly])
def rotate_key(
    attester_id: AttesterIdPath,
    body: RotateKeyIn,
    svc: ServicesDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    call = lambda: svc.registrar.rotate_attester_key(attester_id, body.new_key)
    return chain_write(svc, request, idempotency_key, body.model_dump(), call)
