"""Scoring models registered on chain: the attester registers, every role reads."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session, select

from api.attestations.router import IdempotencyKey
from api.deps import AnyRole, Role, ServicesDep, require
from api.errors import ApiError
from api.models.schemas import ArtifactIn, ArtifactRegistered, ModelIn
from api.reverts import explain
from api.types import Hex32
from api.writes import TxOut, chain_write
from ledger.store.tables import Model
from ledger.tx import ContractRevert

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


@router.post(
    "/artifacts",
    response_model=ArtifactRegistered,
    status_code=201,
    dependencies=[Depends(require(Role.attester))],
)
def register_artifact(body: ArtifactIn, svc: ServicesDep):
    """Register a scorecard artifact: its id (keccak-256 of the canonical bytes) and metrics
    go on chain, the artifact goes to the model store (for scoring and re-checking)."""
    from ledger.scoring.anchor import metrics_for_api, model_store, register_model
    from ledger.scoring.errors import ScoringError
    from ledger.scoring.score import Scorecard

    try:
        Scorecard(body.artifact)  # refuse anything that cannot score
        store = model_store(svc.runtime.settings.data_dir)
        uri = body.uri or "credence-model-store://"
        reg = register_model(svc.registry, store, body.artifact, uri)
    except ScoringError as exc:
        raise ApiError(422, str(exc), field="artifact") from exc
    except ContractRevert as exc:
        raise ApiError(409, f"the registry refused: {explain(exc.error)}") from exc
    return ArtifactRegistered(
        model_id=reg.model_id, metrics=metrics_for_api(reg), already_registered=reg.already
    )
