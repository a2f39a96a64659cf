"""Rating alerts: a tranche's current rating is a downgrade of the one it superseded, or on watch.

The current rating of a tranche is its latest record the registry still holds valid; the
comparison uses the default rating scale's notches (docs/ratings.md). Both alerts clear when
a later rating is neither, or when no valid rating is left.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select

from ledger.monitor.alerts import Alert, EventRef
from ledger.ratings.scale import Scale, ScaleError
from ledger.ratings.store import RatingRow


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
                alerts.append(
                    Alert(
                        kind="rating_downgrade",
                        subject=subject,
                        figure="notches_down",
                        value=worse,
                        threshold=0,
                        comparison=">",
                        message=(
                            f"pool {pool[:10]}… tranche {tranche}: downgraded {previous.grade} -> "
                            f"{current.grade} ({worse} notch{'es' if worse > 1 else ''})"
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
