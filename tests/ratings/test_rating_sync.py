"""A publication whose feed post fails is finished by ``rating sync`` on a real node: the
feed reverts (its code swapped for one that always reverts, then put back), publish says
what is left pending, the new rating stays attested and the old one valid, a sync while the feed still fails changes nothing,
and once it answers again one sync posts the new rating and revokes the old; a second
failure is healed by the API's background sync; then a sync finds nothing to do, and the
feed saw each record posted once."""

from __future__ import annotations

import json
import threading
import time
from datetime import date

import numpy as np
from pool_samples import SPEC, loans
from typer.testing import CliRunner

from ledger.cli import _register_subcommands, app
from ledger.deals.service import DealService, LoanRow, tape_from_rows
from ledger.deals.spec import parse_spec
from ledger.ratings.feed import RatingFeedClient
from ledger.ratings.methodology import Methodology
from ledger.ratings.montecarlo import Pool
from ledger.ratings.outcome import rate_pool
from ledger.ratings.service import AGENCY_ROLE, RatingService
from ledger.ratings.sync import run_sync, sync_ratings
from ledger.runtime import Runtime
from ledger.settings import get_settings

METHOD = Methodology(paths=100, sensitivities_bps=[])
ALWAYS_REVERTS = "0x60006000fd"  # PUSH1 0 PUSH1 0 REVERT


def test_a_failed_feed_post_is_finished_by_sync(rt: Runtime, anvil) -> None:
    spec = parse_spec({**SPEC, "rating_trigger": {"tranche": "A", "below": "BBB"}})
    rows = loans(spec.units(spec.pool_balance))
    tape = tape_from_rows([LoanRow(**r) for r in rows], rt.pseudonym_secret(), date(2016, 1, 1))
    deals = DealService(rt)
    pool = deals.create_pool(spec, tape).address
    deals.sync()
    svc = RatingService(rt)
    balances = np.array([r["current_principal"] for r in rows], dtype=np.int64)
    safe = rate_pool(spec, Pool(balances, np.full(len(rows), 50)), METHOD)
    risky = rate_pool(spec, Pool(balances, np.full(len(rows), 9_000)), METHOD)

    env = {"CREDENCE_DATA_DIR": str(rt.settings.data_dir), "CREDENCE_RPC_URL": anvil.url}
    first = svc.publish(safe, pool, 0).record.commitment_hex
    assert sync_ratings(svc).to_dict() == {"posted": [], "revoked": [], "failed": {}}
    feed = RatingFeedClient.at(rt.sender(AGENCY_ROLE), rt.manifest.address("RatingFeed"))
    agency = svc.agency_id()
    assert feed.current(agency, pool, 0).commitment == first

    code = rt.w3.eth.get_code(feed.address).to_0x_hex()
    rt.w3.provider.make_request("anvil_setCode", [feed.address, ALWAYS_REVERTS])
    try:
        published = svc.publish(risky, pool, 0)
        second = published.record.commitment_hex
        assert published.feed_tx is None and "ContractRevert" in (published.pending or "")
        # attested and recorded, the old one still valid: the feed keeps a valid rating
        assert (svc.status(second), svc.status(first)) == ("valid", "valid")
        stuck = sync_ratings(svc)
        assert (stuck.posted, stuck.revoked, list(stuck.failed)) == ([], [], [second])
        # the CLI says so too, with exit code 1 (run it again)
        _register_subcommands()
        get_settings.cache_clear()
        shown = CliRunner().invoke(app, ["rating", "sync", "--json"], env=env)
        assert shown.exit_code == 1 and list(json.loads(shown.output)["failed"]) == [second]
        get_settings.cache_clear()
        assert svc.status(first) == "valid"
    finally:
        rt.w3.provider.make_request("anvil_setCode", [feed.address, code])

    assert feed.current(agency, pool, 0).commitment == first
    done = sync_ratings(svc)
    assert (done.posted, done.revoked, done.failed) == ([second], [first], {})
    held = feed.current(agency, pool, 0)
    assert (held.commitment, held.valid) == (second, True)
    assert (svc.status(second), svc.status(first)) == ("valid", "superseded")
    assert svc.row(first).superseded_by == second

    # Again, healed this time by the API's background sync.
    rt.w3.provider.make_request("anvil_setCode", [feed.address, ALWAYS_REVERTS])
    try:
        third = svc.publish(safe, pool, 0)
        assert third.pending and third.superseded == second
    finally:
        rt.w3.provider.make_request("anvil_setCode", [feed.address, code])
    stop = threading.Event()
    worker = threading.Thread(target=run_sync, args=(rt.engine, lambda: svc, stop, 0.05))
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while svc.status(second) != "superseded" and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join()
    assert feed.current(agency, pool, 0).commitment == third.record.commitment_hex
    assert svc.status(second) == "superseded"

    # Nothing left, nothing sent twice: the CLI's sync finds the ratings in sync.
    get_settings.cache_clear()
    again = CliRunner().invoke(app, ["rating", "sync", "--json"], env=env)
    assert again.exit_code == 0, again.output
    assert json.loads(again.output) == {"posted": [], "revoked": [], "failed": {}}
    text = CliRunner().invoke(app, ["rating", "sync"], env=env)
    assert text.exit_code == 0 and "nothing to post or revoke" in text.output
    get_settings.cache_clear()
    posted = feed.contract.events.RatingPosted().get_logs(from_block=0)
    assert sorted("0x" + bytes(e["args"]["commitment"]).hex() for e in posted) == sorted(
        [first, second, third.record.commitment_hex]
    )
