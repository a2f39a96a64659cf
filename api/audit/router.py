"""Audit over HTTP (auditors and admins): reconcile the service's database with an index
rebuilt from the chain alone, and read a pool's double-entry journal."""

from __future__ import annotations

import threading
from dataclasses import asdict

from fastapi import APIRouter, Depends

from api.audit.schemas import JournalOut, ReconciliationOut
from api.deps import Role, Services, ServicesDep, require
from api.errors import ApiError
from api.types import Address
from ledger.audit.journal import chain_balances, held_check, journal, unbalanced
from ledger.audit.workbench import Workbench

router = APIRouter(
    prefix="/v1/audit", tags=["audit"], dependencies=[Depends(require(Role.auditor))]
)


_CREATING = threading.Lock()


def workbench(svc: Services) -> Workbench:
    """One workbench per app (its rebuilt index lives in the data directory), made once
    even when the first requests come together."""
    with _CREATING:
        if "workbench" not in svc.extras:
            svc.extras["workbench"] = Workbench(svc.runtime)
        return svc.extras["workbench"]


@router.get("/reconciliation", response_model=ReconciliationOut)
def last_reconciliation(svc: ServicesDep):
    """The last reconciliation's result (run one with POST /v1/audit/reconciliation)."""
    found = workbench(svc).last_reconciliation()
    if found is None:
        raise ApiError(404, "no reconciliation has run yet")
    return found


@router.post("/reconciliation", response_model=ReconciliationOut)
def run_reconciliation(svc: ServicesDep):
    """Bring the rebuilt index to the head, compare entity by entity, keep the result."""
    return workbench(svc).reconcile().to_json()


@router.get("/pools/{address}/journal", response_model=JournalOut)
def pool_journal(address: Address, svc: ServicesDep):
    """Every cash movement of the pool as double entries, from the service's index, with
    the held accounts' balances checked against the chain."""
    engine = svc.runtime.engine
    try:
        entries = journal(engine, address)
    except KeyError:
        raise ApiError(404, f"no pool {address} in the index", field="address") from None
    chain = chain_balances(svc.runtime.w3, engine, address)
    return {
        "pool": address,
        "entries": [asdict(e) for e in entries],
        "unbalanced": unbalanced(entries),
        "held": held_check(entries, chain),
    }
