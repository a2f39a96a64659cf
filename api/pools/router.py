"""Pools: create from a deal spec and a loan tape, run the lifecycle, subscribe, report
periods, claim, and read pools, tranches, periods and investor reports from the index."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Any, Literal

import yaml
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse

from api.deps import AnyRole, CallerDep, Role, ServicesDep, require
from api.errors import ApiError
from api.pools.common import IdempotencyKey, acting_investor, deal_errors, write
from api.pools.schemas import (
    ClaimableOut,
    ClaimOut,
    CloseRequest,
    CreatePoolRequest,
    PeriodInput,
    PeriodOut,
    PeriodTrancheOut,
    PoolCreatedOut,
    PoolOut,
    PoolSummary,
    ReportedOut,
    SubscribeRequest,
    TrancheOut,
    TrancheRequest,
    TransferRequest,
    WrittenOut,
)
from api.types import Address, PeriodPath
from ledger.deals.pool_types import PeriodOutcome
from ledger.deals.reports import to_csv, trigger_tests
from ledger.deals.service import (
    DealError,
    DealService,
    input_errors,
    tape_from_csv,
    tape_from_rows,
)
from ledger.deals.spec import DealSpec, DealSpecError, parse_spec
from ledger.store.deal_tables import DealSubscription

router = APIRouter(prefix="/v1/pools", tags=["pools"])
Structurer = Depends(require(Role.structurer))
Servicer = Depends(require(Role.servicer))
Investor = Depends(require(Role.investor))
Format = Annotated[Literal["json", "csv"], Query(description="json or csv")]
# ``format=csv`` answers text/csv: documented beside the JSON so clients expect both.
CSV_OR_JSON: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}


# --- create -------------------------------------------------------------------------------------


def _spec_from_text(text: str) -> DealSpec:
    try:
        data = yaml.safe_load(text)  # JSON is YAML too
    except yaml.YAMLError as exc:
        raise DealError("spec_yaml", f"not valid YAML or JSON: {exc}") from None
    if not isinstance(data, dict):
        raise DealError("spec_yaml", "expected a mapping of deal fields at the top level")
    try:
        return parse_spec(data)
    except DealSpecError as exc:
        raise DealError("spec_yaml", str(exc)) from None


def _create(deals: DealService, body: CreatePoolRequest) -> PoolCreatedOut:
    spec = body.spec or _spec_from_text(body.spec_yaml or "")
    as_of = body.tape_as_of or spec.period.closing_date
    key = deals.runtime.pseudonym_secret()
    if body.loans is not None:
        with input_errors("loans"):
            tape = tape_from_rows(body.loans, key, as_of)
    else:
        with input_errors("tape_csv"):
            tape = tape_from_csv(body.tape_csv or "", key, as_of)
    parties = {k: v for k, v in body.parties.model_dump().items() if v}
    created = deals.create_pool(spec, tape, parties)
    return PoolCreatedOut(
        address=created.address,
        deal_id=created.deal_id,
        tokens=created.tokens,
        tranches=created.tranche_names,
        block_number=created.block_number,
    )


@router.post("", status_code=201, response_model=PoolCreatedOut, dependencies=[Structurer])
def create_pool(
    body: CreatePoolRequest,
    svc: ServicesDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """Create a pool (and its tranche tokens) from a deal spec and a loan tape."""
    dump = body.model_dump(mode="json")
    return write(svc, request, idempotency_key, dump, lambda: _create(svc.deals, body), 201)


# --- reads --------------------------------------------------------------------------------------


@router.get("", response_model=list[PoolSummary])
def list_pools(svc: ServicesDep, _: AnyRole):
    """Every pool the index knows, oldest first."""
    deals: DealService = svc.deals
    out = []
    for pool in deals.pools():
        stored = deals.stored_spec(pool.address)
        out.append(PoolSummary(name=stored.name if stored else None, **pool.model_dump()))
    return out


def _tranches(deals: DealService, address: str) -> list[TrancheOut]:
    return [TrancheOut(name=name, **t.model_dump()) for name, t in deals.tranches(address)]


@router.get("/{address}", response_model=PoolOut)
def read_pool(address: Address, svc: ServicesDep, _: AnyRole):
    """One pool: parties, terms, tape commitment, state and tranches."""
    deals: DealService = svc.deals
    with deal_errors():
        pool = deals.pool_row(address)
        stored = deals.stored_spec(pool.address)
        fields = pool.model_dump()
        fields["terms"] = json.loads(pool.terms)  # an object, not JSON text inside JSON
        return PoolOut(
            name=stored.name if stored else None,
            pool=fields,
            tranches=_tranches(deals, address),
        )


@router.get("/{address}/tranches", response_model=list[TrancheOut])
def read_tranches(address: Address, svc: ServicesDep, _: AnyRole):
    with deal_errors():
        return _tranches(svc.deals, address)


@router.get("/{address}/subscriptions", response_model=list[DealSubscription])
def read_subscriptions(address: Address, svc: ServicesDep, _: AnyRole):
    with deal_errors():
        return svc.deals.subscriptions(address)


def _period_out(deals: DealService, address: str, row, tranches) -> PeriodOut:
    names = deals.tranche_names(address, len(tranches))
    pool = deals.pool_row(address)
    return PeriodOut(
        **row.model_dump(exclude={"event_args"}),
        tranches=[PeriodTrancheOut(name=names[t.tranche], **t.model_dump()) for t in tranches],
        triggers=trigger_tests(pool.oc_trigger_bps, pool.ic_trigger_bps, row),
    )


@router.get("/{address}/periods", response_model=list[PeriodOut])
def read_periods(address: Address, svc: ServicesDep, _: AnyRole):
    """Every reported period with every figure of its event."""
    with deal_errors():
        return [_period_out(svc.deals, address, p, t) for p, t in svc.deals.periods(address)]


@router.get("/{address}/periods/{period}", response_model=PeriodOut)
def read_period(address: Address, period: PeriodPath, svc: ServicesDep, _: AnyRole):
    with deal_errors():
        return _period_out(svc.deals, address, *svc.deals.period(address, period))


@router.get("/{address}/periods/{period}/report", responses=CSV_OR_JSON)
def investor_report(
    address: Address, period: PeriodPath, svc: ServicesDep, _: AnyRole, format: Format = "json"
):
    """The investor report of one period (disclosure fields), as JSON or CSV."""
    with deal_errors():
        report = svc.deals.investor_report(address, period)
    if format == "csv":
        return PlainTextResponse(to_csv([report]), media_type="text/csv")
    return report


@router.get("/{address}/reports", responses=CSV_OR_JSON)
def investor_reports(address: Address, svc: ServicesDep, _: AnyRole, format: Format = "json"):
    """The investor reports of every period, as a JSON list or one CSV table."""
    with deal_errors():
        svc.deals.pool_row(address)
        reports = svc.deals.investor_reports(address)
    if format == "csv":
        return PlainTextResponse(to_csv(reports), media_type="text/csv")
    return reports


# --- lifecycle ----------------------------------------------------------------------------------


def _lifecycle(action: str):
    def transition(
        address: Address, svc: ServicesDep, request: Request, idempotency_key: IdempotencyKey = None
    ):
        work = lambda: WrittenOut.of(svc.deals.transition(address, action))
        return write(svc, request, idempotency_key, {}, work)

    transition.__doc__ = f"{action.capitalize()} the pool (a state transition on chain)."
    transition.__name__ = f"pool_{action.replace('-', '_')}"
    return transition


for _action, _role in (
    ("open", Structurer),
    ("cancel", Structurer),
    ("wind-down", Structurer),
    ("mature", Servicer),
):
    router.add_api_route(
        f"/{{address}}/{_action}",
        _lifecycle(_action),
        methods=["POST"],
        response_model=WrittenOut,
        dependencies=[_role],
    )


@router.post("/{address}/close", response_model=WrittenOut, dependencies=[Structurer])
def pool_close(
    address: Address,
    svc: ServicesDep,
    request: Request,
    body: CloseRequest | None = None,
    idempotency_key: IdempotencyKey = None,
):
    """Close the pool. A tranche not fully subscribed is refused (409) unless ``unsubscribed``
    says ``retain`` (the originator is minted the rest) or ``resize`` (face = subscribed)."""
    body = body or CloseRequest()
    work = lambda: WrittenOut.of(svc.deals.close(address, body.unsubscribed))
    return write(svc, request, idempotency_key, body.model_dump(), work)


# ReportedOut fields that do not come from the waterfall's result under the same name.
OWN_FIELDS = {"tx_hash", "block_number", "period", "triggers", "tranches"}


def _reported(deals: DealService, address: str, outcome: PeriodOutcome) -> ReportedOut:
    result, receipt = outcome.result, outcome.receipt
    terms = deals.pool(address).terms()
    figures = asdict(result)
    return ReportedOut(
        tx_hash=receipt["transactionHash"].to_0x_hex(),
        block_number=receipt["blockNumber"],
        period=result.state.period,
        **{k: figures[k] for k in ReportedOut.model_fields.keys() - OWN_FIELDS},
        triggers=trigger_tests(terms.oc_trigger_bps, terms.ic_trigger_bps, result),
        tranches=figures["tranches"],
    )


@router.post(
    "/{address}/periods", status_code=201, response_model=ReportedOut, dependencies=[Servicer]
)
def report_period(
    address: Address,
    body: PeriodInput,
    svc: ServicesDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """Report a period and pay its collections in: the waterfall runs on chain."""
    work = lambda: _reported(svc.deals, address, svc.deals.report_period(address, body))
    return write(svc, request, idempotency_key, body.model_dump(mode="json"), work, 201)


@router.post(
    "/{address}/call",
    response_model=ReportedOut,
    dependencies=[Depends(require(Role.structurer, Role.servicer))],
)
def exercise_call(
    address: Address,
    body: PeriodInput,
    svc: ServicesDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """Clean-up call: a final period whose prepayments carry the purchase price and whose
    pool balance is 0 (sent with the servicer's key, as the contract requires)."""
    work = lambda: _reported(svc.deals, address, svc.deals.report_period(address, body, call=True))
    return write(svc, request, idempotency_key, body.model_dump(mode="json"), work)


# --- investors ----------------------------------------------------------------------------------


@router.post(
    "/{address}/subscriptions", status_code=201, response_model=WrittenOut, dependencies=[Investor]
)
def subscribe(
    address: Address,
    body: SubscribeRequest,
    svc: ServicesDep,
    caller: CallerDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """Subscribe settlement tokens to a tranche (tranche tokens are minted 1:1 at once)."""
    name = acting_investor(caller, body.investor)
    work = lambda: WrittenOut.of(svc.deals.subscribe(address, name, body.tranche, body.amount))
    return write(svc, request, idempotency_key, body.model_dump() | {"investor": name}, work, 201)


@router.post("/{address}/refunds", response_model=WrittenOut, dependencies=[Investor])
def refund(
    address: Address,
    body: TrancheRequest,
    svc: ServicesDep,
    caller: CallerDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """After a cancel: burn the investor's tranche tokens and pay the money back."""
    name = acting_investor(caller, body.investor)
    work = lambda: WrittenOut.of(svc.deals.refund(address, name, body.tranche))
    return write(svc, request, idempotency_key, body.model_dump() | {"investor": name}, work)


@router.get("/{address}/claims", response_model=ClaimableOut)
def claimable(
    address: Address,
    svc: ServicesDep,
    caller: CallerDep,
    holder: Annotated[str | None, Query(description="investor name or address")] = None,
):
    """What a holder can claim from each tranche now (read from the chain)."""
    if caller.role is Role.investor:
        holder = acting_investor(caller, holder)
    elif holder is None:
        raise ApiError(422, "required unless an investor asks for itself", field="holder")
    with deal_errors():
        who = svc.deals.resolve(holder)
        rows = svc.deals.claimable(address, who)
    return ClaimableOut(holder=who, claimable=[ClaimOut(tranche=i, amount=a) for i, a in rows])


@router.post("/{address}/claims", response_model=ClaimOut, dependencies=[Investor])
def claim(
    address: Address,
    body: TrancheRequest,
    svc: ServicesDep,
    caller: CallerDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """Claim the investor's distributions from one tranche."""
    name = acting_investor(caller, body.investor)

    def work() -> ClaimOut:
        index = svc.deals.tranche_index(address, body.tranche)
        return ClaimOut(tranche=index, amount=svc.deals.claim(address, name, index))

    return write(svc, request, idempotency_key, body.model_dump() | {"investor": name}, work)


@router.post("/{address}/transfers", response_model=WrittenOut, dependencies=[Investor])
def transfer(
    address: Address,
    body: TransferRequest,
    svc: ServicesDep,
    caller: CallerDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """Transfer tranche tokens to another allowlisted investor (settles the sender's accrual)."""
    name = acting_investor(caller, body.investor)
    work = lambda: WrittenOut.of(
        svc.deals.transfer(address, name, body.tranche, body.to, body.amount)
    )
    return write(svc, request, idempotency_key, body.model_dump() | {"investor": name}, work)
