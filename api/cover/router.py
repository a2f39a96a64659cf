"""Cover: propose a guarantee's premium and collateral from the loans' attested PDs (each
checked against its score record on the AttestationRegistry); the record's hash is what a
GuaranteeFacility commits, so anyone holding it recomputes it."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends

from api.cover.schemas import PriceOut, PriceRequest
from api.deps import Role, ServicesDep, require
from api.errors import ApiError
from ledger.attest.verify import ChainUnavailable, Web3Reader
from ledger.deals.spec import DealSpec, DealSpecError, parse_spec
from ledger.guarantees.attested import attested_price, inputs_from_tape_text, issued_disclosures
from ledger.guarantees.pricing import (
    LoanPd,
    Price,
    PricingError,
    PricingInputs,
    record,
    record_hash,
)

router = APIRouter(prefix="/v1/cover", tags=["cover"])
Reader = Depends(
    require(
        Role.auditor,
        Role.verifier,
        Role.structurer,
        Role.servicer,
        Role.investor,
        Role.guarantor,
        Role.insurer,
    )
)


def _priced(svc: ServicesDep, body: PriceRequest, spec: DealSpec) -> tuple[PricingInputs, Price]:
    raw = body.inputs
    rt = svc.runtime
    ours = rt.contract("AttestationRegistry").address.lower()
    loans = tuple(LoanPd(x.loan, x.balance, x.pd_bps, x.score_uid, x.disclosure) for x in raw.loans)
    fields = {**raw.model_dump(), "model_ids": tuple(raw.model_ids), "loans": loans}
    inputs = PricingInputs(**{**fields, "registry": raw.registry.lower() or ours})
    if body.tape_csv is not None:
        find = issued_disclosures(rt.engine, rt.w3.eth.chain_id, ours)
        key = rt.pseudonym_secret()
        try:
            inputs = inputs_from_tape_text(inputs, body.tape_csv, key, spec, find, ours)
        except PricingError as exc:
            raise ApiError(422, f"{exc.field}: {exc.reason}", field="tape_csv") from exc
    elif not loans:
        raise ApiError(422, "required without tape_csv", field="inputs.loans")
    try:
        return inputs, attested_price(inputs, spec, Web3Reader(rt.w3), rt.w3.provider)
    except PricingError as exc:
        raise ApiError(422, exc.reason, field=f"inputs.{exc.field}") from exc
    except ChainUnavailable as exc:
        raise ApiError(503, f"the chain is unavailable: {exc}", field="registry") from exc


@router.post("/price", response_model=PriceOut, dependencies=[Reader])
def propose_price(body: PriceRequest, svc: ServicesDep) -> PriceOut:
    """The proposed premium (bps a year) and collateral of a guarantee on one note, each
    loan's PD checked against its attested score record; 422 names the loan and field."""
    try:
        spec = parse_spec(body.spec)
    except DealSpecError as exc:
        raise ApiError(422, str(exc), field="spec") from exc
    inputs, result = _priced(svc, body, spec)
    text = record(inputs, result)
    return PriceOut(pricing_hash="0x" + record_hash(text).hex(), record=text, result=asdict(result))


# The write side (deploy, collateral, bind, release) lives in its own module.
from api.cover.actions import router as actions_router  # noqa: E402

router.include_router(actions_router)
