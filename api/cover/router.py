"""Cover: propose a guarantee's premium and collateral from the loans' attested PDs; the
record's hash is what a GuaranteeFacility commits, so anyone holding it recomputes it."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends

from api.cover.positions import router as positions_router
from api.cover.schemas import PriceOut, PriceRequest
from api.deps import Role, require
from api.errors import ApiError
from ledger.deals.spec import DealSpecError, parse_spec
from ledger.guarantees.pricing import (
    LoanPd,
    PricingError,
    PricingInputs,
    price,
    record,
    record_hash,
)

router = APIRouter(prefix="/v1/cover", tags=["cover"])
Reader = Depends(
    require(Role.auditor, Role.verifier, Role.structurer, Role.servicer, Role.investor)
)


@router.post("/price", response_model=PriceOut, dependencies=[Reader])
def propose_price(body: PriceRequest) -> PriceOut:
    """The proposed premium (bps a year) and collateral of a guarantee on one note."""
    raw = body.inputs
    loans = tuple(LoanPd(x.loan, x.balance, x.pd_bps, x.score_uid) for x in raw.loans)
    inputs = PricingInputs(
        **{**raw.model_dump(), "model_ids": tuple(raw.model_ids), "loans": loans}
    )
    try:
        result = price(inputs, parse_spec(body.spec))
    except DealSpecError as exc:
        raise ApiError(422, str(exc), field="spec") from exc
    except PricingError as exc:
        raise ApiError(422, str(exc), field=f"inputs.{exc.field}") from exc
    text = record(inputs, result)
    return PriceOut(pricing_hash="0x" + record_hash(text).hex(), record=text, result=asdict(result))


# The read side (facilities, their periods) lives in its own module under the same prefix.
router.include_router(positions_router)
