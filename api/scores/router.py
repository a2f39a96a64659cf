"""Score applicants with a registered scorecard and (by default) attest every score."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from api.attestations.router import IdempotencyKey, issuing, pending
from api.deps import Role, ServicesDep, require
from api.errors import ApiError
from api.idempotency import fingerprint, run_once
from api.scores.schemas import ScoredApplicant, ScoreRequest, ScoreResponse
from ledger.attest.anchoring import AnchorPending
from ledger.attest.records import RecordError, pseudonym
from ledger.attest.service import IssueError
from ledger.scoring.anchor import model_store, score_records
from ledger.scoring.errors import ScoringError

router = APIRouter(prefix="/v1/scores", tags=["scoring"])


def _score(svc: ServicesDep, body: ScoreRequest, key: str | None) -> ScoreResponse:
    service = svc.attestations
    try:
        card = model_store(svc.runtime.settings.data_dir).scorecard(body.model_id)
        rows = card.score_rows([a.inputs for a in body.applicants], top=body.reasons)
    except ScoringError as exc:
        field = "model_id" if exc.column is None and "model store" in str(exc) else "applicants"
        if exc.row is not None:
            field = f"applicants.{exc.row - 1}.inputs.{exc.column}"
        raise ApiError(422, str(exc), field=field) from exc
    subjects = [a.subject_id for a in body.applicants]
    commitments: list[str | None] = [None] * len(rows)
    roots: list[str | None] = [None] * len(rows)
    if body.attest:
        if not service.model_known(body.model_id):
            raise ApiError(422, "model is not registered on chain", field="model_id")
        try:
            records = score_records(service, card, subjects, rows, valid_days=body.valid_days)
            sealed = service.issue(records, mode=body.mode, request_key=key)
        except RecordError as exc:
            raise ApiError(422, str(exc), field="applicants") from exc
        except IssueError as exc:
            raise ApiError(409, str(exc)) from exc
        except AnchorPending as exc:
            raise pending(exc, key) from exc
        commitments = ["0x" + s.commitment.hex() for s in sealed]
        roots = service.roots_of(sealed)
    secret = svc.runtime.pseudonym_secret()
    results = [
        ScoredApplicant(
            subject=pseudonym(secret, subject),
            score=row.score,
            grade=row.grade,
            pd_bps=row.pd_bp,
            reasons=row.reasons,
            commitment=commitment,
            batch_root=root,
        )
        for subject, row, commitment, root in zip(subjects, rows, commitments, roots, strict=True)
    ]
    return ScoreResponse(
        model_id=card.model_id, count=len(results), attested=body.attest, results=results
    )


@router.post(
    "",
    status_code=201,
    response_model=ScoreResponse,
    dependencies=[Depends(require(Role.attester))],
)
def score_applicants(
    body: ScoreRequest, svc: ServicesDep, request: Request, idempotency_key: IdempotencyKey = None
):
    """Score applicants from the model's artifact alone; attest each score (default)."""
    fp = fingerprint("POST", request.url.path, body.model_dump())
    work = lambda: _score(svc, body, idempotency_key)
    return run_once(
        svc.runtime.engine, idempotency_key, fp, 201, work, **issuing(svc, idempotency_key)
    )
