"""Metrics, request ids in JSON logs, and health naming each dependency."""

from __future__ import annotations

import json
import logging

from fastapi.testclient import TestClient

from ledger.logs import JsonFormatter

AUDITOR = {"X-API-Key": "k-auditor"}


def test_health_names_each_dependency(app_client: TestClient):
    body = app_client.get("/v1/health").json()
    assert body["status"] == "ok"
    deps = body["dependencies"]
    assert {deps[d]["state"] for d in ("node", "database", "indexer")} == {"up"}
    assert deps["indexer"]["lag_blocks"] >= 0
    assert body["chain_id"] == 31337


def test_metrics_count_requests_by_route_and_status(app_client: TestClient):
    app_client.get("/v1/attesters", headers=AUDITOR)
    app_client.get("/v1/attesters")  # 401
    app_client.get("/v1/attesters/7", headers=AUDITOR)  # 404
    text = app_client.get("/metrics").text
    assert 'credence_http_requests_total{method="GET",route="/v1/attesters",status="200"}' in text
    assert 'route="/v1/attesters/{attester_id}",status="404"' in text
    assert 'credence_http_requests_total{method="GET",route="unmatched",status="401"}' in text
    assert "credence_http_request_duration_seconds_bucket" in text
    assert "credence_node_up 1.0" in text
    assert "credence_indexer_lag_blocks" in text
    assert "credence_batches_pending" in text


def test_request_ids_in_json_logs_and_no_key(app_client: TestClient, caplog):
    formatter = JsonFormatter()
    with caplog.at_level(logging.INFO, logger="credence.api"):
        response = app_client.get("/v1/attesters", headers=AUDITOR | {"X-Request-ID": "trace-42"})
    assert response.headers["x-request-id"] == "trace-42"
    lines = [json.loads(formatter.format(r)) for r in caplog.records]
    line = next(x for x in lines if x["msg"] == "request" and x.get("request_id") == "trace-42")
    assert line["route"] == "/v1/attesters" and line["status"] == 200
    assert all("k-auditor" not in formatter.format(r) for r in caplog.records)
    generated = app_client.get("/v1/health").headers["x-request-id"]
    assert len(generated) == 16
