"""The auditor's rebuild into PostgreSQL (the service on SQLite): the same index, equal."""

from __future__ import annotations

from audit_world import World

from ledger.audit.workbench import Workbench
from ledger.runtime import Runtime


def test_rebuild_into_postgres_reconciles_equal(runtime: Runtime, world: World, database: str):
    bench = Workbench(runtime, database)
    first = bench.rebuild()
    assert first.resumed_from is None and first.events_total > 0
    result = bench.reconcile()  # resumes the same database, then compares
    assert result.equal, result.differences[:5]
    assert result.entities_compared > 50
