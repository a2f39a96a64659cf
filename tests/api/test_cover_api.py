"""POST /v1/cover/price: the guarantee's proposed price, and bad input named by field."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from api.examples import COVER_INPUTS
from ledger.deals.spec import load_spec
from ledger.guarantees.pricing import inputs_from_record, price, record_hash

SPEC_FILE = Path(__file__).parents[2] / "examples/deals/worked-example.yaml"
READER = {"X-API-Key": "k-auditor"}


def _body(**inputs: object) -> dict[str, object]:
    spec = load_spec(SPEC_FILE).model_dump(mode="json")
    return {"spec": spec, "inputs": {**COVER_INPUTS, **inputs}}


def test_the_price_and_its_record_recompute(app_client: TestClient) -> None:
    response = app_client.post("/v1/cover/price", json=_body(), headers=READER)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["pricing_hash"] == "0x" + record_hash(out["record"]).hex()
    again = price(inputs_from_record(out["record"]), load_spec(SPEC_FILE))
    assert out["result"] == json.loads(out["record"])["result"] == again.__dict__
    assert out["result"]["collateral"] == out["result"]["stressed_loss"] > 0


def test_bad_input_is_a_422_naming_the_field(app_client: TestClient) -> None:
    equity = app_client.post("/v1/cover/price", json=_body(tranche=2), headers=READER)
    assert equity.status_code == 422
    assert equity.headers["content-type"].startswith("application/problem+json")
    assert "inputs.tranche" in equity.text
    low = app_client.post("/v1/cover/price", json=_body(stress_bps=5000), headers=READER)
    assert low.status_code == 422 and "stress_bps" in low.text
    no_key = app_client.post("/v1/cover/price", json=_body())
    assert no_key.status_code == 401
