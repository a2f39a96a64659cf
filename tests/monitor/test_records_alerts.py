"""Record and attester alerts on a real node: raised by chain events, cleared by later ones."""

from __future__ import annotations

import json
import secrets
import threading
import time

from ledger.monitor.alerts import history
from ledger.monitor.config import MonitorSettings
from ledger.monitor.engine import Monitor
from ledger.runtime import Runtime

DAY = 86_400
METRICS = (8000, 5000, 6000, 100, 1000)


def _monitor(rt: Runtime) -> Monitor:
    return Monitor(rt.engine, rt.w3, MonitorSettings(expiry_days=30, webhooks=[]))


def test_expiring_record_raised_then_cleared_when_revoked(rt: Runtime) -> None:
    monitor = _monitor(rt)
    registry = rt.registry("attester")
    model = secrets.token_bytes(32)
    registry.register_model(model, "m", METRICS)
    now = monitor.chain_time()
    soon, later = secrets.token_bytes(32), secrets.token_bytes(32)
    receipt = registry.attest(soon, model, now + 10 * DAY)
    registry.attest(later, model, now + 90 * DAY)
    rt.indexer().poll_once()

    raised = {r.subject.split(":")[1]: r for r in monitor.evaluate().changes.raised}
    alert = raised["0x" + soon.hex()]
    assert "0x" + later.hex() not in raised
    assert alert.kind == "record_expiring" and alert.threshold == 30 * DAY
    assert 9 * DAY < alert.value <= 10 * DAY
    events = json.loads(alert.events)
    assert events[0]["event"] == "Attested"
    assert events[0]["tx_hash"] == "0x" + bytes(receipt["transactionHash"]).hex()
    # Evaluating again changes nothing: the alert stays open, once.
    again = monitor.evaluate()
    assert not again.changes.raised and not again.changes.cleared

    registry.revoke(soon, 1)
    rt.indexer().poll_once()
    cleared = monitor.evaluate().changes.cleared
    assert [r.subject.split(":")[1] for r in cleared] == ["0x" + soon.hex()]
    assert cleared[0].cleared_at is not None
    assert not any(soon.hex() in r.subject for r in history(rt.engine, state="open"))


def test_attester_suspension_raised_then_cleared_on_reinstatement(rt: Runtime, suspend) -> None:
    monitor = _monitor(rt)
    attester_id = suspend(4)
    raised = [r for r in monitor.evaluate().changes.raised if r.kind == "attester_suspended"]
    assert [r.subject for r in raised] == [str(attester_id)]
    assert raised[0].severity == "critical"
    assert json.loads(raised[0].events)[0]["event"] == "AttesterSuspended"

    rt.registry("admin").reinstate_attester(attester_id)
    rt.indexer().poll_once()
    cleared = monitor.evaluate().changes.cleared
    assert [r.kind for r in cleared] == ["attester_suspended"]
    # The episode stays in the history, cleared.
    kept = history(rt.engine, state="cleared", kind="attester_suspended")
    assert len(kept) == 1 and kept[0].raised_at <= kept[0].cleared_at


def test_background_loop_raises_and_clears_without_a_request(rt: Runtime, suspend) -> None:
    monitor = Monitor(rt.engine, rt.w3, MonitorSettings(interval_s=0.05, webhooks=[]))
    stop = threading.Event()
    thread = threading.Thread(target=monitor.run, args=(stop,), daemon=True)
    thread.start()
    try:
        attester_id = suspend(5)
        assert _until(lambda: _open_kinds(rt) == {"attester_suspended"})
        rt.registry("admin").reinstate_attester(attester_id)
        rt.indexer().poll_once()
        assert _until(lambda: _open_kinds(rt) == set())
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def _open_kinds(rt: Runtime) -> set[str]:
    return {r.kind for r in history(rt.engine, state="open")}


def _until(check, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False
