"""Scorecards through the API: register an artifact, score and attest, recompute on verify."""

from __future__ import annotations

import csv

import pytest
from fastapi.testclient import TestClient

from ledger import PROJECT_ROOT
from ledger.scoring.data import read_csv
from ledger.scoring.fit import FitConfig, fit_scorecard

ATTESTER = {"X-API-Key": "k-attester"}
VERIFIER = {"X-API-Key": "k-verifier"}
SAMPLE = PROJECT_ROOT / "data" / "samples" / "german_credit.csv"


@pytest.fixture(scope="module")
def fitted():
    return fit_scorecard(read_csv(SAMPLE), FitConfig(target="creditability", bad="bad"))


@pytest.fixture(scope="module")
def applicants() -> list[dict]:
    with SAMPLE.open(newline="") as fh:
        rows = list(csv.DictReader(fh))[:25]
    for row in rows:
        row.pop("creditability")
    return rows


@pytest.fixture(scope="module")
def registered(app_client: TestClient, fitted) -> str:
    response = app_client.post(
        "/v1/models/artifacts",
        json={"artifact": fitted.artifact, "uri": "ipfs://card"},
        headers=ATTESTER,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["model_id"] == fitted.model_id and body["metrics"]["auc_bps"] > 7_000
    return body["model_id"]


def test_registering_twice_is_harmless(app_client: TestClient, fitted, registered: str):
    again = app_client.post(
        "/v1/models/artifacts", json={"artifact": fitted.artifact}, headers=ATTESTER
    )
    assert again.status_code == 201 and again.json()["already_registered"]


def test_score_and_attest_then_verify_with_recomputation(
    app_client: TestClient, fitted, registered, applicants
):
    body = {
        "model_id": registered,
        "applicants": [{"subject_id": f"app-{i}", "inputs": a} for i, a in enumerate(applicants)],
    }
    response = app_client.post("/v1/scores", json=body, headers=ATTESTER)
    assert response.status_code == 201, response.text
    results = response.json()["results"]
    expected = fitted.scorecard.score_rows(applicants)
    assert [r["score"] for r in results] == [e.score for e in expected]
    assert all(r["commitment"] and r["batch_root"] for r in results)

    commitment = results[3]["commitment"]
    shown = app_client.get(
        f"/v1/attestations/{commitment}/disclosure",
        params={"fields": "score,grade,model_id,reasons"},
        headers=ATTESTER,
    ).json()
    assert {f["name"] for f in shown["fields"]} >= {"score", "model_id"}
    ok = app_client.post(
        "/v1/verify/recompute",
        json={"disclosure": shown, "inputs": applicants[3]},
        headers=VERIFIER,
    ).json()
    assert ok["valid"] and ok["recomputed_score"] == results[3]["score"]

    # Change one input at a time until the model gives another score, then claim it.
    column = next(f.name for f in fitted.scorecard.features if len(f.labels) > 2)
    wrong_inputs = next(
        dict(applicants[3], **{column: v})
        for v in {a[column] for a in applicants}
        if fitted.scorecard.score_rows([dict(applicants[3], **{column: v})])[0].score
        != results[3]["score"]
    )
    contradicted = app_client.post(
        "/v1/verify/recompute",
        json={"disclosure": shown, "inputs": wrong_inputs},
        headers=VERIFIER,
    ).json()
    assert contradicted["status"] == "mismatch" and not contradicted["valid"]
    assert "score" in contradicted["reasons"][0]


def test_scoring_without_attesting(app_client: TestClient, registered, applicants):
    body = {
        "model_id": registered,
        "attest": False,
        "applicants": [{"subject_id": "x", "inputs": applicants[0]}],
    }
    response = app_client.post("/v1/scores", json=body, headers=ATTESTER)
    assert response.status_code == 201 and response.json()["results"][0]["commitment"] is None


def test_bad_scoring_input_names_the_column(app_client: TestClient, registered, applicants):
    bad = dict(applicants[0], duration_in_month="twelve")
    response = app_client.post(
        "/v1/scores",
        json={"model_id": registered, "applicants": [{"subject_id": "x", "inputs": bad}]},
        headers=ATTESTER,
    )
    assert response.status_code == 422
    assert "duration_in_month" in response.json()["detail"]
    unknown = app_client.post(
        "/v1/scores",
        json={
            "model_id": "0x" + "12" * 32,
            "applicants": [{"subject_id": "x", "inputs": applicants[0]}],
        },
        headers=ATTESTER,
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "model_id"


def test_artifact_with_floats_is_refused(app_client: TestClient, fitted):
    broken = dict(fitted.artifact, base_points=600.5)
    response = app_client.post("/v1/models/artifacts", json={"artifact": broken}, headers=ATTESTER)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "artifact"
