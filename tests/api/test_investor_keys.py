"""An investor's API key is shown once: stored only as a hash, never replayed."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from ledger.store.deal_tables import InvestorAccount
from ledger.store.tables import ApiRequest

ADMIN = {"X-API-Key": "k-admin"}


def test_investor_key_is_never_stored_nor_replayed(app_client: TestClient, runtime):
    body = {"name": "dora", "kyc_expiry": "2031-01-01", "jurisdiction": "GB"}
    headers = ADMIN | {"Idempotency-Key": "admit-dora"}
    first = app_client.post("/v1/investors", json=body, headers=headers)
    assert first.status_code == 201, first.text
    key = first.json()["api_key"]
    assert key
    replay = app_client.post("/v1/investors", json=body, headers=headers)
    assert replay.status_code == 201
    assert replay.json()["api_key"] is None
    assert replay.json()["address"] == first.json()["address"]
    with Session(runtime.engine) as s:
        stored = s.get(ApiRequest, "admit-dora")
        account = s.exec(select(InvestorAccount).where(InvestorAccount.name == "dora")).one()
    assert stored is not None and key not in stored.response
    assert key not in account.model_dump_json()
    deadline = time.monotonic() + 30
    while (
        own := app_client.get("/v1/investors/dora", headers={"X-API-Key": key})
    ).status_code == 404:
        assert time.monotonic() < deadline, "the indexer did not catch up"
        time.sleep(0.1)
    assert own.status_code == 200, own.text  # the key shown once works
    other = app_client.get("/v1/investors/alice", headers={"X-API-Key": key})
    assert other.status_code == 403
