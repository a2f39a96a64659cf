"""Scorecard steps chained on a real Anvil: fit, register the model and a strategy beside it,
apply with an id column, attest (directly or through ``credence attest`` as in the README),
refuse bad rows by row and column, and attest only the good ones when asked."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ledger import PROJECT_ROOT

from .conftest import run

SAMPLE = PROJECT_ROOT / "data" / "samples" / "german_credit.csv"


@pytest.fixture(scope="module")
def card(env, tmp_path_factory) -> tuple[Path, Path, str, str]:
    """A registered card and a registered strategy for it: (card, strategy, ids...)."""
    folder = tmp_path_factory.mktemp("chain")
    model, plan = folder / "card.json", folder / "strategy.json"
    args = ["score", "fit", str(SAMPLE), "--target", "creditability", "--bad", "bad"]
    code, output = run(env, *args, "--out", str(model), "--json")
    assert code == 0, output
    code, output = run(
        env,
        "score",
        "strategy",
        str(model),
        str(SAMPLE),
        "--target-bad-rate",
        "0.15",
        "--out",
        str(plan),
        "--json",
    )
    assert code == 0, output
    # A strategy cannot be registered before its model.
    code, output = run(env, "score", "register", str(plan), "--json")
    assert code == 2 and "register the model first" in output
    code, output = run(env, "score", "register", str(model), "--json")
    assert code == 0, output
    model_id = json.loads(output)["model_id"]
    code, output = run(env, "score", "register", str(plan), "--uri", "ipfs://plan", "--json")
    assert code == 0, output
    registered = json.loads(output)
    assert registered["kind"] == "strategy" and registered["model_id"] == model_id
    return model, plan, model_id, registered["strategy_id"]


def _applicants(path: Path, n: int = 30, bad_rows: tuple[int, ...] = ()) -> Path:
    with SAMPLE.open(newline="") as src, path.open("w", newline="") as dst:
        rows = list(csv.DictReader(src))[:n]
        writer = csv.DictWriter(dst, [c for c in rows[0] if c != "creditability"] + ["customer"])
        writer.writeheader()
        for i, row in enumerate(rows, start=1):
            row.pop("creditability")
            if i in bad_rows:
                row["duration_in_month"] = "twelve"
            writer.writerow({**row, "customer": f"C{i:04d}"})
    return path


def _apply(env, model: Path, data: Path, out: Path, *extra: str) -> tuple[int, str]:
    args = ["score", "apply", str(model), str(data), "--id-column", "customer", "--out", str(out)]
    return run(env, *args, *extra)


def test_apply_then_attest_as_in_the_readme(env, card, tmp_path):
    model, _, model_id, _ = card
    data = _applicants(tmp_path / "applicants.csv")
    scores = tmp_path / "scores.csv"
    code, output = _apply(env, model, data, scores)
    assert code == 0, output
    rows = list(csv.DictReader(scores.open()))
    assert [r["subject_id"] for r in rows[:2]] == ["C0001", "C0002"]
    assert {"subject_id", "score", "grade", "pd_bps", "reasons"} <= rows[0].keys()
    sealed = tmp_path / "sealed.jsonl"
    code, output = run(env, "attest", str(scores), "--model", model_id, "--out", str(sealed))
    assert code == 0, output
    records = [json.loads(line)["fields"] for line in sealed.read_text().splitlines()]
    assert len(records) == 30
    assert [r["score"] for r in records] == [int(r["score"]) for r in rows]
    assert records[0]["pd_bps"] == int(rows[0]["pd_bps"])
    assert records[0]["reasons"] == rows[0]["reasons"].split(";")


def test_records_attested_under_a_strategy_name_it(env, card, tmp_path):
    model, plan, _, strategy_id = card
    data = _applicants(tmp_path / "applicants.csv", n=12)
    scores = tmp_path / "scores.csv"
    code, output = _apply(env, model, data, scores, "--strategy", str(plan), "--attest", "--json")
    assert code == 0, output
    summary = json.loads(output.splitlines()[-1])
    assert summary["strategy_id"] == strategy_id and summary["attested"] == 12
    rows = list(csv.DictReader(scores.open()))
    disclosure = tmp_path / "disclosure.json"
    code, output = run(
        env,
        "disclose",
        rows[0]["commitment"],
        "--fields",
        "strategy,decision,reason_texts,score",
        "--out",
        str(disclosure),
    )
    assert code == 0, output
    shown = {f["name"]: f["value"] for f in json.loads(disclosure.read_text())["fields"]}
    assert shown["strategy"] == strategy_id
    assert shown["decision"] == rows[0]["decision"]
    assert shown["reason_texts"].split("\n") == rows[0]["reason_texts"].split(" | ")
    code, output = run(env, "verify", str(disclosure))
    assert code == 0, output


def test_a_bad_row_is_named_and_nothing_is_attested(env, card, tmp_path):
    model, *_ = card
    data = _applicants(tmp_path / "applicants.csv", n=10, bad_rows=(4, 7))
    scores = tmp_path / "scores.csv"
    code, output = _apply(env, model, data, scores, "--attest")
    assert code == 2 and "Traceback" not in output
    assert "duration_in_month" in output and "row 4" in output and "2 of 10 rows" in output
    assert not scores.exists()
    rejects = tmp_path / "rejects.csv"
    code, output = _apply(
        env, model, data, scores, "--attest", "--skip-invalid", "--rejects", str(rejects), "--json"
    )
    assert code == 0, output
    summary = json.loads(output.splitlines()[-1])
    assert summary["attested"] == 8
    assert [(r["row"], r["column"]) for r in summary["refused"]] == [
        (4, "duration_in_month"),
        (7, "duration_in_month"),
    ]
    written = list(csv.DictReader(scores.open()))
    assert [r["row"] for r in written] == ["1", "2", "3", "5", "6", "8", "9", "10"]
    assert all(r["commitment"].startswith("0x") for r in written)
    assert [r["row"] for r in csv.DictReader(rejects.open())] == ["4", "7"]
