"""The alerts through the API, the CLI and a webhook, on a real node: an attester
suspension shows up as an open alert everywhere, and as cleared after reinstatement."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.deps import Role
from api.main import create_app
from ledger.chain.node import LocalNode
from ledger.cli import _register_subcommands, app
from ledger.monitor.config import MonitorSettings
from ledger.monitor.engine import Monitor
from ledger.monitor.metrics import gauge_samples
from ledger.runtime import Runtime

KEYS = {"k-auditor": Role.auditor, "k-investor": Role.investor}


class Hook(BaseHTTPRequestHandler):
    """Answers 503 to the first POST (to exercise the retry), then 204; keeps the bodies."""

    bodies: ClassVar[list[dict]] = []
    calls: ClassVar[int] = 0

    def do_POST(self) -> None:
        Hook.calls += 1
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        status = 503 if Hook.calls == 1 else 204
        if status == 204:
            Hook.bodies.append(body)
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def _cli(rt: Runtime, anvil: LocalNode, *args: str) -> tuple[int, str]:
    from ledger.settings import get_settings

    _register_subcommands()
    get_settings.cache_clear()
    env = {"CREDENCE_DATA_DIR": str(rt.settings.data_dir), "CREDENCE_RPC_URL": anvil.url}
    result = CliRunner().invoke(app, list(args), env=env)
    get_settings.cache_clear()
    return result.exit_code, result.output


def test_suspension_through_api_cli_and_webhook(
    rt: Runtime, anvil: LocalNode, hook: str, suspend
) -> None:
    attester_id = suspend(9)

    # The webhook gets the raise, after one retry.
    monitor = Monitor(rt.engine, rt.w3, MonitorSettings(webhooks=[hook], webhook_attempts=3))
    evaluation = monitor.evaluate()
    assert [d.ok for d in evaluation.deliveries] == [True]
    assert evaluation.deliveries[0].attempts == 2 and Hook.calls == 2
    assert [a["kind"] for a in Hook.bodies[0]["raised"]] == ["attester_suspended"]

    samples = gauge_samples(rt.engine)
    assert ("credence_alerts_open", {"kind": "attester_suspended"}, 1.0) in samples

    with TestClient(create_app(rt, KEYS, run_indexer=False)) as client:
        body = client.get("/v1/alerts", headers={"X-API-Key": "k-auditor"}).json()
        assert [a["kind"] for a in body["alerts"]] == ["attester_suspended"]
        assert body["alerts"][0]["events"][0]["event"] == "AttesterSuspended"
        assert client.get("/v1/alerts").status_code == 401
        assert client.get("/v1/alerts", headers={"X-API-Key": "k-investor"}).status_code == 403
        bad = client.get("/v1/alerts?state=closed", headers={"X-API-Key": "k-auditor"})
        assert bad.status_code == 422 and "state" in bad.text

    code, out = _cli(rt, anvil, "alerts", "--json")
    assert code == 0, out
    assert [a["kind"] for a in json.loads(out)["alerts"]] == ["attester_suspended"]
    code, out = _cli(rt, anvil, "alerts")
    assert code == 0 and "open alerts" in out and "reason 9" in out
    assert max(len(line) for line in out.splitlines()) <= 100
    code, out = _cli(rt, anvil, "alerts", "--state", "closed")
    assert code == 2 and "--state" in out

    rt.registry("admin").reinstate_attester(attester_id)
    rt.indexer().poll_once()
    with TestClient(create_app(rt, KEYS, run_indexer=False)) as client:
        body = client.get("/v1/alerts", headers={"X-API-Key": "k-auditor"}).json()
        assert body["cleared"] == 1 and body["alerts"] == []
        cleared = client.get("/v1/alerts?state=cleared", headers={"X-API-Key": "k-auditor"})
        assert [a["state"] for a in cleared.json()["alerts"]] == ["cleared"]
