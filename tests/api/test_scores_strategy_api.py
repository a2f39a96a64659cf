"""/v1/scores with a strategy: decisions and reason texts in results, records and
disclosures; one bad applicant named by index and field; skip_invalid scores the rest."""

from __future__ import annotations

import csv

import pytest
from fastapi.testclient import TestClient

from ledger import PROJECT_ROOT
from ledger.scoring.data import read_csv
from ledger.scoring.fit import FitConfig, fit_scorecard
from ledger.scoring.strategy import Target, build_strategy
from ledger.scoring.validate import bad_flags

ATTESTER = {"X-API-Key": "k-attester"}
SAMPLE = PROJECT_ROOT / "data" / "samples" / "german_credit.csv"


@pytest.fixture(scope="module")
def setup(app_client: TestClient):
    fitted = fit_scorecard(read_csv(SAMPLE), FitConfig(target="creditability", bad="bad"))
    response = app_client.post(
        "/v1/models/artifacts", json={"artifact": fitted.artifact}, headers=ATTESTER
    )
    assert response.status_code == 201, response.text
    table = read_csv(SAMPLE)
    scores = fitted.scorecard.score_table(table).score
    plan = build_strategy(
        fitted.scorecard,
        scores,
        bad_flags(table, "creditability", "bad"),
        Target("approval_rate", 6000),
        sample="german",
    )
    registered = app_client.post(
        "/v1/scores/strategies", json={"strategy": plan, "uri": "ipfs://plan"}, headers=ATTESTER
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["model_id"] == fitted.model_id
    strategy_id = registered.json()["strategy_id"]
    with SAMPLE.open(newline="") as fh:
        rows = list(csv.DictReader(fh))[:12]
    for row in rows:
        row.pop("creditability")
    return fitted, plan, strategy_id, rows


def _body(fitted, rows, **extra):
    applicants = [{"subject_id": f"s-{i}", "inputs": r} for i, r in enumerate(rows)]
    return {"model_id": fitted.model_id, "applicants": applicants, **extra}


def test_decisions_and_reason_texts_reach_the_disclosure(app_client: TestClient, setup):
    fitted, plan, strategy_id, rows = setup
    response = app_client.post(
        "/v1/scores", json=_body(fitted, rows, strategy_id=strategy_id), headers=ATTESTER
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["strategy_id"] == strategy_id and body["refused"] == []
    cut = plan["cutoffs"]
    for r in body["results"]:
        expected = (
            "approve"
            if r["score"] >= cut["approve_min"]
            else "refer"
            if r["score"] >= cut["refer_min"]
            else "decline"
        )
        assert r["decision"] == expected
        assert len(r["reason_texts"]) == len(r["reasons"])
    first = next(r for r in body["results"] if r["reasons"])
    shown = app_client.get(
        f"/v1/attestations/{first['commitment']}/disclosure",
        params={"fields": "strategy,decision,reason_texts"},
        headers=ATTESTER,
    ).json()
    values = {f["name"]: f["value"] for f in shown["fields"]}
    assert values["strategy"] == strategy_id
    assert values["decision"] == first["decision"]
    assert values["reason_texts"].split("\n") == first["reason_texts"]


def test_one_bad_applicant_is_named_and_skip_invalid_scores_the_rest(app_client, setup):
    fitted, _, _, rows = setup
    bad = [dict(r) for r in rows]
    bad[2]["duration_in_month"] = "twelve"
    refused = app_client.post("/v1/scores", json=_body(fitted, bad), headers=ATTESTER)
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["errors"][0]["field"] == "applicants.2.inputs.duration_in_month"
    assert "none was scored or attested" in problem["detail"]
    partial = app_client.post(
        "/v1/scores", json=_body(fitted, bad, skip_invalid=True), headers=ATTESTER
    )
    assert partial.status_code == 201, partial.text
    body = partial.json()
    assert body["count"] == len(rows) - 1
    assert [r["index"] for r in body["results"]] == [i for i in range(len(rows)) if i != 2]
    assert body["refused"] == [
        {
            "index": 2,
            "field": "applicants.2.inputs.duration_in_month",
            "reason": "'twelve' is not a number",
        }
    ]
    assert all(r["commitment"] for r in body["results"])


def test_a_strategy_for_an_unregistered_model_is_refused(app_client: TestClient, setup):
    _, plan, _, _ = setup
    orphan = dict(plan, model_id="0x" + "ab" * 32)
    response = app_client.post("/v1/scores/strategies", json={"strategy": orphan}, headers=ATTESTER)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "strategy"
    assert "register the model first" in response.json()["detail"]
