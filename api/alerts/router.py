"""Early-warning alerts: evaluated on the index at request time, listed with their history."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from api.alerts.schemas import AlertOut, AlertsOut
from api.deps import Role, Services, ServicesDep, require
from ledger.monitor.alerts import history
from ledger.monitor.engine import Monitor

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])
Reader = Depends(
    require(Role.auditor, Role.verifier, Role.attester, Role.structurer, Role.servicer)
)


def monitor(svc: Services) -> Monitor:
    if "monitor" not in svc.extras:
        rt = svc.runtime
        svc.extras["monitor"] = Monitor.for_runtime(rt)
    return svc.extras["monitor"]


@router.get("", response_model=AlertsOut, dependencies=[Reader])
def list_alerts(
    svc: ServicesDep,
    state: Annotated[Literal["open", "cleared", "all"], Query()] = "open",
    kind: Annotated[str | None, Query(max_length=64)] = None,
    subject: Annotated[str | None, Query(max_length=80)] = None,
    evaluate: Annotated[bool, Query(description="judge the index now before listing")] = True,
) -> AlertsOut:
    """Alerts with the figure, threshold, time and chain events of each; open by default.

    With ``evaluate`` (the default) the index is brought to the chain head and every rule is
    judged first, so the answer reflects the chain as of this request.
    """
    evaluation = None
    if evaluate:
        # Judge the chain as it is now: bring the index to the head first (the indexer
        # serialises pollers, so this is safe beside the background thread).
        (svc.extras.get("indexer") or svc.runtime.indexer()).poll_once()
        evaluation = monitor(svc).evaluate()
    rows = history(svc.runtime.engine, state=state, kind=kind)
    if subject is not None:
        rows = [r for r in rows if r.subject.lower() == subject.lower()]
    return AlertsOut(
        evaluated_at=evaluation.now if evaluation else None,
        raised=len(evaluation.changes.raised) if evaluation else 0,
        cleared=len(evaluation.changes.cleared) if evaluation else 0,
        alerts=[AlertOut.model_validate(r.as_json()) for r in rows],
    )
