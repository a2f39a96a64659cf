"""Verify a disclosed record against the chain (any role)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from api.deps import AnyRole, Services, ServicesDep
from api.errors import ApiError
from api.verify.schemas import VerifyRequest, VerifyResponse
from ledger.attest.records import Disclosure
from ledger.attest.verify import Verification, verify
from ledger.scoring.anchor import model_store, recompute
from ledger.scoring.errors import ScoringError

router = APIRouter(prefix="/v1/verify", tags=["verify"])


@router.post("", response_model=VerifyResponse)
def verify_disclosure(body: VerifyRequest, svc: ServicesDep, _: AnyRole):
    """Check a disclosed record: registered attester, unrevoked, unexpired, unaltered."""
    return asdict(run_verification(svc, body))


def run_verification(svc: Services, body: VerifyRequest) -> Verification:
    """Verify ``body`` on chain (shared by this route and the web console)."""
    disclosure = Disclosure.from_dict(body.model_dump(exclude={"batch", "inputs"}))
    root = bytes.fromhex(body.batch.root[2:]) if body.batch else None
    proof = [bytes.fromhex(p[2:]) for p in body.batch.proof] if body.batch else []
    result = verify(svc.registry, disclosure, root, proof)
    if body.inputs is not None and result.valid:
        _recompute(svc, result, body.inputs)
    return result


def _recompute(svc: Services, result: Verification, inputs: dict) -> None:
    """Re-score the disclosed inputs with the artifact the record names."""
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
