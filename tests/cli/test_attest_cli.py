"""The CLI against a real Anvil: register a scorecard, score and attest a CSV, show,
disclose, verify, revoke; bad input exits with code 2 and one line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ledger import PROJECT_ROOT

from .conftest import run

SAMPLE = PROJECT_ROOT / "data" / "samples" / "german_credit.csv"


@pytest.fixture(scope="module")
def model(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("model") / "card.json"
    code, output = run(
        env,
        "score",
        "fit",
        str(SAMPLE),
        "--target",
        "creditability",
        "--bad",
        "bad",
        "--out",
        str(out),
        "--json",
    )
    assert code == 0, output
    code, output = run(env, "score", "register", str(out), "--json")
    assert code == 0, output
    first = json.loads(output)
    code, output = run(env, "score", "register", str(out), "--json")
    again = json.loads(output)
    assert again["model_id"] == first["model_id"] and again["already_registered"]
    return out


def test_attest_hands_each_subject_their_record_file(env, model: Path, tmp_path: Path):
    code, output = run(env, "score", "register", str(model), "--json")
    model_id = json.loads(output)["model_id"]
    scored = tmp_path / "scored.csv"
    scored.write_text("subject_id,score,grade\nalice,640,B\nbob,720,A\n")
    holders = tmp_path / "holders"
    code, output = run(
        env, "attest", str(scored), "--model", model_id, "--holder-dir", str(holders)
    )
    assert code == 0, output
    files = sorted(holders.glob("0x*.json"))
    assert len(files) == 2
    held = json.loads(files[0].read_text())
    assert held["batch"]["root"] and set(held["salts"]) == set(held["fields"])
    assert held["fields"]["subject"] not in ("alice", "bob")  # a pseudonym, never the raw id
    shown = tmp_path / "shown.json"
    nobody = {"CREDENCE_DATA_DIR": str(tmp_path / "nobody")}
    code, output = run(nobody, "disclose", str(files[0]), "--fields", "grade", "--out", str(shown))
    assert code == 0, output
    code, output = run(nobody, "verify", str(shown), "--rpc", env["CREDENCE_RPC_URL"], "--json")
    assert code == 0 and json.loads(output)["disclosed"]["grade"] in ("A", "B"), output


def test_attest_show_and_revoke_print_json(env, model: Path, tmp_path: Path):
    code, output = run(env, "score", "register", str(model), "--json")
    model_id = json.loads(output)["model_id"]
    scored = tmp_path / "scored.csv"
    scored.write_text("subject_id,score,grade\ncarol,610,C\ndan,700,A\n")
    code, output = run(env, "attest", str(scored), "--model", model_id, "--json")
    assert code == 0, output
    attested = json.loads(output)  # no progress bar mixed in
    assert attested["records"] == 2 and len(attested["commitments"]) == 2
    first = attested["commitments"][0]
    code, output = run(env, "show", first, "--json")
    assert code == 0 and json.loads(output)["status"] == "valid", output
    code, output = run(env, "revoke", first, "--reason", "3", "--json")
    assert code == 0 and json.loads(output)["revoked"] == [first], output
    held = tmp_path / "held.json"
    code, output = run(env, "record-file", attested["commitments"][1], "--out", str(held), "--json")
    assert code == 0 and json.loads(output)["out"] == str(held), output
    code, output = run(env, "disclose", str(held), "--fields", "grade", "--json")
    assert code == 0, output
    shown = {f["name"]: f["value"] for f in json.loads(output)["fields"]}
    assert shown["grade"] == "A" and "score" not in shown


def test_score_apply_attest_then_verify(env, model: Path, tmp_path: Path):
    data = tmp_path / "applicants.csv"
    with SAMPLE.open(newline="") as src, data.open("w", newline="") as dst:
        rows = list(csv.DictReader(src))[:40]
        writer = csv.DictWriter(dst, [c for c in rows[0] if c != "creditability"] + ["customer"])
        writer.writeheader()
        for i, row in enumerate(rows):
            row.pop("creditability")
            writer.writerow({**row, "customer": f"C{i:04d}"})
    scored = tmp_path / "scored.csv"
    code, output = run(
        env,
        "score",
        "apply",
        str(model),
        str(data),
        "--out",
        str(scored),
        "--attest",
        "--id-column",
        "customer",
    )
    assert code == 0, output
    lines = list(csv.DictReader(scored.open()))
    assert len(lines) == 40 and all(line["commitment"].startswith("0x") for line in lines)

    commitment = lines[5]["commitment"]
    code, output = run(env, "show", commitment)
    assert code == 0 and "valid" in output
    disclosure = tmp_path / "disclosure.json"
    code, output = run(
        env, "disclose", commitment, "--fields", "score,grade", "--out", str(disclosure)
    )
    assert code == 0, output
    code, output = run(env, "verify", str(disclosure))
    assert code == 0 and "valid" in output

    # The customer holds their record; a lender with no data directory verifies.
    held, shown = tmp_path / "record.json", tmp_path / "shown.json"
    code, output = run(env, "record-file", commitment, "--out", str(held))
    assert code == 0, output
    outsider = {"CREDENCE_DATA_DIR": str(tmp_path / "nobody")}
    code, output = run(outsider, "disclose", str(held), "--fields", "score", "--out", str(shown))
    assert code == 0, output
    assert {f["name"] for f in json.loads(shown.read_text())["fields"]} == {"score", "attester"}
    code, output = run(outsider, "verify", str(shown), "--rpc", env["CREDENCE_RPC_URL"], "--json")
    assert code == 0 and json.loads(output)["status"] == "valid", output
    assert not (tmp_path / "nobody").exists()  # nothing deployed, nothing written

    code, output = run(env, "revoke", commitment, "--reason", "5")
    assert code == 0, output
    code, output = run(env, "verify", str(disclosure))
    assert code == 1 and "revoked" in output
    code, output = run(outsider, "verify", str(shown), "--rpc", env["CREDENCE_RPC_URL"], "--json")
    assert code == 1 and json.loads(output)["revocation_reason"] == 5


@pytest.mark.parametrize(
    "args",
    [
        ("show", "0x1234"),
        ("verify", "missing-disclosure.json"),
        ("disclose", "not-a-file-nor-a-commitment.json"),
        ("record-file", "0x" + "ab" * 32, "--out", "record.json"),
        ("attest", "missing.csv", "--model", "0x" + "11" * 32),
        ("revoke", "0x" + "ab" * 32),
        ("score", "apply", "missing.json", "missing.csv", "--out", "scores.csv"),
        # a directory where a file goes: IsADirectoryError tracebacks before
        ("disclose", "adir"),
        ("disclose", "0x" + "ab" * 32, "--out", "adir"),
        ("attest", "scored.csv", "--model", "0x" + "11" * 32, "--out", "adir"),
        ("attest", "scored.csv", "--model", "0x" + "11" * 32, "--holder-dir", "scored.csv"),
        ("attest", "bytes.csv", "--model", "0x" + "11" * 32),  # not UTF-8
        ("rating", "methodology", "--out", "adir"),
    ],
)
def test_bad_input_exits_2(env, args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative names: nothing there, nothing written elsewhere
    (tmp_path / "adir").mkdir()
    (tmp_path / "scored.csv").write_text("subject_id,score,grade\ns1,600,B\n")
    (tmp_path / "bytes.csv").write_bytes(b"subject_id,score,grade\n\xff,600,B\n")
    code, output = run(env, *args)
    assert code == 2, output
    assert "Traceback" not in output


def test_verify_with_an_unreachable_node_exits_2(tmp_path):
    shown = PROJECT_ROOT / "tests" / "fixtures" / "disclosures" / "valid_single.json"
    code, output = run({}, "verify", str(shown), "--rpc", "http://127.0.0.1:9")
    assert code == 2 and "--rpc" in output and "Traceback" not in output


def test_verify_refuses_a_bad_disclosure_naming_the_field(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, output = run({}, "verify", str(bad), "--rpc", "http://127.0.0.1:9")
    assert code == 2 and "disclosure" in output and "not valid JSON" in output
