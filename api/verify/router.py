"""Verify a disclosure against the chain (any role): the same rules and code as the CLI."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Request, Response

from api.deps import AnyRole, ServicesDep
from api.errors import ApiError
from api.verify.batch_body import NDJSON, read_batch
from api.verify.schemas import (
    DISCLOSURE_DOC,
    BatchVerifyResponse,
    RecomputeRequest,
    VerifyResponse,
)
from ledger.attest.verify import INVALID, Verification, Web3Reader, verify_document
from ledger.attest.verify_many import CachedReader, verify_many
from ledger.gcpause import collector_paused
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


async def _raw_body(request: Request) -> tuple[bytes, str | None]:
    return await request.body(), request.headers.get("content-type")


_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/BatchVerifyRequest"}},
            NDJSON: {
                "schema": {
                    "type": "string",
                    "description": "one disclosure a line (at most 10,000), blank lines ignored",
                }
            },
        },
    }
}


@router.post("/batch", response_model=BatchVerifyResponse, openapi_extra=_BATCH_BODY)
def verify_disclosures(
    raw: Annotated[tuple[bytes, str | None], Depends(_raw_body)], svc: ServicesDep, _: AnyRole
) -> Response:
    """Check up to 10,000 disclosures in one call: each verdict as ``POST /v1/verify`` gives
    it, with the chain read in bulk (each record or batch root once). The body is a
    ``BatchVerifyRequest`` in JSON, or one disclosure a line as ``application/x-ndjson``."""
    w3 = svc.runtime.w3
    with collector_paused():  # millions of short-lived objects: see ledger/gcpause.py
        documents = read_batch(*raw)
        results = verify_many(CachedReader(Web3Reader(w3), w3.provider), documents)
        # orjson writes the dataclasses directly: re-validating 10,000 verdicts would cost
        # more than verifying them.
        payload = orjson.dumps({"count": len(results), "results": results})
    return Response(payload, media_type="application/json")


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
