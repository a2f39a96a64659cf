"""An outage is not a reorg: the node stopped for 30 s while the indexer runs deletes no
row, health answers 503 naming the node, reads keep serving, and the index catches up."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.deps import Role
from api.main import create_app
from ledger.chain.node import LocalNode, free_port
from ledger.runtime import Runtime
from ledger.settings import Settings
from ledger.store.tables import EventLog

ATTESTER = {"X-API-Key": "k-attester"}
OUTAGE_S = 30


@pytest.fixture
def node(tmp_path: Path) -> Iterator[LocalNode]:
    with LocalNode(port=free_port(), state_dir=tmp_path / "node", block_time=0.5) as node:
        yield node


def events(rt: Runtime) -> set[int]:
    with Session(rt.engine) as session:
        return set(session.exec(select(EventLog.id)).all())


def wait_indexed(client: TestClient, rt: Runtime, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reply = client.get("/v1/health")
        if reply.status_code == 200 and reply.json()["indexed_block"] >= rt.w3.eth.block_number:
            return reply.json()
        time.sleep(0.2)
    raise AssertionError(f"the index did not catch up: {client.get('/v1/health').text}")


def issue(client: TestClient, model: str) -> None:
    body = {"records": [{"subject_id": secrets.token_hex(4), "score": 650, "grade": "B",
                         "model_id": model}]}  # fmt: skip
    reply = client.post("/v1/attestations", json=body, headers=ATTESTER)
    assert reply.status_code == 201, reply.text


@pytest.mark.slow
def test_a_30_second_node_outage_deletes_nothing_and_the_index_catches_up(
    node: LocalNode, tmp_path: Path
):
    settings = Settings(data_dir=tmp_path / "data", rpc_url=node.url, batch_max_wait_s=0.05)
    with (
        Runtime.open(settings) as rt,
        TestClient(create_app(rt, {"k-attester": Role.attester})) as client,
    ):
        model = "0x" + secrets.token_bytes(32).hex()
        metrics = {
            "auc_bps": 8000,
            "ks_bps": 5000,
            "gini_bps": 6000,
            "psi_bps": 100,
            "sample_size": 900,
        }
        reply = client.post(
            "/v1/models",
            json={"model_id": model, "metadata_uri": "ipfs://m", "metrics": metrics},
            headers=ATTESTER,
        )
        assert reply.status_code == 200, reply.text
        issue(client, model)
        wait_indexed(client, rt)
        before = events(rt)
        assert before

        node.stop()  # graceful: the chain itself is kept, only the node is away
        started, unhealthy = time.monotonic(), 0
        while time.monotonic() - started < OUTAGE_S:
            health = client.get("/v1/health")
            if health.status_code == 503:
                unhealthy += 1
                body = health.json()
                assert health.headers["content-type"].startswith("application/problem+json")
                assert body["dependencies"]["node"]["state"] == "unreachable", body
                assert body["dependencies"]["database"]["state"] == "up", body
            models = client.get("/v1/models", headers=ATTESTER)
            assert models.status_code == 200 and model in models.text  # last indexed state
            assert events(rt) >= before, "an outage deleted indexed rows"
            time.sleep(1)
        assert unhealthy >= OUTAGE_S // 2
        body = {"records": [{"subject_id": "x", "score": 600, "grade": "C", "model_id": model}]}
        refused = client.post("/v1/attestations", json=body, headers=ATTESTER)
        assert refused.status_code == 503, refused.text  # never a 500 while the node is away

        node.start()
        issue(client, model)
        health = wait_indexed(client, rt)
        assert health["dependencies"]["node"]["state"] == "up"
        after = events(rt)
        assert before < after  # nothing lost, and the new events indexed
