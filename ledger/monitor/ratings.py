"""Rating alerts: a tranche's current rating is a downgrade of the one it superseded, or on watch.

The current rating of a tranche is its latest record the registry still holds valid; the
comparison uses the default rating scale's notches (docs/ratings.md). Both alerts clear when
a later rating is neither, or when no valid rating is left. A downgrade of the note a deal's
rating trigger watches names the trigger, and is critical once below its floor: the pool's
next period runs sequential with its excess spread trapped (docs/waterfall.md §8).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlmodel import Session, select

from ledger.deals.spec import RatingTriggerSpec, parse_spec
from ledger.monitor.alerts import Alert, EventRef
from ledger.ratings.scale import Scale, ScaleError
from ledger.ratings.store import RatingRow
from ledger.store.deal_tables import DealSpecRecord


def deal_trigger(session: Session, pool: str, tranche: int) -> RatingTriggerSpec | None:
    """The rating trigger of the deal ``pool`` was created from, if it watches ``tranche``."""
    row = session.get(DealSpecRecord, pool)
    if row is None:
        return None
    spec = parse_spec(json.loads(row.spec))
    rt = spec.rating_trigger
    return rt if rt and spec.tranche_names.index(rt.tranche) == tranche else None


def _trigger_note(trigger: RatingTriggerSpec | None, grade: str) -> tuple[str, str]:
    """(message suffix, severity) of a downgrade given the deal's trigger on the note."""
    if trigger is None:
        return "", "warning"
    if trigger.passes(grade):
        return f"; the deal's rating trigger (below {trigger.below}) is not reached", "warning"
    return (
        f"; the deal's rating trigger (below {trigger.below}) is breached: the next period "
        "runs sequential with excess spread trapped",
        "critical",
    )


def rating_alerts(session: Session, status: Callable[[int, str], str]) -> list[Alert]:
    rows = list(session.exec(select(RatingRow).order_by(RatingRow.block_number)))  # type: ignore[arg-type]
    by_tranche: dict[tuple[str, int], list[RatingRow]] = {}
    for row in rows:
        by_tranche.setdefault((row.pool, row.tranche), []).append(row)
    by_key = {r.commitment: r for r in rows}
    scale = Scale()
    alerts = []
    for (pool, tranche), history in by_tranche.items():
        current = next(
            (r for r in reversed(history) if status(r.attester_id, r.commitment) == "valid"), None
        )
        if current is None:
            continue
        subject = f"{pool}:{tranche}"
        ref = EventRef("Attested", current.tx_hash, current.block_number)
        previous = by_key.get(current.supersedes or "")
        if previous is not None:
            try:
                worse = scale.notch(current.grade) - scale.notch(previous.grade)
            except ScaleError:
                worse = 0
            if worse > 0:
                note, severity = _trigger_note(deal_trigger(session, pool, tranche), current.grade)
                alerts.append(
                    Alert(
                        kind="rating_downgrade",
                        subject=subject,
                        figure="notches_down",
                        value=worse,
                        threshold=0,
                        comparison=">",
                        severity=severity,
                        message=(
                            f"pool {pool[:10]}… tranche {tranche}: downgraded {previous.grade} -> "
                            f"{current.grade} ({worse} notch{'es' if worse > 1 else ''}){note}"
                        ),
                        events=(EventRef("Attested", previous.tx_hash, previous.block_number), ref),
                    )
                )
        if current.watch != "none":
            alerts.append(
                Alert(
                    kind="rating_watch",
                    subject=subject,
                    figure="on_watch",
                    value=1,
                    threshold=1,
                    comparison=">=",
                    severity="critical" if current.watch == "negative" else "warning",
                    message=f"pool {pool[:10]}… tranche {tranche}: {current.grade} on {current.watch} watch",
                    events=(ref,),
                )
            )
    return alerts
