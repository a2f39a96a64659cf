"""Rebuild: a fresh index built from the chain alone, into a database of the auditor's.

The rebuild is the service's own indexer pointed at another database: the same
projections, the same contract discovery, nothing read from the service's database. It
commits one chunk of blocks at a time with its checkpoint, so an interrupted rebuild
resumes from the last committed chunk when run again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from ledger.runtime import Runtime
from ledger.store import create_db


@dataclass(frozen=True)
class RebuildResult:
    url: str
    resumed_from: int | None  # the block the database had indexed before this run; None: fresh
    indexed_block: int
    events_applied: int
    events_total: int


def rebuild(
    runtime: Runtime,
    into_url: str,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[RebuildResult, Engine]:
    """Index the whole chain into ``into_url`` (created if missing); returns its engine too.

    ``progress(block, head)`` is called after each committed chunk."""
    engine = create_db(into_url)
    indexer = runtime.indexer(engine)
    before, before_hash = indexer.checkpoint()
    applied = indexer.poll_once(on_chunk=progress)
    after, _ = indexer.checkpoint()
    resumed = before if before_hash is not None else None
    result = RebuildResult(into_url, resumed, after, applied, indexer.event_count())
    return result, engine
