"""A pool's triggers (docs/waterfall.md §8): its thresholds from the chain, and its rating
trigger with the grade the feed holds now, as the next period report will read it."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AnyRole, ServicesDep
from api.pools.common import deal_errors
from api.triggers.schemas import RatingTriggerOut, StepOut, TriggersOut
from api.types import Address
from ledger.deals.service import DealService
from ledger.ratings.feed import trigger_status

router = APIRouter(prefix="/v1/pools", tags=["pools"])


@router.get("/{address}/triggers", response_model=TriggersOut)
def read_triggers(address: Address, svc: ServicesDep, _: AnyRole):
    """The pool's trigger thresholds and its rating trigger's current reading."""
    deals: DealService = svc.deals
    with deal_errors():
        pool = deals.pool(address)
        terms = pool.terms()
        rating = trigger_status(pool)
        names = deals.tranche_names(pool.address, len(terms.tranches))
    return TriggersOut(
        oc_min_bps=terms.oc_trigger_bps,
        ic_min_bps=terms.ic_trigger_bps,
        cumulative_default=[
            StepOut(from_period=s.from_period, max_bps=s.max_bps) for s in terms.cd_trigger
        ],
        rating=None
        if rating is None
        else RatingTriggerOut(name=names[rating["tranche"]], passes=rating.pop("pass"), **rating),
    )
