"""A pool's triggers (docs/waterfall.md §8): its thresholds from the chain, and its rating
trigger with the grade the feed holds now, as the next period report will read it."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AnyRole, ServicesDep
from api.pools.common import deal_errors
from api.triggers.schemas import TriggersOut
from api.types import Address
from ledger.deals.service import DealService
from ledger.ratings.feed import triggers_report

router = APIRouter(prefix="/v1/pools", tags=["pools"])


@router.get("/{address}/triggers", response_model=TriggersOut)
def read_triggers(address: Address, svc: ServicesDep, _: AnyRole):
    """The pool's trigger thresholds and its rating trigger's current reading."""
    deals: DealService = svc.deals
    with deal_errors():
        pool = deals.pool(address)
        names = deals.tranche_names(pool.address, len(pool.terms().tranches))
        return TriggersOut(**triggers_report(pool, names))
