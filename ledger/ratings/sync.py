"""Finish what a publication left undone: the feed post and the supersession.

``RatingService.publish`` stores a record once the registry holds it, then posts it to
the pool's RatingFeed and revokes the record it supersedes. If either step fails (the
node refused, the feed reverted) the work still to do follows from the service's rows and
the chain: a tranche's newest valid record that its feed does not hold yet is posted, then
a record that a stored one supersedes but the registry still holds valid is revoked. Each
send carries the same idempotency key as ``publish`` uses, so nothing goes out twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ledger.ratings.service import RatingService
from ledger.ratings.store import RatingRow

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    posted: list[str] = field(default_factory=list)  # commitments posted to a feed
    revoked: list[str] = field(default_factory=list)  # superseded commitments revoked
    failed: dict[str, str] = field(default_factory=dict)  # commitment -> why (retry later)

    def to_dict(self) -> dict:
        return {"posted": self.posted, "revoked": self.revoked, "failed": self.failed}


def sync_ratings(svc: RatingService) -> SyncReport:
    """Post and revoke what earlier publications left pending; safe to run any time."""
    with svc.lock:
        return _sync(svc)


def _sync(svc: RatingService) -> SyncReport:
    report = SyncReport()
    with Session(svc.runtime.engine) as session:
        rows = list(session.exec(select(RatingRow).order_by(col(RatingRow.block_number))))
    newest: dict[tuple[str, int], RatingRow] = {}
    for row in rows:
        # a row superseded_by another was revoked for it: no registry call needed
        if row.superseded_by is None and svc.status(row.commitment) == "valid":
            newest[(row.pool, row.tranche)] = row
    blocked: set[tuple[str, int]] = set()  # a failed post: keep the old record valid
    for tranche, row in newest.items():
        try:
            if svc.feed_lags(row):
                svc.post_to_feed(row.commitment)
                report.posted.append(row.commitment)
        except Exception as exc:  # the node or the feed: the next sync retries
            report.failed[row.commitment] = str(exc) or type(exc).__name__
            blocked.add(tranche)
    by_commitment = {row.commitment: row for row in rows}
    for row in rows:
        old = by_commitment.get(row.supersedes or "")
        if old is None or (old.pool, old.tranche) in blocked or old.superseded_by:
            continue
        try:
            if svc.supersede(old.commitment, row.commitment):
                report.revoked.append(old.commitment)
        except Exception as exc:
            report.failed[old.commitment] = str(exc) or type(exc).__name__
    return report


def run_sync(
    engine: Engine, service: Callable[[], RatingService], stop: threading.Event, every: float
) -> None:
    """``sync_ratings`` every ``every`` seconds until ``stop`` (the API's background work).
    A round with no rating that could be unfinished reads one row and touches no key or
    node, so an API that publishes no ratings never makes the agency's key."""
    while not stop.wait(every):
        try:
            if not _open_rows(engine):
                continue
            report = sync_ratings(service())
        except Exception as exc:  # the node, the database or the key is away: next round
            log.warning("rating sync: round failed (%s); retrying", exc)
            continue
        if report.posted or report.revoked or report.failed:
            log.info("rating sync: %s", report.to_dict())


def _open_rows(engine: Engine) -> bool:
    """Whether any stored rating is not yet superseded (it may still need a post)."""
    with Session(engine) as session:
        query = select(RatingRow.commitment).where(col(RatingRow.superseded_by).is_(None))
        return session.exec(query.limit(1)).first() is not None
