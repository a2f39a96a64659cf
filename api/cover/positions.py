"""Cover positions from the index: every guarantee facility and insurance policy (of a pool),
one with its terms, state, totals and collateral movements, and its periods (draws,
claims, recoveries, unpaid claims), each figure with the transaction it comes from."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.cover.access import Reader
from api.cover.positions_schemas import (
    CollateralMoveOut,
    CoverTermsOut,
    FacilityOut,
    FacilityPeriodOut,
)
from api.deps import ServicesDep
from api.pools.common import deal_errors
from api.types import Address
from ledger.guarantees import positions
from ledger.store.cover_tables import CoverFacility

router = APIRouter(prefix="/facilities")
PoolFilter = Annotated[Address | None, Query(description="only the facilities of this pool")]


def facility_out(row: CoverFacility, moves: list[CollateralMoveOut]) -> FacilityOut:
    insurance = row.kind == "insurance"
    terms = CoverTermsOut(
        tranche=row.tranche,
        limit=row.cover_limit,
        premium_bps=row.premium_bps,
        last_period=row.last_period,
        deductible=row.deductible if insurance else None,
        coinsurance_bps=row.coinsurance_bps if insurance else None,
    )
    data = row.model_dump(exclude={"address", "tranche", "cover_limit", "created_block"})
    return FacilityOut(
        **data,
        address=row.address,
        terms=terms,
        block_number=row.created_block,
        collateral_moves=moves,
    )


def _moves(svc: ServicesDep, address: str) -> list[CollateralMoveOut]:
    rows = positions.collateral_moves(svc.runtime.engine, address)
    return [CollateralMoveOut.model_validate(r, from_attributes=True) for r in rows]


@router.get("", response_model=list[FacilityOut], dependencies=[Reader])
def list_facilities(svc: ServicesDep, pool: PoolFilter = None) -> list[FacilityOut]:
    """Every indexed guarantee facility and insurance policy, or those of one pool."""
    rows = positions.facilities(svc.runtime.engine, pool)
    return [facility_out(r, _moves(svc, r.address)) for r in rows]


@router.get("/{address}", response_model=FacilityOut, dependencies=[Reader])
def read_facility(address: Address, svc: ServicesDep) -> FacilityOut:
    """One facility: terms, state, totals and collateral movements."""
    with deal_errors():
        row = positions.facility(svc.runtime.engine, address)
    return facility_out(row, _moves(svc, address))


@router.get("/{address}/periods", response_model=list[FacilityPeriodOut], dependencies=[Reader])
def read_facility_periods(address: Address, svc: ServicesDep) -> list[FacilityPeriodOut]:
    """Per period: premium, draw or claim paid in, recoveries back, unpaid claims."""
    with deal_errors():
        positions.facility(svc.runtime.engine, address)
    rows = positions.settlements(svc.runtime.engine, address)
    return [FacilityPeriodOut(**positions.period_figures(s)) for s in rows]
