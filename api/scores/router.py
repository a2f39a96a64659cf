"""Score applicants with a registered scorecard and (by default) attest every score."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Depends, Request

from api.attestations.router import IdempotencyKey, issuing, pending
from api.deps import Role, ServicesDep, require
from api.errors import ApiError
from api.fastjson import FastJsonRoute
from api.idempotency import fingerprint, run_once
from api.scores.schemas import (
    Refused,
    ScoredApplicant,
    ScoreRequest,
    ScoreResponse,
    StrategyIn,
    StrategyRegistered,
)
from ledger.attest.anchoring import AnchorPending
from ledger.attest.records import pseudonym
from ledger.attest.service import IssueError
from ledger.scoring.anchor import model_store, register_strategy, score_records
from ledger.scoring.data import Table
from ledger.scoring.errors import ScoringError
from ledger.scoring.strategy import DECISIONS, decide

router = APIRouter(prefix="/v1/scores", tags=["scoring"], route_class=FastJsonRoute)


def _field(exc: ScoringError, index: int | None = None) -> str:
    """Where in the request an error points: applicants.<i>.inputs.<column>, or the body."""
    row = index if index is not None else (exc.row - 1 if exc.row is not None else None)
    if row is None:
        return "applicants"
    return f"applicants.{row}.inputs" + (f".{exc.column}" if exc.column else "")


def _score(svc: ServicesDep, body: ScoreRequest, key: str | None) -> ScoreResponse:
    service = svc.attestations
    store = model_store(svc.runtime.settings.data_dir)
    try:
        card = store.scorecard(body.model_id)
    except ScoringError as exc:
        raise ApiError(422, str(exc), field="model_id") from exc
    try:
        plan = store.strategy(body.strategy_id, card) if body.strategy_id else None
        table = Table.from_records([a.inputs for a in body.applicants])
        errors = card.row_errors(table.columns)
    except ScoringError as exc:
        field = "strategy_id" if exc.column == "strategy_id" else _field(exc)
        raise ApiError(422, str(exc), field=field) from exc
    if errors and not body.skip_invalid:
        i, first = next(iter(errors.items()))
        raise ApiError(
            422,
            f"applicant {i}, column {first.column!r}: {first.reason}; {len(errors)} of "
            f"{len(body.applicants)} applicants "
            "cannot be scored and none was scored or attested (skip_invalid scores the others)",
            field=_field(first, i),
        )
    good = [i for i in range(table.n_rows) if i not in errors]
    if not good:
        raise ApiError(422, "no applicant can be scored", field="applicants")
    part = table.take(good)
    rows = card.score_table(part).rows(body.reasons, part.columns)
    subjects = [body.applicants[i].subject_id for i in good]
    commitments: list[str | None] = [None] * len(rows)
    roots: list[str | None] = [None] * len(rows)
    if body.attest:
        for name, ident in (("model_id", body.model_id), ("strategy_id", body.strategy_id)):
            if ident and not service.model_known(ident):
                raise ApiError(422, f"{ident} is not registered on chain", field=name)
        try:
            records = score_records(
                service, card, subjects, rows, valid_days=body.valid_days, strategy=plan
            )
            sealed = service.issue(records, mode=body.mode, request_key=key)
        except ScoringError as exc:  # a record field (not an input) refused for one applicant
            i = good[exc.row - 1]
            field = f"applicants.{i}.{exc.column}"
            raise ApiError(422, f"applicant {i}: {exc.reason}", field=field) from exc
        except IssueError as exc:
            raise ApiError(409, str(exc)) from exc
        except AnchorPending as exc:
            raise pending(exc, key) from exc
        commitments = ["0x" + s.commitment.hex() for s in sealed]
        roots = service.roots_of(sealed, key)
    decisions = (
        [DECISIONS[k] for k in decide(np.array([r.score for r in rows]), plan["cutoffs"])]
        if plan
        else [None] * len(rows)
    )
    secret = svc.runtime.pseudonym_secret()
    results = [
        ScoredApplicant(
            index=i,
            subject=pseudonym(secret, subject),
            score=row.score,
            grade=row.grade,
            pd_bps=row.pd_bps,
            reasons=row.reasons,
            reason_texts=row.reason_texts,
            decision=decision,
            commitment=commitment,
            batch_root=root,
        )
        for i, subject, row, decision, commitment, root in zip(
            good, subjects, rows, decisions, commitments, roots, strict=True
        )
    ]
    return ScoreResponse(
        model_id=card.model_id,
        strategy_id=body.strategy_id.lower() if body.strategy_id else None,
        count=len(results),
        attested=body.attest,
        results=results,
        refused=[Refused(index=i, field=_field(e, i), reason=e.reason) for i, e in errors.items()],
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
    """Score applicants from the model's artifact alone; attest each score (default).

    Each result carries the reasons as codes and in words; under ``strategy_id`` also the
    decision. One applicant that cannot be scored refuses the request (422 naming
    ``applicants.<i>.inputs.<column>``) unless ``skip_invalid``.
    """
    fp = fingerprint("POST", request.url.path, body.model_dump())
    work = lambda: _score(svc, body, idempotency_key)
    return run_once(
        svc.runtime.engine, idempotency_key, fp, 201, work, **issuing(svc, idempotency_key)
    )


@router.post(
    "/strategies",
    status_code=201,
    response_model=StrategyRegistered,
    dependencies=[Depends(require(Role.attester))],
)
def register_cutoff_strategy(body: StrategyIn, svc: ServicesDep):
    """Register a cut-off strategy beside its (registered) model: its id and URI go on
    chain through the model registration, the artifact to the model store."""
    store = model_store(svc.runtime.settings.data_dir)
    try:
        reg = register_strategy(svc.registry, store, body.strategy, body.uri or "credence-store://")
    except ScoringError as exc:
        raise ApiError(422, str(exc), field="strategy") from exc
    return StrategyRegistered(
        strategy_id=reg.model_id,
        model_id=body.strategy["model_id"],
        already_registered=reg.already,
    )
