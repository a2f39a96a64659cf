"""The service side of a deal's rating trigger on a real node: a spec's trigger defaults to
the deployment's RatingFeed and the service's agency, publishing a rating of the watched
note posts it to the feed, the triggers endpoint shows the grade the next period will read,
and the monitor's downgrade alert names the trigger."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pool_samples import SPEC, loans
from typer.testing import CliRunner

from api.deps import Role
from api.main import create_app
from ledger.cli import _register_subcommands, app
from ledger.deals.service import DealError, DealService, LoanRow, tape_from_rows
from ledger.deals.spec import parse_spec
from ledger.monitor.config import MonitorSettings
from ledger.monitor.engine import Monitor
from ledger.ratings.methodology import Methodology
from ledger.ratings.montecarlo import Pool
from ledger.ratings.outcome import rate_pool
from ledger.ratings.service import RatingService
from ledger.runtime import Runtime
from ledger.settings import get_settings

METHOD = Methodology(paths=100, sensitivities_bps=[])


def test_publish_posts_to_the_feed_and_the_pool_reads_it(rt: Runtime, anvil) -> None:
    spec = parse_spec({**SPEC, "rating_trigger": {"tranche": "A", "below": "BBB"}})
    rows = loans(spec.units(spec.pool_balance))
    tape = tape_from_rows([LoanRow(**r) for r in rows], rt.pseudonym_secret(), date(2016, 1, 1))
    deals = DealService(rt)
    # a feed that is not one, or an agency its registry does not know, is refused up front
    eoa = rt.keystore.signer("admin").address
    for trigger, field in (({"feed": eoa}, "feed"), ({"agency": 999}, "agency")):
        bad = parse_spec({**SPEC, "rating_trigger": {"tranche": "A", "below": "A", **trigger}})
        with pytest.raises(DealError) as info:
            deals.create_pool(bad, tape)
        assert info.value.field == f"spec.rating_trigger.{field}"
    pool = deals.create_pool(spec, tape).address
    plain = deals.create_pool(parse_spec(SPEC), tape).address
    deals.sync()
    svc = RatingService(rt)
    trigger = svc.trigger(pool)
    assert trigger is not None and trigger.feed == rt.manifest.address("RatingFeed")
    assert (trigger.agency, trigger.tranche, trigger.floor_rank) == (svc.agency_id(), 0, 3)
    assert svc.trigger(plain) is None

    balances = np.array([r["current_principal"] for r in rows], dtype=np.int64)
    safe = rate_pool(spec, Pool(balances, np.full(len(rows), 50)), METHOD)
    risky = rate_pool(spec, Pool(balances, np.full(len(rows), 9_000)), METHOD)
    assert spec.rating_trigger.passes(safe.run.tranches[0].grade)
    assert not spec.rating_trigger.passes(risky.run.tranches[0].grade)

    keys = {"k-auditor": Role.auditor}
    auditor = {"X-API-Key": "k-auditor"}
    monitor = Monitor.for_runtime(rt, MonitorSettings(webhooks=[]))
    with TestClient(create_app(rt, keys, run_indexer=False)) as client:
        before = client.get(f"/v1/pools/{pool}/triggers", headers=auditor).json()
        assert before["rating"]["grade"] is None and before["rating"]["passes"] is False
        assert before["rating"]["floor"] == "BBB" and before["rating"]["name"] == "A"
        assert client.get(f"/v1/pools/{plain}/triggers", headers=auditor).json()["rating"] is None
        assert (
            client.get("/v1/pools/0x" + "12" * 20 + "/triggers", headers=auditor).status_code == 404
        )

        first = svc.publish(safe, pool, 0)
        assert first.feed_tx is not None
        now = client.get(f"/v1/pools/{pool}/triggers", headers=auditor).json()["rating"]
        assert (now["grade"], now["passes"]) == (first.record.grade, True)
        assert now["commitment"] == first.record.commitment_hex

        # B is not the watched note: nothing is posted
        assert svc.publish(safe, pool, 1).feed_tx is None

        second = svc.publish(risky, pool, 0)
        assert second.superseded == first.record.commitment_hex and second.feed_tx
        now = client.get(f"/v1/pools/{pool}/triggers", headers=auditor).json()["rating"]
        assert (now["grade"], now["passes"]) == (second.record.grade, False)

    [down] = [a for a in monitor.evaluate().changes.raised if a.kind == "rating_downgrade"]
    assert "rating trigger (below BBB) is breached" in down.message
    assert down.severity == "critical"

    # The CLI shows the same reading, in a table that fits 100 columns, and as JSON.
    _register_subcommands()
    get_settings.cache_clear()
    env = {"CREDENCE_DATA_DIR": str(rt.settings.data_dir), "CREDENCE_RPC_URL": anvil.url}
    shown = CliRunner().invoke(app, ["pool", "triggers", pool, "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["rating"]["grade"] == second.record.grade
    table = CliRunner().invoke(app, ["pool", "triggers", pool], env={**env, "COLUMNS": "100"})
    assert table.exit_code == 0 and "FAIL, sequential and trapped" in table.output
    assert max(len(line) for line in table.output.splitlines()) <= 100
    bad = CliRunner().invoke(app, ["pool", "triggers", "0x12"], env=env)
    assert bad.exit_code == 2 and "pool" in bad.output
    get_settings.cache_clear()
