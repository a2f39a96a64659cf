"""Anchoring the audit report on a real node: ``credence audit export --anchor`` and
``credence audit anchor`` attest the report's record as the auditor; ``credence audit
verify-report`` (no data directory) says valid (exit 0), or names what is wrong (exit 1):
an altered file, an altered record, a pinned registry or attester that differs, a revoked
or expired anchor; bad input exits 2. One test checks the record with plain hashlib and
raw JSON-RPC calls, as docs/audit.md tells a third party to, without the project's code."""

from __future__ import annotations

import hashlib
import json
import shutil
import urllib.request
from pathlib import Path

import pytest
from audit_world import World
from Crypto.Hash import keccak as pycryptodome_keccak
from typer.testing import CliRunner

from ledger.cli import _register_subcommands, app
from ledger.runtime import Runtime

runner = CliRunner()
_register_subcommands()


@pytest.fixture(scope="module")
def env(runtime: Runtime, world: World) -> dict[str, str]:
    return {
        "CREDENCE_DATA_DIR": str(runtime.settings.data_dir),
        "CREDENCE_RPC_URL": str(runtime.settings.rpc_url),
    }


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    from ledger.settings import get_settings

    get_settings.cache_clear()
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def anchored(env, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("anchored") / "export"
    code, text = run(env, "audit", "export", "--out", str(out), "--anchor", "--json")
    assert code == 0, text
    return out, json.loads(text)


def verify(env, path: Path, *extra: str) -> tuple[int, dict]:
    rpc = env["CREDENCE_RPC_URL"]
    code, text = run({}, "audit", "verify-report", str(path), "--rpc", rpc, "--json", *extra)
    assert code in (0, 1), text
    return code, json.loads(text)


def copy_of(anchored, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(anchored[0], target)
    return target


def test_export_anchor_then_verify_report_is_valid(env, anchored):
    out, body = anchored
    anchor = body["anchor"]
    record = json.loads((out / "audit-anchor.json").read_text())
    assert anchor["commitment"] == "0x" + hashlib.sha256((out / "audit-anchor.json").read_bytes()).hexdigest()  # fmt: skip
    paths = [f["path"] for f in record["files"]]
    assert "report.html" in paths and "report.json" in paths
    assert any(p.endswith("/journal.csv") for p in paths)
    assert any(p.endswith("/journal.json") for p in paths)
    assert record["head_block"] == body["head_block"] and record["state_digest"] == body["state_digest"]  # fmt: skip
    for target in (out, out / "report.html", out / "audit-anchor.json"):
        code, result = verify(env, target)
        assert code == 0 and result["status"] == "valid", result
    assert result["files_checked"] == len(paths) and result["attester_id"] == anchor["attester_id"]
    nowhere = out.parent / "no-data-dir"  # verifying reads no data directory, writes none
    code, text = run(
        {"CREDENCE_DATA_DIR": str(nowhere)}, "audit", "verify-report", str(out), "--rpc", env["CREDENCE_RPC_URL"]
    )  # fmt: skip
    assert code == 0 and "valid" in text and max(len(line) for line in text.splitlines()) <= 100
    assert not nowhere.exists()


def test_altered_file_or_record_is_not_valid(env, anchored, tmp_path):
    copy = copy_of(anchored, tmp_path)
    journal = next(copy.glob("pools/*/journal.csv"))
    journal.write_text(journal.read_text().replace("pool:cash", "pool:cosh", 1))
    code, result = verify(env, copy)
    assert code == 1 and result["status"] == "files_altered"
    assert result["files_altered"] == [journal.relative_to(copy).as_posix()]

    copy = copy_of(anchored, tmp_path / "2")
    record_file = copy / "audit-anchor.json"
    record = json.loads(record_file.read_text())
    record["state_digest"] = "0" * 64  # a different claim: a different commitment
    record_file.write_text(json.dumps(record, indent=2) + "\n")
    code, result = verify(env, copy)
    assert code == 1 and result["status"] == "unknown", result


def test_pinned_registry_or_attester_must_match(env, anchored):
    out, body = anchored
    code, result = verify(env, out, "--registry", "0x" + "11" * 20)
    assert code == 1 and result["status"] == "mismatch"
    code, result = verify(env, out, "--attester", str(body["anchor"]["attester_id"] + 7))
    assert code == 1 and result["status"] == "mismatch"
    code, result = verify(env, out, "--attester", str(body["anchor"]["attester_id"]))
    assert code == 0


def _rpc(url: str, method: str, params: list) -> object:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["result"]


def _selector(signature: str) -> str:
    return pycryptodome_keccak.new(data=signature.encode(), digest_bits=256).hexdigest()[:8]


def test_a_third_party_checks_the_record_with_hashlib_and_eth_call(env, anchored):
    """docs/audit.md's recipe, step by step, independent of ledger/."""
    out, _ = anchored
    url = env["CREDENCE_RPC_URL"]
    raw = (out / "audit-anchor.json").read_bytes()
    record = json.loads(raw)
    for f in record["files"]:  # sha256sum -c
        data = (out / f["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]
        keccak = pycryptodome_keccak.new(data=data, digest_bits=256).hexdigest()
        assert "0x" + keccak == f["keccak256"]
    key = hashlib.sha256(raw).hexdigest()
    attester = f"{record['attester_id']:064x}"
    assert int(_rpc(url, "eth_chainId", []), 16) == record["chain_id"]
    call = {"to": record["registry"], "data": "0x" + _selector("statusOf(uint32,bytes32)") + attester + key}  # fmt: skip
    assert int(_rpc(url, "eth_call", [call, "latest"]), 16) == 1  # Status.Valid
    call["data"] = "0x" + _selector("getRecord(uint32,bytes32)") + attester + key
    words = _rpc(url, "eth_call", [call, "latest"])[2:]
    expires_at = int(words[3 * 64 : 4 * 64], 16)
    assert expires_at == record["expires_at"]
    block = _rpc(url, "eth_getBlockByNumber", [hex(record["head_block"]), False])
    assert block["hash"] == record["head_block_hash"]
    # the model: the audit report format's id
    model = pycryptodome_keccak.new(data=b"credence-audit-report/1", digest_bits=256).hexdigest()
    assert record["model_id"] == "0x" + model


def test_bad_input_exits_2(env, anchored, tmp_path):
    code, out = run({}, "audit", "verify-report", str(tmp_path / "nope"), "--rpc", "http://x")
    assert code == 2 and "no such file" in out
    code, out = run({}, "audit", "verify-report", str(tmp_path), "--rpc", "http://x")
    assert code == 2 and "audit-anchor.json" in out
    rpc = "http://127.0.0.1:9"  # nothing listens
    code, out = run({}, "audit", "verify-report", str(anchored[0]), "--rpc", rpc)
    assert code == 2 and "--rpc" in out
    code, out = run(env, "audit", "anchor", str(tmp_path))
    assert code == 2 and "report.html" in out
    code, out = run(env, "audit", "anchor", str(anchored[0]), "--valid-days", "0")
    assert code == 2 and "--valid-days" in out


def test_anchor_command_then_revoked_anchor_is_not_valid(env, runtime, anchored, tmp_path):
    copy = copy_of(anchored, tmp_path)
    code, text = run(env, "audit", "anchor", str(copy / "report.html"), "--json")
    assert code == 0, text  # the same files, the same block: the same record, anchored once
    assert json.loads(text)["tx_hash"] == anchored[1]["anchor"]["tx_hash"]
    (copy / "auditor-notes.txt").write_text("signed off\n")  # a file more: another record
    code, text = run(env, "audit", "anchor", str(copy / "report.html"), "--json")
    assert code == 0, text
    body = json.loads(text)
    assert body["commitment"] != anchored[1]["anchor"]["commitment"] and body["files"] == anchored[1]["anchor"]["files"] + 1  # fmt: skip
    code, result = verify(env, copy)
    assert code == 0, result
    from ledger.audit.auditor import AUDITOR_ROLE

    runtime.registry(AUDITOR_ROLE).revoke(bytes.fromhex(body["commitment"][2:]), 7)
    code, result = verify(env, copy)
    assert code == 1 and result["status"] == "revoked"


def test_expired_anchor_is_not_valid(env, runtime, anchored, tmp_path, w3, snapshot):
    copy = copy_of(anchored, tmp_path)
    code, text = run(env, "audit", "anchor", str(copy), "--valid-days", "1", "--json")
    assert code == 0, text
    w3.provider.make_request("evm_increaseTime", [2 * 86_400])
    w3.provider.make_request("evm_mine", [])
    code, result = verify(env, copy)
    assert code == 1 and result["status"] == "expired"


def test_the_documented_sha256sum_line_checks_every_file(anchored, tmp_path):
    """docs/audit.md's `jq … | sha256sum -c` line, run as written (jq and coreutils)."""
    import subprocess

    from ledger import PROJECT_ROOT

    doc = (PROJECT_ROOT / "docs" / "audit.md").read_text().splitlines()
    line = next(x for x in doc if x.startswith("jq -r '.files")).split("   #")[0]
    copy = copy_of(anchored, tmp_path)
    assert subprocess.run(line, shell=True, cwd=copy).returncode == 0
    next(copy.glob("pools/*/journal.json")).write_text("[]")
    assert subprocess.run(line, shell=True, cwd=copy, capture_output=True).returncode != 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r.update(format="credence-audit-anchor/9"), "format"),
        (lambda r: r.update(registry="0x12"), "registry"),
        (lambda r: r.update(attester_id=2**32), "attester_id"),
        (lambda r: r.update(model_id="0x" + "00" * 32), "model_id"),
        (lambda r: r.pop("files"), "files"),
    ],
)
def test_a_malformed_record_is_invalid_and_named(env, anchored, tmp_path, change, field):
    copy = copy_of(anchored, tmp_path)
    record = json.loads((copy / "audit-anchor.json").read_text())
    change(record)
    (copy / "audit-anchor.json").write_text(json.dumps(record))
    code, result = verify(env, copy)
    assert code == 1 and result["status"] == "invalid_record"
    assert result["reasons"][0].startswith(f"{field}:"), result
