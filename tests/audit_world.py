"""A small world on a real node for the audit and console tests: a model, a batch of
records, single records, a revocation, investors, and a pool closed and run for a few
periods with a claim, all made through the HTTP API."""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pool_samples import SCENARIO, SPEC, loans, period_body

from api.deps import Role
from api.main import create_app
from ledger.deals.simulator import simulate
from ledger.deals.spec import parse_spec
from ledger.runtime import Runtime

KEYS = {f"k-{role.value}": role for role in Role}


def headers(role: str) -> dict[str, str]:
    return {"X-API-Key": f"k-{role}"}


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


@dataclass
class World:
    model_id: str
    batch: list[str]  # commitments under one root
    singles: list[str]
    revoked: str
    pool: str
    investor_keys: dict[str, str]
    head: int
    pools: list[str]


@pytest.fixture(scope="module")
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime, KEYS)) as c:
        yield c


@pytest.fixture(scope="module")
def world(client: TestClient) -> World:
    return populate(client)


def copy_sqlite(runtime: Runtime, target: Path) -> str:
    """A copy of the service's SQLite database (to tamper with); returns its URL."""
    source = runtime.settings.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


def wait_indexed(client: TestClient, block: int) -> None:
    deadline = time.monotonic() + 60
    while ok(client.get("/v1/health"))["indexed_block"] < block:
        assert time.monotonic() < deadline, "the indexer did not catch up"
        time.sleep(0.05)


def issue(client: TestClient, model_id: str, n: int, mode: str) -> list[str]:
    records = [
        {"subject_id": f"{mode}-{i}", "score": 600 + i % 200, "grade": "B", "model_id": model_id}
        for i in range(n)
    ]
    body = {"records": records, "mode": mode}
    out = ok(client.post("/v1/attestations", json=body, headers=headers("attester")), 201)
    return [r["commitment"] for r in out["records"]]


def run_pool(client: TestClient, keys: dict[str, str], periods: int) -> str:
    """Create, fill (alice and bob), close and run ``periods`` periods; alice claims."""
    spec = parse_spec(SPEC)
    body = {"spec": SPEC, "loans": loans(spec.units(spec.pool_balance))}
    pool = ok(client.post("/v1/pools", json=body, headers=headers("structurer")), 201)["address"]
    ok(client.post(f"/v1/pools/{pool}/open", headers=headers("structurer")))
    for i, t in enumerate(spec.to_terms().tranches):
        for name, amount in (("alice", t.size - t.size // 2), ("bob", t.size // 2)):
            order = {"tranche": spec.tranche_names[i], "amount": amount}
            path = f"/v1/pools/{pool}/subscriptions"
            ok(client.post(path, json=order, headers={"X-API-Key": keys[name]}), 201)
    ok(client.post(f"/v1/pools/{pool}/close", headers=headers("structurer")))
    for record in simulate(spec, SCENARIO).periods[:periods]:
        path = f"/v1/pools/{pool}/periods"
        ok(client.post(path, json=period_body(record), headers=headers("servicer")), 201)
    claim = {"tranche": "A"}
    alice = {"X-API-Key": keys["alice"]}
    assert ok(client.post(f"/v1/pools/{pool}/claims", json=claim, headers=alice))["amount"] > 0
    return pool


def populate(client: TestClient, records: int = 20, periods: int = 3, pools: int = 1) -> World:
    model_id = "0x" + secrets.token_bytes(32).hex()
    metrics = {
        "auc_bps": 7800,
        "ks_bps": 4200,
        "gini_bps": 5600,
        "psi_bps": 90,
        "sample_size": 1000,
    }
    body = {"model_id": model_id, "metadata_uri": "ipfs://card", "metrics": metrics}
    ok(client.post("/v1/models", json=body, headers=headers("attester")))
    batch = issue(client, model_id, records, "batch")
    singles = issue(client, model_id, 2, "single")
    revoke = {"reason": 4}
    ok(
        client.post(
            f"/v1/attestations/{singles[1]}/revoke", json=revoke, headers=headers("attester")
        )
    )

    keys = {}
    for name, code in (("alice", "GB"), ("bob", "DE")):
        body = {"name": name, "kyc_expiry": "2100-01-01", "jurisdiction": code}
        keys[name] = ok(client.post("/v1/investors", json=body, headers=headers("agent")), 201)[
            "api_key"
        ]
    addresses = [run_pool(client, keys, periods) for _ in range(pools)]
    head = client.app.state.services.runtime.w3.eth.block_number
    wait_indexed(client, head)
    return World(model_id, batch, singles, singles[1], addresses[0], keys, head, addresses)
