"""Investors: the compliance agent admits, updates, removes, freezes and unfreezes them in
the investor registry and forces transfers; the agent and auditors read the allowlist."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from api.deps import CallerDep, Role, ServicesDep, require
from api.errors import ApiError
from api.investors.schemas import (
    ForcedTransferIn,
    FreezeIn,
    InvestorCreatedOut,
    InvestorIn,
    InvestorOut,
)
from api.pools.common import IdempotencyKey, deal_errors, write, write_showing_key
from api.pools.schemas import WrittenOut
from ledger.deals.service import DealService
from ledger.store.deal_tables import DealInvestor

router = APIRouter(prefix="/v1/investors", tags=["investors"])
Agent = Depends(require(Role.agent))
Readers = Depends(require(Role.agent, Role.auditor))


def _out(name: str | None, row: DealInvestor) -> InvestorOut:
    return InvestorOut(name=name, **row.model_dump(exclude={"updated_block"}))


@router.post("", status_code=201, response_model=InvestorCreatedOut, dependencies=[Agent])
def add_investor(
    body: InvestorIn, svc: ServicesDep, request: Request, idempotency_key: IdempotencyKey = None
):
    """Admit an investor to the registry, or update its KYC expiry and jurisdiction.

    A new custodial investor's API key is in this response only: what an idempotent retry
    replays was stored without it (``api_key`` null)."""

    def work() -> tuple[InvestorCreatedOut, str | None]:
        deals: DealService = svc.deals
        added = deals.add_investor(body.name, body.expiry_time(), body.jurisdiction, body.address)
        answer = InvestorCreatedOut(
            name=added.account.name,
            address=added.account.address,
            custodial=added.account.custodial,
            api_key=None,
            tx_hash=added.written.tx_hash,
            block_number=added.written.block_number,
        )
        return answer, added.api_key

    return write_showing_key(svc, request, idempotency_key, body.model_dump(mode="json"), work)


@router.get("", response_model=list[InvestorOut], dependencies=[Readers])
def list_investors(svc: ServicesDep):
    """Every address the registry has a record of (admitted, removed or frozen)."""
    return [_out(name, row) for name, row in svc.deals.investors()]


@router.get("/{investor}", response_model=InvestorOut)
def read_investor(investor: str, svc: ServicesDep, caller: CallerDep):
    """One investor, by name or address (an investor may read only itself)."""
    allowed = caller.role in (Role.admin, Role.agent, Role.auditor)
    if caller.role is Role.investor and caller.investor == investor:
        allowed = True
    if not allowed:
        raise ApiError(403, f"role {caller.role.value!r} may not read other investors")
    with deal_errors():
        return _out(*svc.deals.investor(investor))


@router.delete("/{investor}", response_model=WrittenOut, dependencies=[Agent])
def remove_investor(
    investor: str, svc: ServicesDep, request: Request, idempotency_key: IdempotencyKey = None
):
    """Delist an investor (a freeze stays in force)."""
    work = lambda: WrittenOut.of(svc.deals.remove_investor(investor))
    return write(svc, request, idempotency_key, {}, work)


@router.post("/{investor}/freeze", response_model=WrittenOut, dependencies=[Agent])
def freeze(
    investor: str,
    body: FreezeIn,
    svc: ServicesDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """Freeze an address for every tranche token using this registry."""
    work = lambda: WrittenOut.of(svc.deals.freeze(investor, body.reason))
    return write(svc, request, idempotency_key, body.model_dump(), work)


@router.post("/{investor}/unfreeze", response_model=WrittenOut, dependencies=[Agent])
def unfreeze(
    investor: str, svc: ServicesDep, request: Request, idempotency_key: IdempotencyKey = None
):
    work = lambda: WrittenOut.of(svc.deals.unfreeze(investor))
    return write(svc, request, idempotency_key, {}, work)


@router.post("/{investor}/forced-transfer", response_model=WrittenOut, dependencies=[Agent])
def forced_transfer(
    investor: str,
    body: ForcedTransferIn,
    svc: ServicesDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """Move an investor's tranche tokens to another eligible investor (agent)."""
    work = lambda: WrittenOut.of(
        svc.deals.forced_transfer(
            body.pool, body.tranche, investor, body.to, body.amount, body.reason_code
        )
    )
    return write(svc, request, idempotency_key, body.model_dump(), work)
