"""The audit endpoints on a real node: roles, reconciliation, a pool's journal."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from audit_world import World, headers, ok
from fastapi.testclient import TestClient


def test_reconciliation_over_http(client: TestClient, world: World):
    assert client.get("/v1/audit/reconciliation", headers=headers("verifier")).status_code == 403
    missing = client.get("/v1/audit/reconciliation", headers=headers("auditor"))
    assert (
        missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    )
    # The first runs come together: each made its own workbench and created the rebuilt
    # index's tables at once ("table apirequest already exists", a 500 each).
    with ThreadPoolExecutor(4) as pool:
        runs = list(
            pool.map(
                lambda _: client.post("/v1/audit/reconciliation", headers=headers("auditor")),
                range(4),
            )
        )
    ran = ok(runs[0])
    assert all(ok(r)["equal"] for r in runs[1:])
    assert ran["equal"] and ran["differences"] == [] and ran["first_divergent_block"] is None
    assert ok(client.get("/v1/audit/reconciliation", headers=headers("auditor"))) == ran


def test_pool_journal_over_http(client: TestClient, world: World):
    body = ok(client.get(f"/v1/audit/pools/{world.pool}/journal", headers=headers("auditor")))
    assert body["unbalanced"] == {} and len(body["held"]) == 4
    assert all(h["equal"] for h in body["held"])
    assert sum(e["amount"] for e in body["entries"]) == 0
    unknown = client.get(f"/v1/audit/pools/0x{'12' * 20}/journal", headers=headers("auditor"))
    assert unknown.status_code == 404
    bad = client.get("/v1/audit/pools/0x12/journal", headers=headers("auditor"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "address"


def test_anchor_and_verify_report_over_http(client: TestClient, world: World):
    auditor = headers("auditor")
    assert client.post("/v1/audit/anchor", json={}, headers=headers("verifier")).status_code == 403
    bad = client.post("/v1/audit/anchor", json={"valid_days": 0}, headers=auditor)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "valid_days"
    assert client.get("/v1/audit/anchor", headers=auditor).status_code == 404
    none = client.post("/v1/audit/anchor", json={"export": False}, headers=auditor)
    assert none.status_code == 409 and none.json()["errors"][0]["field"] == "report"
    key = {**auditor, "Idempotency-Key": "anchor-once"}
    made = ok(client.post("/v1/audit/anchor", json={}, headers=key))
    assert made["status"] == "valid" and made["tx_hash"].startswith("0x") and made["files"] > 5
    assert ok(client.post("/v1/audit/anchor", json={}, headers=key)) == made  # replayed
    assert ok(client.get("/v1/audit/anchor", headers=auditor)) == made
    checked = ok(client.post("/v1/audit/verify-report", headers=auditor))
    assert checked["valid"] and checked["commitment"] == made["commitment"]
    assert checked["record"] == "audit-anchor.json"  # no server path
