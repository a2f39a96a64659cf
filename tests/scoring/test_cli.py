"""``credence score``: fit prints one JSON object; apply, report and explain work on its output."""

from __future__ import annotations

import csv
import json

from eth_utils import keccak
from typer.testing import CliRunner

from ledger.cli import _register_subcommands, app

from .conftest import SAMPLES

_register_subcommands()


def _run(*args: str):
    result = CliRunner().invoke(app, ["score", *args])
    assert result.exit_code == 0, result.output
    return result


def test_fit_apply_report_explain(tmp_path):
    data = SAMPLES / "german_credit.csv"
    model = tmp_path / "model.json"
    out = _run(
        "fit", str(data), "--target", "creditability", "--bad", "bad", "--out", str(model), "--json"
    )
    payload = json.loads(out.stdout)  # exactly one JSON object, nothing else on stdout
    assert {"auc", "ks", "gini", "psi", "model_id"} <= payload.keys()
    assert payload["auc"] >= 0.79 and payload["ks"] >= 0.45
    assert payload["model_id"] == "0x" + keccak(model.read_bytes()).hex()
    assert (tmp_path / "model.report.md").exists() and (
        tmp_path / "model.report" / "roc.png"
    ).exists()

    scores = tmp_path / "scores.csv"
    applied = json.loads(
        _run("apply", str(model), str(data), "--out", str(scores), "--json").stdout
    )
    assert applied["rows"] == 1000 and applied["model_id"] == payload["model_id"]
    with open(scores, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1000
    assert rows[0].keys() == {"row", "score", "grade", "pd_bps", "reasons", "reason_texts"}

    explained = json.loads(_run("explain", str(model), str(data), "--row", "2", "--json").stdout)
    assert explained["score"] == int(rows[1]["score"])
    assert ";".join(r["code"] for r in explained["reasons"]) == rows[1]["reasons"]
    assert " | ".join(explained["reason_texts"]) == rows[1]["reason_texts"]
    assert all(
        r["text"].startswith(r["feature"].replace("_", " ").capitalize())
        for r in explained["reasons"]
    )

    report = json.loads(_run("report", str(model), str(data), "--json").stdout)
    assert report["rows"] == 1000 and report["auc"] > 0.79

    tables = _run(
        "fit",
        str(data),
        "--target",
        "creditability",
        "--bad",
        "bad",
        "--out",
        str(tmp_path / "m2.json"),
    )
    assert "AUC" in tables.stdout and "model id" in tables.stdout
