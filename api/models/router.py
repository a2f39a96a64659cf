"""Scoring models registered on chain: the attester registers, every role reads."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session, select

from api.attestations.router import IdempotencyKey
from api.deps import AnyRole, Role, ServicesDep, require
from api.errors import ApiError
from api.models.schemas import ModelIn
from api.types import Hex32
from api.writes import TxOut, chain_write
from ledger.store.tables import Model

router = APIRouter(prefix="/v1/models", tags=["models"])


@router.get("", response_model=list[Model])
def list_models(svc: ServicesDep, _: AnyRole):
    with Session(svc.runtime.engine) as session:
        return session.exec(select(Model).order_by(Model.model_index)).all()


@router.get("/{model_id}", response_model=Model)
def read_model(model_id: Hex32, svc: ServicesDep, _: AnyRole):
    with Session(svc.runtime.engine) as session:
        row = session.get(Model, model_id)
    if row is None:
        raise ApiError(404, "no model with this id (or not indexed yet)", field="model_id")
    return row


@router.post("", response_model=TxOut, dependencies=[Depends(require(Role.attester))])
def register_model(
    body: ModelIn, svc: ServicesDep, request: Request, idempotency_key: IdempotencyKey = None
):
    """Register a scoring model (artifact hash, metadata URI, validation metrics)."""
    m = body.metrics
    call = lambda: svc.registry.register_model(
        bytes.fromhex(body.model_id[2:]),
        body.metadata_uri,
        (m.auc_bps, m.ks_bps, m.gini_bps, m.psi_bps, m.sample_size),
    )
    return chain_write(svc, request, idempotency_key, body.model_dump(), call)
