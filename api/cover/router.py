"""Cover: propose a guarantee's or a policy's premium and collateral from the loans' attested PDs (each
checked against its score record on the AttestationRegistry); the record's hash is what a
GuaranteeFacility commits, so anyone holding it recomputes it."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from api.cover.access import Reader
from api.cover.positions import router as positions_router
from api.cover.schemas import PriceOut, PriceRequest
from api.deps import ServicesDep
from api.errors import ApiError
from ledger.attest.verify import ChainUnavailable
from ledger.deals.spec import DealSpecError, parse_spec
from ledger.guarantees.pricing import LoanPd, PricingError, PricingInputs
from ledger.guarantees.proposals import propose

router = APIRouter(prefix="/v1/cover", tags=["cover"])


def _inputs(body: PriceRequest) -> PricingInputs:
    raw = body.inputs
    loans = tuple(LoanPd(x.loan, x.balance, x.pd_bps, x.score_uid, x.disclosure) for x in raw.loans)
    if raw.kind == "guarantee" and raw.tranche is None:
        raise ApiError(422, "required for a guarantee", field="inputs.tranche")
    fields = {**raw.model_dump(), "model_ids": tuple(raw.model_ids), "loans": loans}
    fields["tranche"] = raw.tranche or 0  # a policy prices no tranche
    return PricingInputs(**{**fields, "registry": raw.registry.lower()})


def _field(exc: PricingError) -> str:
    """A tape's row and column, or the field of the inputs."""
    tape = exc.field == "tape" or exc.field.startswith("row ")
    return "tape_csv" if tape else f"inputs.{exc.field}"


@router.post("/price", response_model=PriceOut, dependencies=[Reader])
def propose_price(body: PriceRequest, svc: ServicesDep) -> PriceOut:
    """The proposed premium (bps a year) and collateral of a guarantee on one note, or of
    an insurance policy on the pool (``inputs.kind``), each loan's PD checked against its
    attested score record; 422 names the loan and field."""
    try:
        spec = parse_spec(body.spec)
    except DealSpecError as exc:
        raise ApiError(422, str(exc), field="spec") from exc
    if body.tape_csv is None and not body.inputs.loans:
        raise ApiError(422, "required without tape_csv", field="inputs.loans")
    try:
        made = propose(svc.runtime, spec, _inputs(body), tape_text=body.tape_csv)
    except PricingError as exc:
        field = _field(exc)
        detail = f"{exc.field}: {exc.reason}" if field == "tape_csv" else exc.reason
        raise ApiError(422, detail, field=field) from exc
    except ChainUnavailable as exc:
        raise ApiError(503, f"the chain is unavailable: {exc}", field="registry") from exc
    return PriceOut(pricing_hash=made.pricing_hash, record=made.record, result=asdict(made.result))


# The write side (deploy, collateral, bind, release) lives in its own module.
from api.cover.actions import router as actions_router  # noqa: E402

router.include_router(actions_router)

# The read side (facilities, their periods) lives in its own module under the same prefix.
router.include_router(positions_router)

# Admitting guarantors and insurers by name, each with its own bound key.
from api.cover.providers import router as providers_router  # noqa: E402

router.include_router(providers_router)
