"""`credence cover price` and `cover verify`: a price proposed from the loans' PDs, and
recomputed from the recorded inputs alone (no chain needed)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from typer.testing import CliRunner

from ledger.cli import _register_subcommands, app
from ledger.deals.simulator import EXAMPLE_SPEC
from ledger.deals.spec import load_spec
from ledger.guarantees.pricing import LoanPd, PricingInputs, price, record, record_hash

runner = CliRunner()
_register_subcommands()


def _inputs() -> PricingInputs:
    loans = tuple(
        LoanPd(f"0x{i:064x}", 10_000_000_000 + i * 1_000_000, 200 + 37 * i, f"0x{i + 1:064x}")
        for i in range(20)
    )
    return PricingInputs("0x" + "ab" * 32, ("0x" + "cd" * 32,), loans, 1, 6_000, 30_000, 800, 25)


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_price_writes_the_record_the_library_computes(tmp_path: Path) -> None:
    path, out = tmp_path / "inputs.json", tmp_path / "record.json"
    path.write_text(json.dumps(asdict(_inputs())))
    code, output = _cli(
        "cover", "price", "--spec", str(EXAMPLE_SPEC), "--inputs", str(path), "--out", str(out),
        "--json",
    )  # fmt: skip
    assert code == 0, output
    expected = record(_inputs(), price(_inputs(), load_spec(EXAMPLE_SPEC)))
    assert out.read_text() == expected
    body = json.loads(output)
    assert body["pricing_hash"] == "0x" + record_hash(expected).hex()
    assert body["result"] == json.loads(expected)["result"]


def test_verify_recomputes_and_refuses_a_changed_result(tmp_path: Path) -> None:
    text = record(_inputs(), price(_inputs(), load_spec(EXAMPLE_SPEC)))
    digest = "0x" + record_hash(text).hex()
    good = tmp_path / "good.json"
    good.write_text(text)
    spec = ("cover", "verify", "--spec", str(EXAMPLE_SPEC))
    code, output = _cli(*spec, "--record", str(good), "--hash", digest, "--json")
    assert code == 0, output
    assert json.loads(output) == {
        "pricing_hash": digest,
        "result_matches": True,
        "hash_matches": True,
    }
    tampered = json.loads(text)
    tampered["result"]["collateral"] -= 1  # a smaller collateral than the inputs need
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tampered))
    code, output = _cli(*spec, "--record", str(bad), "--json")
    assert code == 1 and json.loads(output)["result_matches"] is False
    code, output = _cli(*spec, "--record", str(good), "--hash", "0x" + "00" * 32, "--json")
    assert code == 1 and json.loads(output)["hash_matches"] is False


def test_bad_inputs_exit_2_naming_the_field(tmp_path: Path) -> None:
    spec = ("cover", "price", "--spec", str(EXAMPLE_SPEC), "--inputs")
    path = tmp_path / "inputs.json"
    path.write_text(json.dumps({**asdict(_inputs()), "tranche": 2}))
    code, output = _cli(*spec, str(path))
    assert code == 2 and "tranche" in output and "Traceback" not in output
    path.write_text("{not json")
    code, output = _cli(*spec, str(path))
    assert code == 2 and "not JSON" in output
    path.write_text(json.dumps({"tape_root": "0x00"}))
    code, output = _cli(*spec, str(path))
    assert code == 2 and "inputs" in output
