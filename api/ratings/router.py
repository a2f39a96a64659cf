"""Ratings: publish a tranche rating computed by the published method, read history, revoke."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import Role, Services, ServicesDep, require
from api.errors import ApiError
from api.ratings.schemas import PublishedOut, PublishRequest, RatingOut, RevokeRequest
from ledger.deals.spec import DealSpecError, parse_spec
from ledger.errors import FieldError, checked_address
from ledger.ratings.inputs import pool_from_records, read_rating_tape
from ledger.ratings.method import RatingError
from ledger.ratings.methodology import parse_methodology
from ledger.ratings.outcome import rate_pool
from ledger.ratings.service import RatingService
from ledger.ratings.store import RatingRow

router = APIRouter(prefix="/v1/ratings", tags=["ratings"])
Reader = Depends(
    require(Role.auditor, Role.verifier, Role.structurer, Role.servicer, Role.investor)
)
Agency = Depends(require())  # the service's rating agency key: admin only


def ratings(svc: Services) -> RatingService:
    if "ratings" not in svc.extras:
        svc.extras["ratings"] = RatingService(svc.runtime)
    return svc.extras["ratings"]


def _out(service: RatingService, row: RatingRow) -> RatingOut:
    return RatingOut(
        commitment=row.commitment,
        status=service.status(row.commitment),
        tx_hash=row.tx_hash,
        block_number=row.block_number,
        superseded_by=row.superseded_by,
        record=json.loads(row.record),
    )


def _field_error(exc: FieldError | DealSpecError | RatingError) -> ApiError:
    field = getattr(exc, "field", None) or str(exc).split(":", 1)[0]
    return ApiError(422, str(exc), field=field)


@router.post("", response_model=PublishedOut, status_code=201, dependencies=[Agency])
def publish(body: PublishRequest, svc: ServicesDep) -> PublishedOut:
    """Rate the pool's tranches by the method and attest one tranche's rating on chain."""
    service = ratings(svc)
    try:
        spec = parse_spec(body.spec)
        method = parse_methodology(body.methodology)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "tape.csv"
            path.write_text(body.tape_csv)
            if body.pd_from_records:
                pool = pool_from_records(path, svc.runtime.engine)
            else:
                pool = read_rating_tape(path)
        outcome = rate_pool(spec, pool, method)
        published = service.publish(
            outcome,
            checked_address("pool", body.pool),
            body.tranche,
            outlook=body.outlook,
            watch=body.watch,
            valid_seconds=body.valid_days * 86_400,
        )
    except (FieldError, DealSpecError, RatingError) as exc:
        raise _field_error(exc) from None
    return PublishedOut(
        commitment=published.record.commitment_hex,
        tx_hash=published.tx_hash,
        superseded=published.superseded,
        feed_tx=published.feed_tx,
        pending=published.pending,
        record=published.record.to_dict(),
        figures=outcome.as_json(),
    )


@router.get("", response_model=list[RatingOut], dependencies=[Reader])
def history(
    svc: ServicesDep,
    pool: Annotated[str, Query(pattern=r"^0x[0-9a-fA-F]{40}$")],
    tranche: Annotated[int | None, Query(ge=0, le=7)] = None,
) -> list[RatingOut]:
    """Every rating of a pool (or one tranche), oldest first, with its status now."""
    service = ratings(svc)
    try:
        address = checked_address("pool", pool)
    except FieldError as exc:
        raise _field_error(exc) from None
    return [_out(service, r) for r in service.history(address, tranche)]


@router.get("/{commitment}", response_model=RatingOut, dependencies=[Reader])
def show(commitment: str, svc: ServicesDep) -> RatingOut:
    service = ratings(svc)
    row = service.row(commitment)
    if row is None:
        raise ApiError(404, "no rating record with this commitment", field="commitment")
    return _out(service, row)


@router.post("/{commitment}/revoke", response_model=RatingOut, dependencies=[Agency])
def revoke(commitment: str, body: RevokeRequest, svc: ServicesDep) -> RatingOut:
    service = ratings(svc)
    try:
        service.revoke(commitment.lower(), body.reason)
    except FieldError as exc:
        raise ApiError(
            404 if "no rating" in exc.reason else 409, str(exc), field="commitment"
        ) from None
    row = service.row(commitment)
    assert row is not None
    return _out(service, row)
