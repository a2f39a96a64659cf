"""`credence cover price` and `cover verify`: a price proposed from a tape whose PDs are
checked against their attested records on chain, and recomputed from the recorded inputs
alone (offline, or with --attested against the registry too)."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path

from typer.testing import CliRunner

from ledger.cli import _register_subcommands, app
from ledger.deals.simulator import EXAMPLE_SPEC
from ledger.deals.spec import load_spec
from ledger.guarantees.pricing import (
    LoanPd,
    PricingInputs,
    inputs_from_record,
    price,
    record,
    record_hash,
)

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


def test_price_from_a_tape_checks_each_pd_on_chain(env: dict[str, str], tmp_path: Path) -> None:
    from cover_samples import issue_pds, write_tape

    from ledger.runtime import Runtime
    from ledger.settings import Settings

    from .conftest import run

    pds = [300, 1200, 80]
    settings = Settings(data_dir=Path(env["CREDENCE_DATA_DIR"]), rpc_url=env["CREDENCE_RPC_URL"])
    with Runtime.open(settings) as rt:
        uids = issue_pds(rt, pds)
    tape = write_tape(tmp_path / "tape.csv", uids, pds)
    params = {"tranche": 1, "lgd_bps": 6000, "stress_bps": 30000, "cpr_bps": 800, "margin_bps": 25}
    path, out = tmp_path / "params.json", tmp_path / "record.json"
    path.write_text(json.dumps(params))
    price = ("cover", "price", "--spec", str(EXAMPLE_SPEC), "--inputs", str(path))
    code, output = run(env, *price, "--tape", str(tape), "--out", str(out), "--json")
    assert code == 0, output
    body = json.loads(output)
    assert body["pricing_hash"] == "0x" + record_hash(out.read_text()).hex()
    assert [x["pd_bps"] for x in body["inputs"]["loans"]] == pds
    again = price_of(inputs_from_record(out.read_text()))
    assert body["result"] == asdict(again)

    verify = ("cover", "verify", "--spec", str(EXAMPLE_SPEC), "--record", str(out))
    code, output = run(env, *verify, "--attested", "--hash", body["pricing_hash"], "--json")
    assert code == 0 and json.loads(output)["hash_matches"] is True, output

    wrong = write_tape(tmp_path / "wrong.csv", uids, [300, 1200, 81])
    code, output = run(env, *price, "--tape", str(wrong))
    flat = " ".join(output.split())
    assert code == 2 and "row 4, column pd_bps" in flat and uids[2] in flat


def price_of(inputs: PricingInputs):
    return price(inputs, load_spec(EXAMPLE_SPEC))


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
    path.write_bytes(b'{"tape_root": "\xff"}')  # a UnicodeDecodeError traceback before
    code, output = _cli(*spec, str(path))
    assert code == 2 and "not UTF-8" in output and "Traceback" not in output


def test_verify_recomputes_an_insurance_record(tmp_path: Path) -> None:
    """A policy's record (kind insurance, its terms, no tranche) recomputes the same way;
    a changed coinsurance share no longer matches the recorded result."""
    policy = replace(
        _inputs(),
        kind="insurance",
        deductible=5_000_000_000,
        limit=40_000_000_000,
        coinsurance_bps=9_000,
        last_period=12,
    )
    text = record(policy, price(policy, load_spec(EXAMPLE_SPEC)))
    assert '"kind":"insurance"' in text
    digest = "0x" + record_hash(text).hex()
    good = tmp_path / "policy.json"
    good.write_text(text)
    spec = ("cover", "verify", "--spec", str(EXAMPLE_SPEC))
    code, output = _cli(*spec, "--record", str(good), "--hash", digest, "--json")
    assert code == 0 and json.loads(output)["result_matches"] is True, output
    code, output = _cli(*spec, "--record", str(good))
    assert code == 0 and "premium_bps" in output and "collateral" in output
    changed = json.loads(text)
    changed["inputs"]["coinsurance_bps"] = 5_000
    bad = tmp_path / "changed.json"
    bad.write_text(json.dumps(changed))
    code, output = _cli(*spec, "--record", str(bad), "--json")
    assert code == 1 and json.loads(output)["result_matches"] is False
    changed["inputs"]["coinsurance_bps"] = 10_001
    bad.write_text(json.dumps(changed))
    code, output = _cli(*spec, "--record", str(bad))
    assert code == 2 and "coinsurance_bps" in output and "Traceback" not in output
