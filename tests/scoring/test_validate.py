"""Validation metrics by their definitions, and the report a person reads."""

from __future__ import annotations

import math

import numpy as np

from ledger.scoring.report import report_paths, write_report
from ledger.scoring.validate import EMPTY_SHARE, bin_counts, population_stability, psi_reference


def test_psi_reference_cuts_at_training_deciles():
    train = np.arange(100)
    cuts, counts = psi_reference(train)
    assert np.allclose(cuts, np.percentile(train, [10, 20, 30, 40, 50, 60, 70, 80, 90]))
    assert counts.tolist() == [10] * 10
    ties = np.array([500] * 50 + [600] * 50)
    cuts, counts = psi_reference(ties)  # duplicate cuts merge: fewer than 10 bins
    assert cuts.tolist() == [500.0, 550.0, 600.0] and counts.sum() == 100


def test_psi_formula_and_empty_bin_rule():
    expected = np.array([50, 50])
    assert population_stability(expected, expected) == 0
    actual = np.array([80, 20])
    want = (0.8 - 0.5) * math.log(0.8 / 0.5) + (0.2 - 0.5) * math.log(0.2 / 0.5)
    assert math.isclose(population_stability(expected, actual), want)
    empty = np.array([100, 0])
    want = (1 - 0.5) * math.log(1 / 0.5) + (EMPTY_SHARE - 0.5) * math.log(EMPTY_SHARE / 0.5)
    assert math.isclose(population_stability(expected, empty), want)


def test_bins_are_closed_below():
    cuts = np.array([10.0, 20.0])
    assert bin_counts(cuts, np.array([9, 10, 19, 20, 99])).tolist() == [1, 2, 2]


def test_holdout_metrics_are_consistent(german):
    v = german.holdout
    assert math.isclose(v.gini, 2 * v.auc - 1)
    assert 0 <= v.psi < 0.1  # a random split of one population is stable
    assert sum(c.count for c in v.calibration) == len(v.scores)
    m = german.artifact["metrics"]
    assert m["auc_bps"] == math.floor(v.auc * 10_000) and m["sample_size"] == 300


def test_report_is_written_with_plots(german, tmp_path):
    paths = report_paths(tmp_path / "model.json")
    md = write_report(german.scorecard, german.holdout, paths, train=german.train).markdown
    text = md.read_text()
    for section in (
        "## Metrics",
        "## Calibration by grade",
        "## Columns and information value",
        "## Points",
    ):
        assert section in text
    for name in ("scores", "roc", "ks", "calibration"):
        png = paths.plots / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"model.report/{name}.png" in text
