"""Idempotency keys across crashes: a crashed request's key is leased, then resumed by its
retry, which answers with the records the first attempt stored and issues nothing new."""

from __future__ import annotations

import json
import time

from fastapi.testclient import TestClient
from sqlalchemy import func, update
from sqlmodel import Session, select

from api.attestations.schemas import IssueRequest
from api.idempotency import claim, dumps, fingerprint
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


def test_fingerprints_and_replays_hold_integers_past_64_bits():
    # orjson refuses them; a uint128 amount of 2**100 made every write a 500.
    body = {"tranche": "A", "amount": 2**100}
    assert fingerprint("POST", "/p", body) == fingerprint("POST", "/p", dict(body))
    assert fingerprint("POST", "/p", body) != fingerprint("POST", "/p", {**body, "amount": 1})
    assert json.loads(dumps({"amount": 2**200})) == {"amount": 2**200}


def test_a_key_released_between_insert_and_read_is_claimed_again(runtime: Runtime, monkeypatch):
    """Two requests with one key: the second's insert collides, then the first fails and
    releases the key before the second reads it. The second must hold the key, not run
    unclaimed (it ran, then crashed storing its answer, and a third could run too)."""
    key = "released-under-us"
    assert claim(runtime.engine, key, "fp", lease_s=60) is None
    real_get = Session.get

    def get_after_release(self, model, ident, *args, **kwargs):
        if model is ApiRequest and ident == key and not released:
            released.append(True)
            with Session(runtime.engine) as other:
                other.delete(real_get(other, ApiRequest, key))
                other.commit()
        return real_get(self, model, ident, *args, **kwargs)

    released: list[bool] = []
    monkeypatch.setattr(Session, "get", get_after_release)
    assert claim(runtime.engine, key, "fp", lease_s=60) is None
    monkeypatch.undo()
    assert released
    with Session(runtime.engine) as session:
        assert session.get(ApiRequest, key) is not None  # claimed: a row holds the key
