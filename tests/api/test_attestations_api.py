"""The HTTP API end to end on a real Anvil: issue, read, disclose, verify, revoke, roles, errors."""

from __future__ import annotations

import copy
import gc

import pytest
from fastapi.testclient import TestClient

from api.attestations.schemas import IssueResponse

ATTESTER = {"X-API-Key": "k-attester"}
VERIFIER = {"X-API-Key": "k-verifier"}
AUDITOR = {"X-API-Key": "k-auditor"}
ADMIN = {"X-API-Key": "k-admin"}


def record(model_id: str, i: int = 0, **extra) -> dict:
    return {
        "subject_id": f"customer-{i}",
        "score": 640 + i,
        "grade": "B",
        "model_id": model_id,
        **extra,
    }


def issue(client: TestClient, model_id: str, n: int = 3, **body) -> list[dict]:
    response = client.post(
        "/v1/attestations",
        json={"records": [record(model_id, i) for i in range(n)], **body},
        headers=ATTESTER,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    # The answer is built as plain JSON on the hot path: it must still be the schema's.
    assert IssueResponse.model_validate(body).model_dump(mode="json") == body
    return body["records"]


def disclosure(client: TestClient, commitment: str, fields: str = "score,grade") -> dict:
    response = client.get(
        f"/v1/attestations/{commitment}/disclosure", params={"fields": fields}, headers=ATTESTER
    )
    assert response.status_code == 200, response.text
    return response.json()


def verify(client: TestClient, body: dict) -> dict:
    response = client.post("/v1/verify", json=body, headers=VERIFIER)
    assert response.status_code == 200, response.text
    return response.json()


def test_batch_issue_read_disclose_verify(app_client: TestClient, model_id: str):
    issued = issue(app_client, model_id, n=5)
    assert len({r["batch_root"] for r in issued}) == 1
    assert all(r["subject"] != "customer-0" and r["status"] == "anchored" for r in issued)
    commitment = issued[2]["commitment"]

    read = app_client.get(f"/v1/attestations/{commitment}", headers=ATTESTER).json()
    assert read["chain_status"] == read["status"] == "valid"
    assert read["proof"] and read["record"] is not None

    shown = disclosure(app_client, commitment)
    assert {f["name"] for f in shown["fields"]} == {"attester", "score", "grade"}
    result = verify(app_client, shown)
    assert result["valid"] and result["status"] == "valid"
    assert result["disclosed"] == {"score": "642", "grade": "B", "attester": "1"}


def test_single_mode_issues_one_transaction_each(app_client: TestClient, model_id: str):
    issued = issue(app_client, model_id, n=2, mode="single")
    assert all(r["batch_root"] is None for r in issued)
    result = verify(app_client, disclosure(app_client, issued[0]["commitment"], "grade"))
    assert result["status"] == "valid"


def test_tampered_disclosure_is_caught(app_client: TestClient, model_id: str):
    commitment = issue(app_client, model_id, n=2)[0]["commitment"]
    shown = disclosure(app_client, commitment)
    forged = copy.deepcopy(shown)
    for field in forged["fields"]:
        if field["name"] == "score":
            field["value"] = "900"
    response = app_client.post("/v1/verify", json=forged, headers=VERIFIER)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"].startswith("fields[") and "does not match" in error["reason"]


def test_revoke_batch_leaf_and_single(app_client: TestClient, model_id: str):
    batched = issue(app_client, model_id, n=3)[1]["commitment"]
    single = issue(app_client, model_id, n=1, mode="single")[0]["commitment"]
    for commitment in (batched, single):
        response = app_client.post(
            f"/v1/attestations/{commitment}/revoke", json={"reason": 4}, headers=ATTESTER
        )
        assert response.status_code == 200, response.text
        result = verify(app_client, disclosure(app_client, commitment))
        assert result["status"] == "revoked" and result["revocation_reason"] == 4
    again = app_client.post(
        f"/v1/attestations/{single}/revoke", json={"reason": 4}, headers=ATTESTER
    )
    assert again.status_code == 409 and "AlreadyRevoked" in again.json()["detail"]


def test_idempotency_key_never_issues_twice(app_client: TestClient, model_id: str):
    body = {"records": [record(model_id, 1)]}
    headers = {**ATTESTER, "Idempotency-Key": "issue-once"}
    first = app_client.post("/v1/attestations", json=body, headers=headers)
    second = app_client.post("/v1/attestations", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    other = app_client.post(
        "/v1/attestations", json={"records": [record(model_id, 2)]}, headers=headers
    )
    assert other.status_code == 409 and other.json()["errors"][0]["field"] == "Idempotency-Key"


def test_suspended_attester_records_report_suspension(
    app_client: TestClient, model_id: str, runtime
):
    commitment = issue(app_client, model_id, n=1)[0]["commitment"]
    attester_id = runtime.registry().attester_of(runtime.sender("attester").address)
    assert (
        app_client.post(
            f"/v1/attesters/{attester_id}/suspend", json={"reason": 2}, headers=ADMIN
        ).status_code
        == 200
    )
    try:
        assert (
            verify(app_client, disclosure(app_client, commitment))["status"] == "attester_suspended"
        )
        blocked = app_client.post(
            "/v1/attestations", json={"records": [record(model_id)]}, headers=ATTESTER
        )
        assert blocked.status_code == 409 and "suspended" in blocked.json()["detail"]
    finally:
        app_client.post(f"/v1/attesters/{attester_id}/reinstate", headers=ADMIN)
    assert verify(app_client, disclosure(app_client, commitment))["status"] == "valid"


def test_attesters_and_models_are_listed_from_the_index(app_client: TestClient, model_id: str):
    app_client.app.state.services.extras["indexer"].poll_once()
    attesters = app_client.get("/v1/attesters", headers=VERIFIER).json()
    assert attesters and attesters[0]["attester_id"] == 1
    model = app_client.get(f"/v1/models/{model_id}", headers=AUDITOR).json()
    assert model["auc_bps"] == 8000
    new = app_client.post(
        "/v1/attesters", json={"key": "0x" + "ab" * 20, "name": "Second bureau"}, headers=ADMIN
    )
    assert new.status_code == 200, new.text


# -- access control ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/v1/attestations", {"records": []}),
        ("post", "/v1/attestations/0x" + "11" * 32 + "/revoke", {"reason": 1}),
        ("post", "/v1/attestations/revocations", {"commitments": ["0x" + "11" * 32], "reason": 1}),
        ("post", "/v1/models", {}),
        ("post", "/v1/attesters", {}),
        ("post", "/v1/attesters/1/suspend", {"reason": 1}),
    ],
)
@pytest.mark.parametrize("headers", [VERIFIER, AUDITOR])
def test_readers_can_never_write(
    app_client: TestClient, method: str, path: str, body: dict, headers: dict
):
    response = getattr(app_client, method)(path, json=body, headers=headers)
    assert response.status_code == 403
    assert "may not" in response.json()["detail"]


def test_missing_or_unknown_api_key(app_client: TestClient):
    assert app_client.get("/v1/attesters").status_code == 401
    response = app_client.get("/v1/attesters", headers={"X-API-Key": "nope"})
    assert response.status_code == 401 and response.json()["errors"][0]["field"] == "X-API-Key"


# -- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "records"),
        ({"records": [{"score": 600, "grade": "A"}]}, "records.0.subject_id"),
        (
            {
                "records": [
                    {"subject_id": "x", "score": "high", "grade": "A", "model_id": "0x" + "00" * 32}
                ]
            },
            "records.0.score",
        ),
        (
            {"records": [{"subject_id": "x", "score": 600, "grade": "A", "model_id": "0x1234"}]},
            "records.0.model_id",
        ),
        (
            {
                "records": [
                    {"subject_id": "x", "score": 600, "grade": "A", "model_id": "0x" + "zz" * 32}
                ]
            },
            "records.0.model_id",
        ),
        (
            {
                "records": [
                    {"subject_id": "x", "score": 5000, "grade": "A", "model_id": "0x" + "00" * 32}
                ]
            },
            "records.0.score",
        ),
        (
            {
                "records": [
                    {
                        "subject_id": "x",
                        "score": 600,
                        "grade": "A",
                        "model_id": "0x" + "00" * 32,
                        "ssn": "1",
                    }
                ]
            },
            "records.0.ssn",
        ),
        ({"records": [], "mode": "bulk"}, "records"),
    ],
)
def test_bad_issue_requests_name_the_field(app_client: TestClient, body: dict, field: str):
    response = app_client.post("/v1/attestations", json=body, headers=ATTESTER)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]


def test_issuing_runs_with_the_collector_paused(
    app_client: TestClient, model_id: str, monkeypatch: pytest.MonkeyPatch
):
    attest = app_client.app.state.services.attestations
    issue_with_roots = attest.issue_with_roots
    seen: list[bool] = []

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return issue_with_roots(*args, **kwargs)

    monkeypatch.setattr(attest, "issue_with_roots", spy)
    issue(app_client, model_id, n=2)
    assert seen == [False]


def test_unregistered_model_is_refused_before_anything_is_written(app_client: TestClient, runtime):
    from sqlmodel import Session, func, select

    from ledger.store.tables import IssuedRecord

    with Session(runtime.engine) as s:
        before = s.exec(select(func.count()).select_from(IssuedRecord)).one()
    response = app_client.post(
        "/v1/attestations", json={"records": [record("0x" + "42" * 32)]}, headers=ATTESTER
    )
    assert (
        response.status_code == 422
        and response.json()["errors"][0]["field"] == "records.0.model_id"
    )
    with Session(runtime.engine) as s:
        assert s.exec(select(func.count()).select_from(IssuedRecord)).one() == before


def test_unknown_ids_are_404(app_client: TestClient):
    unknown = "0x" + "77" * 32
    assert app_client.get(f"/v1/attestations/{unknown}", headers=AUDITOR).status_code == 404
    assert app_client.get(f"/v1/models/{unknown}", headers=AUDITOR).status_code == 404
    assert app_client.get("/v1/attesters/999", headers=AUDITOR).status_code == 404
    response = app_client.post(
        f"/v1/attestations/{unknown}/revoke", json={"reason": 1}, headers=ATTESTER
    )
    assert response.status_code == 404 and response.json()["errors"][0]["field"] == "commitments"


def test_malformed_hex_in_path_and_verify_body(app_client: TestClient):
    assert app_client.get("/v1/attestations/0xnothex", headers=AUDITOR).status_code == 422
    bad = {
        "version": 1,
        "chain_id": 31337,
        "registry": "0x" + "00" * 20,
        "commitment": "0x12",
        "fields": [{"name": "score", "value": "1", "salt": "0x00", "proof": []}],
    }
    response = app_client.post("/v1/verify", json=bad, headers=VERIFIER)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["commitment"]


def test_changed_commitment_is_refused(app_client: TestClient, model_id: str):
    shown = disclosure(app_client, issue(app_client, model_id, n=1, mode="single")[0]["commitment"])
    shown["commitment"] = "0x" + "00" * 31 + "01"
    response = app_client.post("/v1/verify", json=shown, headers=VERIFIER)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "fields[0]"


def test_openapi_docs_are_served(app_client: TestClient):
    spec = app_client.get("/openapi.json").json()
    assert "/v1/attestations" in spec["paths"] and "/v1/verify" in spec["paths"]


def test_relays_an_eip712_signed_attestation(app_client: TestClient, runtime, dev_accounts):
    import secrets
    import time

    from ledger.attest.registry import Registry, Status, sign_attestation
    from ledger.tx import Sender

    outside = dev_accounts[7]  # another institution, with its own key
    response = app_client.post(
        "/v1/attesters", json={"key": outside.address, "name": "Other bureau"}, headers=ADMIN
    )
    assert response.status_code == 200, response.text
    own = Registry(
        runtime.contract("AttestationRegistry"), Sender(runtime.w3, outside, errors=runtime.errors)
    )
    model = secrets.token_bytes(32)
    own.register_model(model, "m", (7000, 4000, 4000, 10, 100))
    commitment, expires, deadline = (
        secrets.token_bytes(32),
        int(time.time()) + 86_400,
        int(time.time()) + 600,
    )
    signature = sign_attestation(
        outside,
        own.address,
        runtime.w3.eth.chain_id,
        commitment,
        model,
        expires,
        own.nonce(outside.address),
        deadline,
    )
    body = {
        "commitment": "0x" + commitment.hex(),
        "model_id": "0x" + model.hex(),
        "expires_at": expires,
        "signer": outside.address,
        "deadline": deadline,
        "signature": "0x" + signature.hex(),
    }
    relayed = app_client.post("/v1/attestations/delegated", json=body, headers=ATTESTER)
    assert relayed.status_code == 200, relayed.text
    assert own.status_of(own.attester_of(outside.address), commitment) is Status.Valid
    replay = app_client.post("/v1/attestations/delegated", json=body, headers=ATTESTER)
    assert replay.status_code == 409  # the nonce was consumed: a signature works once
