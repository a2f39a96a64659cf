"""The stored disclosure fixtures through all four verifiers: Python, the CLI, the API and the
JavaScript package must give the verdict stored in expected.json, on a fresh node set up by
``disclosure_fixtures.build`` (which must also reproduce the stored files byte for byte)."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from eth_abi import encode as abi_encode
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web3 import Web3

from api.deps import Role
from api.main import create_app
from ledger import PROJECT_ROOT
from ledger.attest.disclosure import RecordFile
from ledger.attest.records import field_leaf
from ledger.attest.registry import Registry, Status
from ledger.attest.verify import RpcReader, verify_document
from ledger.attest.verify_many import CachedReader, verify_many
from ledger.chain.deploy import contract_at
from ledger.chain.node import LocalNode, free_port
from ledger.cli import _register_subcommands, app
from ledger.merkle import hash_pair, keccak
from ledger.runtime import Runtime
from ledger.settings import Settings
from tests.attest.disclosure_fixtures import FIXTURES, build, write

EXPECTED: dict[str, str] = json.loads((FIXTURES / "expected.json").read_text())
JS_RUNNER = PROJECT_ROOT / "tests" / "js" / "verify_fixtures.mjs"
JS_CLI = PROJECT_ROOT / "verifier-js" / "cli.mjs"


@pytest.fixture(scope="module")
def node() -> Iterator[tuple[LocalNode, dict]]:
    with LocalNode(kind="anvil", port=free_port()) as local:
        docs = build(Web3(Web3.HTTPProvider(local.url)))
        yield local, docs


def test_fixtures_cover_the_cases_the_issue_names():
    verdicts = set(EXPECTED.values())
    assert {"valid", "revoked", "expired", "attester_suspended", "mismatch", "unknown"} <= verdicts
    assert {"invalid_disclosure", "wrong_chain", "not_registry"} <= verdicts
    assert sum(name.startswith("tampered_") for name in EXPECTED) >= 20


def test_stored_fixtures_are_what_the_chain_setup_produces(node, tmp_path: Path):
    _, docs = node
    write(docs, tmp_path)
    for made in sorted(tmp_path.glob("*.json")):
        assert made.read_text() == (FIXTURES / made.name).read_text(), made.name


def test_python_cli_api_and_javascript_agree(node, tmp_path: Path):
    local, _ = node
    files = {name: FIXTURES / f"{name}.json" for name in EXPECTED}
    raw = {name: json.loads(path.read_text()) for name, path in files.items()}
    w3 = Web3(Web3.HTTPProvider(local.url))
    head = w3.eth.block_number
    reader = RpcReader(local.url)
    python = {name: verify_document(reader, doc) for name, doc in raw.items()}

    _register_subcommands()
    runner = CliRunner()
    cli = {}
    for name, path in files.items():
        result = runner.invoke(app, ["verify", str(path), "--rpc", local.url, "--json"], env={})
        verdict = json.loads(result.output)
        code = 0 if verdict["valid"] else 2 if verdict["status"] == "invalid_disclosure" else 1
        assert result.exit_code == code, (name, result.output)
        cli[name] = verdict

    settings = Settings(data_dir=tmp_path / "api", rpc_url=local.url)
    with Runtime.open(settings) as rt, TestClient(create_app(rt, {"k": Role.verifier})) as client:
        deployed = w3.eth.block_number - head  # the API's own service deployment, not verifying
        api = {}
        for name, doc in raw.items():
            response = client.post("/v1/verify", json=doc, headers={"X-API-Key": "k"})
            if response.status_code == 422:
                [error] = response.json()["errors"]
                api[name] = ("invalid_disclosure", error["field"])
            else:
                assert response.status_code == 200, (name, response.text)
                api[name] = (response.json()["status"], None)
        names = list(raw)
        response = client.post(
            "/v1/verify/batch", json={"disclosures": list(raw.values())}, headers={"X-API-Key": "k"}
        )
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        api_batch = {n: (r["status"], r["field"]) for n, r in zip(names, results, strict=True)}
    batch = verify_many(CachedReader(reader, w3.provider), list(raw.values()))
    python_batch = dict(zip(names, batch, strict=True))

    out = subprocess.run(
        ["node", str(JS_RUNNER), local.url, *map(str, files.values())],
        capture_output=True,
        text=True,
        check=True,
    )
    js = json.loads(out.stdout)
    assert w3.eth.block_number == head + deployed  # verifying never sent a transaction

    for name, expected in EXPECTED.items():
        p = python[name]
        verdicts = {
            "python": (p.status, p.field),
            "cli": (cli[name]["status"], cli[name]["field"]),
            "api": api[name],
            "api_batch": api_batch[name],
            "python_batch": (python_batch[name].status, python_batch[name].field),
            "js": (js[name]["status"], js[name]["field"]),
        }
        assert {v[0] for v in verdicts.values()} == {expected}, (name, verdicts)
        assert len({v[1] for v in verdicts.values()}) == 1, (name, verdicts)  # same field named


@pytest.mark.parametrize(
    ("record_file", "fields"),
    [("record_file_batched", "score,model_id"), ("record_file_strategy", "reason_texts,decision")],
)
def test_javascript_cli_discloses_from_a_record_file_and_verifies(
    node, tmp_path: Path, record_file: str, fields: str
):
    local, _ = node
    shown = tmp_path / "shown.json"
    source = str(FIXTURES / f"{record_file}.json")
    made = subprocess.run(
        ["node", str(JS_CLI), "disclose", source, "--fields", fields, "--out", str(shown)],
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    doc = json.loads(shown.read_text())
    assert {f["name"] for f in doc["fields"]} == {*fields.split(","), "attester"}
    held = RecordFile.from_json((FIXTURES / f"{record_file}.json").read_text())
    assert doc == held.disclose(fields.split(",")).to_dict()  # the same disclosure Python makes
    assert verify_document(RpcReader(local.url), doc).status == "valid"
    for file, code in ((shown, 0), (FIXTURES / "revoked_single.json", 1)):
        checked = subprocess.run(
            ["node", str(JS_CLI), "verify", str(file), "--rpc", local.url, "--json"],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == code, checked.stdout + checked.stderr
    tampered = str(FIXTURES / "tampered_changed_value.json")
    bad = subprocess.run(
        ["node", str(JS_CLI), "verify", tampered, "--rpc", local.url],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "does not match the commitment" in bad.stdout


def test_registry_code_hash_shipped_with_the_javascript_package_is_current():
    from ledger.attest.verify import registry_code_hash

    shipped = json.loads((PROJECT_ROOT / "verifier-js" / "registry-code.json").read_text())
    assert shipped["runtime_code_hash"] == "0x" + registry_code_hash().hex()


# -- the worked example of docs/disclosure.md, and the JSON Schema ------------------------

SPEC = PROJECT_ROOT / "docs" / "disclosure.md"


def _documented_hashes() -> dict[str, list[str]]:
    """Per field, the hashes the spec lists: keccak(encoding), the leaf, then each step."""
    text = SPEC.read_text().split("## Worked example", 1)[1]
    blocks = re.findall(r"```\n(keccak\(encoding\).*?)```", text, re.S)
    names = ("score", "attester")
    return {
        name: re.findall(r"= (0x[0-9a-f]{64})", block)
        for name, block in zip(names, blocks, strict=True)
    }


def test_worked_example_is_reproduced_by_both_verifiers(node):
    local, _ = node
    path = FIXTURES / "worked_example.json"
    doc = json.loads(path.read_text())
    documented = _documented_hashes()
    assert doc["commitment"] in SPEC.read_text()
    python = {}
    for f in doc["fields"]:
        salt = bytes.fromhex(f["salt"][2:])
        inner = keccak(abi_encode(["string", "string", "bytes32"], [f["name"], f["value"], salt]))
        node_hash, steps = keccak(inner), []
        assert node_hash == field_leaf(f["name"], f["value"], salt)
        hashes = [inner, node_hash]
        for p in f["proof"]:
            node_hash = hash_pair(node_hash, bytes.fromhex(p[2:]))
            steps.append(node_hash)
        python[f["name"]] = ["0x" + h.hex() for h in hashes + steps]
    out = subprocess.run(
        ["node", str(PROJECT_ROOT / "tests" / "js" / "worked_example.mjs"), str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    js = {n: [v["inner"], v["leaf"], *v["steps"]] for n, v in json.loads(out.stdout).items()}
    assert python == js == documented
    assert documented["score"][-1] == documented["attester"][-1] == doc["commitment"]
    assert verify_document(RpcReader(local.url), doc).status == "valid"
    w3 = Web3(Web3.HTTPProvider(local.url))
    registry = Registry(contract_at(w3, "AttestationRegistry", doc["registry"]), None)  # views
    commitment = bytes.fromhex(doc["commitment"][2:])
    assert registry.status_of(1, commitment) is Status.Valid
    assert registry.status_of(2, commitment) is Status.Revoked  # the copy, as the spec says
    checked = subprocess.run(
        ["node", str(JS_CLI), "verify", str(path), "--rpc", local.url, "--json"],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0 and json.loads(checked.stdout)["status"] == "valid"


def test_json_schema_accepts_every_well_formed_fixture_and_refuses_bad_shapes():
    schema = json.loads((PROJECT_ROOT / "docs" / "disclosure.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    shape_errors = {
        "tampered_extra_key",
        "tampered_extra_key_in_field",
        "tampered_unknown_version",
        "tampered_no_fields",
        "tampered_missing_registry",
        "tampered_attester_hidden",
        "tampered_uppercase_salt",
        "tampered_uppercase_commitment",
        "tampered_uppercase_registry",
        "tampered_renamed_field",
    }
    for name in EXPECTED:
        doc = json.loads((FIXTURES / f"{name}.json").read_text())
        assert validator.is_valid(doc) is (name not in shape_errors), name
