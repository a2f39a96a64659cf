"""A Credence runtime on the session Anvil (fresh deployment and SQLite per module)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.deps import Role
from api.main import create_app
from ledger.runtime import Runtime

KEYS = {
    "k-admin": Role.admin,
    "k-attester": Role.attester,
    "k-verifier": Role.verifier,
    "k-auditor": Role.auditor,
    "k-investor": Role.investor,
}


@pytest.fixture(scope="module")
def app_client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime, KEYS)) as client:
        yield client


def as_role(client: TestClient, key: str) -> dict[str, str]:
    return {"X-API-Key": key}


@pytest.fixture(scope="module")
def model_id(app_client: TestClient) -> str:
    model = "0x" + secrets.token_bytes(32).hex()
    body = {
        "model_id": model,
        "metadata_uri": "ipfs://model",
        "metrics": {
            "auc_bps": 8000,
            "ks_bps": 5000,
            "gini_bps": 6000,
            "psi_bps": 120,
            "sample_size": 700,
        },
    }
    response = app_client.post("/v1/models", json=body, headers={"X-API-Key": "k-attester"})
    assert response.status_code == 200, response.text
    return model
