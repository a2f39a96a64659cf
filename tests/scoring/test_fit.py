"""Fitting: the issue's accuracy targets, the artifact's contract, generality."""

from __future__ import annotations

import json
import math

import numpy as np
from eth_utils import keccak

from ledger.scoring.artifact import canonical_bytes, registration_payload, write_artifact
from ledger.scoring.data import read_csv
from ledger.scoring.fit import FitConfig, GradeBand, default_grades, fit_scorecard, parse_grades
from ledger.scoring.score import Scorecard

from .conftest import SAMPLES


def test_german_credit_meets_the_holdout_targets(german):
    # Stratified 70/30, random_state 42, 600 points at 19:1, PDO 50 (the FitConfig defaults).
    assert german.holdout.auc >= 0.79
    assert german.holdout.ks >= 0.45
    assert len(german.holdout.scores) == 300
    assert german.artifact["scaling"]["base_score"] == 600
    assert german.artifact["scaling"]["pdo"] == 50


def test_credit_data_meets_the_target_with_missing_values(credit):
    assert credit.holdout.auc >= 0.83
    status = credit.artifact["columns"]["status"]
    assert status["rownames"].startswith("row identifier")
    income = next(f for f in credit.artifact["features"] if f["name"] == "Income")
    missing = income["bins"][-1]
    assert missing["label"] == "Missing" and missing["count"] > 0


def test_scores_match_the_logistic_regression_up_to_rounding(german):
    # Integer points are the regression's log-odds scaled and rounded once per bin, so
    # the integer score is within 0.5 point per term of the unrounded one.
    a = german.artifact
    factor, offset = float(a["scaling"]["factor"]), float(a["scaling"]["offset"])
    card = german.scorecard
    table = read_csv(SAMPLES / "german_credit.csv")
    scores = card.score_table(table)
    logit = np.full(len(scores), float(a["intercept"]))
    for j, spec in enumerate(a["features"]):
        woe = np.array([float(b["woe"]) for b in spec["bins"]])
        logit += float(spec["coefficient"]) * woe[scores.slots[j]]
    exact = offset - factor * logit
    assert np.abs(scores.score - exact).max() <= 0.5 * (len(a["features"]) + 1)


def test_pd_table_follows_the_scaling(german):
    card = german.scorecard
    assert card.pd_bps(np.array([600]))[0] == math.floor(10_000 / 20)  # odds 19:1 -> PD 5%
    assert card.pd_bps(np.array([650]))[0] == math.floor(10_000 / 39)  # one PDO up doubles the odds


def test_artifact_is_canonical_and_its_id_is_the_keccak_of_the_file(german, tmp_path):
    path = tmp_path / "model.json"
    model_id = write_artifact(german.artifact, path)
    data = path.read_bytes()
    assert model_id == german.model_id == "0x" + keccak(data).hex()
    assert canonical_bytes(json.loads(data)) == data
    # Pretty-printing the file does not change the id.
    path.write_text(json.dumps(json.loads(data), indent=2))
    assert Scorecard.load(path).model_id == model_id


def test_registration_payload(german, tmp_path):
    path = tmp_path / "model.json"
    write_artifact(german.artifact, path)
    reg = registration_payload(path, uri="ipfs://example")
    assert reg.model_id_hex == german.model_id and len(reg.model_id) == 32
    assert reg.artifact_uri == "ipfs://example"
    assert reg.metrics() == {
        "auc": math.floor(german.holdout.auc * 10_000),
        "ks": math.floor(german.holdout.ks * 10_000),
        "gini": math.floor(german.holdout.gini * 10_000),
        "psi": math.floor(german.holdout.psi * 10_000),
    }
    assert reg.sample_size == 300


def test_fitting_is_deterministic(synthetic_csv, synthetic):
    again = fit_scorecard(read_csv(synthetic_csv), FitConfig("default", "1"))
    assert again.model_id == synthetic.model_id


def test_any_credit_csv_fits(synthetic):
    status = synthetic.artifact["columns"]["status"]
    assert status["customer"].startswith("identifier")
    assert {"income", "utilisation"} <= set(synthetic.scorecard.feature_names)
    assert synthetic.holdout.auc > 0.6
    for name in ("income", "utilisation"):  # blanks and "NA" went to the Missing bin
        spec = next(f for f in synthetic.artifact["features"] if f["name"] == name)
        assert spec["bins"][-1]["count"] > 0


def test_grades_are_configurable(synthetic_csv):
    bands = parse_grades("AA:700, A:620, B:560,C")
    assert bands[0] == GradeBand("AA", 700) and bands[-1] == GradeBand("C", None)
    result = fit_scorecard(read_csv(synthetic_csv), FitConfig("default", "1", grades=bands))
    grades = result.artifact["grades"]
    assert [g["name"] for g in grades] == ["AA", "A", "B", "C"]
    card = result.scorecard
    assert [card.grade_names[i] for i in card.grade_index(np.array([700, 699, 620, 560, 559]))] == [
        "AA",
        "A",
        "A",
        "B",
        "C",
    ]
    expected = [g["expected_bad_rate_bps"] for g in grades]
    assert expected == sorted(expected)  # worse grades expect more bads


def test_default_grades_are_one_pdo_wide():
    assert [g.min_score for g in default_grades(600, 50)] == [650, 600, 550, 500, 450, None]
