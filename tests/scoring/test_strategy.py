"""Cut-off strategy: gains table, cut-offs for a target, the artifact, the CLI on German credit."""

from __future__ import annotations

import json

import numpy as np
import pytest
from eth_utils import keccak
from typer.testing import CliRunner

from ledger.cli import _register_subcommands, app
from ledger.scoring.artifact import write_artifact
from ledger.scoring.data import read_csv
from ledger.scoring.errors import ArtifactError, ConfigError
from ledger.scoring.strategy import (
    Target,
    approve_cutoff,
    build_strategy,
    check_strategy,
    decide,
    gains_table,
)
from ledger.scoring.validate import bad_flags

from .conftest import SAMPLES

_register_subcommands()


@pytest.fixture(scope="module")
def sample(german):
    table = read_csv(SAMPLES / "german_credit.csv")
    return german.scorecard.score_table(table).score, bad_flags(table, "creditability", "bad")


def test_gains_table_accumulates_from_the_top(sample):
    scores, is_bad = sample
    rows = gains_table(scores, is_bad, 20)
    assert sum(r["rows"] for r in rows) == len(scores)
    assert [r["min_score"] for r in rows] == sorted((r["min_score"] for r in rows), reverse=True)
    approval = [r["approval_rate_bps"] for r in rows]
    capture = [r["bad_capture_bps"] for r in rows]
    assert approval == sorted(approval) and approval[-1] == 10_000
    assert capture == sorted(capture, reverse=True) and capture[-1] == 0
    for r in rows:
        approved = scores >= r["min_score"]
        assert r["approved_bad_rate_bps"] == is_bad[approved].sum() * 10_000 // approved.sum()


@pytest.mark.parametrize("target_bps", [800, 1500, 2500])
def test_bad_rate_cutoff_is_the_lowest_meeting_the_target(sample, target_bps):
    scores, is_bad = sample
    cut = approve_cutoff(scores, is_bad, Target("bad_rate", target_bps))
    approved = scores >= cut
    assert is_bad[approved].sum() * 10_000 <= target_bps * approved.sum()
    for lower in np.unique(scores[scores < cut]):
        more = scores >= lower
        assert is_bad[more].sum() * 10_000 > target_bps * more.sum()


def test_approval_rate_cutoff(sample):
    scores, is_bad = sample
    cut = approve_cutoff(scores, is_bad, Target("approval_rate", 7000))
    assert (scores >= cut).mean() >= 0.7
    assert (scores > cut).mean() < 0.7


def test_strategy_artifact_decides_and_checks(german, sample, tmp_path):
    scores, is_bad = sample
    plan = build_strategy(
        german.scorecard,
        scores,
        is_bad,
        Target("bad_rate", 1500),
        sample="german",
        refer_width=25,
        limits={"A": 1_000_000},
        prices={"A": 700, "B": 900},
    )
    cut = plan["cutoffs"]
    assert cut["refer_min"] == cut["approve_min"] - 25
    assert plan["terms"] == {
        "A": {"limit": 1_000_000, "price_bps": 700},
        "B": {"limit": None, "price_bps": 900},
    }
    decided = decide(scores, cut)
    assert [int((decided == k).sum()) for k in range(3)] == [
        plan["expected"][d]["rows"] for d in ("approve", "refer", "decline")
    ]
    path = tmp_path / "strategy.json"
    sid = write_artifact(plan, path)
    assert sid == "0x" + keccak(path.read_bytes()).hex()
    assert check_strategy(json.loads(path.read_bytes()), german.scorecard) == plan
    other = dict(plan, model_id="0x" + "00" * 32)
    with pytest.raises(ArtifactError, match="strategy is for model"):
        check_strategy(other, german.scorecard)
    with pytest.raises(ConfigError, match="no grade"):
        build_strategy(
            german.scorecard, scores, is_bad, Target("bad_rate", 1500), sample="x", limits={"Z": 1}
        )


def test_strategy_command_on_german_credit_prints_the_cutoff_table(german, tmp_path):
    model = tmp_path / "card.json"
    write_artifact(german.artifact, model)
    out = tmp_path / "strategy.json"
    args = ["score", "strategy", str(model), str(SAMPLES / "german_credit.csv"), "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--target-bad-rate", "0.15", "--limit", "A=500000"])
    assert result.exit_code == 0, result.output
    for word in ("gains table", "approve", "refer", "decline", "strategy id", "bad capture"):
        assert word in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 100
    as_json = CliRunner().invoke(app, [*args, "--target-approval-rate", "0.6", "--json"])
    payload = json.loads(as_json.stdout)
    assert payload["strategy_id"] == "0x" + keccak(out.read_bytes()).hex()
    assert payload["expected"]["approve"]["share_bps"] >= 6_000
    assert {g["column"] for g in payload["fairness"]} >= {"personal_status_and_sex", "age_in_years"}
    both = CliRunner().invoke(app, args)
    assert both.exit_code == 2 and "exactly one" in both.stderr
    bad_grade = CliRunner().invoke(app, [*args, "--target-bad-rate", "0.1", "--price", "Q=1"])
    assert bad_grade.exit_code == 2 and "price" in bad_grade.stderr
