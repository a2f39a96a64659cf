"""Verify a disclosure against the chain (any role): the same rules and code as the CLI."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Body

from api.deps import AnyRole, ServicesDep
from api.errors import ApiError
from api.verify.schemas import DISCLOSURE_DOC, RecomputeRequest, VerifyResponse
from ledger.attest.verify import INVALID, Verification, Web3Reader, verify_document
from ledger.scoring.anchor import model_store, recompute
from ledger.scoring.errors import ScoringError

router = APIRouter(prefix="/v1/verify", tags=["verify"])


def _verify(svc: ServicesDep, document: Any) -> Verification:
    result = verify_document(Web3Reader(svc.runtime.w3), document)
    if result.status == INVALID:
        raise ApiError(422, result.reasons[0], field=result.field or "disclosure")
    return result


@router.post("", response_model=VerifyResponse)
def verify_disclosure(
    svc: ServicesDep, _: AnyRole, disclosure: Annotated[Any, Body(description=DISCLOSURE_DOC)]
):
    """Check a disclosure: registered attester, unrevoked, unexpired, unaltered, this registry."""
    return asdict(_verify(svc, disclosure))


@router.post("/recompute", response_model=VerifyResponse)
def verify_and_recompute(body: RecomputeRequest, svc: ServicesDep, _: AnyRole):
    """Verify, then re-score the applicant's inputs with the model the record names."""
    result = _verify(svc, body.disclosure)
    if result.valid:
        _recompute(svc, result, body.inputs)
    return asdict(result)


def _recompute(svc: ServicesDep, result: Verification, inputs: dict) -> None:
    if "model_id" not in result.disclosed or "score" not in result.disclosed:
        raise ApiError(422, "disclose model_id and score to recompute from inputs", field="fields")
    try:
        card = model_store(svc.runtime.settings.data_dir).scorecard(result.disclosed["model_id"])
        score, problems = recompute(card, inputs, result.disclosed)
    except ScoringError as exc:
        raise ApiError(422, str(exc), field="inputs") from exc
    result.recomputed_score = score
    if problems:
        result.contradict(problems)
    else:
        result.reasons.append("the score recomputed from the disclosed inputs matches")
