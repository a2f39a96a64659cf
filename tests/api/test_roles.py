"""Least privilege: verifier, investor and auditor keys see only what is public on chain."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.api.test_attestations_api import ATTESTER, issue

PUBLIC = {
    "commitment",
    "attester_id",
    "chain_status",
    "status",
    "batch_root",
    "issued_at",
    "expires_at",
    "revoked_at",
    "revocation_reason",
}


@pytest.fixture(scope="module")
def records(app_client: TestClient, model_id: str) -> dict[str, dict]:
    batched = issue(app_client, model_id, n=2)[0]
    single = issue(app_client, model_id, n=1, mode="single")[0]
    revoked = app_client.post(
        f"/v1/attestations/{single['commitment']}/revoke", json={"reason": 6}, headers=ATTESTER
    )
    assert revoked.status_code == 200, revoked.text
    return {"batched": batched, "single": single}


@pytest.mark.parametrize("key", ["k-verifier", "k-investor", "k-auditor"])
@pytest.mark.parametrize("kind", ["batched", "single"])
def test_readers_get_no_salt_no_pseudonym_no_field(
    app_client: TestClient, records: dict[str, dict], key: str, kind: str
):
    issued = records[kind]
    response = app_client.get(
        f"/v1/attestations/{issued['commitment']}", headers={"X-API-Key": key}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) <= PUBLIC, set(body) - PUBLIC
    text = json.dumps(body)
    assert issued["subject"] not in text  # the keyed pseudonym links a subject's records
    assert "salt" not in text and "score" not in text
    assert body["attester_id"] == 1 and body["issued_at"] and body["expires_at"]
    if kind == "single":
        assert body["chain_status"] == "revoked" and body["revocation_reason"] == 6
    else:
        assert body["chain_status"] == "valid" and body["batch_root"] == issued["batch_root"]
    # Nor can they fetch a disclosure or the subject's record file.
    for path in ("disclosure", "record-file"):
        denied = app_client.get(
            f"/v1/attestations/{issued['commitment']}/{path}", headers={"X-API-Key": key}
        )
        assert denied.status_code == 403


def test_the_issuer_keeps_its_full_copy(app_client: TestClient, records: dict[str, dict]):
    issued = records["batched"]
    body = app_client.get(f"/v1/attestations/{issued['commitment']}", headers=ATTESTER).json()
    assert body["subject"] == issued["subject"] and set(body["record"]["salts"]) >= {"score"}
    held = app_client.get(
        f"/v1/attestations/{issued['commitment']}/record-file", headers=ATTESTER
    ).json()
    assert held["commitment"] == issued["commitment"] and held["batch"]["root"]
    assert held["registry"] == held["registry"].lower() and held["version"] == 1
