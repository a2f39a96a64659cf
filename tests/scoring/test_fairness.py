"""Fairness by protected group at a cut-off: rates, adverse impact ratio, the report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from ledger.cli import _register_subcommands, app
from ledger.scoring.artifact import write_artifact
from ledger.scoring.data import Table
from ledger.scoring.fairness import group_rates

from .conftest import SAMPLES

_register_subcommands()


def test_adverse_impact_ratio_by_hand():
    sex = np.array(["f"] * 10 + ["m"] * 10, dtype=object)
    age = np.array([str(a) for a in [22] * 5 + [40] * 15], dtype=object)
    table = Table({"sex": sex, "age": age}, 20)
    # f: 4 of 10 approved; m: 8 of 10 approved -> ratio 0.5 for f
    scores = np.array([700] * 4 + [300] * 6 + [700] * 8 + [300] * 2)
    is_bad = np.zeros(20, dtype=np.int64)
    is_bad[[0, 5, 12]] = 1
    rates = {
        (g.column, g.group): g for g in group_rates(table, ["sex", "age"], scores, is_bad, 500)
    }
    f, m = rates["sex", "f"], rates["sex", "m"]
    assert (f.approved, f.rows, m.approved) == (4, 10, 8)
    assert f.impact_ratio == 0.5 and f.flagged and not m.flagged
    assert f.approved_bad_rate == 0.25 and f.bad_rate == 0.2
    assert set(g for c, g in rates if c == "age") == {"under 25", "35 to under 45"}


def test_german_report_shows_air_by_sex_marital_status_and_age(german, tmp_path):
    model = tmp_path / "card.json"
    write_artifact(german.artifact, model)
    result = CliRunner().invoke(
        app, ["score", "report", str(model), str(SAMPLES / "german_credit.csv"), "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    groups = {(g["column"], g["group"]): g for g in payload["fairness"]}
    assert ("personal_status_and_sex", "male : single") in groups
    assert ("personal_status_and_sex", "female : divorced/separated/married") in groups
    assert {"under 25", "25 to under 35", "65 and over"} <= {
        g for c, g in groups if c == "age_in_years"
    }
    for g in payload["fairness"]:
        assert g["flagged"] == (g["adverse_impact_ratio"] < 0.8)
    text = Path(payload["report"]).read_text()
    assert f"## Fairness at cut-off {payload['cutoff']}" in text
    assert "| personal_status_and_sex | male : single |" in text
    assert "| personal_status_and_sex | protected | excluded | protected characteristic |" in text
    assert "## Gains table" in text and "## Guard rails" in text
