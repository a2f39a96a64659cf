"""POST /v1/cover/price: the guarantee's proposed price from a loan tape whose PDs are checked
against their attested score records, and bad input named by field."""

from __future__ import annotations

import json
from pathlib import Path

from cover_samples import issue_pds, write_tape
from fastapi.testclient import TestClient

from api.examples import COVER_INPUTS
from ledger.attest.verify import Web3Reader
from ledger.deals.spec import load_spec
from ledger.guarantees.attested import recompute
from ledger.guarantees.pricing import record_hash
from ledger.runtime import Runtime

SPEC_FILE = Path(__file__).parents[2] / "examples/deals/worked-example.yaml"
READER = {"X-API-Key": "k-auditor"}
PDS = [2500, 400, 1800]
PARAMS = {k: COVER_INPUTS[k] for k in ("tranche", "lgd_bps", "stress_bps", "cpr_bps")}


def _body(**inputs: object) -> dict[str, object]:
    spec = load_spec(SPEC_FILE).model_dump(mode="json")
    return {"spec": spec, "inputs": {**COVER_INPUTS, **inputs}}


def test_the_price_of_a_tape_and_its_record_recompute(
    app_client: TestClient, runtime: Runtime, tmp_path: Path
) -> None:
    uids = issue_pds(runtime, PDS)
    tape = write_tape(tmp_path / "tape.csv", uids, PDS).read_text()
    body = {"spec": _body()["spec"], "inputs": {**PARAMS, "margin_bps": 25}, "tape_csv": tape}
    response = app_client.post("/v1/cover/price", json=body, headers=READER)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["pricing_hash"] == "0x" + record_hash(out["record"]).hex()
    again = recompute(out["record"], load_spec(SPEC_FILE), Web3Reader(runtime.w3))
    assert out["result"] == json.loads(out["record"])["result"] == again.__dict__
    assert out["result"]["collateral"] == out["result"]["stressed_loss"] > 0

    # the recorded loans (with their disclosures) price again as inputs, checked on chain
    inputs = json.loads(out["record"])["inputs"]
    replay = app_client.post("/v1/cover/price", json=_body(**inputs), headers=READER)
    assert replay.status_code == 200 and replay.json()["pricing_hash"] == out["pricing_hash"]

    wrong = write_tape(tmp_path / "wrong.csv", uids, [2500, 401, 1800]).read_text()
    refused = app_client.post("/v1/cover/price", json={**body, "tape_csv": wrong}, headers=READER)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "tape_csv"
    assert "row 3, column pd_bps" in refused.text and uids[1] in refused.text


def test_bad_input_is_a_422_naming_the_field(app_client: TestClient) -> None:
    equity = app_client.post("/v1/cover/price", json=_body(tranche=2), headers=READER)
    assert equity.status_code == 422
    assert equity.headers["content-type"].startswith("application/problem+json")
    assert "inputs.tranche" in equity.text
    low = app_client.post("/v1/cover/price", json=_body(stress_bps=5000), headers=READER)
    assert low.status_code == 422 and "stress_bps" in low.text
    forged = app_client.post("/v1/cover/price", json=_body(), headers=READER)  # example salts
    assert forged.status_code == 422
    assert forged.json()["errors"][0]["field"].startswith("inputs.loans[0].disclosure")
    no_loans = app_client.post("/v1/cover/price", json=_body(loans=[]), headers=READER)
    assert no_loans.status_code == 422 and no_loans.json()["errors"][0]["field"] == "inputs.loans"
    no_key = app_client.post("/v1/cover/price", json=_body())
    assert no_key.status_code == 401
