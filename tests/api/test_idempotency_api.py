"""Idempotency keys across crashes: a crashed request's key is leased, then resumed by its
retry, which answers with the records the first attempt stored and issues nothing new."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import func, update
from sqlmodel import Session, select

from api.attestations.schemas import IssueRequest
from api.idempotency import claim, fingerprint
from ledger.runtime import Runtime
from ledger.store.tables import ApiRequest, IssuedRecord

ATTESTER = {"X-API-Key": "k-attester"}


def body(model_id: str, n: int = 3) -> dict:
    return {
        "records": [
            {"subject_id": f"lease-{i}", "score": 700, "grade": "A", "model_id": model_id}
            for i in range(n)
        ]
    }


def crash_mid_request(client: TestClient, runtime: Runtime, key: str, payload: dict) -> list[str]:
    """What a process killed after storing and anchoring, before answering, leaves behind."""
    svc = client.app.state.services.attestations  # type: ignore[attr-defined]
    fp = fingerprint("POST", "/v1/attestations", IssueRequest(**payload).model_dump())
    assert claim(runtime.engine, key, fp, lease_s=3600) is None  # leased, never answered
    now = int(time.time())
    items = payload["records"]
    records = [
        svc.new_record(
            subject_id=r["subject_id"],
            score=r["score"],
            grade=r["grade"],
            model_id=r["model_id"],
            expires_at=now + 86_400,
            issued_at=now,
        )
        for r in items
    ]
    return ["0x" + s.commitment.hex() for s in svc.issue(records, request_key=key)]


def expire_lease(runtime: Runtime, key: str) -> None:
    with runtime.engine.begin() as conn:
        table = ApiRequest.__table__  # type: ignore[attr-defined]
        conn.execute(update(table).where(table.c.key == key).values(lease_until=0))


def test_a_crashed_request_is_resumed_by_its_retry_once_the_lease_expires(
    app_client: TestClient, runtime: Runtime, model_id: str
):
    payload = body(model_id)
    stored = crash_mid_request(app_client, runtime, "crashed-1", payload)
    headers = {**ATTESTER, "Idempotency-Key": "crashed-1"}

    early = app_client.post("/v1/attestations", json=payload, headers=headers)
    assert early.status_code == 409 and "in progress" in early.json()["detail"]

    expire_lease(runtime, "crashed-1")
    retry = app_client.post("/v1/attestations", json=payload, headers=headers)
    assert retry.status_code == 201, retry.text
    answered = [r["commitment"] for r in retry.json()["records"]]
    assert answered == stored and all(r["status"] == "anchored" for r in retry.json()["records"])

    again = app_client.post("/v1/attestations", json=payload, headers=headers)
    assert again.status_code == 201 and again.json() == retry.json()
    with Session(runtime.engine) as session:
        count = select(func.count()).select_from(IssuedRecord)
        n = session.exec(count.where(IssuedRecord.request_key == "crashed-1")).one()
    assert n == len(stored)  # nothing issued twice


def test_a_failure_that_stored_nothing_releases_the_key(app_client: TestClient, model_id: str):
    headers = {**ATTESTER, "Idempotency-Key": "released-1"}
    bad = body("0x" + "ab" * 32)  # an unregistered model: refused before anything is stored
    assert app_client.post("/v1/attestations", json=bad, headers=headers).status_code == 422
    good = app_client.post("/v1/attestations", json=body(model_id), headers=headers)
    assert good.status_code == 201, good.text
